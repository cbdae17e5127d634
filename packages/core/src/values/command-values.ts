import type { ProgressReport, RestoreCommand, SealedPassword } from "../commands.js";
import { type Deadlines, deadlineProblems } from "../deadlines.js";
import type { CommandContext } from "../decide.js";
import type { Actor } from "../events.js";
import type { ResolvedBackup, RestoreConfig } from "../restore.js";
import { AGENT_REPORTABLE_STATES, type AgentReportedState } from "../states.js";
import {
  type Issues,
  pathTo,
  readOneOf,
  readPositiveId,
  readRecord,
  readTimestamp,
} from "./checks.js";
import { readActor, readRequestId } from "./event-values.js";
import {
  readConfig,
  readProgressReport,
  readResolvedBackup,
  readTenantId,
} from "./restore-values.js";

const COMMAND_TYPES = [
  "CreateRestore",
  "UpdateConfig",
  "StartManual",
  "StopManual",
  "RecordAgentReport",
  "Expire",
] as const satisfies readonly RestoreCommand["type"][];

function readDeadlines(issues: Issues, value: unknown, path: string): Deadlines | undefined {
  const problems = deadlineProblems(value);
  if (problems.length > 0) {
    for (const message of problems) issues.push({ path, message });
    return undefined;
  }
  const { pickupMs, heartbeatMs, stopMs } = value as Deadlines;
  return { pickupMs, heartbeatMs, stopMs };
}

/** A state an agent reports, or `null` for a report of data only. */
export function readReportedState(
  issues: Issues,
  value: unknown,
  path: string,
): AgentReportedState | null | undefined {
  return value === null ? null : readOneOf(issues, value, path, AGENT_REPORTABLE_STATES);
}

function readSealedPassword(
  issues: Issues,
  value: unknown,
  path: string,
): SealedPassword | null | undefined {
  if (value === null || value === undefined) return null;
  if (value instanceof Uint8Array) return value as SealedPassword;
  issues.push({ path, message: "must be the vault's sealed bytes or null" });
  return undefined;
}

/**
 * A command with every field checked and copied, so what `decide` puts in
 * its events is exactly what a store can hold. The sealed password's bytes
 * are passed through as they are: they are never part of an event.
 */
export function readCommand(
  issues: Issues,
  value: unknown,
  path: string,
): RestoreCommand | undefined {
  const record = readRecord(issues, value, path);
  if (record === undefined) return undefined;
  const before = issues.length;
  const type = readOneOf(issues, record.type, pathTo(path, "type"), COMMAND_TYPES);
  const at = pathTo(path, "data");
  const data = readRecord(issues, record.data, at);
  if (type === undefined || data === undefined) return undefined;
  const field = (key: string) => pathTo(at, key);
  const restoreId = readPositiveId(issues, data.restoreId, field("restoreId")) as number;
  const config = () => readConfig(issues, data.config, field("config")) as RestoreConfig;
  const backup = () => readResolvedBackup(issues, data.backup, field("backup")) as ResolvedBackup;
  let command: RestoreCommand;
  switch (type) {
    case "CreateRestore":
      command = {
        type,
        data: {
          tenantId: readTenantId(issues, data.tenantId, field("tenantId")) as string,
          restoreId,
          config: config(),
          backup: backup(),
        },
      };
      break;
    case "UpdateConfig":
      command = { type, data: { restoreId, config: config(), backup: backup() } };
      break;
    case "StartManual":
      command = {
        type,
        data: {
          restoreId,
          sealedPassword: readSealedPassword(
            issues,
            data.sealedPassword,
            field("sealedPassword"),
          ) as SealedPassword | null,
        },
      };
      break;
    case "StopManual":
      command = { type, data: { restoreId } };
      break;
    case "RecordAgentReport":
      command = {
        type,
        data: {
          restoreId,
          state: readReportedState(issues, data.state, field("state")) as AgentReportedState,
          report: readProgressReport(issues, data.report, field("report")) as ProgressReport,
          ...(data.deadlines === undefined
            ? {}
            : {
                deadlines: readDeadlines(issues, data.deadlines, field("deadlines")) as Deadlines,
              }),
        },
      };
      break;
    case "Expire":
      command = {
        type,
        data: {
          restoreId,
          deadlines: readDeadlines(issues, data.deadlines, field("deadlines")) as Deadlines,
        },
      };
      break;
  }
  return issues.length === before ? command : undefined;
}

export function readCommandContext(
  issues: Issues,
  value: unknown,
  path: string,
): CommandContext | undefined {
  const record = readRecord(issues, value, path);
  if (record === undefined) return undefined;
  const before = issues.length;
  const context: CommandContext = {
    actor: readActor(issues, record.actor, pathTo(path, "actor")) as Actor,
    now: readTimestamp(issues, record.now, pathTo(path, "now")) as string,
    requestId: readRequestId(issues, record.requestId, pathTo(path, "requestId")) as string,
  };
  return issues.length === before ? context : undefined;
}
