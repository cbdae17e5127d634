import { z } from "zod";
import type { Restore } from "../restore.js";
import { type RestoreStateId, stateFromId, stateId } from "../states.js";
import { positiveIdSchema } from "./ids.js";
import { type PublicKeyWire, publicKeySchema, toPublicKeyWire } from "./public-key.js";
import { formatV1Date, v1DateSchema } from "./v1-date.js";

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
}

/**
 * A restore as the v1 details show it. `EncryptedPassword` is always `null`.
 *
 * @example
 * ```ts
 * JSON.stringify(toRestoreDetails(restore));
 * ```
 */
export function toRestoreDetails(restore: Restore): RestoreDetailsWire {
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
  },
  { error: "the restore details must be a JSON object" },
);
