import {
  type AppendRequest,
  type IdempotentChange,
  type Restore,
  RestoreErrors,
  type StoredResponse,
} from "@restorekit/core";
import { describe, expect, it } from "vitest";
import {
  BACKUP_MACHINE_ID,
  DEFAULT_TENANT,
  DESTINATION_MACHINE_ID,
  inMemoryRepository,
  testEnvironment,
  UNENCRYPTED_BACKUP_ID,
  userPrincipal,
  withFaults,
} from "../src/index.js";

const SCOPE = { tenantId: DEFAULT_TENANT, principal: "user:admin" };
const NOW = new Date("2026-03-01T09:00:00.000Z");

/** What a route would render: the state and version of the restore the change leaves. */
function render(restore: Restore): StoredResponse {
  return {
    status: 204,
    headers: { etag: `"${restore.version}"`, "x-restore-state": restore.state },
    body: null,
  };
}

/** A service over an in-memory store whose appends are recorded, and a claimed key. */
async function setup(key = "k1") {
  const store = inMemoryRepository();
  const appends: AppendRequest[] = [];
  const faulty = withFaults(store);
  const repository = {
    ...faulty,
    append(request: AppendRequest) {
      appends.push(request);
      return faulty.append(request);
    },
  };
  const env = testEnvironment({ repository });
  const claimed = await store.idempotencyKeys.claim({
    scope: SCOPE,
    key,
    fingerprint: "f",
    now: NOW,
    lockMs: 60_000,
    keepMs: 86_400_000,
  });
  expect(claimed._unsafeUnwrap().kind).toBe("claimed");
  const change: IdempotentChange = { scope: SCOPE, key, respond: render };
  return { env, store, faulty, appends, change, row: () => store.idempotencyKeys.row(SCOPE, key) };
}

describe("the service under an Idempotency-Key", () => {
  it("a create commits the response rendered from the restore it stores", async () => {
    const { env, appends, change, row } = await setup();
    const created = await env.service.createRestore(
      env.context(),
      {
        backupId: UNENCRYPTED_BACKUP_ID,
        backupMachineId: BACKUP_MACHINE_ID,
        destinationMachineId: DESTINATION_MACHINE_ID,
        destinationPath: "/srv",
        overwriteFiles: false,
      },
      { idempotency: change },
    );
    const restore = created._unsafeUnwrap();
    expect(appends.at(-1)?.idempotency?.response).toEqual(render(restore));
    expect(row()?.response).toEqual(render(restore));
  });

  it("an action decided again after a lost race commits the response of the final decision", async () => {
    const { env, faulty, appends, change, row } = await setup();
    const restore = (await env.createRestore())._unsafeUnwrap();
    faulty.failNext("append", RestoreErrors.versionConflict(restore.restoreId, restore.version));
    const started = await env.service.requestAction(
      env.context(),
      { action: "StartManual", restoreId: restore.restoreId, encryptedPassword: null },
      undefined,
      { idempotency: change },
    );
    const after = started._unsafeUnwrap();
    const keyed = appends.filter((a) => a.idempotency !== undefined);
    expect(keyed).toHaveLength(2);
    expect(row()?.response).toEqual(render(after));
    expect(after.state).toBe("StartRequested");
  });

  it("a no-op appends nothing and leaves the key for the caller to answer", async () => {
    const { env, appends, change, row } = await setup();
    const restore = (await env.createRestore())._unsafeUnwrap();
    const request = {
      action: "StartManual" as const,
      restoreId: restore.restoreId,
      encryptedPassword: null,
    };
    (await env.service.requestAction(env.context(), request))._unsafeUnwrap();
    const before = appends.length;
    const again = await env.service.requestAction(env.context(), request, undefined, {
      idempotency: change,
    });
    expect(again.isOk()).toBe(true);
    expect(appends.length).toBe(before);
    expect(row()?.response).toBeNull();
  });

  it("a failed append leaves the key unanswered", async () => {
    const { env, faulty, change, row } = await setup();
    const restore = (await env.createRestore())._unsafeUnwrap();
    faulty.failAlways("append", RestoreErrors.storageUnavailable());
    const failed = await env.service.requestAction(
      env.context(),
      { action: "StartManual", restoreId: restore.restoreId, encryptedPassword: null },
      undefined,
      { idempotency: change },
    );
    expect(failed._unsafeUnwrapErr().code).toBe("storage_unavailable");
    expect(row()?.response).toBeNull();
  });

  it("a key no store can hold is invalid_request naming the header; no respond is a fault", async () => {
    const { env, change } = await setup();
    const restore = (await env.createRestore())._unsafeUnwrap();
    const request = {
      action: "StopManual" as const,
      restoreId: restore.restoreId,
      encryptedPassword: null,
    };
    const badKey = await env.service.requestAction(env.context(), request, undefined, {
      idempotency: { ...change, key: "x".repeat(256) },
    });
    expect(badKey._unsafeUnwrapErr()).toMatchObject({
      code: "invalid_request",
      issues: [{ path: "Idempotency-Key" }],
    });
    const noRespond = await env.service.requestAction(
      env.context(userPrincipal()),
      request,
      undefined,
      {
        idempotency: { scope: SCOPE, key: "k" } as unknown as IdempotentChange,
      },
    );
    expect(noRespond._unsafeUnwrapErr().code).toBe("internal_error");
    expect(await env.service.getRestore(env.context(), restore.restoreId)).toMatchObject({
      value: { state: "Creating" },
    });
  });
});
