import type { Restore, Timestamp } from "./restore.js";
import type { RestoreStateName } from "./states.js";

/**
 * How long a restore may wait on its destination agent before it is given
 * up, in milliseconds, by the state it waits in:
 * - `pickupMs`: StartRequested, until the agent takes it (reports Queued or later);
 * - `heartbeatMs`: Queued, Preparing, InProgress, between two reports;
 * - `stopMs`: StopRequested, until the agent confirms it stopped.
 *
 * Any report from the agent counts as a word, so does the bare heartbeat (an
 * empty patch). Past `pickupMs` or `heartbeatMs` the restore fails (reason
 * `AgentTimeout`); past `stopMs` it is stopped.
 */
export interface Deadlines {
  readonly pickupMs: number;
  readonly heartbeatMs: number;
  readonly stopMs: number;
}

/** 15 minutes to take a restore, 5 between reports, 5 to confirm a stop. */
export const DEFAULT_DEADLINES: Deadlines = Object.freeze({
  pickupMs: 15 * 60_000,
  heartbeatMs: 5 * 60_000,
  stopMs: 5 * 60_000,
});

/** What a restore waits for in its state, for the expiry event and the docs. */
export type AwaitedWord = "pickup" | "heartbeat" | "stop";

/** What the restore waits on its agent for in this state, or `null` when it waits on nobody. */
export function awaitedWord(state: RestoreStateName): AwaitedWord | null {
  switch (state) {
    case "StartRequested":
      return "pickup";
    case "Queued":
    case "Preparing":
    case "InProgress":
      return "heartbeat";
    case "StopRequested":
      return "stop";
    case "Creating":
    case "Completed":
    case "CompletedWithErrors":
    case "Failed":
    case "Stopped":
      return null;
  }
}

/** The deadline of a state, or `null` for a state that waits on nobody. */
export function deadlineOf(state: RestoreStateName, deadlines: Deadlines): number | null {
  switch (awaitedWord(state)) {
    case "pickup":
      return deadlines.pickupMs;
    case "heartbeat":
      return deadlines.heartbeatMs;
    case "stop":
      return deadlines.stopMs;
    case null:
      return null;
  }
}

const MAX_REFRESH_MS = 5_000;

/**
 * How stale the record of the agent's last word may grow before a report
 * that changes nothing is written down as a heartbeat: a tenth of the
 * deadline, at most 5 seconds. Writing every heartbeat would add an event
 * for each one; writing none would let a restore whose agent has nothing
 * new to say expire while the agent is alive. The cap keeps an expiry
 * within seconds of the deadline however long the deadline is.
 */
export function heartbeatRefreshMs(deadlineMs: number): number {
  return Math.min(Math.floor(deadlineMs / 10), MAX_REFRESH_MS);
}

/**
 * The instant after which a restore is due to expire: its last event (in
 * these states every event is a change of state or a word from the agent)
 * plus the deadline plus the refresh, because the last word recorded may
 * be up to a refresh older than the last word heard. So an agent heard
 * within the deadline is never expired, and a silent one is expired at
 * most a refresh (5 s at most) after the deadline. `null` for a
 * restore that waits on nobody.
 */
export function expiresAt(restore: Restore, deadlines: Deadlines): Timestamp | null {
  const deadline = deadlineOf(restore.state, deadlines);
  if (deadline === null) return null;
  const at = Date.parse(restore.updatedAt) + deadline + heartbeatRefreshMs(deadline);
  return new Date(at).toISOString();
}

/** Whether a restore is past its deadline at `now`: strictly after `expiresAt`. */
export function isExpired(restore: Restore, deadlines: Deadlines, now: Timestamp): boolean {
  const at = expiresAt(restore, deadlines);
  return at !== null && Date.parse(now) > Date.parse(at);
}

const MAX_DEADLINE_MS = 365 * 24 * 60 * 60_000;

/**
 * Problems with a set of deadlines, each naming the field: every deadline is
 * a whole number of milliseconds from 1 ms to a year. Empty when they are
 * fine.
 */
export function deadlineProblems(value: unknown): string[] {
  if (typeof value !== "object" || value === null) return ["deadlines must be an object"];
  const record = value as Record<string, unknown>;
  const problems: string[] = [];
  for (const field of ["pickupMs", "heartbeatMs", "stopMs"] as const) {
    const ms = record[field];
    if (!Number.isSafeInteger(ms) || (ms as number) < 1 || (ms as number) > MAX_DEADLINE_MS) {
      problems.push(`${field} must be a whole number of milliseconds from 1 to ${MAX_DEADLINE_MS}`);
    }
  }
  return problems;
}
