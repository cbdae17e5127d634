import {
  type AgentReport,
  type CreateRestoreInput,
  errorStatus,
  fold,
  type Principal,
  type RequestContext,
  type Restore,
} from "@restorekit/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  agentPrincipal,
  arbProgressReport,
  BACKUP_MACHINE_ID,
  DEFAULT_TENANT,
  DESTINATION_MACHINE_ID,
  ENCRYPTED_BACKUP_ID,
  OTHER_TENANT,
  type TestEnvironment,
  testEnvironment,
  UNENCRYPTED_BACKUP_ID,
  userPrincipal,
} from "../src/index.js";

/** Long property runs get their own timeout, so a loaded 2-core machine cannot fail them. */
const PROPERTY_TIMEOUT_MS = 60_000;

const PLAIN_INPUT: CreateRestoreInput = {
  backupId: UNENCRYPTED_BACKUP_ID,
  backupMachineId: BACKUP_MACHINE_ID,
  destinationMachineId: DESTINATION_MACHINE_ID,
  destinationPath: "C:\\restore\\",
  overwriteFiles: false,
};

const ENCRYPTED_INPUT: CreateRestoreInput = { ...PLAIN_INPUT, backupId: ENCRYPTED_BACKUP_ID };

function contextFor(principal: Principal, tenantId = DEFAULT_TENANT): RequestContext {
  return { principal, tenantId, requestId: "req-test" };
}

async function create(env: TestEnvironment, input = PLAIN_INPUT): Promise<Restore> {
  return (await env.service.createRestore(env.context(), input))._unsafeUnwrap();
}

async function startPlain(env: TestEnvironment, restoreId: number): Promise<Restore> {
  const started = await env.service.requestAction(env.context(), {
    action: "StartManual",
    restoreId,
    encryptedPassword: null,
  });
  return started._unsafeUnwrap();
}

function report(
  env: TestEnvironment,
  restoreId: number,
  body: AgentReport,
  principal: Principal = agentPrincipal(),
) {
  return env.service.agentReport(env.context(principal), restoreId, body);
}

describe("createRestore", () => {
  it("resolves the references through the catalog into the restore details", async () => {
    const env = testEnvironment();
    const resolved = (await env.catalog.resolve(DEFAULT_TENANT, PLAIN_INPUT))._unsafeUnwrap();

    const restore = await create(env);

    expect(restore.state).toBe("Creating");
    expect(restore.version).toBe(1);
    expect(restore.tenantId).toBe(DEFAULT_TENANT);
    expect(restore.config).toEqual(PLAIN_INPUT);
    expect(restore.backup).toEqual(resolved);
    expect(restore.backup.backupMachineName).toBe("BALAJIMBP");
    expect(restore.backup.destinationMachineName).toBe("BILLS-TEST-WIN");
    expect(restore.backup.backupConfigurationName).toBe("Restore_Backup");
    expect(restore.backup.isEncrypted).toBe(false);
    expect(restore.passwordSealed).toBe(false);
    expect((await env.repository.load(DEFAULT_TENANT, restore.restoreId))._unsafeUnwrap()).toEqual(
      restore,
    );
  });

  it("marks an encrypted backup and carries the destination agent's public key", async () => {
    const env = testEnvironment();

    const restore = await create(env, ENCRYPTED_INPUT);

    expect(restore.backup.isEncrypted).toBe(true);
    expect(restore.backup.publicKey).toEqual(env.keys.publicKey);
  });

  it("hands out a new id each time, starting where the seed's ids do", async () => {
    const env = testEnvironment();

    const first = await create(env);
    const second = await create(env);

    expect(first.restoreId).toBe(13689);
    expect(second.restoreId).toBe(first.restoreId + 1);
  });

  const unknown: { field: string; input: CreateRestoreInput }[] = [
    { field: "BackupId", input: { ...PLAIN_INPUT, backupId: 424242 } },
    { field: "BackupMachineId", input: { ...PLAIN_INPUT, backupMachineId: 424242 } },
    { field: "DestinationMachineId", input: { ...PLAIN_INPUT, destinationMachineId: 424242 } },
  ];
  for (const { field, input } of unknown) {
    it(`rejects an unknown ${field} with unknown_reference naming the field, and stores nothing`, async () => {
      const env = testEnvironment();
      const nextId = env.ids.peek();

      const error = (await env.service.createRestore(env.context(), input))._unsafeUnwrapErr();

      expect(error).toMatchObject({ code: "unknown_reference", field });
      expect(error.message).toContain(field);
      expect(errorStatus(error)).toBe(400);
      expect(env.ids.peek()).toBe(nextId);
      expect((await env.repository.load(DEFAULT_TENANT, nextId))._unsafeUnwrap()).toBeNull();
    });
  }

  it("treats the backup and machines of another tenant as unknown", async () => {
    const env = testEnvironment();
    const foreign = contextFor(userPrincipal({ tenantId: OTHER_TENANT }), OTHER_TENANT);

    const error = (await env.service.createRestore(foreign, PLAIN_INPUT))._unsafeUnwrapErr();

    expect(error).toMatchObject({ code: "unknown_reference", field: "BackupId" });
  });

  it("treats another tenant's machines as unknown, as destination and as source", async () => {
    const env = testEnvironment();
    const foreignMachine = 990_001;
    env.catalog.addMachine(OTHER_TENANT, {
      machineId: foreignMachine,
      name: "FOREIGN",
      publicKey: null,
    });

    const asDestination = (
      await env.service.createRestore(env.context(), {
        ...PLAIN_INPUT,
        destinationMachineId: foreignMachine,
      })
    )._unsafeUnwrapErr();
    const asSource = (
      await env.service.createRestore(env.context(), {
        ...PLAIN_INPUT,
        backupMachineId: foreignMachine,
      })
    )._unsafeUnwrapErr();

    expect(asDestination).toMatchObject({
      code: "unknown_reference",
      field: "DestinationMachineId",
    });
    expect(asSource).toMatchObject({ code: "unknown_reference", field: "BackupMachineId" });
  });

  it("forbids an observer (403) and a token of another tenant (403)", async () => {
    const env = testEnvironment();
    for (const context of [
      env.context(userPrincipal({ roles: ["observer"] })),
      contextFor(userPrincipal({ tenantId: OTHER_TENANT })),
      env.context(agentPrincipal()),
    ]) {
      const error = (await env.service.createRestore(context, PLAIN_INPUT))._unsafeUnwrapErr();
      expect(error.code).toBe("forbidden");
      expect(errorStatus(error)).toBe(403);
    }
  });
});

describe("updateRestore", () => {
  it("replaces the configuration while Creating, re-resolving through the catalog", async () => {
    const env = testEnvironment();
    const restore = await create(env);
    const input = {
      ...ENCRYPTED_INPUT,
      restoreId: restore.restoreId,
      destinationPath: "/srv/restore",
      overwriteFiles: true,
    };

    const updated = (await env.service.updateRestore(env.context(), input))._unsafeUnwrap();

    expect(updated.state).toBe("Creating");
    expect(updated.config).toEqual({
      backupId: ENCRYPTED_BACKUP_ID,
      backupMachineId: BACKUP_MACHINE_ID,
      destinationMachineId: DESTINATION_MACHINE_ID,
      destinationPath: "/srv/restore",
      overwriteFiles: true,
    });
    expect(updated.backup.isEncrypted).toBe(true);
    expect(updated.version).toBe(restore.version + 1);
  });

  it("rejects an update once started with restore_not_editable (400), in every later state", async () => {
    const env = testEnvironment();
    const restore = await create(env);
    await startPlain(env, restore.restoreId);
    const states: string[] = [];
    for (const step of [null, "Queued", "InProgress", "StopRequested", "Stopped"] as const) {
      if (step !== null)
        (await report(env, restore.restoreId, { state: step, report: {} }))._unsafeUnwrap();
      const error = (
        await env.service.updateRestore(env.context(), {
          ...PLAIN_INPUT,
          restoreId: restore.restoreId,
        })
      )._unsafeUnwrapErr();
      expect(error).toMatchObject({ code: "restore_not_editable", command: "UpdateConfig" });
      expect(errorStatus(error)).toBe(400);
      states.push(error.code === "restore_not_editable" ? error.state : "?");
    }
    expect(states).toEqual(["StartRequested", "Queued", "InProgress", "StopRequested", "Stopped"]);
  });

  it("answers 404 for an unknown id and unknown_reference for an unknown backup", async () => {
    const env = testEnvironment();
    const restore = await create(env);

    const missing = await env.service.updateRestore(env.context(), {
      ...PLAIN_INPUT,
      restoreId: 1,
    });
    const badBackup = await env.service.updateRestore(env.context(), {
      ...PLAIN_INPUT,
      backupId: 7,
      restoreId: restore.restoreId,
    });

    expect(missing._unsafeUnwrapErr().code).toBe("restore_not_found");
    expect(badBackup._unsafeUnwrapErr()).toMatchObject({
      code: "unknown_reference",
      field: "BackupId",
    });
  });

  it("forbids an observer", async () => {
    const env = testEnvironment();
    const restore = await create(env);
    const error = (
      await env.service.updateRestore(env.context(userPrincipal({ roles: ["observer"] })), {
        ...PLAIN_INPUT,
        restoreId: restore.restoreId,
      })
    )._unsafeUnwrapErr();
    expect(error.code).toBe("forbidden");
  });
});

describe("getRestore and getReport", () => {
  it("reads a restore for any reading role, 404 for another tenant's restore", async () => {
    const env = testEnvironment();
    const restore = await create(env);

    for (const role of ["cloudbackup:admin", "admin", "cloudbackup:creator", "observer"]) {
      const read = await env.service.getRestore(
        env.context(userPrincipal({ roles: [role] })),
        restore.restoreId,
      );
      expect(read._unsafeUnwrap()).toEqual(restore);
    }
    const other = await env.service.getRestore(
      contextFor(userPrincipal({ tenantId: OTHER_TENANT }), OTHER_TENANT),
      restore.restoreId,
    );
    expect(other._unsafeUnwrapErr().code).toBe("restore_not_found");
  });

  it("has no report (404 report_not_ready) until the restore finishes, then the finished restore", async () => {
    const env = testEnvironment();
    const restore = await create(env);
    const notReady: string[] = [];
    const check = async () => {
      const result = await env.service.getReport(env.context(), restore.restoreId);
      const error = result._unsafeUnwrapErr();
      expect(error.code).toBe("report_not_ready");
      expect(errorStatus(error)).toBe(404);
      notReady.push(error.code === "report_not_ready" ? error.state : "?");
    };
    await check();
    await startPlain(env, restore.restoreId);
    await check();
    for (const state of ["Queued", "Preparing", "InProgress"] as const) {
      (await report(env, restore.restoreId, { state, report: {} }))._unsafeUnwrap();
      await check();
    }
    const finished = (
      await report(env, restore.restoreId, {
        state: "CompletedWithErrors",
        report: { filesRestored: 10, bytesRestored: 18_874_368 },
      })
    )._unsafeUnwrap();

    const result = (await env.service.getReport(env.context(), restore.restoreId))._unsafeUnwrap();

    expect(notReady).toEqual(["Creating", "StartRequested", "Queued", "Preparing", "InProgress"]);
    expect(result).toEqual(finished);
    expect(result.state).toBe("CompletedWithErrors");
    expect(result.progress.filesRestored).toBe(10);
  });

  it("gives the report of a cancelled restore", async () => {
    const env = testEnvironment();
    const restore = await create(env);
    await startPlain(env, restore.restoreId);
    await env.service.requestAction(env.context(), {
      action: "StopManual",
      restoreId: restore.restoreId,
      encryptedPassword: null,
    });

    const result = await env.service.getReport(env.context(), restore.restoreId);

    expect(result._unsafeUnwrap().state).toBe("Stopped");
  });

  it("answers 404 restore_not_found for an unknown id, before report readiness", async () => {
    const env = testEnvironment();
    const error = (await env.service.getReport(env.context(), 5))._unsafeUnwrapErr();
    expect(error.code).toBe("restore_not_found");
  });
});

describe("listEvents", () => {
  it("lists the log in seq order, from creation, and it folds to the stored restore", async () => {
    const env = testEnvironment();
    const restore = await create(env);
    await startPlain(env, restore.restoreId);
    await report(env, restore.restoreId, { state: "Queued", report: {} });
    await report(env, restore.restoreId, { state: "InProgress", report: { filesRestored: 3 } });

    const events = (await env.service.listEvents(env.context(), restore.restoreId))._unsafeUnwrap();

    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    expect(events.map((e) => e.event.type)).toEqual([
      "RestoreCreated",
      "RestoreStartRequested",
      "RestoreProgressed",
      "RestoreProgressed",
      "RestoreProgressReported",
    ]);
    const stored = (await env.service.getRestore(env.context(), restore.restoreId))._unsafeUnwrap();
    expect(fold(events.map((e) => e.event))).toEqual({ type: "Existing", restore: stored });
  });

  it("pages with afterSeq and limit", async () => {
    const env = testEnvironment();
    const restore = await create(env);
    await startPlain(env, restore.restoreId);
    await report(env, restore.restoreId, { state: "Queued", report: {} });

    const page = await env.service.listEvents(env.context(), restore.restoreId, {
      afterSeq: 1,
      limit: 1,
    });

    expect(page._unsafeUnwrap().map((e) => e.seq)).toEqual([2]);
  });

  it("answers 404 for an unknown id and for another tenant's restore, 403 for a foreign token", async () => {
    const env = testEnvironment();
    const restore = await create(env);

    const missing = await env.service.listEvents(env.context(), 77);
    const hidden = await env.service.listEvents(
      contextFor(userPrincipal({ tenantId: OTHER_TENANT }), OTHER_TENANT),
      restore.restoreId,
    );
    const foreign = await env.service.listEvents(
      contextFor(userPrincipal({ tenantId: OTHER_TENANT })),
      restore.restoreId,
    );

    expect(errorStatus(missing._unsafeUnwrapErr())).toBe(404);
    expect(hidden._unsafeUnwrapErr()).toMatchObject({ code: "restore_not_found" });
    expect(foreign._unsafeUnwrapErr().code).toBe("forbidden");
    expect(errorStatus(foreign._unsafeUnwrapErr())).toBe(403);
  });

  it("lets an observer read the log", async () => {
    const env = testEnvironment();
    const restore = await create(env);
    const events = await env.service.listEvents(
      env.context(userPrincipal({ roles: ["cloudbackup:observer"] })),
      restore.restoreId,
    );
    expect(events._unsafeUnwrap()).toHaveLength(1);
  });
});

describe("agentReport", () => {
  it("accepts reports from the destination agent only", async () => {
    const env = testEnvironment();
    const restore = await create(env);
    await startPlain(env, restore.restoreId);

    const otherAgent = await report(
      env,
      restore.restoreId,
      { state: "Queued", report: {} },
      agentPrincipal({ agentId: DESTINATION_MACHINE_ID + 1 }),
    );
    const user = await report(
      env,
      restore.restoreId,
      { state: "Queued", report: {} },
      userPrincipal(),
    );
    const foreignAgent = await env.service.agentReport(
      contextFor(agentPrincipal({ tenantId: OTHER_TENANT })),
      restore.restoreId,
      { state: "Queued", report: {} },
    );
    const hidden = await report(
      env,
      restore.restoreId,
      { state: "Queued", report: {} },
      agentPrincipal({ tenantId: OTHER_TENANT }),
    );

    expect(hidden._unsafeUnwrapErr().code).toBe("restore_not_found");
    for (const result of [otherAgent, user, foreignAgent]) {
      expect(result._unsafeUnwrapErr().code).toBe("forbidden");
      expect(errorStatus(result._unsafeUnwrapErr())).toBe(403);
    }
    const unchanged = (
      await env.repository.load(DEFAULT_TENANT, restore.restoreId)
    )._unsafeUnwrap();
    expect(unchanged?.state).toBe("StartRequested");

    const own = await report(env, restore.restoreId, { state: "Queued", report: {} });
    expect(own._unsafeUnwrap().state).toBe("Queued");
  });

  it("answers 404 for an unknown restore", async () => {
    const env = testEnvironment();
    const result = await report(env, 31337, { state: "Queued", report: {} });
    expect(result._unsafeUnwrapErr()).toMatchObject({ code: "restore_not_found" });
  });

  it("rejects a report on a restore not yet started as agent_conflict (409) naming the state", async () => {
    const env = testEnvironment();
    const restore = await create(env);

    const error = (
      await report(env, restore.restoreId, { state: "InProgress", report: {} })
    )._unsafeUnwrapErr();

    expect(error).toMatchObject({
      code: "agent_conflict",
      state: "Creating",
      reported: "InProgress",
    });
    expect(errorStatus(error)).toBe(409);
  });

  it("rejects moving backwards and modifying a finished restore as agent_conflict (409)", async () => {
    const env = testEnvironment();
    const restore = await create(env);
    await startPlain(env, restore.restoreId);
    await report(env, restore.restoreId, { state: "InProgress", report: {} });

    const backwards = (
      await report(env, restore.restoreId, { state: "Queued", report: {} })
    )._unsafeUnwrapErr();
    await report(env, restore.restoreId, { state: "Completed", report: {} });
    const afterFinish = (
      await report(env, restore.restoreId, { state: "Failed", report: {} })
    )._unsafeUnwrapErr();
    const sameFinish = await report(env, restore.restoreId, { state: "Completed", report: {} });

    expect(backwards).toMatchObject({ code: "agent_conflict", state: "InProgress" });
    expect(afterFinish).toMatchObject({ code: "agent_conflict", state: "Completed" });
    expect(errorStatus(afterFinish)).toBe(409);
    expect(sameFinish._unsafeUnwrap().state).toBe("Completed");
  });

  it("carries the reported data into progress, and the finish report keeps it", async () => {
    const env = testEnvironment();
    const restore = await create(env);
    await startPlain(env, restore.restoreId);
    const errors = {
      count: 1,
      reason: "unable_to_process_some_files",
      diagnostics: "Some files could not be restored.",
      list: [
        {
          index: 0,
          path: "/usr/bin/h2xs",
          type: "phx_exception",
          exception: { code: 13, description: "denied", details: null },
        },
      ],
    };

    const running = (
      await report(env, restore.restoreId, {
        state: "InProgress",
        report: {
          startedTime: "2026-01-01T00:01:00.000Z",
          filesRestored: 5,
          bytesRestored: 1024,
          totalBytes: 4096,
          bytesRemaining: 3072,
        },
      })
    )._unsafeUnwrap();
    const finished = (
      await report(env, restore.restoreId, {
        state: "CompletedWithErrors",
        report: { endedTime: "2026-01-01T00:09:00.000Z", filesRestored: 24, errors },
      })
    )._unsafeUnwrap();

    expect(running.progress).toEqual({
      startedTime: "2026-01-01T00:01:00.000Z",
      endedTime: null,
      filesRestored: 5,
      bytesRestored: 1024,
      totalBytes: 4096,
      bytesRemaining: 3072,
      errors: null,
    });
    expect(finished.progress).toEqual({
      startedTime: "2026-01-01T00:01:00.000Z",
      endedTime: "2026-01-01T00:09:00.000Z",
      filesRestored: 24,
      bytesRestored: 1024,
      totalBytes: 4096,
      bytesRemaining: 3072,
      errors,
    });
  });

  it("records any data-only report in progress, field by field, while the restore is active, unless it lowers a done count", {
    timeout: PROPERTY_TIMEOUT_MS,
  }, async () => {
    const env = testEnvironment();
    const restore = await create(env);
    await startPlain(env, restore.restoreId);
    await fc.assert(
      fc.asyncProperty(arbProgressReport(), async (data) => {
        const before = (
          await env.repository.load(DEFAULT_TENANT, restore.restoreId)
        )._unsafeUnwrap();
        const result = await report(env, restore.restoreId, { state: null, report: data });
        const lowers = (["filesRestored", "bytesRestored"] as const).some((field) => {
          const done = before?.progress[field] ?? null;
          const reported = data[field];
          return done !== null && reported !== undefined && reported < done;
        });
        if (lowers) {
          expect(result._unsafeUnwrapErr().code).toBe("progress_regressed");
          const kept = await env.repository.load(DEFAULT_TENANT, restore.restoreId);
          expect(kept._unsafeUnwrap()).toEqual(before);
          return;
        }
        const after = result._unsafeUnwrap();
        expect(after.state).toBe("StartRequested");
        expect(after.progress).toEqual({
          startedTime: data.startedTime ?? before?.progress.startedTime,
          endedTime: data.endedTime ?? before?.progress.endedTime,
          filesRestored: data.filesRestored ?? before?.progress.filesRestored,
          bytesRestored: data.bytesRestored ?? before?.progress.bytesRestored,
          totalBytes: data.totalBytes ?? before?.progress.totalBytes,
          bytesRemaining: data.bytesRemaining ?? before?.progress.bytesRemaining,
          errors: data.errors ?? before?.progress.errors,
        });
      }),
      { numRuns: 40 },
    );
  });

  it("refuses a report that lowers the files or bytes done with a 409 progress_regressed, changing nothing", async () => {
    const env = testEnvironment();
    const restore = await create(env);
    await startPlain(env, restore.restoreId);
    await report(env, restore.restoreId, {
      state: "InProgress",
      report: { filesRestored: 10, bytesRestored: 4096, totalBytes: 8192 },
    });
    const before = (await env.repository.load(DEFAULT_TENANT, restore.restoreId))._unsafeUnwrap();
    const events = (await env.service.listEvents(env.context(), restore.restoreId))._unsafeUnwrap();

    for (const lower of [{ filesRestored: 9 }, { bytesRestored: 0, totalBytes: 100 }]) {
      const error = (
        await report(env, restore.restoreId, { state: "Completed", report: lower })
      )._unsafeUnwrapErr();
      expect(error.code).toBe("progress_regressed");
      expect(errorStatus(error)).toBe(409);
    }
    expect((await env.repository.load(DEFAULT_TENANT, restore.restoreId))._unsafeUnwrap()).toEqual(
      before,
    );
    expect(
      (await env.service.listEvents(env.context(), restore.restoreId))._unsafeUnwrap(),
    ).toEqual(events);

    // The same counts again, with a lower total (an estimate), are taken.
    const kept = (
      await report(env, restore.restoreId, {
        state: "Completed",
        report: { filesRestored: 10, bytesRestored: 4096, totalBytes: 4096, bytesRemaining: 0 },
      })
    )._unsafeUnwrap();
    expect(kept.state).toBe("Completed");
    expect(kept.progress).toMatchObject({
      bytesRestored: 4096,
      totalBytes: 4096,
      bytesRemaining: 0,
    });
  });

  it("ends a restore the agent reports stopped in Stopped, with the end time defaulted to now", async () => {
    const env = testEnvironment();
    const restore = await create(env);
    await startPlain(env, restore.restoreId);
    const stopped = (
      await report(env, restore.restoreId, { state: "Stopped", report: {} })
    )._unsafeUnwrap();
    expect(stopped.state).toBe("Stopped");
    expect(stopped.progress.endedTime).toBe(env.clock.now().toISOString());
  });
});
