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
  Precondition,
  UpdateRestoreInput,
} from "./inputs.js";

/**
 * The service's inputs as a caller hands them over, checked before any port
 * is called: an `invalid_request` that lists every problem with its path, or
 * a fresh copy holding only the expected fields.
 */

/**
 * Runs the readers of one input. They add an issue for every field they
 * refuse, so no issue means every field was read and what `read` built is whole.
 */
function readAll<T>(read: (issues: Issues) => T): Result<T, RestoreError> {
  const issues: Issues = [];
  const value = read(issues);
  return issues.length === 0 ? ok(value) : err(RestoreErrors.invalidRequest(issues));
}

export function readRestoreId(value: unknown): Result<number, RestoreError> {
  return readAll((issues) => readPositiveId(issues, value, "restoreId") as number);
}

const ACTIONS = ["StartManual", "StopManual"] as const;

/** What a reader returns after an issue that leaves nothing else to read; never used. */
const NOTHING = undefined as never;

/**
 * Only the type and size of the password: whether it is hex of the right
 * length is the vault's rule (`password_invalid`), and it is sealed, never
 * stored as text.
 */
function readPassword(issues: Issues, value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === "string" && value.length <= LIMITS.encryptedPassword) return value;
  issues.push({
    path: "encryptedPassword",
    message: `must be a string of at most ${LIMITS.encryptedPassword} characters, or null`,
  });
  return null;
}

export function readActionRequest(value: unknown): Result<ActionRequest, RestoreError> {
  return readAll((issues) => {
    const record = readRecord(issues, value, "request");
    if (record === undefined) return NOTHING;
    return {
      action: readOneOf(issues, record.action, "action", ACTIONS) as ActionRequest["action"],
      restoreId: readPositiveId(issues, record.restoreId, "restoreId") as number,
      encryptedPassword: readPassword(issues, record.encryptedPassword),
    };
  });
}

const MAX_PRECONDITION_VERSIONS = 32;
const MAX_VERSION = 2 ** 31 - 1;

/** A precondition's versions, each a version a restore can be at (a positive 32-bit integer). */
export function readPrecondition(value: unknown): Result<Precondition | undefined, RestoreError> {
  if (value === undefined) return ok(undefined);
  return readAll((issues) => {
    const record = readRecord(issues, value, "precondition");
    const versions = record?.versions;
    if (!Array.isArray(versions) || versions.length > MAX_PRECONDITION_VERSIONS) {
      issues.push({
        path: "precondition.versions",
        message: `must be an array of at most ${MAX_PRECONDITION_VERSIONS} versions`,
      });
      return NOTHING;
    }
    return {
      versions: versions.map((version, i) => {
        const path = `precondition.versions.${i}`;
        const id = readPositiveId(issues, version, path);
        // A version is a 32-bit count in every store; a larger one names no version.
        if (id !== undefined && id > MAX_VERSION) {
          issues.push({ path, message: `must be at most ${MAX_VERSION}` });
        }
        return id as number;
      }),
    };
  });
}

export function readCreateInput(value: unknown): Result<CreateRestoreInput, RestoreError> {
  return readAll((issues) => readConfig(issues, value, "") as CreateRestoreInput);
}

export function readUpdateInput(value: unknown): Result<UpdateRestoreInput, RestoreError> {
  return readAll((issues) => {
    const config = readConfig(issues, value, "") as CreateRestoreInput;
    const restoreId = readPositiveId(
      issues,
      (value as { restoreId?: unknown } | null)?.restoreId,
      "restoreId",
    ) as number;
    return { restoreId, ...config };
  });
}

const ORDERS = ["asc", "desc"] as const;

/**
 * A page of events: `afterSeq` (default 0), `beforeSeq` (none by default),
 * `order` (`asc` by default) and `limit`, which is at most
 * `LIMITS.eventsPerPage`: a larger one is cut to it, and so is an absent one.
 */
export function readEventPage(
  value: unknown,
): Result<Required<Omit<EventPage, "beforeSeq">> & Pick<EventPage, "beforeSeq">, RestoreError> {
  return readAll((issues) => {
    const record = value === undefined || value === null ? {} : readRecord(issues, value, "page");
    const { afterSeq, beforeSeq, limit, order } = record ?? {};
    return {
      afterSeq:
        afterSeq === undefined ? 0 : (readCount(issues, afterSeq, "page.afterSeq") as number),
      ...(beforeSeq === undefined
        ? {}
        : { beforeSeq: readCount(issues, beforeSeq, "page.beforeSeq") as number }),
      limit:
        limit === undefined
          ? LIMITS.eventsPerPage
          : typeof limit === "number" && limit > LIMITS.eventsPerPage
            ? LIMITS.eventsPerPage
            : (readCount(issues, limit, "page.limit") as number),
      order:
        order === undefined
          ? "asc"
          : (readOneOf(issues, order, "page.order", ORDERS) as "asc" | "desc"),
    };
  });
}

export function readAgentReport(value: unknown): Result<AgentReport, RestoreError> {
  return readAll((issues) => {
    const record = readRecord(issues, value, "report");
    if (record === undefined) return NOTHING;
    return {
      state: readReportedState(issues, record.state, "state") as AgentReportedState | null,
      report: readProgressReport(issues, record.report, "report") as ProgressReport,
    };
  });
}
