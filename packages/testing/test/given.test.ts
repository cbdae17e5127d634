import { AssertionError } from "node:assert";
import {
  type AgentReportedState,
  type CommandContext,
  fold,
  isActive,
  type ProgressReport,
  RESTORE_STATE_NAMES,
  type RestoreCreated,
  type RestoreEvent,
  type RestoreStartRequested,
  type SealedPassword,
} from "@restorekit/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { arbResolvedBackup, arbRestoreConfig, given, restoreEvents } from "../src/index.js";

const CONTEXT: CommandContext = {
  actor: { type: "system", id: "test" },
  now: "2026-01-01T00:00:00.000Z",
  requestId: "test",
};
const RESTORE_ID = 13689;

const created: RestoreCreated = {
  type: "RestoreCreated",
  data: {
    tenantId: "123456",
    restoreId: RESTORE_ID,
    config: {
      backupId: 133599,
      backupMachineId: 156953,
      destinationMachineId: 156751,
      destinationPath: "C:\\FolderPathForRestore\\",
      overwriteFiles: false,
    },
    backup: {
      backupConfigurationId: 6265,
      backupConfigurationName: "Restore_Backup",
      restorePoint: "2013-01-02T18:29:19.000Z",
      backupMachineName: "BALAJIMBP",
      backupFlavor: "RaxCloudServer",
      backupDataCenter: "DFW",
      destinationMachineName: "BILLS-TEST-WIN",
      isEncrypted: false,
      publicKey: null,
    },
  },
  metadata: { actor: CONTEXT.actor, at: CONTEXT.now, requestId: "req-1" },
};
const startRequested: RestoreStartRequested = {
  type: "RestoreStartRequested",
  data: { passwordSealed: false },
  metadata: { actor: CONTEXT.actor, at: CONTEXT.now, requestId: CONTEXT.requestId },
};
const start = {
  type: "StartManual",
  data: { restoreId: RESTORE_ID, sealedPassword: null },
} as const;
const stop = { type: "StopManual", data: { restoreId: RESTORE_ID } } as const;

function thrown(run: () => void): AssertionError {
  try {
    run();
  } catch (error) {
    if (error instanceof AssertionError) return error;
    throw error;
  }
  throw new Error("expected an AssertionError, but nothing was thrown");
}

describe("given/when/then", () => {
  it("passes when decide returns exactly the expected events", () => {
    given([created]).when(start).then([startRequested]);
    given([created, startRequested])
      .when(stop)
      .then([
        {
          type: "RestoreCancelled",
          data: { endedTime: CONTEXT.now },
          metadata: startRequested.metadata,
        },
      ]);
  });

  it("passes on a no-op when no events are expected", () => {
    given([created, startRequested]).when(start).then([]);
  });

  it("passes when decide fails with the expected code", () => {
    given([created]).when(stop).then("restore_not_started");
    given([]).when(stop).then("restore_not_found");
  });

  it("uses the context given, over the defaults", () => {
    const context = {
      actor: { type: "user", id: "u-9" },
      now: "2030-05-05T05:05:05.000Z",
    } as const;
    given([created])
      .when(start, context)
      .then([
        {
          ...startRequested,
          metadata: { actor: context.actor, at: context.now, requestId: "test" },
        },
      ]);
  });

  it("throws an AssertionError naming both sides when the events differ", () => {
    const error = thrown(() =>
      given([created])
        .when(start)
        .then([{ ...startRequested, data: { passwordSealed: true } }]),
    );
    expect(error.message).toContain("StartManual on restore 13689");
    expect(error.message).toContain("expected the events");
    expect(error.message).toContain("passwordSealed: true");
    expect(error.message).toContain("passwordSealed: false");
  });

  it("throws when the metadata differs", () => {
    const error = thrown(() =>
      given([created])
        .when(start)
        .then([
          { ...startRequested, metadata: { ...startRequested.metadata, requestId: "other" } },
        ]),
    );
    expect(error.message).toContain("'other'");
  });

  it("throws when events were expected but decide failed, saying with what", () => {
    const error = thrown(() => given([created]).when(stop).then([startRequested]));
    expect(error.message).toContain('failed with "restore_not_started"');
    expect(error.message).toContain("Restore 13689 cannot be stopped");
  });

  it("throws on a wrong code, naming the expected code and the actual one", () => {
    const error = thrown(() => given([created]).when(stop).then("restore_finished"));
    expect(error.message).toContain('expected decide to fail with "restore_finished"');
    expect(error.message).toContain('failed with "restore_not_started"');
    expect(error.expected).toBe("restore_finished");
    expect(error.actual).toBe("restore_not_started");
  });

  it("throws when a failure was expected but decide returned events", () => {
    const error = thrown(() => given([created]).when(start).then("restore_not_started"));
    expect(error.message).toContain("returned the events");
    expect(error.message).toContain("RestoreStartRequested");
  });

  it("refuses to be awaited, saying how to use it", async () => {
    const step = given([created]).when(start) as unknown as PromiseLike<unknown>;
    await expect(Promise.resolve().then(() => step)).rejects.toThrow(/not a promise/);
  });

  it("never shows sealed-password bytes in a message", () => {
    const sealedPassword = new Uint8Array([0xde, 0xad, 0xbe, 0xef]) as SealedPassword;
    const error = thrown(() =>
      given([created])
        .when({ type: "StartManual", data: { restoreId: RESTORE_ID, sealedPassword } })
        .then([startRequested]),
    );
    expect(error.message).not.toContain("222, 173");
    expect(error.message).not.toContain("Uint8Array");
    expect(error.message).not.toMatch(/deadbeef/i);
  });

  it("agrees with itself for any configuration: an update in Creating is exactly RestoreConfigUpdated", () => {
    fc.assert(
      fc.property(arbRestoreConfig(), arbResolvedBackup(), (config, backup) => {
        const updated: RestoreEvent = {
          type: "RestoreConfigUpdated",
          data: { config, backup },
          metadata: { actor: CONTEXT.actor, at: CONTEXT.now, requestId: CONTEXT.requestId },
        };
        const update = {
          type: "UpdateConfig",
          data: { restoreId: RESTORE_ID, config, backup },
        } as const;
        given([created]).when(update).then([updated]);
        given([created, startRequested]).when(update).then("restore_not_editable");
        expect(() => given([created]).when(update).then([])).toThrow(AssertionError);
      }),
    );
  });
});

describe("restoreEvents builds histories for given", () => {
  const start = (restoreId = 13689) =>
    ({ type: "StartManual", data: { restoreId, sealedPassword: null } }) as const;
  const stop = { type: "StopManual", data: { restoreId: 13689 } } as const;
  const report = (state: AgentReportedState | null, data: ProgressReport = {}) =>
    ({ type: "RecordAgentReport", data: { restoreId: 13689, state, report: data } }) as const;

  it.each(RESTORE_STATE_NAMES)("until(%s) folds to a restore in that state", (state) => {
    for (const encrypted of [false, true]) {
      const folded = fold(restoreEvents({ encrypted }).until(state));
      expect(folded.type === "Existing" && folded.restore.state).toBe(state);
      expect(folded.type === "Existing" && folded.restore.passwordSealed).toBe(
        encrypted && isActive(state),
      );
    }
  });

  it("makes the events decide makes in given, for each builder", () => {
    const e = restoreEvents();
    given(e.until("Creating")).when(start()).then([e.startRequested()]);
    given(e.until("StartRequested")).when(stop).then([e.cancelled()]);
    given(e.until("StartRequested"))
      .when(report("Queued"))
      .then([e.progressed("Queued")]);
    given(e.until("InProgress")).when(stop).then([e.stopRequested()]);
    given(e.until("InProgress"))
      .when(report(null, { filesRestored: 3 }))
      .then([e.progressReported({ filesRestored: 3 })]);
    given(e.until("InProgress"))
      .when(report("CompletedWithErrors", { bytesRestored: 1512 }))
      .then([e.finished("CompletedWithErrors", { bytesRestored: 1512 })]);
    given(e.until("StopRequested")).when(report("Stopped")).then([e.stopped()]);
    given(e.until("Creating"))
      .when({
        type: "UpdateConfig",
        data: {
          restoreId: 13689,
          config: { ...configOf(e.created()), destinationPath: "D:\\" },
          backup: e.created().data.backup,
        },
      })
      .then([e.configUpdated({ config: { destinationPath: "D:\\" } })]);
  });

  it("takes another restore, tenant, encryption and metadata", () => {
    const at = "2030-05-05T05:05:05.000Z";
    const e = restoreEvents({ restoreId: 7, tenantId: "t", encrypted: true, metadata: { at } });
    const created = e.created();
    expect(created.data).toMatchObject({ tenantId: "t", restoreId: 7 });
    expect(created.data.backup.isEncrypted).toBe(true);
    expect(created.metadata.at).toBe(at);
    expect(e.startRequested().data.passwordSealed).toBe(true);
    const agent = { actor: { type: "agent", id: 156751 } } as const;
    expect(e.progressed("Queued", agent).metadata).toEqual({ ...agent, at, requestId: "test" });
    given(e.until("Creating")).when(start(7), { now: at }).then("password_required");
  });
});

function configOf(event: RestoreEvent) {
  if (event.type !== "RestoreCreated") throw new Error("a RestoreCreated");
  return event.data.config;
}
