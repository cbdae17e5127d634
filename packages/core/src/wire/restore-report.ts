import { z } from "zod";
import type { Restore, RestoreErrorItem } from "../restore.js";
import { RESTORE_STATE_NAMES, type RestoreStateName } from "../states.js";
import { formatByteSize } from "./byte-size.js";
import { formatDuration } from "./duration.js";
import { positiveIdSchema } from "./ids.js";
import { formatV1Date, v1DateSchema } from "./v1-date.js";

/** One entry of a report's `ErrorList`. */
export interface RestoreErrorItemWire {
  readonly Index: number | null;
  readonly Path: string | null;
  readonly Type: string | null;
  readonly Exception: {
    readonly Code: number | null;
    readonly Description: string | null;
    readonly Details: string | null;
  } | null;
}

/** The report of `GET /v1.0/{tenant_id}/restore/report/{restoreId}`. */
export interface RestoreReportWire {
  readonly BackupConfigurationId: number;
  readonly BackupConfigurationName: string;
  /** The backup's id. */
  readonly BackupReportId: number;
  readonly RestorePoint: string;
  readonly StartTime: string | null;
  readonly CompletedTime: string | null;
  /** `"hh:mm:ss"`. */
  readonly Duration: string | null;
  readonly OriginatingComputerName: string;
  readonly State: RestoreStateName;
  /** A count, as a string. */
  readonly NumFilesRestored: string;
  /** Human text such as `"18 MB"`; see `formatByteSize`. */
  readonly NumBytesRestored: string;
  readonly RestoreDestination: string;
  readonly RestoreDestinationMachineId: number;
  /** A count, as a string. */
  readonly NumErrors: string;
  /** PascalCase, e.g. `UnableToProcessSomeFiles`. */
  readonly Reason: string | null;
  readonly Diagnostics: string | null;
  readonly ErrorList: readonly RestoreErrorItemWire[];
}

/** `unable_to_process_some_files` -> `UnableToProcessSomeFiles`: v2 spelling to v1. */
function pascalCase(reason: string): string {
  return reason
    .split("_")
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join("");
}

function toErrorItemWire(item: RestoreErrorItem): RestoreErrorItemWire {
  return {
    Index: item.index,
    Path: item.path,
    Type: item.type,
    Exception:
      item.exception === null
        ? null
        : {
            Code: item.exception.code,
            Description: item.exception.description,
            Details: item.exception.details,
          },
  };
}

/**
 * A restore as the v1 report shows it. Counts the agent never reported show as
 * `"0"` and `"0 B"`; times it never reported as `null`.
 *
 * @example
 * ```ts
 * toRestoreReport(restore).NumBytesRestored; // "18 MB"
 * ```
 */
export function toRestoreReport(restore: Restore): RestoreReportWire {
  const { config, backup, progress } = restore;
  const errors = progress.errors;
  return {
    BackupConfigurationId: backup.backupConfigurationId,
    BackupConfigurationName: backup.backupConfigurationName,
    BackupReportId: config.backupId,
    RestorePoint: formatV1Date(backup.restorePoint),
    StartTime: progress.startedTime === null ? null : formatV1Date(progress.startedTime),
    CompletedTime: progress.endedTime === null ? null : formatV1Date(progress.endedTime),
    Duration: formatDuration(progress.startedTime, progress.endedTime),
    OriginatingComputerName: backup.backupMachineName,
    State: restore.state,
    NumFilesRestored: String(progress.filesRestored ?? 0),
    NumBytesRestored: formatByteSize(progress.bytesRestored ?? 0),
    RestoreDestination: backup.destinationMachineName,
    RestoreDestinationMachineId: config.destinationMachineId,
    NumErrors: String(errors?.count ?? 0),
    Reason: errors?.reason == null ? null : pascalCase(errors.reason),
    Diagnostics: errors?.diagnostics ?? null,
    ErrorList: (errors?.list ?? []).map(toErrorItemWire),
  };
}

function text(field: string) {
  return z.string({ error: `${field} must be a string` });
}

function optionalText(field: string) {
  return z.string({ error: `${field} must be a string or null` }).nullable();
}

function count(field: string) {
  return z
    .string({ error: `${field} must be a string of digits` })
    .regex(/^[0-9]+$/, { error: `${field} must be a string of digits` });
}

const errorItemSchema = z.object(
  {
    Index: z.number({ error: "Index must be a number or null" }).nullable(),
    Path: optionalText("Path"),
    Type: optionalText("Type"),
    Exception: z
      .object(
        {
          Code: z.number({ error: "Code must be a number or null" }).nullable(),
          Description: optionalText("Description"),
          Details: optionalText("Details"),
        },
        { error: "Exception must be an object or null" },
      )
      .nullable(),
  },
  { error: "each ErrorList entry must be an object" },
);

/**
 * Reads a restore report, for clients of our responses; the result is the
 * canonical wire form `toRestoreReport` writes.
 */
export const restoreReportSchema: z.ZodType<RestoreReportWire> = z.object(
  {
    BackupConfigurationId: positiveIdSchema("BackupConfigurationId"),
    BackupConfigurationName: text("BackupConfigurationName"),
    BackupReportId: positiveIdSchema("BackupReportId"),
    RestorePoint: v1DateSchema("RestorePoint"),
    StartTime: v1DateSchema("StartTime").nullable(),
    CompletedTime: v1DateSchema("CompletedTime").nullable(),
    Duration: z
      .string({ error: "Duration must be hh:mm:ss or null" })
      .regex(/^[0-9]{2,}:[0-5][0-9]:[0-5][0-9]$/, { error: "Duration must be hh:mm:ss or null" })
      .nullable(),
    OriginatingComputerName: text("OriginatingComputerName"),
    State: z.enum(RESTORE_STATE_NAMES, { error: "State must be a restore state name" }),
    NumFilesRestored: count("NumFilesRestored"),
    NumBytesRestored: z
      .string({ error: "NumBytesRestored must be a size such as 18 MB" })
      .regex(/^[0-9]+ (?:B|KB|MB|GB|TB)$/, {
        error: "NumBytesRestored must be a size such as 18 MB",
      }),
    RestoreDestination: text("RestoreDestination"),
    RestoreDestinationMachineId: positiveIdSchema("RestoreDestinationMachineId"),
    NumErrors: count("NumErrors"),
    Reason: optionalText("Reason"),
    Diagnostics: optionalText("Diagnostics"),
    ErrorList: z.array(errorItemSchema, { error: "ErrorList must be an array" }),
  },
  { error: "the restore report must be a JSON object" },
);
