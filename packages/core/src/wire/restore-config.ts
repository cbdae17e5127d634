import type { Result } from "neverthrow";
import { z } from "zod";
import type { RestoreError } from "../errors.js";
import type { CreateRestoreInput, UpdateRestoreInput } from "../service/inputs.js";
import { LIMITS } from "../values/limits.js";
import { positiveIdSchema } from "./ids.js";
import { parseWith } from "./issues.js";
import { storableText } from "./text.js";

const configShape = {
  BackupId: positiveIdSchema("BackupId"),
  BackupMachineId: positiveIdSchema("BackupMachineId"),
  DestinationMachineId: positiveIdSchema("DestinationMachineId"),
  DestinationPath: storableText("DestinationPath", LIMITS.destinationPath, { nonEmpty: true }),
  OverwriteFiles: z.boolean({ error: "OverwriteFiles must be true or false" }).optional(),
  // Accepted for the clients that send it, then ignored: the catalog is authoritative.
  BackupDataCenter: storableText("BackupDataCenter", LIMITS.catalogText).nullable().optional(),
};

type ConfigWire = z.output<z.ZodObject<typeof configShape>>;

function toInput(wire: ConfigWire): CreateRestoreInput {
  return {
    backupId: wire.BackupId,
    backupMachineId: wire.BackupMachineId,
    destinationMachineId: wire.DestinationMachineId,
    destinationPath: wire.DestinationPath,
    overwriteFiles: wire.OverwriteFiles ?? false,
  };
}

const BODY_NOT_OBJECT = { error: "the body must be a JSON object" };

/** The body of `PUT /v1.0/{tenant_id}/restore` (create). `OverwriteFiles` defaults to false. */
export const createRestoreSchema = z.object(configShape, BODY_NOT_OBJECT).transform(toInput);

/**
 * The body of `POST /v1.0/{tenant_id}/restore` (update). `RestoreStateId` and
 * `BackupConfigurationId` are not in the shape, so they are accepted and
 * ignored: a restore's state changes only through action-requested and agent
 * reports, and the catalog supplies the configuration.
 */
export const updateRestoreSchema = z
  .object({ RestoreId: positiveIdSchema("RestoreId"), ...configShape }, BODY_NOT_OBJECT)
  .transform((wire): UpdateRestoreInput => ({ restoreId: wire.RestoreId, ...toInput(wire) }));

/**
 * Reads a create body.
 *
 * @example
 * ```ts
 * parseCreateRestore({ BackupId: 133599, BackupMachineId: 156953,
 *   DestinationMachineId: 156751, DestinationPath: "C:\\Restore\\" });
 * ```
 */
export function parseCreateRestore(body: unknown): Result<CreateRestoreInput, RestoreError> {
  return parseWith(createRestoreSchema, body);
}

/**
 * Reads an update body; it replaces the whole configuration.
 *
 * @example
 * ```ts
 * parseUpdateRestore({ RestoreId: 14387, BackupId: 133599, BackupMachineId: 156953,
 *   DestinationMachineId: 156953, DestinationPath: "C:\\RestoredPath", OverwriteFiles: true });
 * ```
 */
export function parseUpdateRestore(body: unknown): Result<UpdateRestoreInput, RestoreError> {
  return parseWith(updateRestoreSchema, body);
}
