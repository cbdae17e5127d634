import {
  type AgentReportedState,
  type CommandContext,
  type EventMetadata,
  fold,
  type ProgressReport,
  type ResolvedBackup,
  type RestoreCommand,
  type RestoreConfig,
  type RestoreErrorCode,
  type RestoreEvent,
  type RestoreProgress,
  type RestoreStateName,
} from "@restorekit/core";
import { describe, expect, it } from "vitest";
import { given } from "../src/index.js";

// One example per cell of the two tables of SPEC 3, each named after its row and column.

const RESTORE_ID = 13689;
const AGENT_ID = 156751;

const config: RestoreConfig = {
  backupId: 133599,
  backupMachineId: 156953,
  destinationMachineId: AGENT_ID,
  destinationPath: "C:\\FolderPathForRestore\\",
  overwriteFiles: false,
};
const backup: ResolvedBackup = {
  backupConfigurationId: 6265,
  backupConfigurationName: "Restore_Backup",
  restorePoint: "2013-01-02T18:29:19.000Z",
  backupMachineName: "BALAJIMBP",
  backupFlavor: "RaxCloudServer",
  backupDataCenter: "DFW",
  destinationMachineName: "BILLS-TEST-WIN",
  isEncrypted: false,
  publicKey: null,
};

const user = (at: string, requestId: string): EventMetadata => ({
  actor: { type: "user", id: "alice" },
  at,
  requestId,
});
const agent = (at: string, requestId: string): EventMetadata => ({
  actor: { type: "agent", id: AGENT_ID },
  at,
  requestId,
});

const finalReport: Required<ProgressReport> = {
  startedTime: "2014-10-20T13:11:58.985Z",
  endedTime: "2014-10-20T13:12:58.985Z",
  filesRestored: 2,
  bytesRestored: 1512,
  totalBytes: 2048,
  bytesRemaining: 536,
  errors: { count: 0, reason: null, diagnostics: null, list: [] },
};
const finalProgress: RestoreProgress = { ...finalReport };

const created: RestoreEvent = {
  type: "RestoreCreated",
  data: { tenantId: "123456", restoreId: RESTORE_ID, config, backup },
  metadata: user("2026-01-01T10:00:00.000Z", "r1"),
};
const startRequested: RestoreEvent = {
  type: "RestoreStartRequested",
  data: { passwordSealed: false },
  metadata: user("2026-01-01T10:01:00.000Z", "r2"),
};
const queued: RestoreEvent = {
  type: "RestoreProgressed",
  data: { state: "Queued" },
  metadata: agent("2026-01-01T10:02:00.000Z", "r3"),
};
const preparing: RestoreEvent = {
  type: "RestoreProgressed",
  data: { state: "Preparing" },
  metadata: agent("2026-01-01T10:03:00.000Z", "r4"),
};
const inProgress: RestoreEvent = {
  type: "RestoreProgressed",
  data: { state: "InProgress" },
  metadata: agent("2026-01-01T10:04:00.000Z", "r5"),
};
const stopRequested: RestoreEvent = {
  type: "RestoreStopRequested",
  data: {},
  metadata: user("2026-01-01T10:05:00.000Z", "r6"),
};
const finished = (state: "Completed" | "CompletedWithErrors" | "Failed"): RestoreEvent => ({
  type: "RestoreFinished",
  data: { state, progress: finalProgress },
  metadata: agent("2026-01-01T10:06:00.000Z", "r7"),
});
const stopped: RestoreEvent = {
  type: "RestoreStopped",
  data: { progress: finalProgress },
  metadata: agent("2026-01-01T10:06:00.000Z", "r7"),
};

/** A log that ends in each state, the way a restore gets there. */
const HISTORY: Record<RestoreStateName, readonly RestoreEvent[]> = {
  Creating: [created],
  StartRequested: [created, startRequested],
  Queued: [created, startRequested, queued],
  Preparing: [created, startRequested, queued, preparing],
  InProgress: [created, startRequested, queued, preparing, inProgress],
  StopRequested: [created, startRequested, queued, stopRequested],
  Completed: [created, startRequested, queued, preparing, inProgress, finished("Completed")],
  CompletedWithErrors: [created, startRequested, queued, finished("CompletedWithErrors")],
  Failed: [created, startRequested, queued, preparing, finished("Failed")],
  Stopped: [created, startRequested, queued, stopRequested, stopped],
};

const NOW = "2026-01-02T08:00:00.000Z";
const userContext: CommandContext = {
  actor: { type: "user", id: "alice" },
  now: NOW,
  requestId: "q",
};
const agentContext: CommandContext = {
  actor: { type: "agent", id: AGENT_ID },
  now: NOW,
  requestId: "q",
};
const userAt = user(NOW, "q");
const agentAt = agent(NOW, "q");

const newConfig: RestoreConfig = {
  ...config,
  destinationPath: "C:\\RestoredPath",
  overwriteFiles: true,
};

const startManual: RestoreCommand = {
  type: "StartManual",
  data: { restoreId: RESTORE_ID, sealedPassword: null },
};
const stopManual: RestoreCommand = { type: "StopManual", data: { restoreId: RESTORE_ID } };
const updateConfig: RestoreCommand = {
  type: "UpdateConfig",
  data: { restoreId: RESTORE_ID, config: newConfig, backup },
};

type Expected = readonly RestoreEvent[] | RestoreErrorCode;
const NO_OP: readonly RestoreEvent[] = [];

describe("the given histories", () => {
  it.each(Object.entries(HISTORY))("the %s history folds to state %s", (state, events) => {
    const folded = fold(events);
    expect(folded.type === "Existing" ? folded.restore.state : "none").toBe(state);
  });
});

describe("SPEC 3, user commands", () => {
  const startRequestedNow: RestoreEvent = {
    type: "RestoreStartRequested",
    data: { passwordSealed: false },
    metadata: userAt,
  };
  const stopRequestedNow: RestoreEvent = {
    type: "RestoreStopRequested",
    data: {},
    metadata: userAt,
  };
  const cancelledNow: RestoreEvent = {
    type: "RestoreCancelled",
    data: { endedTime: NOW },
    metadata: userAt,
  };
  const configUpdatedNow: RestoreEvent = {
    type: "RestoreConfigUpdated",
    data: { config: newConfig, backup },
    metadata: userAt,
  };

  const working = "Queued, Preparing, InProgress";
  const finishedRow = "Completed, CompletedWithErrors, Failed";
  const cells: ReadonlyArray<
    readonly [string, RestoreStateName, RestoreCommand, string, Expected]
  > = [
    ["Creating", "Creating", startManual, "-> StartRequested", [startRequestedNow]],
    ["Creating", "Creating", stopManual, "reject: not started", "restore_not_started"],
    ["Creating", "Creating", updateConfig, "-> Creating (config replaced)", [configUpdatedNow]],
    ["StartRequested", "StartRequested", startManual, "no-op", NO_OP],
    ["StartRequested", "StartRequested", stopManual, "-> Stopped (cancelled)", [cancelledNow]],
    ["StartRequested", "StartRequested", updateConfig, "reject", "restore_not_editable"],
    ...(["Queued", "Preparing", "InProgress"] as const).flatMap(
      (state) =>
        [
          [working, state, startManual, "no-op", NO_OP],
          [working, state, stopManual, "-> StopRequested", [stopRequestedNow]],
          [working, state, updateConfig, "reject", "restore_not_editable"],
        ] as const,
    ),
    ["StopRequested", "StopRequested", startManual, "reject: stopping", "restore_stopping"],
    ["StopRequested", "StopRequested", stopManual, "no-op", NO_OP],
    ["StopRequested", "StopRequested", updateConfig, "reject", "restore_not_editable"],
    ["Stopped", "Stopped", startManual, "reject: finished", "restore_finished"],
    ["Stopped", "Stopped", stopManual, "no-op", NO_OP],
    ["Stopped", "Stopped", updateConfig, "reject", "restore_not_editable"],
    ...(["Completed", "CompletedWithErrors", "Failed"] as const).flatMap(
      (state) =>
        [
          [finishedRow, state, startManual, "reject: finished", "restore_finished"],
          [finishedRow, state, stopManual, "reject: finished", "restore_finished"],
          [finishedRow, state, updateConfig, "reject", "restore_not_editable"],
        ] as const,
    ),
  ];

  const named = cells.map(
    ([row, state, command, cell, expected]) =>
      [row, state, command.type, cell, command, expected] as const,
  );
  it.each(named)("row %s (in %s) × %s: %s", (_row, state, _name, _cell, command, expected) => {
    given(HISTORY[state]).when(command, userContext).then(expected);
  });
});

describe("SPEC 3, agent reports", () => {
  const report = (state: AgentReportedState, data: ProgressReport = {}): RestoreCommand => ({
    type: "RecordAgentReport",
    data: { restoreId: RESTORE_ID, state, report: data },
  });
  // Finishing reports carry the report data; the others here carry none, so only the state changes.
  const finishing = (state: "Completed" | "CompletedWithErrors" | "Failed" | "Stopped") =>
    report(state, finalReport);
  const progressedTo = (state: "Queued" | "Preparing" | "InProgress"): RestoreEvent[] => [
    { type: "RestoreProgressed", data: { state }, metadata: agentAt },
  ];
  const stopRequestedNow: RestoreEvent[] = [
    { type: "RestoreStopRequested", data: {}, metadata: agentAt },
  ];
  const finishedNow = (state: "Completed" | "CompletedWithErrors" | "Failed"): RestoreEvent[] => [
    { type: "RestoreFinished", data: { state, progress: finalProgress }, metadata: agentAt },
  ];
  const stoppedNow: RestoreEvent[] = [
    { type: "RestoreStopped", data: { progress: finalProgress }, metadata: agentAt },
  ];

  type Cell = readonly [string, RestoreStateName, string, string, RestoreCommand, Expected];
  const cells: Cell[] = [];
  const cell = (
    row: string,
    state: RestoreStateName,
    column: string,
    command: RestoreCommand,
    what: string,
    expected: Expected,
  ) => cells.push([row, state, column, what, command, expected]);

  const w = "queued / preparing / in_progress";
  const f = "completed / completed_with_errors / failed";
  const all = [
    ["Queued", report("Queued")],
    ["Preparing", report("Preparing")],
    ["InProgress", report("InProgress")],
    ["StopRequested", report("StopRequested")],
    ["Completed", finishing("Completed")],
    ["CompletedWithErrors", finishing("CompletedWithErrors")],
    ["Failed", finishing("Failed")],
    ["Stopped", finishing("Stopped")],
  ] as const;
  const columnOf = (reported: string): string =>
    reported === "StopRequested"
      ? "stop_requested"
      : reported === "Stopped"
        ? "stopped"
        : ["Queued", "Preparing", "InProgress"].includes(reported)
          ? w
          : f;

  for (const [reported, command] of all) {
    cell(
      "Creating",
      "Creating",
      columnOf(reported),
      command,
      `${reported}: conflict`,
      "agent_conflict",
    );
  }

  cell(
    "StartRequested",
    "StartRequested",
    w,
    report("Queued"),
    "-> Queued",
    progressedTo("Queued"),
  );
  cell(
    "StartRequested",
    "StartRequested",
    w,
    report("Preparing"),
    "-> Preparing",
    progressedTo("Preparing"),
  );
  cell(
    "StartRequested",
    "StartRequested",
    w,
    report("InProgress"),
    "-> InProgress",
    progressedTo("InProgress"),
  );
  cell(
    "StartRequested",
    "StartRequested",
    "stop_requested",
    report("StopRequested"),
    "conflict",
    "agent_conflict",
  );
  cell(
    "StartRequested",
    "StartRequested",
    f,
    finishing("Completed"),
    "-> Completed",
    finishedNow("Completed"),
  );
  cell(
    "StartRequested",
    "StartRequested",
    f,
    finishing("CompletedWithErrors"),
    "-> CompletedWithErrors",
    finishedNow("CompletedWithErrors"),
  );
  cell(
    "StartRequested",
    "StartRequested",
    f,
    finishing("Failed"),
    "-> Failed",
    finishedNow("Failed"),
  );
  cell(
    "StartRequested",
    "StartRequested",
    "stopped",
    finishing("Stopped"),
    "-> Stopped",
    stoppedNow,
  );

  const workingRow = "Queued -> Preparing -> InProgress";
  const order = ["Queued", "Preparing", "InProgress"] as const;
  for (const [at, state] of order.entries()) {
    for (const [to, target] of order.entries()) {
      const what =
        to > at + 1
          ? `forward to ${target} (skips allowed)`
          : to > at
            ? `forward to ${target}`
            : to === at
              ? "same state no-op"
              : `backward to ${target} conflict`;
      const expected: Expected =
        to > at ? progressedTo(target) : to === at ? NO_OP : "agent_conflict";
      cell(workingRow, state, w, report(target), what, expected);
    }
    cell(
      workingRow,
      state,
      "stop_requested",
      report("StopRequested"),
      "-> StopRequested",
      stopRequestedNow,
    );
    for (const target of ["Completed", "CompletedWithErrors", "Failed"] as const) {
      cell(workingRow, state, f, finishing(target), `-> ${target}`, finishedNow(target));
    }
    cell(workingRow, state, "stopped", finishing("Stopped"), "-> Stopped", stoppedNow);
  }

  for (const target of order) {
    cell(
      "StopRequested",
      "StopRequested",
      w,
      report(target),
      `${target}: conflict (tells the agent to stop)`,
      "agent_conflict",
    );
  }
  cell("StopRequested", "StopRequested", "stop_requested", report("StopRequested"), "no-op", NO_OP);
  for (const target of ["Completed", "CompletedWithErrors", "Failed"] as const) {
    cell(
      "StopRequested",
      "StopRequested",
      f,
      finishing(target),
      `-> ${target} (finished first)`,
      finishedNow(target),
    );
  }
  cell("StopRequested", "StopRequested", "stopped", finishing("Stopped"), "-> Stopped", stoppedNow);

  for (const state of ["Completed", "CompletedWithErrors", "Failed", "Stopped"] as const) {
    for (const [reported, command] of all) {
      const same = reported === state;
      cell(
        "terminal",
        state,
        columnOf(reported),
        command,
        same ? "same terminal state no-op" : `${reported}: conflict`,
        same ? NO_OP : "agent_conflict",
      );
    }
  }

  it("covers every cell: 10 states × 8 reported states", () => {
    expect(
      new Set(cells.map(([, state, , , command]) => `${state}/${JSON.stringify(command)}`)).size,
    ).toBe(80);
  });

  it.each(cells)("row %s (in %s) × %s: %s", (_row, state, _column, _what, command, expected) => {
    given(HISTORY[state]).when(command, agentContext).then(expected);
  });
});
