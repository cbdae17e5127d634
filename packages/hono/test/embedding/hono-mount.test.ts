/**
 * The restore app inside another Hono app, the two ways docs/embedding.md
 * shows: merged with `host.route("/", restoreApp)`, and kept apart by
 * handing it the requests of its paths. What the guide says each one does
 * and does not carry over is checked here.
 */
import { createRestoreApp } from "@restorekit/hono";
import { DEFAULT_TENANT, testEnvironment } from "@restorekit/testing";
import { Hono } from "hono";
import pino from "pino";
import { beforeAll, describe, expect, it } from "vitest";
import { ADMIN_TOKEN, tokenTable } from "./support/token-table.js";

const AUTH = { headers: { "X-Auth-Token": ADMIN_TOKEN } };

let restoreId: number;
let restoreApp: ReturnType<typeof createRestoreApp>;

beforeAll(async () => {
  const env = testEnvironment();
  const created = await env.createRestore();
  if (created.isErr()) throw new Error(created.error.message);
  restoreId = created.value.restoreId;
  restoreApp = createRestoreApp({
    service: env.service,
    tokens: tokenTable(),
    logger: pino({ level: "silent" }),
  });
});

describe('host.route("/", restoreApp)', () => {
  const merged = () => {
    const host = new Hono();
    host.get("/api/before", (c) => c.text("before"));
    host.route("/", restoreApp);
    host.get("/api/after", (c) => c.text("after"));
    return host;
  };

  it("serves the restore routes with their own answers and request ids", async () => {
    const host = merged();
    const details = await host.request(`/v1.0/${DEFAULT_TENANT}/restore/${restoreId}`, AUTH);
    expect(details.status).toBe(200);
    expect(details.headers.get("x-request-id")).not.toBeNull();

    const missing = await host.request(`/v1.0/${DEFAULT_TENANT}/restore/99`, AUTH);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ itemNotFound: { details: "restore_not_found" } });

    const wrongMethod = await host.request(`/v1.0/${DEFAULT_TENANT}/restore/action-requested`);
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get("allow")).toBe("POST");
  });

  it("leaves unknown paths to the host's not-found answer", async () => {
    const response = await merged().request("/nowhere");
    expect(response.status).toBe(404);
    expect(await response.text()).toBe("404 Not Found");
  });

  it("runs the request-id middleware on host routes added after the mount only", async () => {
    const host = merged();
    const before = await host.request("/api/before");
    expect(await before.text()).toBe("before");
    expect(before.headers.get("x-request-id")).toBeNull();
    const after = await host.request("/api/after");
    expect(await after.text()).toBe("after");
    expect(after.headers.get("x-request-id")).not.toBeNull();
  });
});

describe("the restore app kept apart, handed the requests of its paths", () => {
  const apart = () => {
    const host = new Hono();
    host.all("/v1.0/*", (c) => restoreApp.fetch(c.req.raw));
    host.all("/v2/*", (c) => restoreApp.fetch(c.req.raw));
    host.get("/api/after", (c) => c.text("after"));
    return host;
  };

  it("answers unknown restore paths with its own 404 fault, and leaves host routes alone", async () => {
    const host = apart();
    const unknown = await host.request(`/v1.0/${DEFAULT_TENANT}/nothing`, AUTH);
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ itemNotFound: { details: "route_not_found" } });

    const details = await host.request(`/v1.0/${DEFAULT_TENANT}/restore/${restoreId}`, AUTH);
    expect(details.status).toBe(200);

    const after = await host.request("/api/after");
    expect(after.headers.get("x-request-id")).toBeNull();
  });
});
