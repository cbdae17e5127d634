import type { Restore, RestoreProgress } from "../../src/index.js";

/**
 * Restore 1394 of the API reference's examples, as the domain holds it: the
 * configuration and backup that its details and report responses show. Each
 * test adds the state, version and progress of its own example (and the
 * backup's key where that example has one).
 */
export const referenceRestore: Omit<Restore, "state" | "version" | "progress"> = {
  tenantId: "123456",
  restoreId: 1394,
  config: {
    backupId: 133886,
    backupMachineId: 866,
    destinationMachineId: 864,
    destinationPath: "C:\\Test\\",
    overwriteFiles: true,
  },
  backup: {
    backupConfigurationId: 6270,
    backupConfigurationName: "Restore_Backup",
    restorePoint: "2013-01-02T18:29:19.000Z",
    backupMachineName: "sujala-test-centos",
    backupFlavor: "RaxCloudServer",
    backupDataCenter: "DFW",
    destinationMachineName: "BILLS-TEST-WIN",
    isEncrypted: false,
    publicKey: null,
  },
  passwordSealed: false,
  createdAt: "2013-01-03T15:20:00.000Z",
  updatedAt: "2013-01-03T15:22:15.000Z",
};

/** The progress of a restore the agent has reported nothing about. */
export const noProgress: RestoreProgress = {
  startedTime: null,
  endedTime: null,
  filesRestored: null,
  bytesRestored: null,
  totalBytes: null,
  bytesRemaining: null,
  errors: null,
};
