import { type BackupCatalog, RestoreErrors } from "@restorekit/core";
import { errAsync, okAsync } from "neverthrow";
import type { CheckedBackup, CheckedCatalog, CheckedMachine } from "./catalog-data.js";

/**
 * The `BackupCatalog` port over a checked, fixed list of backups and
 * machines. A reference it does not hold in the asked tenant is an
 * `unknown_reference` naming BackupId, BackupMachineId or
 * DestinationMachineId, checked in that order; so is a BackupMachineId that
 * is not the machine the backup was taken on. An empty catalog answers every
 * create with `unknown_reference` for BackupId.
 *
 * @example
 * ```ts
 * const catalog = staticCatalog({ backups: [], machines: [] });
 * ```
 */
export function staticCatalog(data: CheckedCatalog): BackupCatalog {
  const backups = new Map<string, CheckedBackup>(
    data.backups.map((backup) => [`${backup.tenantId}/${backup.backupId}`, backup]),
  );
  const machines = new Map<string, CheckedMachine>(
    data.machines.map((machine) => [`${machine.tenantId}/${machine.machineId}`, machine]),
  );
  return {
    resolve(tenantId, { backupId, backupMachineId, destinationMachineId }) {
      const backup = backups.get(`${tenantId}/${backupId}`);
      if (backup === undefined)
        return errAsync(RestoreErrors.unknownReference("BackupId", backupId));
      const source = machines.get(`${tenantId}/${backupMachineId}`);
      if (source === undefined || backup.machineId !== backupMachineId) {
        return errAsync(RestoreErrors.unknownReference("BackupMachineId", backupMachineId));
      }
      const destination = machines.get(`${tenantId}/${destinationMachineId}`);
      if (destination === undefined) {
        return errAsync(
          RestoreErrors.unknownReference("DestinationMachineId", destinationMachineId),
        );
      }
      return okAsync({
        backupConfigurationId: backup.configurationId,
        backupConfigurationName: backup.configurationName,
        restorePoint: backup.restorePoint,
        backupMachineName: source.name,
        backupFlavor: backup.flavor,
        backupDataCenter: backup.dataCenter,
        destinationMachineName: destination.name,
        isEncrypted: backup.isEncrypted,
        publicKey: destination.publicKey,
      });
    },
  };
}
