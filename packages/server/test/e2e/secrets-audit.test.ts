import { execFile } from "node:child_process";
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { decryptPassword, encryptPassword } from "@restorekit/crypto";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { SERVER_URL as DATABASE_URL, postgresAnswers } from "../support/scratch-database.js";
import {
  bytesSecret,
  type CorpusItem,
  describeFinding,
  type Encoding,
  encode,
  type Finding,
  type Secret,
  searchSecrets,
  searchSize,
  textSecret,
} from "../support/secret-search.js";
import { startServerProcess } from "../support/server-process.js";

// A whole session against the real server at LOG_LEVEL=debug (encrypted starts, agent reports, every
// kind of error), then every log line, response, event row and a dump of the database is searched
// for every passphrase, ciphertext, sealing key and token, in every encoding. A planted copy of each
// corpus shows that the search finds what it looks for.

const AUDIT_DB = `rk_audit_${process.pid}_${randomBytes(4).toString("hex")}`;
const SCHEMA = "restorekit";
const PG_DUMP = existsSync("/usr/lib/postgresql/15/bin/pg_dump")
  ? "/usr/lib/postgresql/15/bin/pg_dump"
  : "pg_dump";
const HANG_GUARD_MS = 60_000;

const onPostgres = await postgresAnswers();
if (!onPostgres) {
  console.warn(
    `Postgres does not answer at ${DATABASE_URL}: the secrets audit runs on PGlite instead, and its database is read by SQL rather than pg_dump.`,
  );
}
const auditUrl = (() => {
  const url = new URL(DATABASE_URL);
  url.pathname = `/${AUDIT_DB}`;
  return url.toString();
})();
const workDir = mkdtempSync(join(tmpdir(), "rk-secrets-audit-"));
let auditDbCreated = false;

afterAll(async () => {
  rmSync(workDir, { recursive: true, force: true });
  if (!auditDbCreated) return;
  await withClient(DATABASE_URL, (client) =>
    client.query(`DROP DATABASE IF EXISTS "${AUDIT_DB}" WITH (FORCE)`),
  );
});

async function withClient<T>(url: string, use: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end();
  }
}

/** The database the server wrote, read after it stopped: its event rows and a dump of all of it. */
interface AuditDatabase {
  readonly dumpedBy: string;
  eventRows(): Promise<string[]>;
  dump(): Promise<string>;
  /** For the positive control: SQL run in the database itself. */
  exec(sql: string, params?: unknown[]): Promise<void>;
  close(): Promise<void>;
}

const EVENT_ROWS = `SELECT row_to_json(e)::text AS row FROM ${SCHEMA}.restore_events e ORDER BY restore_id, seq`;

function postgresDatabase(): AuditDatabase {
  return {
    dumpedBy: `pg_dump of the database ${AUDIT_DB}`,
    eventRows: () =>
      withClient(auditUrl, async (client) =>
        (await client.query<{ row: string }>(EVENT_ROWS)).rows.map((r) => r.row),
      ),
    async dump() {
      const { stdout } = await promisify(execFile)(PG_DUMP, ["--no-owner", "--dbname", auditUrl], {
        maxBuffer: 256 * 1024 * 1024,
        timeout: HANG_GUARD_MS,
      });
      return stdout;
    },
    exec: (sql, params) =>
      withClient(auditUrl, async (client) => {
        await client.query(sql, params);
      }),
    close: async () => undefined,
  };
}

/** PGlite has no pg_dump here: every row of every table, as JSON text, stands in for it. */
async function pgliteDatabase(dataDir: string): Promise<AuditDatabase> {
  const { PGlite } = await import("@electric-sql/pglite");
  const db = await PGlite.create({ dataDir: join(dataDir, "pgdata") });
  return {
    dumpedBy: "every row of every table of the PGlite database, read by SQL (no pg_dump on PGlite)",
    eventRows: async () => (await db.query<{ row: string }>(EVENT_ROWS)).rows.map((r) => r.row),
    async dump() {
      const tables = await db.query<{ schema: string; name: string }>(
        `SELECT table_schema AS schema, table_name AS name FROM information_schema.tables
         WHERE table_schema NOT IN ('pg_catalog', 'information_schema') ORDER BY 1, 2`,
      );
      const lines: string[] = [];
      for (const { schema, name } of tables.rows) {
        const rows = await db.query<{ row: string }>(
          `SELECT row_to_json(t)::text AS row FROM "${schema}"."${name}" t`,
        );
        lines.push(`-- ${schema}.${name}`, ...rows.rows.map((r) => r.row));
      }
      return `${lines.join("\n")}\n`;
    },
    exec: async (sql, params) => {
      await db.query(sql, params);
    },
    close: () => db.close(),
  };
}

/** One exchange with the server, kept as it came: status, headers and the body's raw text. */
interface Exchange {
  readonly label: string;
  readonly status: number;
  readonly headers: string;
  readonly body: string;
  /** Only the agent's password fetch: its body is the ciphertext by design. */
  readonly bodyIsThePassword: boolean;
}

interface SendOptions {
  token?: string;
  method?: string;
  /** An object is sent as JSON; a string as it is. */
  body?: unknown;
  contentType?: string;
  accept?: string;
  passwordFetch?: boolean;
}

const TENANT = "7301";
const OTHER_TENANT = "7302";
const SOURCE_MACHINE = 4101;
const DESTINATION_MACHINE = 4102;
const ENCRYPTED_BACKUP = 5101;
const PLAIN_BACKUP = 5102;

const randomToken = (role: string) => `rk-${role}-${randomBytes(32).toString("base64url")}`;

describe(
  onPostgres
    ? `secrets audit on Postgres (a database of its own, pg_dump)`
    : "secrets audit on PGlite (Postgres is down: the database is read by SQL, not pg_dump)",
  () => {
    it("finds no passphrase, ciphertext, sealing key or token in logs, responses, events or the database", async () => {
      // The destination agent's key pair, and another one: a password encrypted for the wrong key.
      const agentKeys = generateKeyPairSync("rsa", { modulusLength: 2048 });
      const strangerKeys = generateKeyPairSync("rsa", { modulusLength: 2048 });
      const agentPublicPem = agentKeys.publicKey.export({ type: "spki", format: "pem" }).toString();

      const tokens = {
        creator: randomToken("creator"),
        observer: randomToken("observer"),
        otherAdmin: randomToken("other-admin"),
        agent: randomToken("agent"),
        otherAgent: randomToken("other-agent"),
      };
      // Refused with 401; neither may be echoed. The second is the creator's token cut short.
      const badTokens = {
        random: randomToken("bad"),
        nearMiss: tokens.creator.slice(0, -1),
      };
      const sealingKeys = { current: randomBytes(32), old: randomBytes(32) };

      // Random first, so that no two share a beginning; one is not ASCII.
      const passphrase = (n: number, extra = "") =>
        `${randomBytes(12).toString("base64url")} audit${extra} ${n}`;
      const passphrases = {
        one: passphrase(1, " été"),
        two: passphrase(2),
        wrongKey: passphrase(3),
        notAllowed: passphrase(4),
        leftSealed: passphrase(5),
        stopped: passphrase(6),
        rejected: passphrase(7),
      };
      const encrypt = (text: string, key = agentPublicPem) =>
        encryptPassword(text, key)._unsafeUnwrap();
      // A ciphertext for another key passes the server's checks only when it is also below the
      // agent's modulus (about half of them are): drawn until it is, so the start is accepted.
      const agentModulus = BigInt(
        `0x${Buffer.from(String(agentKeys.publicKey.export({ format: "jwk" }).n), "base64url").toString("hex")}`,
      );
      const strangerPem = strangerKeys.publicKey.export({ type: "spki", format: "pem" }).toString();
      const forTheWrongKey = (): string => {
        for (;;) {
          const hex = encrypt(passphrases.wrongKey, strangerPem);
          if (BigInt(`0x${hex}`) < agentModulus) return hex;
        }
      };
      const ciphertexts = {
        one: encrypt(passphrases.one),
        two: encrypt(passphrases.two),
        wrongKey: forTheWrongKey(),
        notAllowed: encrypt(passphrases.notAllowed),
        leftSealed: encrypt(passphrases.leftSealed),
        stopped: encrypt(passphrases.stopped),
        rejected: encrypt(passphrases.rejected),
      };
      // What malformed EncryptedPasswords a client sent: cut from a real one, so they are secrets too.
      const malformed = {
        notHex: `${ciphertexts.rejected.slice(0, -2)}ZZ`,
        wrongLength: ciphertexts.rejected.slice(0, -4),
      };

      const secrets: Secret[] = [
        ...Object.entries(passphrases).map(([name, text]) =>
          textSecret(`passphrase ${name}`, text),
        ),
        ...Object.entries(ciphertexts).map(([name, hex]) =>
          bytesSecret(`ciphertext ${name}`, Buffer.from(hex, "hex")),
        ),
        ...Object.entries(malformed).map(([name, text]) =>
          textSecret(`malformed ciphertext ${name}`, text),
        ),
        bytesSecret("sealing key (current)", sealingKeys.current),
        bytesSecret("sealing key (old)", sealingKeys.old),
        ...Object.entries(tokens).map(([name, text]) => textSecret(`token ${name}`, text)),
        ...Object.entries(badTokens).map(([name, text]) => textSecret(`bad token ${name}`, text)),
      ];

      const tokensFile = join(workDir, "tokens.json");
      writeFileSync(
        tokensFile,
        JSON.stringify([
          {
            token: tokens.creator,
            tenant: TENANT,
            roles: ["cloudbackup:creator"],
            userId: "audit-creator",
          },
          {
            token: tokens.observer,
            tenant: TENANT,
            roles: ["cloudbackup:observer"],
            userId: "audit-observer",
          },
          {
            token: tokens.otherAdmin,
            tenant: OTHER_TENANT,
            roles: ["cloudbackup:admin"],
            userId: "audit-other-admin",
          },
          { token: tokens.agent, tenant: TENANT, agentId: DESTINATION_MACHINE },
          { token: tokens.otherAgent, tenant: TENANT, agentId: SOURCE_MACHINE },
        ]),
      );
      const catalogFile = join(workDir, "catalog.json");
      const backup = (backupId: number, isEncrypted: boolean) => ({
        tenantId: TENANT,
        backupId,
        machineId: SOURCE_MACHINE,
        configurationId: backupId + 1000,
        configurationName: `Audit_${backupId}`,
        restorePoint: "2024-03-01T02:00:00Z",
        flavor: "RaxCloudServer",
        dataCenter: "ORD",
        isEncrypted,
      });
      writeFileSync(
        catalogFile,
        JSON.stringify({
          machines: [
            { tenantId: TENANT, machineId: SOURCE_MACHINE, name: "AUDIT-SRC", publicKey: null },
            {
              tenantId: TENANT,
              machineId: DESTINATION_MACHINE,
              name: "AUDIT-DST",
              publicKey: agentPublicPem,
            },
          ],
          backups: [backup(ENCRYPTED_BACKUP, true), backup(PLAIN_BACKUP, false)],
        }),
      );

      const dataDir = join(workDir, "data");
      if (onPostgres) {
        await withClient(DATABASE_URL, (client) => client.query(`CREATE DATABASE "${AUDIT_DB}"`));
        auditDbCreated = true;
      }
      const server = await startServerProcess({
        PORT: "0",
        DATA_DIR: dataDir,
        LOG_LEVEL: "debug",
        RESTOREKIT_DEMO: "0",
        RESTOREKIT_TOKENS_FILE: tokensFile,
        RESTOREKIT_CATALOG_FILE: catalogFile,
        RESTOREKIT_SEALING_KEYS: `audit-k2:${sealingKeys.current.toString("base64")},audit-k1:${sealingKeys.old.toString("base64")}`,
        RESTOREKIT_SEALING_KEY_CURRENT: "audit-k2",
        // A short timeout, so a locked table gives the session its 503 quickly.
        ...(onPostgres ? { DATABASE_URL: auditUrl, RESTOREKIT_DB_TIMEOUT_MS: "500" } : {}),
      });

      const exchanges: Exchange[] = [];
      const statuses: string[] = [];
      // Every status is checked after the session, all at once, so one surprise shows them all.
      const expectedStatuses: string[] = [];
      const step = async (
        label: string,
        expected: number,
        path: string,
        options: SendOptions = {},
      ): Promise<Exchange> => {
        expectedStatuses.push(`${label}: ${expected}`);
        const headers: Record<string, string> = {};
        if (options.token !== undefined) headers["x-auth-token"] = options.token;
        if (options.accept !== undefined) headers.accept = options.accept;
        if (options.body !== undefined)
          headers["content-type"] = options.contentType ?? "application/json";
        const response = await fetch(`${server.url}${path}`, {
          method: options.method ?? "GET",
          headers,
          signal: AbortSignal.timeout(HANG_GUARD_MS),
          ...(options.body === undefined
            ? {}
            : {
                body:
                  typeof options.body === "string" ? options.body : JSON.stringify(options.body),
              }),
        });
        const exchange: Exchange = {
          label,
          status: response.status,
          headers: [...response.headers].map(([name, value]) => `${name}: ${value}`).join("\n"),
          body: await response.text(),
          bodyIsThePassword: options.passwordFetch === true && response.status === 200,
        };
        exchanges.push(exchange);
        statuses.push(`${label}: ${exchange.status}`);
        return exchange;
      };
      const v1 = `/v1.0/${TENANT}/restore`;
      const action = `${v1}/action-requested`;
      const v2 = (id: number) => `/v2/${TENANT}/restores/${id}`;
      const creator = { token: tokens.creator };
      const patch = (value: unknown) => ({
        token: tokens.agent,
        method: "PATCH",
        body: value,
        contentType: "application/json-patch+json",
      });
      const start = (id: number, encryptedPassword?: string, token = tokens.creator) => ({
        token,
        method: "POST",
        body: {
          Action: "StartManual",
          Id: id,
          ...(encryptedPassword === undefined ? {} : { EncryptedPassword: encryptedPassword }),
        },
      });
      const createBody = (backupId: number) => ({
        BackupId: backupId,
        BackupMachineId: SOURCE_MACHINE,
        DestinationMachineId: DESTINATION_MACHINE,
        DestinationPath: "D:\\Restores\\Audit\\",
        OverwriteFiles: false,
      });
      const now = () => new Date().toISOString();

      let stopped = false;
      try {
        // Creates: six encrypted or not, and the errors of a create.
        const ids: number[] = [];
        for (const [n, backupId] of [
          ENCRYPTED_BACKUP,
          ENCRYPTED_BACKUP,
          ENCRYPTED_BACKUP,
          PLAIN_BACKUP,
          ENCRYPTED_BACKUP,
          ENCRYPTED_BACKUP,
        ].entries()) {
          const created = await step(`create ${n + 1}`, 200, v1, {
            ...creator,
            method: "PUT",
            body: createBody(backupId),
          });
          ids.push(Number((JSON.parse(created.body) as { RestoreId: number }).RestoreId));
        }
        const [r1, r2, r3, r4, r5, r6] = ids as [number, number, number, number, number, number];
        await step("create of an unknown backup", 400, v1, {
          ...creator,
          method: "PUT",
          body: createBody(999_999),
        });
        await step("create by the observer", 403, v1, {
          token: tokens.observer,
          method: "PUT",
          body: createBody(ENCRYPTED_BACKUP),
        });
        await step("update", 204, v1, {
          ...creator,
          method: "POST",
          body: { ...createBody(ENCRYPTED_BACKUP), RestoreId: r1, DestinationPath: "E:\\Audit\\" },
        });
        await step("update with a bad field", 400, v1, {
          ...creator,
          method: "POST",
          body: { ...createBody(ENCRYPTED_BACKUP), RestoreId: r1, OverwriteFiles: "yes" },
        });

        // Starts that are refused, each carrying a ciphertext (or a malformed one).
        await step("start without a password", 400, action, start(r1));
        await step("start, password not hex", 400, action, start(r1, malformed.notHex));
        await step(
          "start, password of the wrong length",
          400,
          action,
          start(r1, malformed.wrongLength),
        );
        await step(
          "start, password not below the modulus",
          400,
          action,
          start(r1, "FF".repeat(256)),
        );
        await step("start, password not hex, as a problem", 400, action, {
          ...start(r1, malformed.notHex),
          accept: "application/problem+json",
        });
        await step("start, password not a string", 400, action, {
          ...creator,
          method: "POST",
          body: { Action: "StartManual", Id: r1, EncryptedPassword: { hex: ciphertexts.one } },
        });
        await step("start, invalid JSON around a password", 400, action, {
          ...creator,
          method: "POST",
          body: `{"Action": "StartManual", "EncryptedPassword" : '${ciphertexts.one}', "Id": ${r1}}`,
        });
        await step("start, unknown action with a password", 400, action, {
          ...creator,
          method: "POST",
          body: { Action: "StartNow", Id: r1, EncryptedPassword: ciphertexts.one },
        });
        await step("start as text/plain", 415, action, {
          ...start(r1, ciphertexts.one),
          contentType: "text/plain",
        });
        await step("start, body over 64 KiB", 413, action, {
          ...creator,
          method: "POST",
          body: JSON.stringify({
            Action: "StartManual",
            Id: r1,
            EncryptedPassword: ciphertexts.one.repeat(140),
          }),
        });
        await step(
          "start by the observer",
          403,
          action,
          start(r1, ciphertexts.one, tokens.observer),
        );
        await step(
          "start by another tenant's admin",
          403,
          action,
          start(r1, ciphertexts.one, tokens.otherAdmin),
        );
        await step(
          "start in another tenant",
          404,
          `/v1.0/${OTHER_TENANT}/restore/action-requested`,
          start(r1, ciphertexts.one, tokens.otherAdmin),
        );
        await step(
          "start with a bad token",
          401,
          action,
          start(r1, ciphertexts.one, badTokens.random),
        );
        await step(
          "start with a token cut short",
          401,
          action,
          start(r1, ciphertexts.one, badTokens.nearMiss),
        );
        await step("start by the agent", 403, action, start(r1, ciphertexts.one, tokens.agent));
        await step("start of an unknown restore", 404, action, start(999_999, ciphertexts.one));
        await step("stop before the start, with a password", 400, action, {
          ...creator,
          method: "POST",
          body: { Action: "StopManual", Id: r1, EncryptedPassword: ciphertexts.rejected },
        });
        await step(
          "start an unencrypted restore with a password",
          400,
          action,
          start(r4, ciphertexts.notAllowed),
        );

        // Starts that are taken: one in lower case with spaces, one for the wrong key.
        await step("start 1", 204, action, start(r1, ciphertexts.one));
        await step("start 1 again", 204, action, start(r1, ciphertexts.one));
        const spaced = ciphertexts.two.toLowerCase().replace(/(.{64})/g, "$1 ");
        await step("start 2, lower case with spaces", 204, action, start(r2, spaced));
        await step("start 3, for the wrong key", 204, action, start(r3, ciphertexts.wrongKey));
        await step("start 4, unencrypted", 204, action, start(r4));
        await step("start 5, left sealed", 204, action, start(r5, ciphertexts.leftSealed));
        await step("start 6", 204, action, start(r6, ciphertexts.stopped));
        await step("stop 6", 204, action, {
          ...creator,
          method: "POST",
          body: { Action: "StopManual", Id: r6 },
        });
        await step("start 6 while stopped", 400, action, start(r6, ciphertexts.stopped));

        // The agent: its password fetches, and the errors around them.
        const fetched = new Map<number, string>();
        for (const id of [r1, r2, r3]) {
          const answer = await step(`password ${id}`, 200, `${v2(id)}/password`, {
            token: tokens.agent,
            passwordFetch: true,
          });
          fetched.set(
            id,
            (JSON.parse(answer.body) as { EncryptedPassword: string }).EncryptedPassword,
          );
        }
        await step("password by the creator", 403, `${v2(r1)}/password`, creator);
        await step("password by another agent", 403, `${v2(r1)}/password`, {
          token: tokens.otherAgent,
        });
        await step("password with a bad token", 401, `${v2(r1)}/password`, {
          token: badTokens.random,
        });
        await step("password of an unencrypted restore", 404, `${v2(r4)}/password`, {
          token: tokens.agent,
        });
        await step("password of a stopped restore", 404, `${v2(r6)}/password`, {
          token: tokens.agent,
        });
        await step(
          "password in another tenant",
          403,
          `/v2/${OTHER_TENANT}/restores/${r1}/password`,
          {
            token: tokens.agent,
          },
        );
        await step("password by POST", 405, `${v2(r1)}/password`, {
          token: tokens.agent,
          method: "POST",
        });

        // The agent opens what it fetched: the session is the real thing, not a shape of it.
        const open = (id: number) =>
          decryptPassword(fetched.get(id) ?? "", agentKeys.privateKey).map((s) => s.reveal());
        expect(open(r1)._unsafeUnwrap()).toBe(passphrases.one);
        expect(open(r2)._unsafeUnwrap()).toBe(passphrases.two);
        expect(open(r3).isErr()).toBe(true);

        // Restore 1 walks to Completed, with a conflict and the errors of the agent's route.
        for (const state of ["queued", "preparing"]) {
          await step(
            `report 1 ${state}`,
            204,
            v2(r1),
            patch([{ op: "replace", path: "/state", value: state }]),
          );
        }
        await step(
          "report 1 in_progress",
          204,
          v2(r1),
          patch([
            { op: "replace", path: "/state", value: "in_progress" },
            { op: "add", path: "/started_time", value: now() },
            { op: "add", path: "/files_restored", value: 10 },
          ]),
        );
        await step(
          "report 1 queued after in_progress",
          409,
          v2(r1),
          patch([{ op: "replace", path: "/state", value: "queued" }]),
        );
        await step("report as text/plain", 415, v2(r1), {
          ...patch([{ op: "replace", path: "/state", value: "in_progress" }]),
          contentType: "text/plain",
        });
        await step(
          "report, invalid JSON",
          400,
          v2(r1),
          patch(`[{"op": "replace", "path": "/state", "value": 'x'}]`),
        );
        await step(
          "report, unknown state",
          400,
          v2(r1),
          patch([{ op: "replace", path: "/state", value: "exploded" }]),
        );
        await step("report by another agent", 403, v2(r1), {
          ...patch([{ op: "replace", path: "/state", value: "in_progress" }]),
          token: tokens.otherAgent,
        });
        await step("report by the creator", 403, v2(r1), {
          ...patch([{ op: "replace", path: "/state", value: "in_progress" }]),
          token: tokens.creator,
        });
        await step("report with a bad token", 401, v2(r1), {
          ...patch([{ op: "replace", path: "/state", value: "in_progress" }]),
          token: badTokens.nearMiss,
        });
        await step(
          "report on an unknown restore",
          404,
          v2(999_999),
          patch([{ op: "replace", path: "/state", value: "queued" }]),
        );
        await step("report by GET", 405, v2(r1), { token: tokens.agent });
        await step(
          "report 1 completed",
          204,
          v2(r1),
          patch([
            { op: "replace", path: "/state", value: "completed" },
            { op: "add", path: "/ended_time", value: now() },
            { op: "add", path: "/files_restored", value: 20 },
            { op: "add", path: "/bytes_restored", value: 18_874_368 },
          ]),
        );
        await step(
          "report 1 in_progress after completed",
          409,
          v2(r1),
          patch([{ op: "replace", path: "/state", value: "in_progress" }]),
        );
        await step("password 1 once finished", 404, `${v2(r1)}/password`, { token: tokens.agent });
        await step("start 1 once finished", 400, action, start(r1, ciphertexts.one));

        // Restore 2 finishes with errors, restore 3 fails (its password did not open), 4 completes.
        const errorsOf = (reason: string) => ({
          reason,
          diagnostics: "some files could not be restored",
          list: [
            {
              index: 0,
              path: "D:\\Restores\\Audit\\locked.db",
              type: "FileLocked",
              exception: {
                code: 32,
                description: "The file is in use.",
                details: "sharing violation",
              },
            },
          ],
        });
        await step(
          "report 2 in_progress",
          204,
          v2(r2),
          patch([{ op: "replace", path: "/state", value: "in_progress" }]),
        );
        await step(
          "report 2 completed_with_errors",
          204,
          v2(r2),
          patch([
            { op: "replace", path: "/state", value: "completed_with_errors" },
            { op: "add", path: "/files_restored", value: 2 },
            { op: "add", path: "/errors", value: errorsOf("UnableToProcessSomeFiles") },
          ]),
        );
        await step(
          "report 3 failed",
          204,
          v2(r3),
          patch([
            { op: "replace", path: "/state", value: "failed" },
            { op: "add", path: "/ended_time", value: now() },
            {
              op: "add",
              path: "/errors",
              value: { ...errorsOf("VaultPasswordRejected"), list: [] },
            },
          ]),
        );
        await step(
          "report 4 queued",
          204,
          v2(r4),
          patch([{ op: "replace", path: "/state", value: "queued" }]),
        );
        await step(
          "report 4 completed",
          204,
          v2(r4),
          patch([{ op: "replace", path: "/state", value: "completed" }]),
        );

        // Reads: details, events and reports, and their errors.
        for (const id of ids) {
          await step(`details ${id}`, 200, `${v1}/${id}`, { token: tokens.observer });
          await step(`events ${id}`, 200, `${v1}/${id}/events`, { token: tokens.observer });
        }
        for (const id of [r1, r2, r3, r4, r6]) {
          await step(`report ${id}`, 200, `${v1}/report/${id}`, { token: tokens.observer });
        }
        await step("report not ready", 404, `${v1}/report/${r5}`, creator);
        await step("details of an unknown restore", 404, `${v1}/999999`, creator);
        await step("details in another tenant", 404, `/v1.0/${OTHER_TENANT}/restore/${r1}`, {
          token: tokens.otherAdmin,
        });
        await step("details by another tenant's admin", 403, `${v1}/${r1}`, {
          token: tokens.otherAdmin,
        });
        await step("details without a token", 401, `${v1}/${r1}`);
        await step("events with a bad query", 400, `${v1}/${r1}/events?after=-1`, creator);
        await step("details by DELETE", 405, `${v1}/${r1}`, { ...creator, method: "DELETE" });
        await step("unknown route", 404, "/v1.0/nowhere", creator);
        if (onPostgres) {
          // A storage failure is where a driver's text could carry values: the table is locked
          // past the server's timeout while a start with a password waits on it.
          await withClient(auditUrl, async (client) => {
            await client.query("BEGIN");
            await client.query(`LOCK TABLE "${SCHEMA}".restores IN ACCESS EXCLUSIVE MODE`);
            try {
              await step(
                "start while the database is locked",
                503,
                action,
                start(r5, ciphertexts.one),
              );
            } finally {
              await client.query("ROLLBACK");
            }
          });
        }
        await step("healthz", 200, "/healthz");
        await step("readyz", 200, "/readyz");
      } finally {
        const exit = await server.stop();
        stopped = exit.code === 0;
      }
      expect(stopped, `the server did not exit cleanly:\n${server.output()}`).toBe(true);
      expect(statuses).toEqual(expectedStatuses);

      // The corpus: the server's whole output, every response, every event row, the database.
      const logLines = server
        .output()
        .split("\n")
        .filter((line) => line.trim() !== "");
      expect(
        logLines.some((line) => line.includes('"level":20')),
        "the server logged nothing at debug",
      ).toBe(true);
      const database = onPostgres ? postgresDatabase() : await pgliteDatabase(dataDir);
      try {
        const eventRows = await database.eventRows();
        const dump = await database.dump();
        expect(dump).toContain("restore_events");

        const logItems = logLines.map(
          (text, n): CorpusItem => ({ corpus: "log", where: `line ${n + 1}`, text }),
        );
        // The agent's password fetches answer the ciphertext by design: their bodies, and only they,
        // are left out of the search; their headers are searched like every other response's.
        const responseItems = exchanges.flatMap((exchange, n): CorpusItem[] => [
          {
            corpus: "responses",
            where: `#${n + 1} ${exchange.label}: headers`,
            text: exchange.headers,
          },
          ...(exchange.bodyIsThePassword
            ? []
            : [
                {
                  corpus: "responses",
                  where: `#${n + 1} ${exchange.label}: body`,
                  text: exchange.body,
                },
              ]),
        ]);
        const eventItems = eventRows.map(
          (text, n): CorpusItem => ({ corpus: "events", where: `row ${n + 1}`, text }),
        );
        const dumpItems = (dump: string) =>
          dump
            .split("\n")
            .map((text, n): CorpusItem => ({ corpus: "dump", where: `line ${n + 1}`, text }));
        const corpus = [...logItems, ...responseItems, ...eventItems, ...dumpItems(dump)];

        const findings = searchSecrets(secrets, corpus);
        expect(findings.map(describeFinding)).toEqual([]);

        // The positive control: the same search over copies with one secret planted per encoding.
        const secret = (label: string) => secrets.find((s) => s.label === label) as Secret;
        const plants: { secret: Secret; encoding: Encoding }[] = [
          { secret: secret("ciphertext one"), encoding: "hex-upper" },
          { secret: secret("ciphertext two"), encoding: "hex-lower" },
          { secret: secret("ciphertext leftSealed"), encoding: "base64" },
          { secret: secret("passphrase one"), encoding: "plain" },
        ];
        const form = (p: (typeof plants)[number]) => encode(p.secret, p.encoding) ?? "";
        const expected = (corpusName: string, where: (n: number) => string) =>
          plants.map(
            (p, n): Finding => ({
              secret: p.secret.label,
              encoding: p.encoding,
              corpus: corpusName,
              where: where(n),
            }),
          );
        const planted = (
          items: CorpusItem[],
          corpusName: string,
          text: (value: string) => string,
        ) => [
          ...items,
          ...plants.map(
            (p, n): CorpusItem => ({
              corpus: corpusName,
              where: `planted ${n + 1}`,
              text: text(form(p)),
            }),
          ),
        ];
        const controls: { name: string; found: Finding[]; expected: Finding[] }[] = [
          {
            name: "log",
            found: searchSecrets(
              secrets,
              planted(logItems, "log", (value) =>
                JSON.stringify({ level: 20, msg: "request received", body: value }),
              ),
            ),
            expected: expected("log", (n) => `planted ${n + 1}`),
          },
          {
            name: "responses",
            // Written as v1 bodies write `/`, so the base64 plant also checks the `\/` escape.
            found: searchSecrets(
              secrets,
              planted(responseItems, "responses", (value) =>
                JSON.stringify({ badRequest: { message: value } }).replaceAll("/", "\\/"),
              ),
            ),
            expected: expected("responses", (n) => `planted ${n + 1}`),
          },
          {
            name: "events",
            found: searchSecrets(
              secrets,
              planted(eventItems, "events", (value) =>
                JSON.stringify({ type: "RestoreStartRequested", data: { note: value } }),
              ),
            ),
            expected: expected("events", (n) => `planted ${n + 1}`),
          },
        ];
        // In the database itself, then dumped again: the hex-lower plant is a bytea, as pg_dump writes it.
        await database.exec("CREATE SCHEMA audit_scratch");
        await database.exec(
          "CREATE TABLE audit_scratch.planted (n int, as_text text, as_bytes bytea)",
        );
        for (const [n, p] of plants.entries()) {
          const asBytes = p.encoding === "hex-lower";
          await database.exec("INSERT INTO audit_scratch.planted VALUES ($1, $2, $3)", [
            n + 1,
            asBytes ? null : form(p),
            asBytes ? Buffer.from(p.secret.bytes) : null,
          ]);
        }
        const controlDump = await database.dump();
        const controlDumpItems = dumpItems(controlDump);
        const dumpFound = searchSecrets(secrets, controlDumpItems);
        controls.push({
          name: "dump",
          found: dumpFound.map((f) => ({ ...f, where: "" })),
          expected: expected("dump", () => ""),
        });
        for (const control of controls) {
          expect(
            control.found.map(describeFinding).sort(),
            `the search did not find exactly what was planted in the ${control.name}`,
          ).toEqual(control.expected.map(describeFinding).sort());
        }
        // And the one response left out holds its ciphertext, which the search finds there.
        const passwordBodies = exchanges
          .filter((exchange) => exchange.bodyIsThePassword)
          .map(
            (exchange, n): CorpusItem => ({
              corpus: "password fetch",
              where: `${n + 1}`,
              text: exchange.body,
            }),
          );
        const inPasswordBodies = searchSecrets(secrets, passwordBodies).map((f) => f.secret);
        for (const name of ["one", "two", "wrongKey"]) {
          expect(inPasswordBodies).toContain(`ciphertext ${name}`);
        }

        const size = searchSize(secrets);
        const kb = (text: string) => `${(Buffer.byteLength(text) / 1024).toFixed(1)} KiB`;
        const plantedCount = controls.reduce((sum, c) => sum + c.expected.length, 0);
        console.log(
          [
            `${onPostgres ? `on Postgres, ${database.dumpedBy}` : `on PGlite: ${database.dumpedBy}`}; LOG_LEVEL=debug`,
            `searched ${logItems.length} log lines (${kb(server.output())}), ${exchanges.length} responses (every header; every body but the ${passwordBodies.length} password fetches), ${eventItems.length} event rows, a dump of ${kb(dump)}`,
            `for ${secrets.length} secrets (${Object.keys(passphrases).length} passphrases, ${Object.keys(ciphertexts).length + Object.keys(malformed).length} ciphertexts, 2 sealing keys, ${Object.keys(tokens).length + Object.keys(badTokens).length} tokens) in ${size.forms} encoded forms (hex lower and upper, base64 in both alphabets, plain), ${size.needles} search strings with fragments and JSON escapes`,
            `found: ${findings.length}`,
            `control found: yes (${plantedCount} of ${plantedCount} planted in log, responses, events and the database; the password fetches hold their ciphertexts)`,
          ]
            .map((line) => `secrets audit: ${line}`)
            .join("\n"),
        );
      } finally {
        await database.close();
      }
    }, 300_000);
  },
);
