import {
  BACKUP_MACHINE_ID,
  DESTINATION_MACHINE_ID,
  ENCRYPTED_BACKUP_ID,
  type FakeBackupCatalog,
  testAgentKeys,
  UNENCRYPTED_BACKUP_ID,
} from "@restorekit/testing";

/** A second agent machine of every tenant: its agent is not the destination of any restore. */
export const OTHER_AGENT_MACHINE_ID = 156752;

const RESTORE_POINT = new Date(1357151359000).toISOString();

/**
 * Gives a tenant the default tenant's backups and machines (the ids of the
 * API reference's examples), plus a second agent machine.
 */
export function seedTenant(catalog: FakeBackupCatalog, tenantId: string): void {
  const { publicKey } = testAgentKeys();
  const backup = {
    machineId: BACKUP_MACHINE_ID,
    restorePoint: RESTORE_POINT,
    flavor: "RaxCloudServer",
    dataCenter: "DFW",
  };
  catalog.addMachine(tenantId, {
    machineId: BACKUP_MACHINE_ID,
    name: "BALAJIMBP",
    publicKey: null,
  });
  catalog.addMachine(tenantId, {
    machineId: DESTINATION_MACHINE_ID,
    name: "BILLS-TEST-WIN",
    publicKey,
  });
  catalog.addMachine(tenantId, {
    machineId: OTHER_AGENT_MACHINE_ID,
    name: "OTHER-AGENT-WIN",
    publicKey,
  });
  catalog.addBackup(tenantId, {
    ...backup,
    backupId: UNENCRYPTED_BACKUP_ID,
    configurationId: 6265,
    configurationName: "Restore_Backup",
    isEncrypted: false,
  });
  catalog.addBackup(tenantId, {
    ...backup,
    backupId: ENCRYPTED_BACKUP_ID,
    configurationId: 6266,
    configurationName: "Encrypted_Backup",
    isEncrypted: true,
  });
}
