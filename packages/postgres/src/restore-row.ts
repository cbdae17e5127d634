import {
  type AgentPublicKey,
  type Restore,
  type RestoreError,
  type RestoreErrorItem,
  type RestoreErrorSummary,
  RestoreErrors,
  stateFromId,
  stateId,
} from "@restorekit/core";
import { err, ok, type Result } from "neverthrow";
import { jsonValue } from "./json-column.js";

/**
 * A timestamptz column read as epoch seconds (a float8: cheaper for the
 * server than numeric `extract`), so it converts back to the domain's exact
 * ISO string; the domain's times are whole milliseconds.
 */
export function epochMs(column: string): string {
  return `date_part('epoch', ${column}) AS ${column}`;
}

/** The columns `restoreOf` reads, in SELECT form. */
export const RESTORE_COLUMNS = [
  "tenant_id",
  "restore_id",
  "state_id",
  "version",
  "backup_id",
  "backup_machine_id",
  "destination_machine_id",
  "destination_path",
  "overwrite_files",
  "backup_configuration_id",
  "backup_configuration_name",
  epochMs("restore_point"),
  "backup_machine_name",
  "backup_flavor",
  "backup_data_center",
  "destination_machine_name",
  "is_encrypted",
  "public_key_modulus_hex",
  "public_key_exponent_hex",
  "password_sealed",
  epochMs("started_time"),
  epochMs("ended_time"),
  "files_restored",
  "bytes_restored",
  "errors",
  epochMs("created_at"),
  epochMs("updated_at"),
  "total_bytes",
  "bytes_remaining",
].join(", ");

/**
 * The values of a restore row in the order of `RESTORE_PARAMETERS`: $1
 * tenant_id through $27 updated_at, then the byte estimates $28 and $29 (ids
 * and counts as numbers, times as the domain's ISO strings, the error summary
 * as JSON text).
 */
export function restoreValues(restore: Restore): unknown[] {
  const { config, backup, progress } = restore;
  return [
    restore.tenantId,
    restore.restoreId,
    stateId(restore.state),
    restore.version,
    config.backupId,
    config.backupMachineId,
    config.destinationMachineId,
    config.destinationPath,
    config.overwriteFiles,
    backup.backupConfigurationId,
    backup.backupConfigurationName,
    backup.restorePoint,
    backup.backupMachineName,
    backup.backupFlavor,
    backup.backupDataCenter,
    backup.destinationMachineName,
    backup.isEncrypted,
    backup.publicKey?.modulusHex ?? null,
    backup.publicKey?.exponentHex ?? null,
    restore.passwordSealed,
    progress.startedTime,
    progress.endedTime,
    progress.filesRestored,
    progress.bytesRestored,
    progress.errors === null ? null : JSON.stringify(progress.errors),
    restore.createdAt,
    restore.updatedAt,
    progress.totalBytes,
    progress.bytesRemaining,
  ];
}

/** The restore columns and the typed parameters `restoreValues` fills, $1..$29. */
export const RESTORE_PARAMETERS: readonly (readonly [column: string, parameter: string])[] = [
  ["tenant_id", "$1::text"],
  ["restore_id", "$2::bigint"],
  ["state_id", "$3::smallint"],
  ["version", "$4::integer"],
  ["backup_id", "$5::bigint"],
  ["backup_machine_id", "$6::bigint"],
  ["destination_machine_id", "$7::bigint"],
  ["destination_path", "$8::text"],
  ["overwrite_files", "$9::boolean"],
  ["backup_configuration_id", "$10::bigint"],
  ["backup_configuration_name", "$11::text"],
  ["restore_point", "$12::timestamptz"],
  ["backup_machine_name", "$13::text"],
  ["backup_flavor", "$14::text"],
  ["backup_data_center", "$15::text"],
  ["destination_machine_name", "$16::text"],
  ["is_encrypted", "$17::boolean"],
  ["public_key_modulus_hex", "$18::text"],
  ["public_key_exponent_hex", "$19::text"],
  ["password_sealed", "$20::boolean"],
  ["started_time", "$21::timestamptz"],
  ["ended_time", "$22::timestamptz"],
  ["files_restored", "$23::bigint"],
  ["bytes_restored", "$24::bigint"],
  // Through text, so both drivers pass the JSON string as it is rather than encoding it again.
  ["errors", "$25::text::json"],
  ["created_at", "$26::timestamptz"],
  ["updated_at", "$27::timestamptz"],
  // Added by migration 0002, so numbered after the columns of 0001.
  ["total_bytes", "$28::bigint"],
  ["bytes_remaining", "$29::bigint"],
];

type Row = Readonly<Record<string, unknown>>;

/** Rebuilds the `Restore` a row holds, exactly as `fold` gives it; a row it cannot read is an internal error. */
export function restoreOf(row: Row): Result<Restore, RestoreError> {
  const state = stateFromId(Number(row.state_id));
  if (state === undefined) return err(RestoreErrors.internal());
  const modulusHex = nullableText(row.public_key_modulus_hex);
  const exponentHex = nullableText(row.public_key_exponent_hex);
  const publicKey: AgentPublicKey | null =
    modulusHex === null || exponentHex === null ? null : { modulusHex, exponentHex };
  return ok({
    tenantId: String(row.tenant_id),
    restoreId: Number(row.restore_id),
    state,
    version: Number(row.version),
    config: {
      backupId: Number(row.backup_id),
      backupMachineId: Number(row.backup_machine_id),
      destinationMachineId: Number(row.destination_machine_id),
      destinationPath: String(row.destination_path),
      overwriteFiles: row.overwrite_files === true,
    },
    backup: {
      backupConfigurationId: Number(row.backup_configuration_id),
      backupConfigurationName: String(row.backup_configuration_name),
      restorePoint: isoOf(row.restore_point) ?? "",
      backupMachineName: String(row.backup_machine_name),
      backupFlavor: String(row.backup_flavor),
      backupDataCenter: String(row.backup_data_center),
      destinationMachineName: String(row.destination_machine_name),
      isEncrypted: row.is_encrypted === true,
      publicKey,
    },
    passwordSealed: row.password_sealed === true,
    progress: {
      startedTime: isoOf(row.started_time),
      endedTime: isoOf(row.ended_time),
      filesRestored: nullableNumber(row.files_restored),
      bytesRestored: nullableNumber(row.bytes_restored),
      totalBytes: nullableNumber(row.total_bytes),
      bytesRemaining: nullableNumber(row.bytes_remaining),
      errors: errorsOf(row.errors),
    },
    createdAt: isoOf(row.created_at) ?? "",
    updatedAt: isoOf(row.updated_at) ?? "",
  });
}

/**
 * A restore sent back as one JSON column (`to_json` of `RESTORE_COLUMNS`):
 * both drivers parse it already, a client that does not hands over text.
 * Anything but an object is a row this package cannot read.
 */
export function restoreOfJson(value: unknown): Result<Restore, RestoreError> {
  const row = jsonValue(value);
  return typeof row === "object" && row !== null
    ? restoreOf(row as Row)
    : err(RestoreErrors.internal());
}

/** Epoch seconds (from `epochMs`) back to the ISO string the domain wrote. */
export function isoOf(value: unknown): string | null {
  return value === null || value === undefined
    ? null
    : new Date(Math.round(Number(value) * 1000)).toISOString();
}

function nullableText(value: unknown): string | null {
  return value === null || value === undefined ? null : String(value);
}

/** bigint columns arrive as strings from pg and as numbers or bigints from PGlite. */
function nullableNumber(value: unknown): number | null {
  return value === null || value === undefined ? null : Number(value);
}

// Rebuilt field by field so the summary has the shape and key order the domain gives it.
function errorsOf(value: unknown): RestoreErrorSummary | null {
  const summary = jsonValue(value);
  if (summary === null || typeof summary !== "object") return null;
  const { count, reason, diagnostics, list } = summary as RestoreErrorSummary;
  return {
    count,
    reason,
    diagnostics,
    list: Array.isArray(list) ? list.map(errorItemOf) : [],
  };
}

function errorItemOf(item: RestoreErrorItem): RestoreErrorItem {
  const { index, path, type, exception } = item;
  return {
    index,
    path,
    type,
    exception:
      exception === null || typeof exception !== "object"
        ? null
        : {
            code: exception.code,
            description: exception.description,
            details: exception.details,
          },
  };
}
