import { idempotencyPrincipal, RestoreErrors } from "@restorekit/core";
import {
  BACKUP_MACHINE_ID,
  DESTINATION_MACHINE_ID,
  UNENCRYPTED_BACKUP_ID,
} from "@restorekit/testing";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { fingerprintOf, readIdempotencyKey } from "../../src/http/idempotency.js";
import type { Answer } from "../support/http-answer.js";
import { routeSuite } from "../support/route-suite.js";
import type { Tenant, TenantSendOptions } from "../support/tenant-scope.js";

const createBody = (path = "C:\\Restore\\") => ({
  BackupId: UNENCRYPTED_BACKUP_ID,
  BackupMachineId: BACKUP_MACHINE_ID,
  DestinationMachineId: DESTINATION_MACHINE_ID,
  DestinationPath: path,
  OverwriteFiles: false,
});

/**
 * A destination path the create takes; often the same one twice. Never
 * blank: a blank DestinationPath is refused (400) before any key is claimed.
 */
const PATH = fc
  .string({ unit: fc.constantFrom(..."abC:\\ 0é"), minLength: 1, maxLength: 12 })
  .filter((path) => path.trim() !== "");

let keys = 0;
/** A key no other test sends. */
function freshKey(): string {
  keys += 1;
  return `key-${process.pid}-${keys}-${Math.random().toString(36).slice(2)}`;
}

function create(tenant: Tenant, key: string | null, options: TenantSendOptions = {}) {
  return tenant.send("PUT", tenant.v1("/restore"), {
    json: createBody(),
    ...options,
    headers: { ...(key === null ? {} : { "idempotency-key": key }), ...options.headers },
  });
}

function act(tenant: Tenant, restoreId: number, key: string, action = "StartManual") {
  return tenant.send("POST", tenant.v1("/restore/action-requested"), {
    json: { Action: action, Id: restoreId },
    headers: { "idempotency-key": key },
  });
}

/** The headers of an answer but its own request id and the replay marker. */
function headersOf(answer: Answer): Record<string, string> {
  const headers = Object.fromEntries(answer.headers);
  delete headers["x-request-id"];
  delete headers["idempotent-replayed"];
  return headers;
}

function expectReplayOf(replay: Answer, first: Answer): void {
  expect(replay.status).toBe(first.status);
  expect(headersOf(replay)).toEqual(headersOf(first));
  expect(replay.text).toBe(first.text);
  expect(replay.headers.get("idempotent-replayed")).toBe("true");
  expect(first.headers.get("idempotent-replayed")).toBeNull();
}

function expectFault(answer: Answer, status: number, key: string, code: string): void {
  expect(answer.status).toBe(status);
  const fault = (answer.json as Record<string, { code: number; details: string }>)[key];
  expect(fault?.code).toBe(status);
  expect(fault?.details).toBe(code);
}

routeSuite("Idempotency-Key", (harness) => {
  it("a create retried with the same key and body gets the first answer, and one restore is made", async () => {
    const tenant = harness().tenant();
    const key = freshKey();
    const before = harness().ids.peek();
    const first = await create(tenant, key, { requestId: "idem-first" });
    expect(first.status).toBe(200);
    const replay = await create(tenant, key, { requestId: "idem-retry" });
    expectReplayOf(replay, first);
    expect(harness().ids.peek()).toBe(before + 1);
    // Each answer names the request it answers; the events name the first.
    expect(first.headers.get("x-request-id")).toBe("idem-first");
    expect(replay.headers.get("x-request-id")).toBe("idem-retry");
    const restoreId = (first.json as { RestoreId: number }).RestoreId;
    const { events } = await tenant.snapshot(restoreId);
    expect(events.map((e) => e.event.metadata.requestId)).toEqual(["idem-first"]);
    const line = harness()
      .log.lines()
      .find((l) => l.msg === "request" && l.requestId === "idem-retry");
    expect(line?.replayed).toBe(true);
  });

  it("an action retried with the same key gets the first 204 and appends once", async () => {
    const tenant = harness().tenant();
    const restoreId = await tenant.create();
    const key = freshKey();
    const first = await act(tenant, restoreId, key);
    expect(first.status).toBe(204);
    expect(first.headers.get("x-restore-state")).toBe("StartRequested");
    const after = await tenant.snapshot(restoreId);
    const replay = await act(tenant, restoreId, key);
    expectReplayOf(replay, first);
    expect(await tenant.snapshot(restoreId)).toEqual(after);
    // The key's row holds the answer: the append wrote it with the change.
    const again = await harness().idempotencyKeys.claim({
      scope: { tenantId: tenant.id, principal: idempotencyPrincipal(adminOf(tenant)) },
      key,
      fingerprint: await fingerprint("POST", tenant.v1("/restore/action-requested"), {
        Action: "StartManual",
        Id: restoreId,
      }),
      now: new Date(),
      lockMs: 60_000,
      keepMs: 86_400_000,
    });
    expect(again._unsafeUnwrap().kind).toBe("replay");
  });

  it('takes the key as a structured-field string ("abc") or bare (abc): the same key', async () => {
    const tenant = harness().tenant();
    const key = freshKey();
    const first = await create(tenant, `"${key}"`);
    expect(first.status).toBe(200);
    expectReplayOf(await create(tenant, key), first);
  });

  it("the same key with another body, route or method is 422 idempotency_key_reused", async () => {
    const tenant = harness().tenant();
    const key = freshKey();
    const first = await create(tenant, key);
    const restoreId = (first.json as { RestoreId: number }).RestoreId;
    const before = harness().ids.peek();
    const otherBody = await tenant.send("PUT", tenant.v1("/restore"), {
      json: createBody("D:\\Elsewhere\\"),
      headers: { "idempotency-key": key },
    });
    expectFault(otherBody, 422, "unprocessableEntity", "idempotency_key_reused");
    const otherRoute = await act(tenant, restoreId, key);
    expectFault(otherRoute, 422, "unprocessableEntity", "idempotency_key_reused");
    expect(harness().ids.peek()).toBe(before);
    expect(await tenant.stateOf(restoreId)).toBe("Creating");
    const problem = await tenant.send("PUT", tenant.v1("/restore"), {
      json: createBody("E:\\"),
      headers: { "idempotency-key": key },
      accept: "application/problem+json",
    });
    expect(problem.json).toMatchObject({ status: 422, code: "idempotency_key_reused" });
  });

  it("a retry while the first request runs is 409 idempotency_key_in_use; once answered, a replay", async () => {
    const tenant = harness().tenant();
    const key = freshKey();
    const scope = { tenantId: tenant.id, principal: idempotencyPrincipal(adminOf(tenant)) };
    // The first request, caught mid-flight: its claim is held and unanswered.
    const claimed = await harness().idempotencyKeys.claim({
      scope,
      key,
      fingerprint: await fingerprint("PUT", tenant.v1("/restore"), createBody()),
      now: new Date(),
      lockMs: 60_000,
      keepMs: 86_400_000,
    });
    expect(claimed._unsafeUnwrap().kind).toBe("claimed");
    const before = harness().ids.peek();
    expectFault(await create(tenant, key), 409, "conflictingRequest", "idempotency_key_in_use");
    expect(harness().ids.peek()).toBe(before);

    const answer = { status: 200, headers: { "content-type": "text/plain" }, body: "first" };
    (await harness().idempotencyKeys.complete(scope, key, answer))._unsafeUnwrap();
    const replay = await create(tenant, key);
    expect(replay.status).toBe(200);
    expect(replay.text).toBe("first");
    expect(replay.headers.get("idempotent-replayed")).toBe("true");
  });

  it("requests racing with one key: one restore, and every other answer a 409 or the same replay", async () => {
    const tenant = harness().tenant();
    const key = freshKey();
    const before = harness().ids.peek();
    const answers = await Promise.all(Array.from({ length: 6 }, () => create(tenant, key)));
    expect(harness().ids.peek()).toBe(before + 1);
    const created = answers.filter((a) => a.status === 200);
    expect(created.length).toBeGreaterThanOrEqual(1);
    expect(new Set(created.map((a) => a.text)).size).toBe(1);
    for (const answer of answers) {
      if (answer.status !== 200) {
        expectFault(answer, 409, "conflictingRequest", "idempotency_key_in_use");
      }
    }
    expect(created.filter((a) => a.headers.get("idempotent-replayed") === null)).toHaveLength(1);
  });

  it("keys are per sender and per tenant", async () => {
    const tenant = harness().tenant();
    const key = freshKey();
    const byAdmin = await create(tenant, key);
    const byCreator = await create(tenant, key, { as: "creator" });
    expect(byCreator.status).toBe(200);
    expect(byCreator.headers.get("idempotent-replayed")).toBeNull();
    expect(byCreator.json).not.toEqual(byAdmin.json);
    const otherTenant = await tenant.send("PUT", `/v1.0/${tenant.otherId}/restore`, {
      as: "otherAdmin",
      json: createBody(),
      headers: { "idempotency-key": key },
    });
    expect(otherTenant.status).toBe(200);
    expect(otherTenant.headers.get("idempotent-replayed")).toBeNull();
  });

  it("without a key nothing changes: each request is its own", async () => {
    const tenant = harness().tenant();
    const before = harness().ids.peek();
    const first = await create(tenant, null);
    const second = await create(tenant, null);
    expect([first.status, second.status]).toEqual([200, 200]);
    expect(second.headers.get("idempotent-replayed")).toBeNull();
    expect(harness().ids.peek()).toBe(before + 2);
  });

  it("a 503 is not kept: the key is released and the retry runs", async () => {
    const tenant = harness().tenant();
    const key = freshKey();
    harness().repository.failNext("append", RestoreErrors.storageUnavailable());
    const failed = await create(tenant, key);
    expect(failed.status).toBe(503);
    const retried = await create(tenant, key);
    expect(retried.status).toBe(200);
    expect(retried.headers.get("idempotent-replayed")).toBeNull();
    expectReplayOf(await create(tenant, key), retried);
  });

  it("a 4xx from the service is kept and replayed", async () => {
    const tenant = harness().tenant();
    const key = freshKey();
    const first = await act(tenant, 987_654_321, key);
    expect(first.status).toBe(404);
    expectReplayOf(await act(tenant, 987_654_321, key), first);
  });

  it("a malformed key is 400 naming the header, and nothing is done", async () => {
    const tenant = harness().tenant();
    const before = harness().ids.peek();
    for (const bad of ["", "x".repeat(256), "caf\u00e9", '"unterminated', "two words", '"a\\x"']) {
      const answer = await create(tenant, bad);
      expect(answer.status, JSON.stringify(bad)).toBe(400);
      expect(answer.text).toContain("Idempotency-Key");
    }
    expect(harness().ids.peek()).toBe(before);
    expect((await create(tenant, "x".repeat(255))).status).toBe(200);
  });

  it("any two bodies taken: the same bytes replay, other bytes are 422", {
    timeout: 60_000,
  }, async () => {
    const tenant = harness().tenant();
    await fc.assert(
      fc.asyncProperty(PATH, fc.option(PATH, { nil: null }), async (a, other) => {
        const b = other ?? a;
        const key = freshKey();
        const send = (path: string) =>
          tenant.send("PUT", tenant.v1("/restore"), {
            json: createBody(path),
            headers: { "idempotency-key": key },
          });
        const first = await send(a);
        // A body the route refuses is answered before the key is claimed: not this rule's case.
        fc.pre(first.status === 200);
        const second = await send(b);
        if (a === b) expectReplayOf(second, first);
        else expectFault(second, 422, "unprocessableEntity", "idempotency_key_reused");
        return true;
      }),
      { numRuns: harness().kind === "memory" ? 40 : 10 },
    );
  });
});

routeSuite(
  "Idempotency-Key without a key store",
  (harness) => {
    it("is refused with 400 rather than ignored", async () => {
      const tenant = harness().tenant();
      const before = harness().ids.peek();
      const answer = await create(tenant, freshKey());
      expect(answer.status).toBe(400);
      expect(answer.text).toContain("Idempotency-Key");
      expect(harness().ids.peek()).toBe(before);
      expect((await create(tenant, null)).status).toBe(200);
    });
  },
  { stores: ["memory"], withoutIdempotencyKeys: true },
);

describe("readIdempotencyKey", () => {
  it("unquotes a structured-field string with its escapes", () => {
    expect(readIdempotencyKey('"a\\"b\\\\c d"')._unsafeUnwrap()).toBe('a"b\\c d');
    expect(readIdempotencyKey("abc")._unsafeUnwrap()).toBe("abc");
    expect(readIdempotencyKey('"abc" x').isErr()).toBe(true);
    expect(readIdempotencyKey('""').isErr()).toBe(true);
  });
});

/** The admin's principal as the token registry makes it. */
function adminOf(tenant: Tenant) {
  return { type: "user" as const, userId: `admin-${tenant.id}`, tenantId: tenant.id, roles: [] };
}

async function fingerprint(method: string, path: string, json: unknown): Promise<string> {
  const bytes = new TextEncoder().encode(JSON.stringify(json));
  return (await fingerprintOf(method, path, bytes))._unsafeUnwrap();
}
