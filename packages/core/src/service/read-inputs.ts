import { err, ok, type Result } from "neverthrow";
import type { ProgressReport } from "../commands.js";
import { type RestoreError, RestoreErrors } from "../errors.js";
import type { EventPage } from "../ports.js";
import type { AgentReportedState } from "../states.js";
import { type Issues, readCount, readOneOf, readPositiveId, readRecord } from "../values/checks.js";
import { readReportedState } from "../values/command-values.js";
import { LIMITS } from "../values/limits.js";
import { readConfig, readProgressReport } from "../values/restore-values.js";
import type {
  ActionRequest,
  AgentReport,
  CreateRestoreInput,
  UpdateRestoreInput,
} from "./inputs.js";

/**
 * The service's inputs as a caller hands them over, checked before any port
 * is called: an `invalid_request` that lists every problem with its path, or
 * a fresh copy holding only the expected fields.
 */

function finish<T>(issues: Issues, value: T | undefined): Result<T, RestoreError> {
  return issues.length === 0 && value !== undefined
    ? ok(value)
    : err(RestoreErrors.invalidRequest(issues));
}

function refused<T>(issues: Issues): Result<T, RestoreError> {
  return err(RestoreErrors.invalidRequest(issues));
}

export function readRestoreId(value: unknown): Result<number, RestoreError> {
  const issues: Issues = [];
  return finish(issues, readPositiveId(issues, value, "restoreId"));
}

const ACTIONS = ["StartManual", "StopManual"] as const;

export function readActionRequest(value: unknown): Result<ActionRequest, RestoreError> {
  const issues: Issues = [];
  const record = readRecord(issues, value, "request");
  if (record === undefined) return refused(issues);
  const action = readOneOf(issues, record.action, "action", ACTIONS);
  const restoreId = readPositiveId(issues, record.restoreId, "restoreId");
  const encryptedPassword = readPassword(issues, record.encryptedPassword);
  if (action === undefined || restoreId === undefined || encryptedPassword === undefined) {
    return refused(issues);
  }
  return finish(issues, { action, restoreId, encryptedPassword });
}

/**
 * Only the type and size: whether it is hex the right length is the vault's
 * rule (`password_invalid`), and it is sealed, never stored as text.
 */
function readPassword(issues: Issues, value: unknown): string | null | undefined {
  if (value === null || value === undefined) return null;
  if (typeof value === "string" && value.length <= LIMITS.encryptedPassword) return value;
  issues.push({
    path: "encryptedPassword",
    message: `must be a string of at most ${LIMITS.encryptedPassword} characters, or null`,
  });
  return undefined;
}

export function readCreateInput(value: unknown): Result<CreateRestoreInput, RestoreError> {
  const issues: Issues = [];
  return finish(issues, readConfig(issues, value, ""));
}

export function readUpdateInput(value: unknown): Result<UpdateRestoreInput, RestoreError> {
  const issues: Issues = [];
  const config = readConfig(issues, value, "");
  const restoreId = readPositiveId(
    issues,
    (value as { restoreId?: unknown } | null)?.restoreId,
    "restoreId",
  );
  if (config === undefined || restoreId === undefined) return refused(issues);
  return finish(issues, { restoreId, ...config });
}

/**
 * A page of events: `afterSeq` (default 0) and `limit`, which is at most
 * `LIMITS.eventsPerPage`: a larger one is cut to it, and so is an absent one.
 */
export function readEventPage(value: unknown): Result<Required<EventPage>, RestoreError> {
  const issues: Issues = [];
  if (value === undefined || value === null) {
    return ok({ afterSeq: 0, limit: LIMITS.eventsPerPage });
  }
  const record = readRecord(issues, value, "page");
  if (record === undefined) return refused(issues);
  const afterSeq =
    record.afterSeq === undefined ? 0 : readCount(issues, record.afterSeq, "page.afterSeq");
  const limit =
    record.limit === undefined
      ? LIMITS.eventsPerPage
      : typeof record.limit === "number" && record.limit > LIMITS.eventsPerPage
        ? LIMITS.eventsPerPage
        : readCount(issues, record.limit, "page.limit");
  if (afterSeq === undefined || limit === undefined) return refused(issues);
  return finish(issues, { afterSeq, limit });
}

export function readAgentReport(value: unknown): Result<AgentReport, RestoreError> {
  const issues: Issues = [];
  const record = readRecord(issues, value, "report");
  if (record === undefined) return refused(issues);
  const state = readReportedState(issues, record.state, "state");
  const report = readProgressReport(issues, record.report, "report");
  if (state === undefined || report === undefined) return refused(issues);
  return finish(issues, {
    state: state as AgentReportedState | null,
    report: report as ProgressReport,
  });
}
