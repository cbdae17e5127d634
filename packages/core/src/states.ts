/**
 * The restore states of the Cloud Backup API: one table, the single source of
 * truth for the v1 numeric ids, the v2 names and what kind of state each is.
 */
export const RESTORE_STATES = [
  { name: "Creating", id: 0, v2: "creating", kind: "editable" },
  { name: "StartRequested", id: 6, v2: "start_requested", kind: "active" },
  { name: "Queued", id: 1, v2: "queued", kind: "active" },
  { name: "Preparing", id: 9, v2: "preparing", kind: "active" },
  { name: "InProgress", id: 2, v2: "in_progress", kind: "active" },
  { name: "StopRequested", id: 7, v2: "stop_requested", kind: "active" },
  { name: "Completed", id: 3, v2: "completed", kind: "terminal" },
  { name: "CompletedWithErrors", id: 8, v2: "completed_with_errors", kind: "terminal" },
  { name: "Failed", id: 5, v2: "failed", kind: "terminal" },
  { name: "Stopped", id: 4, v2: "stopped", kind: "terminal" },
] as const;

type StateRow = (typeof RESTORE_STATES)[number];

/** A restore state by its v1 name, the name the domain uses. */
export type RestoreStateName = StateRow["name"];
/** The wire value of `RestoreStateId` on v1 routes. */
export type RestoreStateId = StateRow["id"];
/** The state name used by the v2 API and by agent reports. */
export type RestoreStateV2Name = StateRow["v2"];
export type RestoreStateKind = StateRow["kind"];

export type TerminalStateName = Extract<StateRow, { kind: "terminal" }>["name"];
export type ActiveStateName = Extract<StateRow, { kind: "active" }>["name"];

const byName = new Map<string, StateRow>(RESTORE_STATES.map((row) => [row.name, row]));
const byId = new Map<number, StateRow>(RESTORE_STATES.map((row) => [row.id, row]));
const byV2 = new Map<string, StateRow>(RESTORE_STATES.map((row) => [row.v2, row]));

export const RESTORE_STATE_NAMES: readonly RestoreStateName[] = RESTORE_STATES.map(
  (row) => row.name,
);

/** Narrows any value to a known state name. */
export function isRestoreStateName(value: unknown): value is RestoreStateName {
  return typeof value === "string" && byName.has(value);
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
  return rowOf(name).kind;
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
  return rowOf(name).kind === "terminal";
}

export function isActive(name: RestoreStateName): name is ActiveStateName {
  return rowOf(name).kind === "active";
}
