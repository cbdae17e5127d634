import { createRestoreService, type Restore, RestoreErrors } from "@restorekit/core";
import { describe, expect, it } from "vitest";
import {
  agentPrincipal,
  DEFAULT_TENANT,
  fakeBackupCatalog,
  fixedClock,
  inMemoryPasswordVault,
  inMemoryRepository,
  sequentialIds,
  type TestEnvironment,
  testEnvironment,
  userPrincipal,
  withFaults,
} from "../src/index.js";

const agent = agentPrincipal();

function environment(knownRestores?: number) {
  const repository = withFaults(inMemoryRepository());
  const env =
    knownRestores === undefined
      ? testEnvironment({ repository })
      : testEnvironment({ repository, knownRestores });
  return { env, repository };
}

/** A second service over the same store: another instance of the app, with its own memory. */
function otherInstance(env: TestEnvironment) {
  return createRestoreService({
    repository: env.repository,
    vault: inMemoryPasswordVault(),
    catalog: fakeBackupCatalog(),
    clock: fixedClock(),
    ids: sequentialIds(90_000),
  });
}

async function created(env: TestEnvironment): Promise<Restore> {
  return (await env.createRestore())._unsafeUnwrap();
}

describe("a service remembers the restores it changed", () => {
  it("decides the next command on them without reading the store", async () => {
    const { env, repository } = environment();
    const restore = await created(env);
    const loads = repository.calls("load");
    const id = restore.restoreId;
    await env.service.requestAction(env.context(), {
      action: "StartManual",
      restoreId: id,
      encryptedPassword: null,
    });
    for (const state of ["Queued", "InProgress", "Completed"] as const) {
      (
        await env.service.agentReport(env.context(agent), id, { state, report: {} })
      )._unsafeUnwrap();
    }
    expect(repository.calls("load")).toBe(loads);
    expect((await env.repository.load(DEFAULT_TENANT, id))._unsafeUnwrap()?.state).toBe(
      "Completed",
    );
  });

  it("reads every time when told to remember nothing", async () => {
    const { env, repository } = environment(0);
    const restore = await created(env);
    const loads = repository.calls("load");
    await env.service.requestAction(env.context(), {
      action: "StartManual",
      restoreId: restore.restoreId,
      encryptedPassword: null,
    });
    await env.service.agentReport(env.context(agent), restore.restoreId, {
      state: "Queued",
      report: {},
    });
    expect(repository.calls("load")).toBe(loads + 2);
  });

  it("re-decides on a fresh read when another instance changed the restore, so a stale rejection never reaches the caller", async () => {
    const { env } = environment();
    const restore = await created(env); // remembered as Creating
    const other = otherInstance(env);
    (
      await other.requestAction(env.context(), {
        action: "StartManual",
        restoreId: restore.restoreId,
        encryptedPassword: null,
      })
    )._unsafeUnwrap();
    // On the remembered Creating, StopManual would be restore_not_started; the store says StartRequested.
    const stopped = await env.service.requestAction(env.context(), {
      action: "StopManual",
      restoreId: restore.restoreId,
      encryptedPassword: null,
    });
    expect(stopped._unsafeUnwrap().state).toBe("Stopped");
  });

  it("checks a no-op decided on its memory against a fresh read: a restore another instance stopped rejects StartManual", async () => {
    const { env, repository } = environment();
    const restore = await created(env);
    const id = restore.restoreId;
    const start = { action: "StartManual" as const, restoreId: id, encryptedPassword: null };
    (await env.service.requestAction(env.context(), start))._unsafeUnwrap(); // remembered: StartRequested
    const other = otherInstance(env);
    (
      await other.agentReport(env.context(agent), id, { state: "InProgress", report: {} })
    )._unsafeUnwrap();
    (await other.requestAction(env.context(), { ...start, action: "StopManual" }))._unsafeUnwrap(); // the store: StopRequested
    const loads = repository.calls("load");

    // On the remembered StartRequested a StartManual is a no-op; on the store's StopRequested it is refused.
    const error = (await env.service.requestAction(env.context(), start))._unsafeUnwrapErr();

    expect(error).toEqual(RestoreErrors.stopping(id, "StopRequested", "StartManual"));
    expect(repository.calls("load")).toBe(loads + 1);
  });

  it("answers a no-op its memory and the store agree on after one read, writing nothing", async () => {
    const { env, repository } = environment();
    const restore = await created(env);
    const start = {
      action: "StartManual" as const,
      restoreId: restore.restoreId,
      encryptedPassword: null,
    };
    const started = (await env.service.requestAction(env.context(), start))._unsafeUnwrap();
    const loads = repository.calls("load");
    const appends = repository.calls("append");

    const again = (await env.service.requestAction(env.context(), start))._unsafeUnwrap();

    expect(again).toEqual(started);
    expect(repository.calls("load")).toBe(loads + 1);
    expect(repository.calls("append")).toBe(appends);
  });

  it("re-decides on a fresh read when a stale memory's change loses the race", async () => {
    const { env, repository } = environment();
    const restore = await created(env);
    const id = restore.restoreId;
    await env.service.requestAction(env.context(), {
      action: "StartManual",
      restoreId: id,
      encryptedPassword: null,
    }); // remembered as StartRequested
    const other = otherInstance(env);
    (
      await other.agentReport(env.context(agent), id, { state: "Completed", report: {} })
    )._unsafeUnwrap();
    const appends = repository.calls("append");
    // Decided on the remembered StartRequested this is accepted, but the store is at another version.
    const result = await env.service.agentReport(env.context(agent), id, {
      state: "InProgress",
      report: {},
    });
    expect(result._unsafeUnwrapErr().code).toBe("agent_conflict");
    expect(repository.calls("append")).toBe(appends + 1);
    const events = (await env.repository.readEvents(DEFAULT_TENANT, id))._unsafeUnwrap();
    expect(events.map((e) => e.event.type)).toEqual([
      "RestoreCreated",
      "RestoreStartRequested",
      "RestoreFinished",
    ]);
  });

  it("decides again on the row a lost race sends back, without reading the store", async () => {
    const { env, repository } = environment();
    const restore = await created(env);
    const id = restore.restoreId;
    const start = { action: "StartManual" as const, restoreId: id, encryptedPassword: null };
    (await env.service.requestAction(env.context(), start))._unsafeUnwrap(); // remembered: StartRequested
    const other = otherInstance(env);
    (
      await other.agentReport(env.context(agent), id, { state: "InProgress", report: {} })
    )._unsafeUnwrap();
    const loads = repository.calls("load");
    const appends = repository.calls("append");

    // Decided on the remembered StartRequested, then again on the InProgress the conflict carried.
    const stopped = await env.service.requestAction(env.context(), {
      ...start,
      action: "StopManual",
    });

    expect(stopped._unsafeUnwrap().state).toBe("StopRequested");
    expect(repository.calls("load")).toBe(loads);
    expect(repository.calls("append")).toBe(appends + 2);
  });

  it("stops deciding on its memory while another instance keeps changing the same restores", async () => {
    const { env, repository } = environment();
    const other = otherInstance(env);
    const restore = await created(env);
    const id = restore.restoreId;
    await env.service.requestAction(env.context(), {
      action: "StartManual",
      restoreId: id,
      encryptedPassword: null,
    });
    (
      await other.agentReport(env.context(agent), id, { state: "InProgress", report: {} })
    )._unsafeUnwrap();
    let accepted = repository.calls("append");
    const conflicts = () => repository.calls("append") - accepted;
    // Every report of ours follows one of the other instance: both memories are always stale.
    const round = async (i: number) => {
      for (const [service, files] of [
        [other, 2 * i],
        [env.service, 2 * i + 1],
      ] as const) {
        (
          await service.agentReport(env.context(agent), id, {
            state: "InProgress",
            report: { filesRestored: files },
          })
        )._unsafeUnwrap();
        accepted += 1;
      }
    };
    for (let i = 1; i <= 100; i += 1) await round(i);
    const learning = conflicts();
    // Each memory starts out trusted and needs about 77 stale finds to give up keeping everything.
    expect(learning).toBeGreaterThan(100);
    accepted = repository.calls("append");
    for (let i = 101; i <= 260; i += 1) await round(i);
    // Then each keeps one change in 32: about 5 stale finds each over 160 of its commands, not 160.
    expect(conflicts()).toBeGreaterThan(0);
    expect(conflicts()).toBeLessThanOrEqual(60);
  });

  it("counts a lost race of the remembered state as the first of maxAttempts", async () => {
    for (const maxAttempts of [1, 2, 4]) {
      const repository = withFaults(inMemoryRepository());
      const env = testEnvironment({ repository, maxAttempts });
      const restore = await created(env);
      repository.failAlways("append", RestoreErrors.versionConflict(restore.restoreId, 1));
      const appends = repository.calls("append");
      const result = await env.service.requestAction(env.context(), {
        action: "StartManual",
        restoreId: restore.restoreId,
        encryptedPassword: null,
      });
      expect(result._unsafeUnwrapErr().code).toBe("restore_busy");
      expect(repository.calls("append") - appends).toBe(maxAttempts);
    }
  });

  it("does not retry a store failure met on the remembered path", async () => {
    const { env, repository } = environment();
    const restore = await created(env);
    repository.failNext("append", RestoreErrors.storageUnavailable());
    const appends = repository.calls("append");
    const result = await env.service.requestAction(env.context(), {
      action: "StartManual",
      restoreId: restore.restoreId,
      encryptedPassword: null,
    });
    expect(result._unsafeUnwrapErr().code).toBe("storage_unavailable");
    expect(repository.calls("append")).toBe(appends + 1);
  });

  it("is not fooled by a caller mutating what the service returned", async () => {
    const { env } = environment();
    const restore = await created(env);
    const path = restore.config.destinationPath;
    // Readonly in the types, but JavaScript callers can still write to it; a change decided
    // on the mutated value would be accepted at the right version and store the wrong row.
    (restore.config as { destinationPath: string }).destinationPath = "/tampered";
    const started = await env.service.requestAction(env.context(), {
      action: "StartManual",
      restoreId: restore.restoreId,
      encryptedPassword: null,
    });
    expect(started._unsafeUnwrap().config.destinationPath).toBe(path);
    const stored = (await env.repository.load(DEFAULT_TENANT, restore.restoreId))._unsafeUnwrap();
    expect(stored?.config.destinationPath).toBe(path);
  });

  it("keeps tenants apart", async () => {
    const { env } = environment();
    const restore = await created(env);
    const stranger = userPrincipal({ tenantId: "654321" });
    const result = await env.service.requestAction(env.context(stranger), {
      action: "StopManual",
      restoreId: restore.restoreId,
      encryptedPassword: null,
    });
    expect(result._unsafeUnwrapErr().code).toBe("restore_not_found");
  });
});
