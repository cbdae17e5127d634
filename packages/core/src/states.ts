/**
 * The restore states of the Cloud Backup API: one table, the single source of
 * truth for the v1 numeric ids, the v2 names, and the part each state plays.
 * Every other list of states (active, terminal, working, finished, reportable)
 * is derived from it below.
 *
 * `phase` is the part a state plays in the lifecycle:
 * - `editable`: being configured (Creating);
 * - `waiting`: started, waiting for the agent to take it (StartRequested);
 * - `working`: the agent works through these, in this order only (Queued, Preparing, InProgress);
 * - `stopping`: asked to stop (StopRequested);
 * - `finished`: the agent finished (Completed, CompletedWithErrors, Failed);
 * - `stopped`: stopped (Stopped).
 */
export const RESTORE_STATES = [
  { name: "Creating", id: 0, v2: "creating", phase: "editable" },
  { name: "StartRequested", id: 6, v2: "start_requested", phase: "waiting" },
  { name: "Queued", id: 1, v2: "queued", phase: "working" },
  { name: "Preparing", id: 9, v2: "preparing", phase: "working" },
  { name: "InProgress", id: 2, v2: "in_progress", phase: "working" },
  { name: "StopRequested", id: 7, v2: "stop_requested", phase: "stopping" },
  { name: "Completed", id: 3, v2: "completed", phase: "finished" },
  { name: "CompletedWithErrors", id: 8, v2: "completed_with_errors", phase: "finished" },
  { name: "Failed", id: 5, v2: "failed", phase: "finished" },
  { name: "Stopped", id: 4, v2: "stopped", phase: "stopped" },
] as const;

type StateRow = (typeof RESTORE_STATES)[number];
type Phase = StateRow["phase"];

/** A restore state by its v1 name, the name the domain uses. */
export type RestoreStateName = StateRow["name"];
/** The wire value of `RestoreStateId` on v1 routes. */
export type RestoreStateId = StateRow["id"];
/** The state name used by the v2 API and by agent reports. */
export type RestoreStateV2Name = StateRow["v2"];
/** What the API calls a state's kind: editable, active (waiting, working, stopping) or terminal. */
export type RestoreStateKind = "editable" | "active" | "terminal";

type NamesIn<P extends Phase> = Extract<StateRow, { phase: P }>["name"];

export type ActiveStateName = NamesIn<"waiting" | "working" | "stopping">;
export type TerminalStateName = NamesIn<"finished" | "stopped">;
/** The states an agent works through, in the only order it may move. */
export type WorkingState = NamesIn<"working">;
/** The states an agent finishes in. */
export type FinishedState = NamesIn<"finished">;
/** The states an agent may report: every state once it has taken the restore. */
export type AgentReportedState = NamesIn<"working" | "stopping" | "finished" | "stopped">;

const KIND: Readonly<Record<Phase, RestoreStateKind>> = {
  editable: "editable",
  waiting: "active",
  working: "active",
  stopping: "active",
  finished: "terminal",
  stopped: "terminal",
};

function namesIn<P extends Phase>(...phases: P[]): readonly NamesIn<P>[] {
  const names = RESTORE_STATES.filter((row) => (phases as Phase[]).includes(row.phase)).map(
    (row) => row.name,
  );
  // The filter keeps exactly the rows of those phases.
  return Object.freeze(names) as readonly NamesIn<P>[];
}

export const RESTORE_STATE_NAMES: readonly RestoreStateName[] = Object.freeze(
  RESTORE_STATES.map((row) => row.name),
);
/** Queued, Preparing, InProgress: an agent may only move forward through them. */
export const WORKING_STATES: readonly WorkingState[] = namesIn("working");
/** Completed, CompletedWithErrors, Failed. */
export const FINISHED_STATES: readonly FinishedState[] = namesIn("finished");
/** Every state but Creating and StartRequested, in table order. */
export const AGENT_REPORTABLE_STATES: readonly AgentReportedState[] = namesIn(
  "working",
  "stopping",
  "finished",
  "stopped",
);

// Maps, not objects: a lookup by a prototype key ("constructor") must miss.
const byName = new Map<string, StateRow>(RESTORE_STATES.map((row) => [row.name, row]));
const byId = new Map<number, StateRow>(RESTORE_STATES.map((row) => [row.id, row]));
const byV2 = new Map<string, StateRow>(RESTORE_STATES.map((row) => [row.v2, row]));

/** Narrows any value to a known state name. */
export function isRestoreStateName(value: unknown): value is RestoreStateName {
  // Map#has compares by identity, so no value but one of the names' strings can match.
  return byName.has(value as string);
}

/** Narrows any value to a state an agent may report. */
export function isAgentReportedState(value: unknown): value is AgentReportedState {
  return (AGENT_REPORTABLE_STATES as readonly unknown[]).includes(value);
}

function rowOf(name: RestoreStateName): StateRow {
  // The table covers every member of RestoreStateName, so the lookup cannot miss.
  return byName.get(name) as StateRow;
}

export function stateId(name: RestoreStateName): RestoreStateId {
  return rowOf(name).id;
}

export function stateV2Name(name: RestoreStateName): RestoreStateV2Name {
  return rowOf(name).v2;
}

export function stateKind(name: RestoreStateName): RestoreStateKind {
  return KIND[rowOf(name).phase];
}

/** The state with that v1 `RestoreStateId`, or `undefined` for an unknown id. */
export function stateFromId(id: number): RestoreStateName | undefined {
  return byId.get(id)?.name;
}

/** The state with that v2 name, or `undefined` for an unknown name. */
export function stateFromV2Name(v2: string): RestoreStateName | undefined {
  return byV2.get(v2)?.name;
}

export function isTerminal(name: RestoreStateName): name is TerminalStateName {
  return stateKind(name) === "terminal";
}

export function isActive(name: RestoreStateName): name is ActiveStateName {
  return stateKind(name) === "active";
}

/** 1, 2, 3 for Queued, Preparing, InProgress: how far an agent has worked; 0 for any other state. */
export function workingRank(name: RestoreStateName): number {
  return (WORKING_STATES as readonly RestoreStateName[]).indexOf(name) + 1;
}
