// The transition tables written down cell by cell as plain data, nothing read
// from core (only its type names): tests check core against them, through the
// service, the decider or HTTP, and so can an app's own tests.

import type { AgentReportedState, RestoreErrorCode, RestoreStateName } from "@restorekit/core";

/** The active states: a sealed password is held exactly while an encrypted restore is in one. */
export const ACTIVE: readonly RestoreStateName[] = [
  "StartRequested",
  "Queued",
  "Preparing",
  "InProgress",
  "StopRequested",
];
export const TERMINAL: readonly RestoreStateName[] = [
  "Completed",
  "CompletedWithErrors",
  "Failed",
  "Stopped",
];
/** Every state, in the order of the tables' rows. */
export const STATES: readonly RestoreStateName[] = ["Creating", ...ACTIVE, ...TERMINAL];

/** A cell: the state the restore moves to, a no-op, or the code of the rejection. */
export type Cell = RestoreStateName | "noop" | RestoreErrorCode;

export type UserCommandName = "StartManual" | "StopManual" | "UpdateConfig";
export const USER_COMMANDS: readonly UserCommandName[] = [
  "StartManual",
  "StopManual",
  "UpdateConfig",
];

const NOT_EDITABLE = "restore_not_editable";
const WORKING: Record<UserCommandName, Cell> = {
  StartManual: "noop",
  StopManual: "StopRequested",
  UpdateConfig: NOT_EDITABLE,
};
const FINISHED: Record<UserCommandName, Cell> = {
  StartManual: "restore_finished",
  StopManual: "restore_finished",
  UpdateConfig: NOT_EDITABLE,
};

/** User commands: from state -> command -> target state, no-op or rejection. */
export const USER_TABLE: Record<RestoreStateName, Record<UserCommandName, Cell>> = {
  Creating: {
    StartManual: "StartRequested",
    StopManual: "restore_not_started",
    UpdateConfig: "Creating",
  },
  StartRequested: { StartManual: "noop", StopManual: "Stopped", UpdateConfig: NOT_EDITABLE },
  Queued: WORKING,
  Preparing: WORKING,
  InProgress: WORKING,
  StopRequested: {
    StartManual: "restore_stopping",
    StopManual: "noop",
    UpdateConfig: NOT_EDITABLE,
  },
  Stopped: { StartManual: "restore_finished", StopManual: "noop", UpdateConfig: NOT_EDITABLE },
  Completed: FINISHED,
  CompletedWithErrors: FINISHED,
  Failed: FINISHED,
};

/** The columns of the agent table, one per reportable state. */
export const REPORTED: readonly AgentReportedState[] = [
  "Queued",
  "Preparing",
  "InProgress",
  "StopRequested",
  "Completed",
  "CompletedWithErrors",
  "Failed",
  "Stopped",
];

const X = "agent_conflict";
const N = "noop";

/** Agent reports: from state -> one cell per column of REPORTED. */
export const AGENT_TABLE: Record<RestoreStateName, readonly Cell[]> = {
  Creating: [X, X, X, X, X, X, X, X],
  StartRequested: [
    "Queued",
    "Preparing",
    "InProgress",
    X,
    "Completed",
    "CompletedWithErrors",
    "Failed",
    "Stopped",
  ],
  Queued: [
    N,
    "Preparing",
    "InProgress",
    "StopRequested",
    "Completed",
    "CompletedWithErrors",
    "Failed",
    "Stopped",
  ],
  Preparing: [
    X,
    N,
    "InProgress",
    "StopRequested",
    "Completed",
    "CompletedWithErrors",
    "Failed",
    "Stopped",
  ],
  InProgress: [X, X, N, "StopRequested", "Completed", "CompletedWithErrors", "Failed", "Stopped"],
  StopRequested: [X, X, X, N, "Completed", "CompletedWithErrors", "Failed", "Stopped"],
  Completed: [X, X, X, X, N, X, X, X],
  CompletedWithErrors: [X, X, X, X, X, N, X, X],
  Failed: [X, X, X, X, X, X, N, X],
  Stopped: [X, X, X, X, X, X, X, N],
};

/**
 * A report with data and no state is not in the agent table. Our reading: a
 * restore not yet started or already finished takes no data (a conflict); an
 * active one records it and keeps its state.
 */
export function agentCell(from: RestoreStateName, reported: AgentReportedState | null): Cell {
  if (reported === null) return from === "Creating" || TERMINAL.includes(from) ? X : N;
  return AGENT_TABLE[from][REPORTED.indexOf(reported)] ?? X;
}

/** Whether a cell moves the restore (to the state it names) rather than a no-op or a rejection. */
export function isTarget(cell: Cell): cell is RestoreStateName {
  return STATES.includes(cell as RestoreStateName);
}
