import {
  type Actor,
  type EventMetadata,
  RESTORE_EVENT_TYPES,
  type RestoreEvent,
} from "../events.js";
import type { ResolvedBackup, RestoreConfig, RestoreProgress } from "../restore.js";
import { FINISHED_STATES, WORKING_STATES } from "../states.js";
import {
  type Issues,
  pathTo,
  readBoolean,
  readOneOf,
  readPositiveId,
  readRecord,
  readText,
  readTimestamp,
} from "./checks.js";
import { LIMITS } from "./limits.js";
import { readConfig, readProgress, readResolvedBackup, readTenantId } from "./restore-values.js";

const ACTOR_TYPES = ["user", "agent", "system"] as const;
const EXPIRED_STATES = ["Failed", "Stopped"] as const;
const EXPIRY_REASONS = ["AgentTimeout"] as const;
const AWAITED_WORDS = ["pickup", "heartbeat", "stop"] as const;

export function readActor(issues: Issues, value: unknown, path: string): Actor | undefined {
  const record = readRecord(issues, value, path);
  if (record === undefined) return undefined;
  const type = readOneOf(issues, record.type, pathTo(path, "type"), ACTOR_TYPES);
  const idPath = pathTo(path, "id");
  // An issue was added for anything refused; the caller sees it and drops what is built here.
  switch (type) {
    case "agent":
      return { type, id: readPositiveId(issues, record.id, idPath) as number };
    case "user":
    case "system":
      return {
        type,
        id: readText(issues, record.id, idPath, LIMITS.userId, { nonEmpty: true }) as string,
      };
    default:
      return undefined;
  }
}

export function readRequestId(issues: Issues, value: unknown, path: string): string | undefined {
  return readText(issues, value, path, LIMITS.requestId, { nonEmpty: true });
}

export function readMetadata(
  issues: Issues,
  value: unknown,
  path: string,
): EventMetadata | undefined {
  const record = readRecord(issues, value, path);
  if (record === undefined) return undefined;
  const before = issues.length;
  const metadata: EventMetadata = {
    actor: readActor(issues, record.actor, pathTo(path, "actor")) as Actor,
    at: readTimestamp(issues, record.at, pathTo(path, "at")) as string,
    requestId: readRequestId(issues, record.requestId, pathTo(path, "requestId")) as string,
  };
  return issues.length === before ? metadata : undefined;
}

/** An event exactly as a store will hold it: a known type, its data and its metadata, all checked. */
export function readEvent(issues: Issues, value: unknown, path: string): RestoreEvent | undefined {
  const record = readRecord(issues, value, path);
  if (record === undefined) return undefined;
  const before = issues.length;
  const type = readOneOf(issues, record.type, pathTo(path, "type"), RESTORE_EVENT_TYPES);
  const metadata = readMetadata(issues, record.metadata, pathTo(path, "metadata")) as EventMetadata;
  const at = pathTo(path, "data");
  const data = readRecord(issues, record.data, at);
  if (type === undefined || data === undefined) return undefined;
  const field = (key: string) => pathTo(at, key);
  const config = () => readConfig(issues, data.config, field("config")) as RestoreConfig;
  const backup = () => readResolvedBackup(issues, data.backup, field("backup")) as ResolvedBackup;
  const progress = () => readProgress(issues, data.progress, field("progress")) as RestoreProgress;
  let event: RestoreEvent;
  switch (type) {
    case "RestoreCreated":
      event = {
        type,
        data: {
          tenantId: readTenantId(issues, data.tenantId, field("tenantId")) as string,
          restoreId: readPositiveId(issues, data.restoreId, field("restoreId")) as number,
          config: config(),
          backup: backup(),
        },
        metadata,
      };
      break;
    case "RestoreConfigUpdated":
      event = { type, data: { config: config(), backup: backup() }, metadata };
      break;
    case "RestoreStartRequested":
      event = {
        type,
        data: {
          passwordSealed: readBoolean(
            issues,
            data.passwordSealed,
            field("passwordSealed"),
          ) as boolean,
        },
        metadata,
      };
      break;
    case "RestoreCancelled":
      event = {
        type,
        data: { endedTime: readTimestamp(issues, data.endedTime, field("endedTime")) as string },
        metadata,
      };
      break;
    case "RestoreStopRequested":
      event = { type, data: {}, metadata };
      break;
    case "RestoreProgressed":
      event = {
        type,
        data: {
          state: readOneOf(issues, data.state, field("state"), WORKING_STATES) as "Queued",
        },
        metadata,
      };
      break;
    case "RestoreProgressReported":
      event = { type, data: { progress: progress() }, metadata };
      break;
    case "RestoreFinished":
      event = {
        type,
        data: {
          state: readOneOf(issues, data.state, field("state"), FINISHED_STATES) as "Completed",
          progress: progress(),
        },
        metadata,
      };
      break;
    case "RestoreStopped":
      event = { type, data: { progress: progress() }, metadata };
      break;
    case "RestoreHeartbeatReceived":
      event = { type, data: {}, metadata };
      break;
    case "RestoreExpired":
      event = {
        type,
        data: {
          state: readOneOf(issues, data.state, field("state"), EXPIRED_STATES) as "Failed",
          reason: readOneOf(issues, data.reason, field("reason"), EXPIRY_REASONS) as "AgentTimeout",
          awaited: readOneOf(issues, data.awaited, field("awaited"), AWAITED_WORDS) as "pickup",
          deadlineMs: readPositiveId(issues, data.deadlineMs, field("deadlineMs")) as number,
          silentSince: readTimestamp(issues, data.silentSince, field("silentSince")) as string,
          progress: progress(),
        },
        metadata,
      };
      break;
  }
  return issues.length === before ? event : undefined;
}
