import { generateKeyPairSync, type KeyObject, randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { encryptPassword } from "@restorekit/crypto";

/**
 * A server set up as a deployment is, not as the demo: its own tokens,
 * catalog (a plain and an encrypted backup, one destination agent whose key
 * the test holds) and sealing key, so several processes on one database
 * agree on everything and a restart opens what was sealed before it.
 */
export interface FaultSetup {
  readonly tenant: string;
  readonly tokens: { readonly creator: string; readonly observer: string; readonly agent: string };
  readonly backups: { readonly plain: number; readonly encrypted: number };
  /** The machine both backups were taken on. */
  readonly backupMachineId: number;
  readonly agentId: number;
  readonly privateKey: KeyObject;
  /** A ciphertext of `passphrase` for the agent's key, hex: what a client sends to start. */
  readonly encryptedPassword: string;
  readonly passphrase: string;
  readonly sealingKey: string;
  /** The server's environment, storage left out. */
  readonly env: Record<string, string>;
  readonly dir: string;
  cleanup(): void;
}

export const FAULT_TENANT = "7001";
const BACKUP_MACHINE = 31;
const AGENT_MACHINE = 32;

export function faultSetup(): FaultSetup {
  const dir = mkdtempSync(join(tmpdir(), "rk-fault-"));
  const secret = () => randomBytes(24).toString("base64url");
  const tokens = { creator: `c-${secret()}`, observer: `o-${secret()}`, agent: `a-${secret()}` };
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const publicPem = publicKey.export({ type: "spki", format: "pem" }).toString();
  writeFileSync(
    join(dir, "tokens.json"),
    JSON.stringify([
      { token: tokens.creator, tenant: FAULT_TENANT, roles: ["cloudbackup:creator"], userId: "u1" },
      { token: tokens.observer, tenant: FAULT_TENANT, roles: ["observer"], userId: "u2" },
      { token: tokens.agent, tenant: FAULT_TENANT, agentId: AGENT_MACHINE },
    ]),
  );
  const backup = (backupId: number, isEncrypted: boolean) => ({
    tenantId: FAULT_TENANT,
    backupId,
    machineId: BACKUP_MACHINE,
    configurationId: backupId + 1000,
    configurationName: `backup ${backupId}`,
    restorePoint: "2026-01-02T03:04:05Z",
    flavor: "RaxCloudServer",
    dataCenter: "DFW",
    isEncrypted,
  });
  writeFileSync(
    join(dir, "catalog.json"),
    JSON.stringify({
      machines: [
        { tenantId: FAULT_TENANT, machineId: BACKUP_MACHINE, name: "source", publicKey: null },
        { tenantId: FAULT_TENANT, machineId: AGENT_MACHINE, name: "target", publicKey: publicPem },
      ],
      backups: [backup(41, false), backup(42, true)],
    }),
  );
  const passphrase = `vault ${secret()}`;
  const sealingKey = randomBytes(32).toString("base64");
  return {
    tenant: FAULT_TENANT,
    tokens,
    backups: { plain: 41, encrypted: 42 },
    backupMachineId: BACKUP_MACHINE,
    agentId: AGENT_MACHINE,
    privateKey,
    passphrase,
    encryptedPassword: encryptPassword(passphrase, publicPem)._unsafeUnwrap(),
    sealingKey,
    env: {
      PORT: "0",
      DATA_DIR: join(dir, "data"),
      RESTOREKIT_DEMO: "0",
      RESTOREKIT_TOKENS_FILE: join(dir, "tokens.json"),
      RESTOREKIT_CATALOG_FILE: join(dir, "catalog.json"),
      RESTOREKIT_SEALING_KEYS: `k1:${sealingKey}`,
    },
    dir,
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}
