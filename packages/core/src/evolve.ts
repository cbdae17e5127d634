import type { RestoreEvent } from "./events.js";
import { isRecord } from "./internal/plain-data.js";
import {
  EMPTY_PROGRESS,
  existing,
  initialState,
  type Restore,
  type RestoreAggregate,
  type RestoreProgress,
} from "./restore.js";

/**
 * Applies one event to a restore. Pure and total: an event that cannot apply
 * (anything but `RestoreCreated` on an empty restore, or a value that is not
 * an event) leaves the state as it was.
 *
 * @example
 * ```ts
 * const restore = events.reduce(evolve, initialState());
 * ```
 */
export function evolve(state: RestoreAggregate, event: RestoreEvent): RestoreAggregate {
  if (!isRecord(event) || !isRecord(event.data) || !isRecord(event.metadata)) return state;
  if (!isRecord(state)) return state;
  const at = event.metadata.at;
  if (state.type === "Empty") {
    if (event.type !== "RestoreCreated") return state;
    const { tenantId, restoreId, config, backup } = event.data;
    return existing({
      tenantId,
      restoreId,
      state: "Creating",
      version: 1,
      config,
      backup,
      passwordSealed: false,
      progress: EMPTY_PROGRESS,
      createdAt: at,
      updatedAt: at,
    });
  }

  if (state.type !== "Existing" || !isRecord(state.restore)) return state;
  const restore = state.restore;
  const next = (change: Partial<Restore>): RestoreAggregate =>
    existing({ ...restore, ...change, version: restore.version + 1, updatedAt: at });

  switch (event.type) {
    case "RestoreConfigUpdated":
      return next({ config: event.data.config, backup: event.data.backup });
    case "RestoreStartRequested":
      return next({ state: "StartRequested", passwordSealed: event.data.passwordSealed });
    case "RestoreCancelled":
      return next({
        state: "Stopped",
        passwordSealed: false,
        progress: { ...restore.progress, endedTime: event.data.endedTime },
      });
    case "RestoreStopRequested":
      return next({ state: "StopRequested" });
    case "RestoreProgressed":
      return next({ state: event.data.state });
    case "RestoreProgressReported":
      return next({ progress: progressOf(event.data.progress) });
    case "RestoreFinished":
      return next({
        state: event.data.state,
        passwordSealed: false,
        progress: progressOf(event.data.progress),
      });
    case "RestoreStopped":
      return next({
        state: "Stopped",
        passwordSealed: false,
        progress: progressOf(event.data.progress),
      });
    case "RestoreHeartbeatReceived":
      return next({});
    case "RestoreExpired":
      return next({
        state: event.data.state,
        passwordSealed: false,
        progress: progressOf(event.data.progress),
      });
    default:
      // A second RestoreCreated, or a type that is not an event: the restore stays as it is.
      return state;
  }
}

/**
 * Progress as an event holds it, with the fields added since older events
 * were written (`totalBytes`, `bytesRemaining`) read as unknown, as the
 * migration left them on the row.
 */
function progressOf(progress: RestoreProgress): RestoreProgress {
  return { ...EMPTY_PROGRESS, ...progress };
}

/** Folds a restore's log from creation; the result must equal what the store holds. */
export function fold(
  events: readonly RestoreEvent[],
  from: RestoreAggregate = initialState(),
): RestoreAggregate {
  return events.reduce(evolve, from);
}
