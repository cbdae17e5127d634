import type { AgentPublicKey, RestoreConfig } from "@restorekit/core";
import type { CatalogData } from "./catalog-data.js";

// The data of the API reference's examples, so that its requests work verbatim against a demo
// server. Copied here rather than read from the test fixtures: the server must not depend on
// test files at run time.

/** The tenant of the demo data. */
export const DEMO_TENANT = "1234";
/** A tenant with nothing in it, for trying tenant isolation. */
export const DEMO_OTHER_TENANT = "5678";
/** The backup every demo restore restores: configuration 6265 "Restore_Backup". */
export const DEMO_BACKUP_ID = 133599;
/** The machine the backup was taken on ("BALAJIMBP"). */
export const DEMO_BACKUP_MACHINE_ID = 156953;
/** The destination machine ("BILLS-TEST-WIN"), whose agent is `demo-agent`. */
export const DEMO_AGENT_MACHINE_ID = 156751;
/** The backup's restore point, `\/Date(1357151359000)\/` in the reference. */
export const DEMO_RESTORE_POINT = "2013-01-02T18:29:19.000Z";

/** A restore the demo starts with, in state Creating. */
export interface DemoRestore {
  readonly restoreId: number;
  /** Whether its vault is encrypted, so StartManual needs an EncryptedPassword. */
  readonly encrypted: boolean;
  readonly config: RestoreConfig;
}

const DEMO_CONFIG: RestoreConfig = {
  backupId: DEMO_BACKUP_ID,
  backupMachineId: DEMO_BACKUP_MACHINE_ID,
  destinationMachineId: DEMO_AGENT_MACHINE_ID,
  destinationPath: "C:\\FolderPathForRestore\\",
  overwriteFiles: false,
};

/**
 * 1394 is the create example's answer; 13692 is started by the unencrypted
 * action-requested example and 13689 by the encrypted one (and stopped by
 * the stop example).
 */
export const DEMO_RESTORES: readonly DemoRestore[] = [
  { restoreId: 1394, encrypted: false, config: DEMO_CONFIG },
  { restoreId: 13692, encrypted: false, config: DEMO_CONFIG },
  { restoreId: 13689, encrypted: true, config: DEMO_CONFIG },
];

/** The highest seeded id: the id sequence is moved past it, so a created restore never collides. */
export const DEMO_HIGHEST_RESTORE_ID = Math.max(...DEMO_RESTORES.map((r) => r.restoreId));

/** A token of the demo, with what it is for (shown at start). */
export interface DemoToken {
  readonly token: string;
  readonly tenantId: string;
  readonly roles?: readonly string[];
  readonly userId?: string;
  readonly agentId?: number;
  readonly describe: string;
}

/** One working token per role, one of another tenant, and the destination agent's. */
export const DEMO_TOKENS: readonly DemoToken[] = [
  {
    token: "demo-admin",
    tenantId: DEMO_TENANT,
    roles: ["cloudbackup:admin"],
    userId: "demo-admin",
    describe: `cloudbackup:admin of tenant ${DEMO_TENANT}: everything`,
  },
  {
    token: "demo-creator",
    tenantId: DEMO_TENANT,
    roles: ["cloudbackup:creator"],
    userId: "demo-creator",
    describe: `cloudbackup:creator of tenant ${DEMO_TENANT}: create, update, start, stop, read`,
  },
  {
    token: "demo-observer",
    tenantId: DEMO_TENANT,
    roles: ["cloudbackup:observer"],
    userId: "demo-observer",
    describe: `cloudbackup:observer of tenant ${DEMO_TENANT}: read only`,
  },
  {
    token: "demo-other-tenant",
    tenantId: DEMO_OTHER_TENANT,
    roles: ["cloudbackup:admin"],
    userId: "demo-other-tenant",
    describe: `cloudbackup:admin of tenant ${DEMO_OTHER_TENANT}, which holds nothing`,
  },
  {
    token: "demo-agent",
    tenantId: DEMO_TENANT,
    agentId: DEMO_AGENT_MACHINE_ID,
    describe: `the backup agent of machine ${DEMO_AGENT_MACHINE_ID}: reports on its restores, receives their passwords`,
  },
];

/** The token the simulated agent reports with. */
export const DEMO_AGENT_TOKEN = "demo-agent";

/**
 * The demo catalog, in the shape of a `RESTOREKIT_CATALOG_FILE`: the
 * reference's backup and its two machines, the destination's public key
 * being the demo agent's.
 */
export function demoCatalogData(agentPublicKey: AgentPublicKey): CatalogData {
  return {
    machines: [
      {
        tenantId: DEMO_TENANT,
        machineId: DEMO_BACKUP_MACHINE_ID,
        name: "BALAJIMBP",
        publicKey: null,
      },
      {
        tenantId: DEMO_TENANT,
        machineId: DEMO_AGENT_MACHINE_ID,
        name: "BILLS-TEST-WIN",
        publicKey: agentPublicKey,
      },
    ],
    backups: [
      {
        tenantId: DEMO_TENANT,
        backupId: DEMO_BACKUP_ID,
        machineId: DEMO_BACKUP_MACHINE_ID,
        configurationId: 6265,
        configurationName: "Restore_Backup",
        restorePoint: DEMO_RESTORE_POINT,
        flavor: "RaxCloudServer",
        dataCenter: "DFW",
        isEncrypted: false,
      },
    ],
  };
}
