import type { ProgressReport } from "../commands.js";
import type {
  AgentPublicKey,
  ResolvedBackup,
  Restore,
  RestoreConfig,
  RestoreErrorItem,
  RestoreErrorSummary,
  RestoreProgress,
} from "../restore.js";
import { RESTORE_STATE_NAMES } from "../states.js";
import {
  type Issues,
  pathTo,
  readBoolean,
  readCount,
  readNullableCount,
  readNullableText,
  readNullableTimestamp,
  readOneOf,
  readPositiveId,
  readRecord,
  readText,
  readTimestamp,
} from "./checks.js";
import { LIMITS } from "./limits.js";

/**
 * Deep readers for the domain's values: each checks every field a store will
 * hold (texts storable and bounded, timestamps canonical and in range, ids
 * and counts safe integers) and returns a fresh copy with exactly the
 * domain's fields, so extra properties (or cycles through them) never reach
 * an event or a row. Problems are added to `issues` with their paths; a
 * reader whose fields added any returns `undefined`, so what an inner reader
 * returns after adding an issue is never used.
 */

const HEX = /^[0-9A-Fa-f]+$/;

function readNullableInteger(
  issues: Issues,
  value: unknown,
  path: string,
): number | null | undefined {
  if (value === null) return null;
  // + 0 turns -0 (which JSON can carry) into 0, the only zero a store gives back.
  if (Number.isSafeInteger(value)) return (value as number) + 0;
  issues.push({ path, message: "must be an integer or null" });
  return undefined;
}

function readHex(issues: Issues, value: unknown, path: string): string | undefined {
  const text = readText(issues, value, path, LIMITS.publicKeyHex);
  if (text !== undefined && !HEX.test(text)) issues.push({ path, message: "must be hex digits" });
  return text;
}

/** Versions count events and are stored as 32-bit integers, like the events' `seq`. */
export const MAX_VERSION = 2_147_483_647;

function readVersion(issues: Issues, value: unknown, path: string): number | undefined {
  const version = readPositiveId(issues, value, path);
  if (version !== undefined && version > MAX_VERSION) {
    issues.push({ path, message: `must be at most ${MAX_VERSION}` });
  }
  return version;
}

export function readTenantId(issues: Issues, value: unknown, path: string): string | undefined {
  return readText(issues, value, path, LIMITS.tenantId, { nonEmpty: true });
}

export function readConfig(
  issues: Issues,
  value: unknown,
  path: string,
): RestoreConfig | undefined {
  const record = readRecord(issues, value, path);
  if (record === undefined) return undefined;
  const before = issues.length;
  const config: RestoreConfig = {
    backupId: readPositiveId(issues, record.backupId, pathTo(path, "backupId")) as number,
    backupMachineId: readPositiveId(
      issues,
      record.backupMachineId,
      pathTo(path, "backupMachineId"),
    ) as number,
    destinationMachineId: readPositiveId(
      issues,
      record.destinationMachineId,
      pathTo(path, "destinationMachineId"),
    ) as number,
    destinationPath: readText(
      issues,
      record.destinationPath,
      pathTo(path, "destinationPath"),
      LIMITS.destinationPath,
      { nonEmpty: true },
    ) as string,
    overwriteFiles: readBoolean(
      issues,
      record.overwriteFiles,
      pathTo(path, "overwriteFiles"),
    ) as boolean,
  };
  return issues.length === before ? config : undefined;
}

export function readPublicKey(
  issues: Issues,
  value: unknown,
  path: string,
): AgentPublicKey | null | undefined {
  if (value === null) return null;
  const record = readRecord(issues, value, path);
  if (record === undefined) return undefined;
  const before = issues.length;
  const key: AgentPublicKey = {
    modulusHex: readHex(issues, record.modulusHex, pathTo(path, "modulusHex")) as string,
    exponentHex: readHex(issues, record.exponentHex, pathTo(path, "exponentHex")) as string,
  };
  return issues.length === before ? key : undefined;
}

export function readResolvedBackup(
  issues: Issues,
  value: unknown,
  path: string,
): ResolvedBackup | undefined {
  const record = readRecord(issues, value, path);
  if (record === undefined) return undefined;
  const before = issues.length;
  const name = (key: string) =>
    readText(issues, record[key], pathTo(path, key), LIMITS.catalogText) as string;
  const backup: ResolvedBackup = {
    backupConfigurationId: readPositiveId(
      issues,
      record.backupConfigurationId,
      pathTo(path, "backupConfigurationId"),
    ) as number,
    backupConfigurationName: name("backupConfigurationName"),
    restorePoint: readTimestamp(
      issues,
      record.restorePoint,
      pathTo(path, "restorePoint"),
    ) as string,
    backupMachineName: name("backupMachineName"),
    backupFlavor: name("backupFlavor"),
    backupDataCenter: name("backupDataCenter"),
    destinationMachineName: name("destinationMachineName"),
    isEncrypted: readBoolean(issues, record.isEncrypted, pathTo(path, "isEncrypted")) as boolean,
    publicKey: readPublicKey(issues, record.publicKey, pathTo(path, "publicKey")) as AgentPublicKey,
  };
  return issues.length === before ? backup : undefined;
}

function readErrorItem(issues: Issues, value: unknown, path: string): RestoreErrorItem | undefined {
  const record = readRecord(issues, value, path);
  if (record === undefined) return undefined;
  const before = issues.length;
  let exception: RestoreErrorItem["exception"] = null;
  if (record.exception !== null) {
    const at = pathTo(path, "exception");
    const raw = readRecord(issues, record.exception, at);
    if (raw !== undefined) {
      exception = {
        code: readNullableInteger(issues, raw.code, pathTo(at, "code")) as number | null,
        description: readNullableText(
          issues,
          raw.description,
          pathTo(at, "description"),
          LIMITS.errorDescription,
        ) as string | null,
        details: readNullableText(issues, raw.details, pathTo(at, "details"), LIMITS.errorText) as
          | string
          | null,
      };
    }
  }
  const item: RestoreErrorItem = {
    index: readNullableCount(issues, record.index, pathTo(path, "index")) as number | null,
    path: readNullableText(issues, record.path, pathTo(path, "path"), LIMITS.errorText) as
      | string
      | null,
    type: readNullableText(issues, record.type, pathTo(path, "type"), LIMITS.errorName) as
      | string
      | null,
    exception,
  };
  return issues.length === before ? item : undefined;
}

export function readErrorSummary(
  issues: Issues,
  value: unknown,
  path: string,
): RestoreErrorSummary | undefined {
  const record = readRecord(issues, value, path);
  if (record === undefined) return undefined;
  const before = issues.length;
  const listPath = pathTo(path, "list");
  let list: RestoreErrorItem[] = [];
  if (!Array.isArray(record.list)) {
    issues.push({ path: listPath, message: "must be an array" });
  } else if (record.list.length > LIMITS.errorList) {
    issues.push({ path: listPath, message: `must hold at most ${LIMITS.errorList} entries` });
  } else {
    list = record.list.map(
      (item, i) => readErrorItem(issues, item, pathTo(listPath, i)) as RestoreErrorItem,
    );
  }
  const summary: RestoreErrorSummary = {
    count: readCount(issues, record.count, pathTo(path, "count")) as number,
    reason: readNullableText(issues, record.reason, pathTo(path, "reason"), LIMITS.errorName) as
      | string
      | null,
    diagnostics: readNullableText(
      issues,
      record.diagnostics,
      pathTo(path, "diagnostics"),
      LIMITS.errorText,
    ) as string | null,
    list,
  };
  return issues.length === before ? summary : undefined;
}

// Events and rows written before the agent could report estimates lack them: absent reads as never reported.
function readEstimate(issues: Issues, value: unknown, path: string): number | null | undefined {
  return value === undefined ? null : readNullableCount(issues, value, path);
}

/**
 * The whole progress a restore holds: every field present, `null` when never
 * reported (the byte estimates may also be absent, from an older log).
 */
export function readProgress(
  issues: Issues,
  value: unknown,
  path: string,
): RestoreProgress | undefined {
  const record = readRecord(issues, value, path);
  if (record === undefined) return undefined;
  const before = issues.length;
  const progress: RestoreProgress = {
    startedTime: readNullableTimestamp(issues, record.startedTime, pathTo(path, "startedTime")) as
      | string
      | null,
    endedTime: readNullableTimestamp(issues, record.endedTime, pathTo(path, "endedTime")) as
      | string
      | null,
    filesRestored: readNullableCount(issues, record.filesRestored, pathTo(path, "filesRestored")) as
      | number
      | null,
    bytesRestored: readNullableCount(issues, record.bytesRestored, pathTo(path, "bytesRestored")) as
      | number
      | null,
    totalBytes: readEstimate(issues, record.totalBytes, pathTo(path, "totalBytes")) as
      | number
      | null,
    bytesRemaining: readEstimate(issues, record.bytesRemaining, pathTo(path, "bytesRemaining")) as
      | number
      | null,
    errors:
      record.errors === null
        ? null
        : (readErrorSummary(issues, record.errors, pathTo(path, "errors")) as RestoreErrorSummary),
  };
  return issues.length === before ? progress : undefined;
}

/** What an agent report sets: absent (or `null`) fields are left as they were. */
export function readProgressReport(
  issues: Issues,
  value: unknown,
  path: string,
): ProgressReport | undefined {
  const record = readRecord(issues, value, path);
  if (record === undefined) return undefined;
  const before = issues.length;
  const report: {
    startedTime?: string;
    endedTime?: string;
    filesRestored?: number;
    bytesRestored?: number;
    totalBytes?: number;
    bytesRemaining?: number;
    errors?: RestoreErrorSummary;
  } = {};
  const present = (key: string) => record[key] !== undefined && record[key] !== null;
  if (present("startedTime")) {
    report.startedTime = readTimestamp(issues, record.startedTime, pathTo(path, "startedTime"));
  }
  if (present("endedTime")) {
    report.endedTime = readTimestamp(issues, record.endedTime, pathTo(path, "endedTime"));
  }
  if (present("filesRestored")) {
    report.filesRestored = readCount(issues, record.filesRestored, pathTo(path, "filesRestored"));
  }
  if (present("bytesRestored")) {
    report.bytesRestored = readCount(issues, record.bytesRestored, pathTo(path, "bytesRestored"));
  }
  if (present("totalBytes")) {
    report.totalBytes = readCount(issues, record.totalBytes, pathTo(path, "totalBytes"));
  }
  if (present("bytesRemaining")) {
    report.bytesRemaining = readCount(
      issues,
      record.bytesRemaining,
      pathTo(path, "bytesRemaining"),
    );
  }
  if (present("errors")) {
    report.errors = readErrorSummary(issues, record.errors, pathTo(path, "errors"));
  }
  return issues.length === before ? report : undefined;
}

/** A whole restore, as a store holds it and `fold` gives it. */
export function readRestore(issues: Issues, value: unknown, path: string): Restore | undefined {
  const record = readRecord(issues, value, path);
  if (record === undefined) return undefined;
  const before = issues.length;
  const restore: Restore = {
    tenantId: readTenantId(issues, record.tenantId, pathTo(path, "tenantId")) as string,
    restoreId: readPositiveId(issues, record.restoreId, pathTo(path, "restoreId")) as number,
    state: readOneOf(
      issues,
      record.state,
      pathTo(path, "state"),
      RESTORE_STATE_NAMES,
    ) as Restore["state"],
    version: readVersion(issues, record.version, pathTo(path, "version")) as number,
    config: readConfig(issues, record.config, pathTo(path, "config")) as RestoreConfig,
    backup: readResolvedBackup(issues, record.backup, pathTo(path, "backup")) as ResolvedBackup,
    passwordSealed: readBoolean(
      issues,
      record.passwordSealed,
      pathTo(path, "passwordSealed"),
    ) as boolean,
    progress: readProgress(issues, record.progress, pathTo(path, "progress")) as RestoreProgress,
    createdAt: readTimestamp(issues, record.createdAt, pathTo(path, "createdAt")) as string,
    updatedAt: readTimestamp(issues, record.updatedAt, pathTo(path, "updatedAt")) as string,
  };
  return issues.length === before ? restore : undefined;
}
