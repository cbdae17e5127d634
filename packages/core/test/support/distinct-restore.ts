import type { Restore } from "../../src/index.js";

/** A restore whose every field has a value no other field has, so a swap shows. */
export const distinctRestore: Restore = {
  tenantId: "tenant-11",
  restoreId: 101,
  state: "InProgress",
  version: 12,
  config: {
    backupId: 202,
    backupMachineId: 303,
    destinationMachineId: 404,
    destinationPath: "D:\\Destination\\",
    overwriteFiles: false,
  },
  backup: {
    backupConfigurationId: 505,
    backupConfigurationName: "Nightly configuration",
    restorePoint: "2020-02-29T12:34:56.789Z",
    backupMachineName: "source-machine",
    backupFlavor: "RaxCloudServer",
    backupDataCenter: "ORD",
    destinationMachineName: "destination-machine",
    isEncrypted: true,
    publicKey: { modulusHex: "C3A5F00D", exponentHex: "10001" },
  },
  passwordSealed: true,
  progress: {
    startedTime: "2020-03-01T10:00:00.000Z",
    endedTime: "2020-03-01T11:02:03.500Z",
    filesRestored: 17,
    bytesRestored: 5 * 1024 ** 3,
    totalBytes: 6 * 1024 ** 3,
    bytesRemaining: 1024 ** 3,
    errors: null,
  },
  createdAt: "2020-03-01T09:00:00.000Z",
  updatedAt: "2020-03-01T11:02:04.000Z",
};
