import { readFileSync } from "node:fs";
import { RestoreErrors, restoreDetailsSchema, restoreReportSchema } from "@restorekit/core";
import {
  BACKUP_MACHINE_ID,
  DESTINATION_MACHINE_ID,
  ENCRYPTED_BACKUP_ID,
  encryptForAgent,
  testAgentKeys,
  UNENCRYPTED_BACKUP_ID,
} from "@restorekit/testing";
import { errAsync } from "neverthrow";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  openApiDocument,
  problemDetailsSchema,
  restoreEventsSchema,
  v1FaultSchema,
  v2ErrorSchema,
} from "../../src/index.js";
import {
  expectDocumented,
  type ReadResponse,
  readResponse,
} from "./support/documented-response.js";
import { restoreAppUnderTest, TOKENS } from "./support/restore-app.js";
import { type Served, served } from "./support/served.js";

const document = openApiDocument();

const ACTION = "/v1.0/{tenant_id}/restore/action-requested";
const RESTORES = "/v1.0/{tenant_id}/restore";
const DETAILS = "/v1.0/{tenant_id}/restore/{restoreId}";
const REPORT = "/v1.0/{tenant_id}/restore/report/{restoreId}";
const EVENTS = "/v1.0/{tenant_id}/restore/{restoreId}/events";
const AGENT = "/v2/{project_id}/restores/{restore_id}";
const PASSWORD = "/v2/{project_id}/restores/{restore_id}/password";

interface Call {
  readonly token?: string;
  readonly body?: unknown;
  /** Sent as is rather than as JSON. */
  readonly raw?: string;
  readonly contentType?: string;
  readonly accept?: string;
  /** Appended to the path, e.g. `?after=2`. */
  readonly query?: string;
}

function fixture(name: string): string {
  return readFileSync(new URL(`../../../core/test/fixtures/${name}`, import.meta.url), "utf8");
}

describe("real responses of createRestoreApp, against the document", () => {
  const { app, tenant } = restoreAppUnderTest();
  let server: Served;

  beforeAll(async () => {
    server = await served(app.fetch);
  });
  afterAll(() => server.close());

  /** Calls a route for real and expects the document to describe what came back. */
  async function call(
    method: string,
    template: string,
    params: Record<string, string | number>,
    options: Call = {},
  ): Promise<ReadResponse> {
    const path = template.replace(/\{(\w+)\}/g, (_, name: string) => String(params[name]));
    const headers: Record<string, string> = {};
    if (options.token !== undefined) headers["x-auth-token"] = options.token;
    if (options.accept !== undefined) headers.accept = options.accept;
    const body =
      options.raw ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
    if (body !== undefined) headers["content-type"] = options.contentType ?? "application/json";
    const response = await readResponse(
      await fetch(`${server.origin}${path}${options.query ?? ""}`, {
        method: method.toUpperCase(),
        headers,
        body,
      }),
    );
    expect(response.headers.get("x-request-id"), `${method} ${path}`).toBeTruthy();
    expectDocumented(document, method, template, response);
    return response;
  }

  const admin = { token: TOKENS.admin };
  const agent = { token: TOKENS.agent };
  const createBody = {
    BackupId: UNENCRYPTED_BACKUP_ID,
    BackupMachineId: BACKUP_MACHINE_ID,
    DestinationMachineId: DESTINATION_MACHINE_ID,
    DestinationPath: "C:\\Restore\\",
  };

  it("follows a restore from creation to its report", async () => {
    const created = await call(
      "put",
      RESTORES,
      { tenant_id: tenant },
      { ...admin, body: createBody },
    );
    expect(created.status).toBe(200);
    expect(restoreDetailsSchema.safeParse(created.json).success).toBe(true);
    const restoreId = (created.json as { RestoreId: number }).RestoreId;
    const ids = { tenant_id: tenant, restoreId, project_id: tenant, restore_id: restoreId };

    const update = { ...createBody, RestoreId: restoreId, RestoreStateId: 3, OverwriteFiles: true };
    expect((await call("post", RESTORES, ids, { ...admin, body: update })).status).toBe(204);
    const details = await call("get", DETAILS, ids, admin);
    expect(details.json).toMatchObject({ RestoreStateId: 0, OverwriteFiles: true });

    const early = await call("get", REPORT, ids, admin);
    expect(early.status).toBe(404);
    expect(v1FaultSchema.safeParse(early.json).success).toBe(true);

    const start = { Action: "StartManual", Id: String(restoreId) };
    expect((await call("post", ACTION, ids, { ...admin, body: start })).status).toBe(204);
    const report = (state: string) => [{ op: "replace", path: "/state", value: state }];
    for (const state of ["queued", "in_progress", "completed"]) {
      expect((await call("patch", AGENT, ids, { ...agent, body: report(state) })).status).toBe(204);
    }

    const finished = await call("get", REPORT, ids, admin);
    expect(finished.status).toBe(200);
    expect(restoreReportSchema.safeParse(finished.json).success).toBe(true);

    const events = await call("get", EVENTS, ids, admin);
    expect(events.status).toBe(200);
    const log = restoreEventsSchema.parse(events.json);
    expect(log.Events.map((event) => event.type)).toEqual([
      "RestoreCreated",
      "RestoreConfigUpdated",
      "RestoreStartRequested",
      "RestoreProgressed",
      "RestoreProgressed",
      "RestoreFinished",
    ]);
    const page = await call("get", EVENTS, ids, { ...admin, query: "?after=2&limit=2" });
    expect(restoreEventsSchema.parse(page.json).Events.map((event) => event.seq)).toEqual([3, 4]);

    const late = await call("patch", AGENT, ids, { ...agent, body: report("queued") });
    expect(late.status).toBe(409);
    expect(v2ErrorSchema.safeParse(late.json).success).toBe(true);
    const lateProblem = await call("patch", AGENT, ids, {
      ...agent,
      body: report("queued"),
      accept: "application/problem+json",
    });
    expect(lateProblem.status).toBe(409);
    expect(problemDetailsSchema.safeParse(lateProblem.json).success).toBe(true);

    const noPassword = await call("get", PASSWORD, ids, agent);
    expect(noPassword.status).toBe(404);
    expect(v2ErrorSchema.safeParse(noPassword.json).success).toBe(true);
  });

  it("hands an encrypted restore's password to its agent, as documented", async () => {
    const created = await call(
      "put",
      RESTORES,
      { tenant_id: tenant },
      { ...admin, body: { ...createBody, BackupId: ENCRYPTED_BACKUP_ID } },
    );
    const restoreId = (created.json as { RestoreId: number }).RestoreId;
    const ids = { tenant_id: tenant, project_id: tenant, restore_id: restoreId };
    const EncryptedPassword = encryptForAgent("vault passphrase", testAgentKeys().publicKey);
    const start = { Action: "StartManual", Id: restoreId, EncryptedPassword };
    expect((await call("post", ACTION, ids, { ...admin, body: start })).status).toBe(204);
    const released = await call("get", PASSWORD, ids, agent);
    expect(released.status).toBe(200);
    expect(released.json).toEqual({ EncryptedPassword: EncryptedPassword.toUpperCase() });
  });

  it("answers every kind of refusal with a documented fault", async () => {
    const ids = { tenant_id: tenant, restoreId: 999_999 };
    const stop = { Action: "StopManual", Id: 999_999 };
    const cases: [string, Promise<ReadResponse>, number][] = [
      ["no token", call("post", ACTION, ids, { body: stop }), 401],
      ["an observer", call("post", ACTION, ids, { token: TOKENS.observer, body: stop }), 403],
      ["another tenant", call("post", ACTION, ids, { token: TOKENS.otherTenant, body: stop }), 403],
      ["no such restore", call("post", ACTION, ids, { ...admin, body: stop }), 404],
      [
        "single quotes",
        call("post", ACTION, ids, {
          ...admin,
          raw: fixture("v1-action-requested-start-encrypted.txt"),
        }),
        400,
      ],
      [
        "not JSON",
        call("post", ACTION, ids, {
          ...admin,
          raw: "Action=StopManual",
          contentType: "text/plain",
        }),
        415,
      ],
      ["too large", call("post", ACTION, ids, { ...admin, raw: " ".repeat(70_000) }), 413],
      ["a bad id", call("get", DETAILS, { ...ids, restoreId: "12a" }, admin), 400],
    ];
    for (const [what, pending, status] of cases) {
      const response = await pending;
      expect(response.status, what).toBe(status);
      expect(v1FaultSchema.safeParse(response.json).success, what).toBe(true);
    }
  });

  it("answers with problem details to a client that asks for them", async () => {
    const response = await call(
      "post",
      ACTION,
      { tenant_id: tenant },
      { ...admin, body: { Action: "Pause", Id: 0 }, accept: "application/problem+json" },
    );
    expect(response.status).toBe(400);
    expect(response.headers.get("content-type")).toMatch(/^application\/problem\+json/);
    const problem = problemDetailsSchema.parse(response.json);
    expect(problem.code).toBe("invalid_request");
    expect(problem.errors?.map((error) => error.path).sort()).toEqual(["Action", "Id"]);
  });

  it("answers the health checks as documented", async () => {
    expect((await call("get", "/healthz", {})).json).toEqual({ status: "ok" });
    expect((await call("get", "/readyz", {})).status).toBe(200);
  });
});

describe("a 503, against the document", () => {
  it("carries Retry-After and the serviceUnavailable fault", async () => {
    const { app } = restoreAppUnderTest({
      ready: () => errAsync(RestoreErrors.storageUnavailable()),
      retryAfterSeconds: 7,
    });
    const response = await readResponse(await app.request("/readyz"));
    expect(response.status).toBe(503);
    expect(response.headers.get("retry-after")).toBe("7");
    expectDocumented(document, "get", "/readyz", response);
    expect(v1FaultSchema.safeParse(response.json).success).toBe(true);
  });
});
