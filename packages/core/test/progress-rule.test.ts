import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type AgentReportedState,
  type CommandContext,
  checkDoneCounts,
  decide,
  ERROR_STATUS,
  existing,
  fold,
  type ProgressReport,
  type Restore,
  type RestoreStateName,
} from "../src/index.js";
import { noProgress, referenceRestore } from "./support/reference-restore.js";

/** Long property runs get their own timeout, so a loaded 2-core machine cannot fail them. */
const PROPERTY_TIMEOUT_MS = 60_000;

const context: CommandContext = {
  actor: { type: "agent", id: referenceRestore.config.destinationMachineId },
  now: "2013-01-03T15:30:00.000Z",
  requestId: "req-progress",
};

function restoreIn(state: RestoreStateName, progress: Partial<Restore["progress"]> = {}): Restore {
  return { ...referenceRestore, state, version: 4, progress: { ...noProgress, ...progress } };
}

function report(
  restore: Restore,
  data: ProgressReport,
  state: AgentReportedState | null = null,
  at = context,
) {
  return decide(
    existing(restore),
    { type: "RecordAgentReport", data: { restoreId: restore.restoreId, state, report: data } },
    at,
  );
}

const ACTIVE_STATES = ["StartRequested", "Queued", "Preparing", "InProgress", "StopRequested"];
const arbActive = fc.constantFrom(...(ACTIVE_STATES as RestoreStateName[]));
const arbCount = fc.oneof(fc.nat({ max: 1000 }), fc.maxSafeNat());

describe("checkDoneCounts", () => {
  it("refuses exactly a report that lowers a known done count, naming it", () => {
    fc.assert(
      fc.property(
        fc.option(arbCount, { nil: null }),
        fc.option(arbCount, { nil: null }),
        fc.option(arbCount, { nil: undefined }),
        fc.option(arbCount, { nil: undefined }),
        (files, bytes, reportedFiles, reportedBytes) => {
          const restore = restoreIn("InProgress", { filesRestored: files, bytesRestored: bytes });
          const result = checkDoneCounts(restore, {
            filesRestored: reportedFiles,
            bytesRestored: reportedBytes,
          });
          const filesLowered =
            files !== null && reportedFiles !== undefined && reportedFiles < files;
          const bytesLowered =
            bytes !== null && reportedBytes !== undefined && reportedBytes < bytes;
          expect(result.isErr()).toBe(filesLowered || bytesLowered);
          if (result.isErr()) {
            const { error } = result;
            expect(error.code).toBe("progress_regressed");
            if (error.code !== "progress_regressed") return;
            // Files are checked first, so the one named is the first lowered.
            expect(error.field).toBe(filesLowered ? "filesRestored" : "bytesRestored");
            expect(error.current).toBe(filesLowered ? files : bytes);
            expect(error.reported).toBe(filesLowered ? reportedFiles : reportedBytes);
            expect(error.state).toBe("InProgress");
            expect(error.restoreId).toBe(restore.restoreId);
          }
        },
      ),
    );
  });

  it("lets the byte total and what remains move either way", () => {
    const restore = restoreIn("InProgress", { totalBytes: 1000, bytesRemaining: 400 });
    expect(checkDoneCounts(restore, { totalBytes: 10, bytesRemaining: 4000 }).isOk()).toBe(true);
  });
});

describe("decide: done counts never go back while a restore is active", () => {
  it("answers a lower count with progress_regressed, a 409 that says both counts", () => {
    const restore = restoreIn("InProgress", { filesRestored: 60, bytesRestored: 9_437_184 });
    const lowered = report(restore, { bytesRestored: 1024 }, "InProgress")._unsafeUnwrapErr();
    expect(lowered).toMatchObject({
      code: "progress_regressed",
      field: "bytesRestored",
      current: 9_437_184,
      reported: 1024,
      state: "InProgress",
    });
    expect(ERROR_STATUS[lowered.code]).toBe(409);
    expect(lowered.message).toBe(
      "Restore 1394 has bytes_restored 9437184; a report cannot lower it to 1024.",
    );
    expect(report(restore, { filesRestored: 59 })._unsafeUnwrapErr()).toMatchObject({
      code: "progress_regressed",
      field: "filesRestored",
    });
  });

  it("refuses a lower count with any state, finishing ones included", () => {
    const restore = restoreIn("InProgress", { filesRestored: 60 });
    for (const state of [null, "InProgress", "Completed", "Failed", "Stopped"] as const) {
      expect(report(restore, { filesRestored: 3 }, state)._unsafeUnwrapErr().code).toBe(
        "progress_regressed",
      );
    }
  });

  it("takes the same count again, a higher one, and estimates that go down", () => {
    const restore = restoreIn("InProgress", {
      filesRestored: 60,
      bytesRestored: 500,
      totalBytes: 2000,
      bytesRemaining: 1500,
    });
    expect(report(restore, { filesRestored: 60, bytesRestored: 500 })._unsafeUnwrap()).toEqual([]);
    const events = report(restore, {
      filesRestored: 61,
      bytesRestored: 900,
      totalBytes: 1200,
      bytesRemaining: 300,
    })._unsafeUnwrap();
    expect(events).toMatchObject([
      {
        type: "RestoreProgressReported",
        data: {
          progress: {
            filesRestored: 61,
            bytesRestored: 900,
            totalBytes: 1200,
            bytesRemaining: 300,
          },
        },
      },
    ]);
  });

  it("keeps the estimates in a finished restore's progress", () => {
    const restore = restoreIn("InProgress", { totalBytes: 2000, bytesRemaining: 100 });
    const [finished] = report(restore, { bytesRestored: 2000, bytesRemaining: 0 }, "Completed")
      ._unsafeUnwrap()
      .filter((event) => event.type === "RestoreFinished");
    expect(finished).toMatchObject({
      data: { progress: { bytesRestored: 2000, totalBytes: 2000, bytesRemaining: 0 } },
    });
  });

  it("leaves reports on Creating and finished restores to the state table", () => {
    const creating = restoreIn("Creating");
    expect(report(creating, { filesRestored: 1 })._unsafeUnwrapErr().code).toBe("agent_conflict");
    const done = restoreIn("Completed", { filesRestored: 60 });
    // A repeated finish is a retry, whatever data it carries; anything else a conflict.
    expect(report(done, { filesRestored: 1 }, "Completed")._unsafeUnwrap()).toEqual([]);
    expect(report(done, { filesRestored: 1 }, "Failed")._unsafeUnwrapErr().code).toBe(
      "agent_conflict",
    );
  });

  it("for any sequence of reports: accepted ones never lower a count, lowering ones change nothing", {
    timeout: PROPERTY_TIMEOUT_MS,
  }, () => {
    const arbReport = fc.record(
      {
        filesRestored: fc.nat({ max: 50 }),
        bytesRestored: fc.oneof(fc.nat({ max: 5000 }), fc.maxSafeNat()),
        totalBytes: fc.maxSafeNat(),
        bytesRemaining: fc.maxSafeNat(),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(arbActive, fc.array(arbReport, { maxLength: 25 }), (state, reports) => {
        let restore = restoreIn(state);
        for (const [i, data] of reports.entries()) {
          const before = restore.progress;
          const at = {
            ...context,
            now: new Date(Date.parse(context.now) + i * 1000).toISOString(),
          };
          const decision = report(restore, data, null, at);
          const lowers =
            (before.filesRestored !== null &&
              data.filesRestored !== undefined &&
              data.filesRestored < before.filesRestored) ||
            (before.bytesRestored !== null &&
              data.bytesRestored !== undefined &&
              data.bytesRestored < before.bytesRestored);
          if (lowers) {
            expect(decision.isErr() && decision.error.code).toBe("progress_regressed");
            continue;
          }
          expect(decision.isOk()).toBe(true);
          const next = fold(decision._unsafeUnwrap(), existing(restore));
          if (next.type !== "Existing") throw new Error("the restore vanished");
          restore = next.restore;
          const after = restore.progress;
          for (const field of ["filesRestored", "bytesRestored"] as const) {
            const was = before[field];
            if (was !== null) expect(after[field]).toBeGreaterThanOrEqual(was);
          }
          // What the report said is what the restore now holds; estimates as reported, up or down.
          for (const [field, value] of Object.entries(data)) {
            expect(after[field as keyof typeof after]).toBe(value);
          }
        }
      }),
      { numRuns: 300 },
    );
  });
});
