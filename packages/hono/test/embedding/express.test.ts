/**
 * The restore app inside an Express 5 app, as docs/embedding.md builds it,
 * over a real socket: the restore paths go to the app through
 * `@hono/node-server`'s request listener, Express keeps its own routes, and
 * a hand-written route answers core's errors with `errorResponse`.
 */
import { parseV1Date } from "@restorekit/core";
import { DEFAULT_TENANT, testEnvironment } from "@restorekit/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expressHost, type HostMistake, type Listening, listen } from "./support/express-host.js";
import { ADMIN_TOKEN, STRANGER_TOKEN, tokenTable } from "./support/token-table.js";

const JSON_HEADERS = { "X-Auth-Token": ADMIN_TOKEN, "Content-Type": "application/json" };

/** A host with its own store, listening; closed by the suite's afterAll. */
async function hostWith(mistake: HostMistake = "none") {
  const env = testEnvironment();
  const created = await env.createRestore();
  if (created.isErr()) throw new Error(created.error.message);
  const listening = await listen(expressHost(env.service, tokenTable(), mistake));
  return { env, restoreId: created.value.restoreId, listening };
}

function action(url: string, body: unknown, headers: Record<string, string> = JSON_HEADERS) {
  return fetch(`${url}/v1.0/${DEFAULT_TENANT}/restore/action-requested`, {
    method: "POST",
    headers,
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

describe("the restore app mounted in Express 5", () => {
  const opened: Listening[] = [];
  let url: string;
  let restoreId: number;
  let env: ReturnType<typeof testEnvironment>;

  beforeAll(async () => {
    const host = await hostWith();
    opened.push(host.listening);
    url = host.listening.url;
    restoreId = host.restoreId;
    env = host.env;
  });

  afterAll(async () => {
    await Promise.all(opened.map((listening) => listening.close()));
  });

  it("serves the seed route: a StartManual is 204 with no body and a request id", async () => {
    const response = await action(url, { Action: "StartManual", Id: restoreId });
    expect(response.status).toBe(204);
    expect(await response.text()).toBe("");
    expect(response.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("serves the details with the v1 date form intact through Express", async () => {
    const response = await fetch(`${url}/v1.0/${DEFAULT_TENANT}/restore/${restoreId}`, {
      headers: { "X-Auth-Token": ADMIN_TOKEN, "X-Request-Id": "details-1" },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("x-request-id")).toBe("details-1");
    const text = await response.text();
    // Written as .NET writes it, and left alone by Express on the way out.
    expect(text).toMatch(/"BackupRestorePoint":"\\\/Date\(\d+\)\\\/"/);
    expect(text).not.toMatch(/[^\\]\//);
    const details = JSON.parse(text);
    expect(details).toMatchObject({ RestoreId: restoreId, RestoreStateId: 6 });
    expect(parseV1Date(details.BackupRestorePoint).isOk()).toBe(true);
  });

  it("serves the health routes matched by their full paths", async () => {
    const health = await fetch(`${url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: "ok" });
    const ready = await fetch(`${url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: "ready" });
  });

  it("keeps serving Express's own routes, which the restore app does not touch", async () => {
    const response = await fetch(`${url}/api/hello`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ hello: "world" });
    expect(response.headers.get("x-request-id")).toBeNull();
  });

  it("answers errors in the v1 fault shape with the request id", async () => {
    const missing = await fetch(`${url}/v1.0/${DEFAULT_TENANT}/restore/99`, {
      headers: { "X-Auth-Token": ADMIN_TOKEN, "X-Request-Id": "missing-1" },
    });
    expect(missing.status).toBe(404);
    expect(missing.headers.get("content-type")).toBe("application/json; charset=utf-8");
    expect(missing.headers.get("x-request-id")).toBe("missing-1");
    expect(await missing.json()).toEqual({
      itemNotFound: {
        code: 404,
        message: "Restore 99 was not found.",
        details: "restore_not_found",
      },
    });

    const anonymous = await action(
      url,
      { Action: "StartManual", Id: restoreId },
      {
        "Content-Type": "application/json",
      },
    );
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get("x-request-id")).not.toBeNull();
    expect(await anonymous.json()).toMatchObject({
      unauthorized: { code: 401, details: "unauthenticated" },
    });

    const wrongMethod = await fetch(`${url}/v1.0/${DEFAULT_TENANT}/restore/action-requested`, {
      headers: { "X-Auth-Token": ADMIN_TOKEN },
    });
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get("allow")).toBe("POST");
    expect(await wrongMethod.json()).toMatchObject({ badMethod: { code: 405 } });
  });

  it("refuses a 70 KiB body with 413, whether its length is declared or not", async () => {
    const big = JSON.stringify({
      Action: "StartManual",
      Id: restoreId,
      Note: "x".repeat(70 * 1024),
    });
    const declared = await action(url, big);
    expect(declared.status).toBe(413);
    expect(await declared.json()).toMatchObject({
      overLimit: { code: 413, details: "body_too_large" },
    });

    const bytes = new TextEncoder().encode(big);
    const chunked = await fetch(`${url}/v1.0/${DEFAULT_TENANT}/restore/action-requested`, {
      method: "POST",
      headers: JSON_HEADERS,
      body: new ReadableStream({
        start(controller) {
          for (let at = 0; at < bytes.length; at += 8192) {
            controller.enqueue(bytes.subarray(at, at + 8192));
          }
          controller.close();
        },
      }),
      duplex: "half",
    } as RequestInit);
    expect(chunked.headers.get("content-length")).not.toBe(String(bytes.length));
    expect(chunked.status).toBe(413);
    expect(await chunked.json()).toMatchObject({ overLimit: { details: "body_too_large" } });
  });

  it("reads restore bodies untouched by the express.json() of Express's own routes", async () => {
    const note = await fetch(`${url}/api/notes`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ note: "before the restore route" }),
    });
    expect(note.status).toBe(201);
    expect(await note.json()).toEqual({ note: "before the restore route" });

    // Started above: a stop now is a state change, so the body was read whole.
    const stopped = await action(url, { Action: "StopManual", Id: String(restoreId) });
    expect(stopped.status).toBe(204);

    const broken = await action(url, '{"Action": "StartManual", "Id": 1');
    expect(broken.status).toBe(400);
    expect(await broken.json()).toMatchObject({
      // The body ends after its 33rd character: the error is where more was expected.
      badRequest: { code: 400, details: "line 1, column 34" },
    });

    const after = await fetch(`${url}/api/notes`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ note: "after" }),
    });
    expect(await after.json()).toEqual({ note: "after" });
  });

  it("answers core's errors from a hand-written Express route with errorResponse", async () => {
    const summary = (id: string | number, headers: Record<string, string>) =>
      fetch(`${url}/api/tenants/${DEFAULT_TENANT}/restores/${id}/summary`, { headers });

    const found = await summary(restoreId, { "X-Auth-Token": ADMIN_TOKEN });
    expect(found.status).toBe(200);
    const current = (await env.service.getRestore(env.context(), restoreId))._unsafeUnwrap();
    expect(await found.json()).toEqual({ id: restoreId, state: current.state });

    const missing = await summary(99, { "X-Auth-Token": ADMIN_TOKEN });
    expect(missing.status).toBe(404);
    expect(await missing.text()).toBe(
      '{"itemNotFound":{"code":404,"message":"Restore 99 was not found.","details":"restore_not_found"}}',
    );

    const anonymous = await summary(restoreId, {});
    expect(anonymous.status).toBe(401);
    expect(await anonymous.json()).toMatchObject({ unauthorized: { code: 401 } });

    // Another tenant's restore is not found, exactly like one that does not exist.
    const stranger = await fetch(`${url}/api/tenants/654321/restores/${restoreId}/summary`, {
      headers: { "X-Auth-Token": STRANGER_TOKEN },
    });
    expect(stranger.status).toBe(404);
    expect(await stranger.json()).toMatchObject({ itemNotFound: { details: "restore_not_found" } });

    const badId = await summary("13a", {
      "X-Auth-Token": ADMIN_TOKEN,
      Accept: "application/problem+json",
    });
    expect(badId.status).toBe(400);
    expect(badId.headers.get("content-type")).toBe("application/problem+json; charset=utf-8");
    expect(await badId.json()).toMatchObject({
      type: "urn:restorekit:problem:invalid_request",
      status: 400,
      code: "invalid_request",
      errors: [
        { path: "", message: expect.stringContaining("restoreId must be a positive integer") },
      ],
    });
  });
});

describe("the pitfalls of the embedding guide, as they show", () => {
  const opened: Listening[] = [];

  afterAll(async () => {
    await Promise.all(opened.map((listening) => listening.close()));
  });

  it("an app-wide express.json() in front of the restore paths leaves them an empty body", async () => {
    const host = await hostWith("app-wide-json-parser");
    opened.push(host.listening);
    const response = await action(host.listening.url, {
      Action: "StartManual",
      Id: host.restoreId,
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({
      badRequest: { code: 400, details: "line 1, column 1" },
    });
    const untouched = await host.env.service.getRestore(host.env.context(), host.restoreId);
    expect(untouched._unsafeUnwrap().state).toBe("Creating");
  });

  it("mounting under /v1.0 with app.use hides the paths from the app: 404 route_not_found", async () => {
    const host = await hostWith("mount-path");
    opened.push(host.listening);
    const response = await fetch(
      `${host.listening.url}/v1.0/${DEFAULT_TENANT}/restore/${host.restoreId}`,
      { headers: { "X-Auth-Token": ADMIN_TOKEN } },
    );
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ itemNotFound: { details: "route_not_found" } });
  });
});
