/**
 * The same state changes two ways against the real server, side by side:
 * (a) the naive work straight through `pg` (read the row, then BEGIN,
 * version-checked UPDATE, INSERT of the event, COMMIT), and (b) core's
 * service over `postgresRepository` (a prepared read, then one prepared
 * statement that updates, appends and notifies; the service decides on the
 * restore as it last wrote it, so a change is one round trip), and (b0) the
 * same service told to remember nothing, which reads the row first. Each change is an agent's
 * progress report on a restore in progress, at 16 concurrent clients over
 * 1 000 restores per path. Prints rates, p50/p99 latencies and b/a.
 *
 *   pnpm --filter @restorekit/postgres bench   (DATABASE_URL to use another server)
 */
import { execSync } from "node:child_process";
import { cpus } from "node:os";
import { performance } from "node:perf_hooks";
import { createRestoreService, type RequestContext, type RestoreService } from "@restorekit/core";
import {
  agentPrincipal,
  BACKUP_MACHINE_ID,
  DEFAULT_TENANT,
  DESTINATION_MACHINE_ID,
  fakeBackupCatalog,
  fixedClock,
  inMemoryPasswordVault,
  UNENCRYPTED_BACKUP_ID,
  userPrincipal,
} from "@restorekit/testing";
import pg from "pg";
import { fromPool, migrate, postgresIdGenerator, postgresRepository } from "../src/index.js";

const DATABASE_URL = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const CLIENTS = 16;
const RESTORES = 1_000;
const WARMUP_MS = 1_500;
const MEASURE_MS = 6_000;
const ROUNDS = 2;
const SCHEMA = `bench_${process.pid}`;

interface Run {
  readonly ops: number;
  readonly seconds: number;
  readonly latencies: number[];
  readonly retries: number;
}

let request = 0;
const context = (principal = agentPrincipal()): RequestContext => {
  request += 1;
  return { principal, tenantId: DEFAULT_TENANT, requestId: `bench-${request}` };
};

function newPool(): pg.Pool {
  const pool = new pg.Pool({ connectionString: DATABASE_URL, max: CLIENTS });
  pool.on("error", () => undefined);
  return pool;
}

function serviceOver(pool: pg.Pool, knownRestores?: number): RestoreService {
  const client = fromPool(pool);
  return createRestoreService({
    ...(knownRestores === undefined ? {} : { knownRestores }),
    repository: postgresRepository(client, { schema: SCHEMA }),
    ids: postgresIdGenerator(client, { schema: SCHEMA }),
    catalog: fakeBackupCatalog(),
    vault: inMemoryPasswordVault(),
    clock: fixedClock(),
  });
}

function must<T>(result: { isOk(): boolean; _unsafeUnwrap(): T }, what: string): T {
  if (!result.isOk()) throw new Error(`bench setup: ${what} failed`);
  return result._unsafeUnwrap();
}

/** Restores in progress, created through the service so both paths start from real rows. */
async function inProgressRestores(service: RestoreService, count: number): Promise<number[]> {
  const ids: number[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      while (next < count) {
        next += 1;
        const created = must(
          await service.createRestore(context(userPrincipal()), {
            backupId: UNENCRYPTED_BACKUP_ID,
            backupMachineId: BACKUP_MACHINE_ID,
            destinationMachineId: DESTINATION_MACHINE_ID,
            destinationPath: "/var/restore",
            overwriteFiles: false,
          }),
          "create",
        );
        must(
          await service.requestAction(context(userPrincipal()), {
            action: "StartManual",
            restoreId: created.restoreId,
            encryptedPassword: null,
          }),
          "start",
        );
        must(
          await service.agentReport(context(), created.restoreId, {
            state: "InProgress",
            report: {},
          }),
          "in progress",
        );
        ids.push(created.restoreId);
      }
    }),
  );
  return ids;
}

/** (a): what an app writes by hand with `pg`, one unnamed statement per step. */
async function naiveChange(pool: pg.Pool, restoreId: number, files: number): Promise<number> {
  const s = `"${SCHEMA}"`;
  for (let attempt = 0; ; attempt += 1) {
    const read = await pool.query(
      `SELECT version, started_time, ended_time, bytes_restored, errors
       FROM ${s}.restores WHERE tenant_id = $1 AND restore_id = $2`,
      [DEFAULT_TENANT, restoreId],
    );
    const row = read.rows[0];
    const version = Number(row.version);
    const at = new Date().toISOString();
    const progress = {
      startedTime: row.started_time === null ? null : new Date(row.started_time).toISOString(),
      endedTime: row.ended_time === null ? null : new Date(row.ended_time).toISOString(),
      filesRestored: files,
      bytesRestored: row.bytes_restored === null ? null : Number(row.bytes_restored),
      errors: row.errors,
    };
    const client = await pool.connect();
    try {
      await client.query("BEGIN");
      const updated = await client.query(
        `UPDATE ${s}.restores SET files_restored = $3, version = $4, updated_at = $5
         WHERE tenant_id = $1 AND restore_id = $2 AND version = $6`,
        [DEFAULT_TENANT, restoreId, files, version + 1, at, version],
      );
      if (updated.rowCount === 0) {
        await client.query("ROLLBACK");
        continue;
      }
      await client.query(
        `INSERT INTO ${s}.restore_events (tenant_id, restore_id, seq, type, from_state_id,
           to_state_id, actor_type, actor_id, at, request_id, data)
         VALUES ($1, $2, $3, 'RestoreProgressReported', 2, 2, 'agent', $4, $5, $6, $7)`,
        [
          DEFAULT_TENANT,
          restoreId,
          version + 1,
          String(DESTINATION_MACHINE_ID),
          at,
          `bench-naive-${files}`,
          JSON.stringify({ progress }),
        ],
      );
      await client.query("COMMIT");
      return attempt;
    } catch (error) {
      await client.query("ROLLBACK").catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }
}

/** (b): the same change through core's service and the repository. */
async function serviceChange(service: RestoreService, restoreId: number, files: number) {
  must(
    await service.agentReport(context(), restoreId, {
      state: null,
      report: { filesRestored: files },
    }),
    "report",
  );
  return 0;
}

async function drive(
  restoreIds: readonly number[],
  durationMs: number,
  change: (restoreId: number, files: number) => Promise<number>,
): Promise<Run> {
  const latencies: number[] = [];
  let retries = 0;
  let files = 0;
  const started = performance.now();
  const deadline = started + durationMs;
  await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      while (performance.now() < deadline) {
        const restoreId = restoreIds[Math.floor(Math.random() * restoreIds.length)] ?? 0;
        files += 1;
        const t0 = performance.now();
        retries += await change(restoreId, files);
        latencies.push(performance.now() - t0);
      }
    }),
  );
  return {
    ops: latencies.length,
    seconds: (performance.now() - started) / 1000,
    latencies,
    retries,
  };
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

function summary(runs: readonly Run[]) {
  const ops = runs.reduce((n, r) => n + r.ops, 0);
  const seconds = runs.reduce((n, r) => n + r.seconds, 0);
  const sorted = runs.flatMap((r) => r.latencies).sort((x, y) => x - y);
  return {
    ops,
    rate: ops / seconds,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    retries: runs.reduce((n, r) => n + r.retries, 0),
  };
}

function shell(command: string): string {
  try {
    return execSync(command, { encoding: "utf8" }).trim();
  } catch {
    return "unknown";
  }
}

async function main(): Promise<void> {
  const poolA = newPool();
  const poolB = newPool();
  const setup = fromPool(poolB);
  must(await migrate(setup, { schema: SCHEMA }), "migrate");
  try {
    const service = serviceOver(poolB);
    // The same service with no memory of restores: every change reads the row first.
    const readFirst = serviceOver(poolB, 0);
    const naiveIds = await inProgressRestores(readFirst, RESTORES);
    const readFirstIds = await inProgressRestores(readFirst, RESTORES);
    const serviceIds = await inProgressRestores(service, RESTORES);
    const naive = (id: number, files: number) => naiveChange(poolA, id, files);
    const viaService = (id: number, files: number) => serviceChange(service, id, files);
    const viaReadFirst = (id: number, files: number) => serviceChange(readFirst, id, files);

    await drive(naiveIds, WARMUP_MS, naive);
    await drive(serviceIds, WARMUP_MS, viaService);
    await drive(readFirstIds, WARMUP_MS, viaReadFirst);
    const a: Run[] = [];
    const b: Run[] = [];
    const c: Run[] = [];
    // Alternated, so drift in the machine's load falls on every path alike.
    for (let round = 0; round < ROUNDS; round += 1) {
      a.push(await drive(naiveIds, MEASURE_MS, naive));
      b.push(await drive(serviceIds, MEASURE_MS, viaService));
      c.push(await drive(readFirstIds, MEASURE_MS, viaReadFirst));
    }
    const sa = summary(a);
    const sb = summary(b);
    const sc = summary(c);
    const version = (await poolA.query("SHOW server_version")).rows[0]?.server_version;

    const fixed = (n: number, digits = 2) => n.toFixed(digits);
    console.log(
      `\nmachine: node ${process.version}, ${cpus().length} cores (nproc ${shell("nproc")}), ${cpus()[0]?.model ?? "unknown CPU"}, Postgres ${version}`,
    );
    console.log(
      `workload: agent progress reports, ${CLIENTS} concurrent clients, ${RESTORES} restores per path, ${ROUNDS} alternating rounds of ${MEASURE_MS / 1000} s\n`,
    );
    console.log("| path | changes | changes/s | p50 ms | p99 ms | version retries |");
    console.log("| --- | ---: | ---: | ---: | ---: | ---: |");
    console.log(
      `| (a) naive pg: SELECT, BEGIN, UPDATE, INSERT, COMMIT | ${sa.ops} | ${fixed(sa.rate, 0)} | ${fixed(sa.p50)} | ${fixed(sa.p99)} | ${sa.retries} |`,
    );
    console.log(
      `| (b) service + postgresRepository | ${sb.ops} | ${fixed(sb.rate, 0)} | ${fixed(sb.p50)} | ${fixed(sb.p99)} | (inside the service) |`,
    );
    console.log(
      `| (b0) the same, knownRestores: 0 (reads the row first) | ${sc.ops} | ${fixed(sc.rate, 0)} | ${fixed(sc.p50)} | ${fixed(sc.p99)} | (inside the service) |`,
    );
    console.log(`\nratio b/a (changes/s): ${fixed(sb.rate / sa.rate)} (goal >= 1.2)`);
    console.log(`ratio b0/a (changes/s): ${fixed(sc.rate / sa.rate)}`);
  } finally {
    await poolA.query(`DROP SCHEMA IF EXISTS "${SCHEMA}" CASCADE`);
    await Promise.all([poolA.end(), poolB.end()]);
  }
}

await main();
