import { err, ok, type Result } from "neverthrow";
import type {
  CreateRestore,
  Expire,
  ProgressReport,
  RecordAgentReport,
  RestoreCommand,
  StartManual,
  UpdateConfig,
} from "./commands.js";
import { awaitedWord, deadlineOf, heartbeatRefreshMs, isExpired } from "./deadlines.js";
import { type RestoreError, RestoreErrors } from "./errors.js";
import type { Actor, EventMetadata, RestoreEvent } from "./events.js";
import { plainEqual } from "./internal/plain-data.js";
import { checkStartPassword } from "./password-rule.js";
import { checkDoneCounts } from "./progress-rule.js";
import type { Restore, RestoreAggregate, RestoreProgress, Timestamp } from "./restore.js";
import { isTerminal, workingRank } from "./states.js";
import type { Issues } from "./values/checks.js";
import { readCommand, readCommandContext } from "./values/command-values.js";
import { readRestore } from "./values/restore-values.js";

/** What a decision may know besides the state and the command: no clock reads inside. */
export interface CommandContext {
  readonly actor: Actor;
  readonly now: Timestamp;
  readonly requestId: string;
}

export type Decision = Result<readonly RestoreEvent[], RestoreError>;

const NO_CHANGE: Decision = ok([]);

/**
 * Decides what a command does to a restore, by the transition tables of
 * https://github.com/restorekit/restorekit/blob/main/docs/state-diagram.md: the events to append (none for a no-op) or why it is
 * rejected. Pure and total: it reads no clock, does no I/O and returns a
 * `Result` for any input, even one that does not match its types. A command
 * or context that is malformed (a field of the wrong type, a text a store
 * cannot hold, a command naming another restore) is `invalid_request` naming
 * the field; a state that is not a restore is `internal_error`.
 *
 * @example
 * ```ts
 * const events = decide(existing(restore), { type: "StopManual", data: { restoreId: 7 } }, context);
 * ```
 */
export function decide(
  state: RestoreAggregate,
  command: RestoreCommand,
  context: CommandContext,
): Decision {
  const restore = readAggregate(state);
  if (restore === "malformed") return err(RestoreErrors.internal());
  const issues: Issues = [];
  const checked = readCommand(issues, command, "command");
  const checkedContext = readCommandContext(issues, context, "context");
  if (checked === undefined || checkedContext === undefined) {
    return err(RestoreErrors.invalidRequest(issues));
  }
  const metadata: EventMetadata = {
    actor: checkedContext.actor,
    at: checkedContext.now,
    requestId: checkedContext.requestId,
  };

  if (checked.type === "CreateRestore") {
    return restore === null
      ? ok([created(checked, metadata)])
      : err(RestoreErrors.exists(restore.restoreId));
  }
  const restoreId = checked.data.restoreId;
  if (restore === null) return err(RestoreErrors.notFound(restoreId));
  if (restoreId !== restore.restoreId) {
    return err(
      RestoreErrors.invalidRequest([
        {
          path: "command.data.restoreId",
          message: `names restore ${restoreId}, not restore ${restore.restoreId}`,
        },
      ]),
    );
  }

  switch (checked.type) {
    case "StartManual":
      return decideStart(restore, checked, metadata);
    case "StopManual":
      return decideStop(restore, metadata);
    case "UpdateConfig":
      return decideUpdate(restore, checked, metadata);
    case "RecordAgentReport":
      return heardFrom(restore, checked, metadata, decideReport(restore, checked, metadata));
    case "Expire":
      return decideExpire(restore, checked, metadata);
  }
}

/** The restore the state holds, `null` for none, or "malformed" for anything that is not a restore. */
function readAggregate(state: RestoreAggregate): Restore | null | "malformed" {
  if (typeof state !== "object" || state === null) return "malformed";
  if (state.type === "Empty") return null;
  if (state.type !== "Existing") return "malformed";
  return readRestore([], state.restore, "state.restore") ?? "malformed";
}

function created(command: CreateRestore, metadata: EventMetadata): RestoreEvent {
  const { tenantId, restoreId, config, backup } = command.data;
  return { type: "RestoreCreated", data: { tenantId, restoreId, config, backup }, metadata };
}

function decideStart(restore: Restore, command: StartManual, metadata: EventMetadata): Decision {
  // The password rule comes first and holds in every state, so a malformed request is always a 400.
  const sealed = command.data.sealedPassword !== null;
  const password = checkStartPassword(restore, sealed);
  if (password.isErr()) return err(password.error);
  const { restoreId, state } = restore;
  switch (state) {
    case "Creating":
      return ok([{ type: "RestoreStartRequested", data: { passwordSealed: sealed }, metadata }]);
    case "StartRequested":
    case "Queued":
    case "Preparing":
    case "InProgress":
      return NO_CHANGE;
    case "StopRequested":
      return err(RestoreErrors.stopping(restoreId, state, "StartManual"));
    case "Stopped":
    case "Completed":
    case "CompletedWithErrors":
    case "Failed":
      return err(RestoreErrors.finished(restoreId, state, "StartManual"));
  }
}

function decideStop(restore: Restore, metadata: EventMetadata): Decision {
  const { restoreId, state } = restore;
  switch (state) {
    case "Creating":
      return err(RestoreErrors.notStarted(restoreId, state, "StopManual"));
    case "StartRequested":
      return ok([{ type: "RestoreCancelled", data: { endedTime: metadata.at }, metadata }]);
    case "Queued":
    case "Preparing":
    case "InProgress":
      return ok([{ type: "RestoreStopRequested", data: {}, metadata }]);
    case "StopRequested":
    case "Stopped":
      return NO_CHANGE;
    case "Completed":
    case "CompletedWithErrors":
    case "Failed":
      return err(RestoreErrors.finished(restoreId, state, "StopManual"));
  }
}

function decideUpdate(restore: Restore, command: UpdateConfig, metadata: EventMetadata): Decision {
  if (restore.state !== "Creating") {
    return err(RestoreErrors.notEditable(restore.restoreId, restore.state));
  }
  const { config, backup } = command.data;
  return ok([{ type: "RestoreConfigUpdated", data: { config, backup }, metadata }]);
}

function decideReport(
  restore: Restore,
  command: RecordAgentReport,
  metadata: EventMetadata,
): Decision {
  const { restoreId, state: current } = restore;
  const reported = command.data.state;
  const conflict = (): Decision => err(RestoreErrors.agentConflict(restoreId, current, reported));
  if (current === "Creating") return conflict();
  // A finished restore is frozen: the same terminal state again is a retry, anything else a conflict.
  if (isTerminal(current)) return reported === current ? NO_CHANGE : conflict();
  const counted = checkDoneCounts(restore, command.data.report);
  if (counted.isErr()) return err(counted.error);

  const progress = mergeProgress(restore.progress, command.data.report);
  const dataEvents: RestoreEvent[] = plainEqual(progress, restore.progress)
    ? []
    : [{ type: "RestoreProgressReported", data: { progress }, metadata }];
  const finalProgress = { ...progress, endedTime: progress.endedTime ?? metadata.at };

  switch (reported) {
    case null:
      return ok(dataEvents);
    case "Queued":
    case "Preparing":
    case "InProgress": {
      if (current === "StopRequested") return conflict();
      const from = workingRank(current);
      const to = workingRank(reported);
      if (to < from) return conflict();
      return ok(
        to === from
          ? dataEvents
          : [{ type: "RestoreProgressed", data: { state: reported }, metadata }, ...dataEvents],
      );
    }
    case "StopRequested":
      if (current === "StartRequested") return conflict();
      return ok(
        current === "StopRequested"
          ? dataEvents
          : [{ type: "RestoreStopRequested", data: {}, metadata }, ...dataEvents],
      );
    case "Completed":
    case "CompletedWithErrors":
    case "Failed":
      return ok([
        { type: "RestoreFinished", data: { state: reported, progress: finalProgress }, metadata },
      ]);
    case "Stopped":
      return ok([{ type: "RestoreStopped", data: { progress: finalProgress }, metadata }]);
  }
}

/**
 * A report that changes nothing is still a word from the agent: recorded as a
 * heartbeat when the last record is a tenth of the deadline old, so the
 * deadline counts from it without an event for every heartbeat.
 */
function heardFrom(
  restore: Restore,
  command: RecordAgentReport,
  metadata: EventMetadata,
  decision: Decision,
): Decision {
  const { deadlines } = command.data;
  if (deadlines === undefined || decision.isErr() || decision.value.length > 0) return decision;
  const deadline = deadlineOf(restore.state, deadlines);
  if (deadline === null) return decision;
  const quiet = Date.parse(metadata.at) - Date.parse(restore.updatedAt);
  // Never at the instant of the last event: that event already records the word.
  return quiet >= Math.max(1, heartbeatRefreshMs(deadline))
    ? ok([{ type: "RestoreHeartbeatReceived", data: {}, metadata }])
    : decision;
}

function decideExpire(restore: Restore, command: Expire, metadata: EventMetadata): Decision {
  const { deadlines } = command.data;
  const awaited = awaitedWord(restore.state);
  const deadlineMs = deadlineOf(restore.state, deadlines);
  if (awaited === null || deadlineMs === null || !isExpired(restore, deadlines, metadata.at)) {
    return NO_CHANGE;
  }
  const progress = { ...restore.progress, endedTime: restore.progress.endedTime ?? metadata.at };
  const silentSince = restore.updatedAt;
  if (awaited === "stop") {
    return ok([
      {
        type: "RestoreExpired",
        data: {
          state: "Stopped",
          reason: "AgentTimeout",
          awaited,
          deadlineMs,
          silentSince,
          progress,
        },
        metadata,
      },
    ]);
  }
  const errors = restore.progress.errors;
  const failed = {
    ...progress,
    errors: {
      count: errors?.count ?? 0,
      reason: "agent_timeout",
      diagnostics:
        awaited === "pickup"
          ? `The agent did not take the restore within ${deadlineMs} ms of the start request.`
          : `The agent sent no report for more than ${deadlineMs} ms.`,
      list: errors?.list ?? [],
    },
  };
  return ok([
    {
      type: "RestoreExpired",
      data: {
        state: "Failed",
        reason: "AgentTimeout",
        awaited,
        deadlineMs,
        silentSince,
        progress: failed,
      },
      metadata,
    },
  ]);
}

function mergeProgress(current: RestoreProgress, report: ProgressReport): RestoreProgress {
  return {
    startedTime: report.startedTime ?? current.startedTime,
    endedTime: report.endedTime ?? current.endedTime,
    filesRestored: report.filesRestored ?? current.filesRestored,
    bytesRestored: report.bytesRestored ?? current.bytesRestored,
    totalBytes: report.totalBytes ?? current.totalBytes,
    bytesRemaining: report.bytesRemaining ?? current.bytesRemaining,
    errors: report.errors ?? current.errors,
  };
}
