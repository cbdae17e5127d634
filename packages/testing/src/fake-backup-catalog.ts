import {
  type AgentPublicKey,
  type BackupCatalog,
  type BackupReferences,
  type ResolvedBackup,
  type RestoreError,
  RestoreErrors,
  type Timestamp,
} from "@restorekit/core";
import { errAsync, okAsync, type ResultAsync } from "neverthrow";
import { testAgentKeys } from "./agent-keys.js";

/** The tenant of the API reference's examples. */
export const DEFAULT_TENANT = "123456";
/** A second tenant, for isolation tests: it shares no backup or machine with the first. */
export const OTHER_TENANT = "654321";
/** The backup of the create-restore example: configuration 6265 "Restore_Backup", not encrypted. */
export const UNENCRYPTED_BACKUP_ID = 133599;
/** A backup of an encrypted vault, taken on the same machine. */
export const ENCRYPTED_BACKUP_ID = 133600;
/** The machine both default backups were taken on ("BALAJIMBP"). */
export const BACKUP_MACHINE_ID = 156953;
/** The destination agent's machine ("BILLS-TEST-WIN"); its public key is `testAgentKeys()`. */
export const DESTINATION_MACHINE_ID = 156751;

/** A backup as the catalog holds it. */
export interface CatalogBackup {
  readonly backupId: number;
  /** The machine the backup was taken on. */
  readonly machineId: number;
  readonly configurationId: number;
  readonly configurationName: string;
  readonly restorePoint: Timestamp;
  readonly flavor: string;
  readonly dataCenter: string;
  readonly isEncrypted: boolean;
}

/** A machine with the backup agent on it; `publicKey` is null for an agent that published none. */
export interface CatalogMachine {
  readonly machineId: number;
  readonly name: string;
  readonly publicKey: AgentPublicKey | null;
}

/** A `BackupCatalog` held in memory that tests can extend. */
export interface FakeBackupCatalog extends BackupCatalog {
  resolve(
    tenantId: string,
    references: BackupReferences,
  ): ResultAsync<ResolvedBackup, RestoreError>;
  /** Adds (or replaces) a backup of a tenant. */
  addBackup(tenantId: string, backup: CatalogBackup): void;
  /** Adds (or replaces) a machine of a tenant. */
  addMachine(tenantId: string, machine: CatalogMachine): void;
}

interface TenantCatalog {
  readonly backups: Map<number, CatalogBackup>;
  readonly machines: Map<number, CatalogMachine>;
}

const RESTORE_POINT = new Date(1357151359000).toISOString();

/**
 * A fake `BackupCatalog` seeded like the API reference's examples (see the
 * exported ids), with a second tenant that has backups and machines of its
 * own. A reference it does not hold in the asked tenant is an
 * `unknown_reference` naming BackupId, BackupMachineId or
 * DestinationMachineId, checked in that order; so is a BackupMachineId that
 * is not the machine the backup was taken on.
 *
 * @example
 * ```ts
 * const catalog = fakeBackupCatalog();
 * catalog.addMachine(DEFAULT_TENANT, { machineId: 7, name: "KEYLESS", publicKey: null });
 * ```
 */
export function fakeBackupCatalog(): FakeBackupCatalog {
  const tenants = new Map<string, TenantCatalog>();
  const tenant = (tenantId: string): TenantCatalog => {
    let found = tenants.get(tenantId);
    if (found === undefined) {
      found = { backups: new Map(), machines: new Map() };
      tenants.set(tenantId, found);
    }
    return found;
  };

  const catalog: FakeBackupCatalog = {
    resolve(tenantId, { backupId, backupMachineId, destinationMachineId }) {
      const held = tenants.get(tenantId);
      const backup = held?.backups.get(backupId);
      if (backup === undefined) {
        return errAsync(RestoreErrors.unknownReference("BackupId", backupId));
      }
      const source = held?.machines.get(backupMachineId);
      if (source === undefined || backup.machineId !== backupMachineId) {
        return errAsync(RestoreErrors.unknownReference("BackupMachineId", backupMachineId));
      }
      const destination = held?.machines.get(destinationMachineId);
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
    addBackup(tenantId, backup) {
      tenant(tenantId).backups.set(backup.backupId, backup);
    },
    addMachine(tenantId, machine) {
      tenant(tenantId).machines.set(machine.machineId, machine);
    },
  };
  seed(catalog);
  return catalog;
}

function seed(catalog: FakeBackupCatalog): void {
  const { publicKey } = testAgentKeys();
  const backup = {
    machineId: BACKUP_MACHINE_ID,
    restorePoint: RESTORE_POINT,
    flavor: "RaxCloudServer",
    dataCenter: "DFW",
  };
  catalog.addMachine(DEFAULT_TENANT, {
    machineId: BACKUP_MACHINE_ID,
    name: "BALAJIMBP",
    publicKey: null,
  });
  catalog.addMachine(DEFAULT_TENANT, {
    machineId: DESTINATION_MACHINE_ID,
    name: "BILLS-TEST-WIN",
    publicKey,
  });
  catalog.addBackup(DEFAULT_TENANT, {
    ...backup,
    backupId: UNENCRYPTED_BACKUP_ID,
    configurationId: 6265,
    configurationName: "Restore_Backup",
    isEncrypted: false,
  });
  catalog.addBackup(DEFAULT_TENANT, {
    ...backup,
    backupId: ENCRYPTED_BACKUP_ID,
    configurationId: 6266,
    configurationName: "Encrypted_Backup",
    isEncrypted: true,
  });

  catalog.addMachine(OTHER_TENANT, { machineId: 256953, name: "OTHER-SOURCE", publicKey: null });
  catalog.addMachine(OTHER_TENANT, { machineId: 256751, name: "OTHER-DEST", publicKey });
  catalog.addBackup(OTHER_TENANT, {
    ...backup,
    backupId: 233599,
    machineId: 256953,
    configurationId: 7265,
    configurationName: "Other_Backup",
    dataCenter: "ORD",
    isEncrypted: false,
  });
}
