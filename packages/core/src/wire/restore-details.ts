import { z } from "zod";
import type { Restore, RestoreProgress } from "../restore.js";
import { type RestoreStateId, stateFromId, stateId } from "../states.js";
import { positiveIdSchema } from "./ids.js";
import { type PublicKeyWire, publicKeySchema, toPublicKeyWire } from "./public-key.js";
import { formatV1Date, v1DateSchema } from "./v1-date.js";

/**
 * The agent's progress as the details show it, an addition of restorekit's to
 * the v1 details: `null` where the agent has not reported the figure.
 */
export interface RestoreProgressWire {
  readonly FilesRestored: number | null;
  /** Bytes done: what the agent reports as `bytes_restored` or `bytes_completed`. */
  readonly BytesCompleted: number | null;
  /** The agent's estimate of the bytes left. */
  readonly BytesRemaining: number | null;
  /** The agent's estimate of all the bytes to restore. */
  readonly TotalBytes: number | null;
  /** `BytesCompleted` of `TotalBytes` in whole percent, rounded down, 0 to 100; `null` unless both are known and the total is above 0. */
  readonly PercentComplete: number | null;
}

/** The restore details of `GET /v1.0/{tenant_id}/restore/{restoreId}` (and of create). */
export interface RestoreDetailsWire {
  readonly RestoreId: number;
  readonly BackupId: number;
  readonly DestinationMachineId: number;
  readonly OverwriteFiles: boolean;
  readonly BackupConfigurationId: number;
  readonly BackupConfigurationName: string;
  /** A v1 date, `/Date(<ms>)/`. */
  readonly BackupRestorePoint: string;
  readonly BackupMachineId: number;
  readonly BackupMachineName: string;
  readonly BackupFlavor: string;
  readonly DestinationMachineName: string;
  readonly DestinationPath: string;
  readonly BackupDataCenter: string;
  readonly IsEncrypted: boolean;
  /** Always `null`: a secret is never echoed. */
  readonly EncryptedPassword: null;
  readonly PublicKey: PublicKeyWire | null;
  readonly RestoreStateId: RestoreStateId;
  /** restorekit's addition, always written by `toRestoreDetails`; servers of the reference API leave it out. */
  readonly Progress?: RestoreProgressWire;
}

/**
 * Whole percent done, rounded down and kept to 0..100 (an estimate of the
 * total may fall behind the bytes done). Exact for any safe integers: a float
 * division would turn 29 of 100 into 28.
 */
function percentComplete(completed: number | null, total: number | null): number | null {
  if (completed === null || total === null || total <= 0) return null;
  const percent = Number((BigInt(completed) * 100n) / BigInt(total));
  return Math.min(100, Math.max(0, percent));
}

/**
 * The agent's progress as the details show it.
 *
 * @example
 * ```ts
 * toProgressWire({ ...EMPTY_PROGRESS, bytesRestored: 29, totalBytes: 100 }).PercentComplete; // 29
 * ```
 */
export function toProgressWire(progress: RestoreProgress): RestoreProgressWire {
  return {
    FilesRestored: progress.filesRestored,
    BytesCompleted: progress.bytesRestored,
    BytesRemaining: progress.bytesRemaining,
    TotalBytes: progress.totalBytes,
    PercentComplete: percentComplete(progress.bytesRestored, progress.totalBytes),
  };
}

/**
 * A restore as the v1 details show it, then its `Progress` (restorekit's
 * addition). `EncryptedPassword` is always `null`.
 *
 * @example
 * ```ts
 * JSON.stringify(toRestoreDetails(restore));
 * ```
 */
export function toRestoreDetails(
  restore: Restore,
): RestoreDetailsWire & { readonly Progress: RestoreProgressWire } {
  const { config, backup } = restore;
  return {
    RestoreId: restore.restoreId,
    BackupId: config.backupId,
    DestinationMachineId: config.destinationMachineId,
    OverwriteFiles: config.overwriteFiles,
    BackupConfigurationId: backup.backupConfigurationId,
    BackupConfigurationName: backup.backupConfigurationName,
    BackupRestorePoint: formatV1Date(backup.restorePoint),
    BackupMachineId: config.backupMachineId,
    BackupMachineName: backup.backupMachineName,
    BackupFlavor: backup.backupFlavor,
    DestinationMachineName: backup.destinationMachineName,
    DestinationPath: config.destinationPath,
    BackupDataCenter: backup.backupDataCenter,
    IsEncrypted: backup.isEncrypted,
    EncryptedPassword: null,
    PublicKey: backup.publicKey === null ? null : toPublicKeyWire(backup.publicKey),
    RestoreStateId: stateId(restore.state),
    Progress: toProgressWire(restore.progress),
  };
}

const STATE_ID_MESSAGE = "RestoreStateId must be a known restore state id";

const restoreStateIdSchema = z
  .number({ error: STATE_ID_MESSAGE })
  .transform((id, ctx): RestoreStateId => {
    const name = stateFromId(id);
    if (name === undefined) {
      ctx.issues.push({ code: "custom", message: STATE_ID_MESSAGE, input: id });
      return z.NEVER;
    }
    return stateId(name);
  });

function text(field: string) {
  return z.string({ error: `${field} must be a string` });
}

function count(field: string) {
  const message = `${field} must be a non-negative integer or null`;
  return z
    .number({ error: message })
    .refine((n) => Number.isSafeInteger(n) && n >= 0, { error: message })
    .nullable();
}

const PERCENT_MESSAGE = "PercentComplete must be a whole percent, 0 to 100, or null";

const progressWireSchema = z.object(
  {
    FilesRestored: count("FilesRestored"),
    BytesCompleted: count("BytesCompleted"),
    BytesRemaining: count("BytesRemaining"),
    TotalBytes: count("TotalBytes"),
    PercentComplete: z
      .number({ error: PERCENT_MESSAGE })
      .int({ error: PERCENT_MESSAGE })
      .min(0, { error: PERCENT_MESSAGE })
      .max(100, { error: PERCENT_MESSAGE })
      .nullable(),
  },
  { error: "Progress must be a JSON object" },
);

function flag(field: string) {
  return z.boolean({ error: `${field} must be true or false` });
}

/**
 * Reads restore details, for clients of our responses. The result is the
 * canonical wire form `toRestoreDetails` writes: ids as numbers, dates as
 * `/Date(<ms>)/`, the public key's hex without whitespace and upper-cased.
 * The key's syntax is checked, not its strength.
 */
export const restoreDetailsSchema: z.ZodType<RestoreDetailsWire> = z.object(
  {
    RestoreId: positiveIdSchema("RestoreId"),
    BackupId: positiveIdSchema("BackupId"),
    DestinationMachineId: positiveIdSchema("DestinationMachineId"),
    OverwriteFiles: flag("OverwriteFiles"),
    BackupConfigurationId: positiveIdSchema("BackupConfigurationId"),
    BackupConfigurationName: text("BackupConfigurationName"),
    BackupRestorePoint: v1DateSchema("BackupRestorePoint"),
    BackupMachineId: positiveIdSchema("BackupMachineId"),
    BackupMachineName: text("BackupMachineName"),
    BackupFlavor: text("BackupFlavor"),
    DestinationMachineName: text("DestinationMachineName"),
    DestinationPath: text("DestinationPath"),
    BackupDataCenter: text("BackupDataCenter"),
    IsEncrypted: flag("IsEncrypted"),
    EncryptedPassword: z.null({ error: "EncryptedPassword must be null" }),
    PublicKey: publicKeySchema.transform(toPublicKeyWire).nullable(),
    RestoreStateId: restoreStateIdSchema,
    // Optional: details from a server of the reference API carry no progress.
    Progress: progressWireSchema.optional(),
  },
  { error: "the restore details must be a JSON object" },
);
