import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { decryptPassword } from "@restorekit/crypto";
import { adminQuery, SERVER_URL } from "./scratch-database.js";
import { type ServerProcess, startServerProcess } from "./server-process.js";

/** A backup of an encrypted vault, added to the demo catalog: its restores need a passphrase. */
export const ENCRYPTED_BACKUP = {
  BackupId: 777001,
  BackupMachineId: 777002,
  DestinationMachineId: 156751,
  DestinationPath: "C:\\Encrypted\\",
} as const;

export interface TestServerOptions {
  /** Off: a started restore waits for the test's own agent, or stays where the test leaves it. */
  readonly simulatedAgent?: boolean;
  /** Keeps the data (and the demo agent's key) in a directory, so that `restart` finds them. */
  readonly persistent?: boolean;
}

export interface TestServer {
  /** The running process; `restart` replaces it. */
  readonly server: ServerProcess;
  readonly url: string;
  /** The demo agent's private key (PEM), which opens the passwords released to it. */
  readonly agentPrivateKey: string;
  /** Decrypts an EncryptedPassword with the demo agent's private key, as the agent does. */
  decrypt(hex: string): string;
  /** Stops the server and starts it again on the same port and storage (`persistent` only). */
  restart(): Promise<void>;
  close(): Promise<void>;
}

let counter = 0;

/**
 * The demo server in a process of its own, with an encrypted backup in its
 * catalog and a quick simulated agent (unless turned off): on PGlite, or on
 * the Postgres server in a schema of its own that `close` drops.
 */
export async function startTestServer(
  backend: "pglite" | "postgres",
  { simulatedAgent = true, persistent = false }: TestServerOptions = {},
): Promise<TestServer> {
  const dir = mkdtempSync(join(tmpdir(), "rk-test-server-"));
  const catalog = join(dir, "catalog.json");
  writeFileSync(catalog, JSON.stringify(encryptedCatalog()));
  counter += 1;
  const schema = `rk_test_${process.pid}_${counter}_${Math.random().toString(36).slice(2, 8)}`;
  const env: Record<string, string> = {
    PORT: "0",
    DATA_DIR: persistent ? join(dir, "data") : "memory://",
    RESTOREKIT_AGENT_STEP_MS: "50",
    RESTOREKIT_CATALOG_FILE: catalog,
    // An agent's open event stream would otherwise hold a stop for the default 10 s.
    RESTOREKIT_SHUTDOWN_TIMEOUT_MS: "2000",
    ...(simulatedAgent ? {} : { RESTOREKIT_SIMULATED_AGENT: "0" }),
    ...(backend === "postgres" ? { DATABASE_URL: SERVER_URL, RESTOREKIT_SCHEMA: schema } : {}),
  };
  let server = await startServerProcess(env);
  if (server.agentKeyPath === null) throw new Error(`no agent key was named:\n${server.output()}`);
  // Read now: in memory mode the server deletes its key file when it stops.
  const agentPrivateKey = readFileSync(server.agentKeyPath, "utf8");
  return {
    get server() {
      return server;
    },
    get url() {
      return server.url;
    },
    agentPrivateKey,
    decrypt(hex) {
      const opened = decryptPassword(hex, agentPrivateKey);
      if (opened.isErr()) throw new Error(`the agent's key does not open it: ${opened.error.code}`);
      return opened.value.reveal();
    },
    async restart() {
      if (!persistent) throw new Error("only a persistent test server can restart on its data");
      const port = new URL(server.url).port;
      await server.stop();
      server = await startServerProcess({ ...env, PORT: port });
    },
    async close() {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
      if (backend === "postgres") {
        await adminQuery(SERVER_URL, `DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      }
    },
  };
}

/** One machine and its encrypted backup, for the tenant of the demo. */
function encryptedCatalog() {
  return {
    machines: [
      {
        tenantId: "1234",
        machineId: ENCRYPTED_BACKUP.BackupMachineId,
        name: "VAULT-SOURCE",
        publicKey: null,
      },
    ],
    backups: [
      {
        tenantId: "1234",
        backupId: ENCRYPTED_BACKUP.BackupId,
        machineId: ENCRYPTED_BACKUP.BackupMachineId,
        configurationId: 7001,
        configurationName: "Encrypted_Vault",
        restorePoint: "2026-01-02T03:04:05Z",
        flavor: "RaxCloudServer",
        dataCenter: "DFW",
        isEncrypted: true,
      },
    ],
  };
}
