/**
 * The Postgres store on plain Postgres and on a Citus coordinator, side by
 * side in one run: the write path (a create, the append of a start, the
 * append of an agent's progress report) and a `load`, each through
 * `postgresRepository` as shipped (prepared statements, a warm pool, one
 * call at a time), with p50 / p95 per operation and the ratio citus / plain.
 * A third target, on the same coordinator, appends with the one-statement
 * append (`appendWith: "statement"`) instead of the function Citus runs on
 * the tenant's node: what the function saves there. The targets are
 * measured in rotating rounds, so a load that comes and goes on the machine
 * falls on all of them. Markdown on stdout, progress on stderr.
 * With no Citus coordinator (or no plain Postgres) answering, it says so and
 * exits 0, so `pnpm bench` runs it everywhere.
 *
 *   pnpm --filter @restorekit/postgres bench:citus
 *
 * Environment: DATABASE_URL (plain Postgres, default postgres://postgres@127.0.0.1:5432/test),
 * RESTOREKIT_CITUS_URL (the coordinator, default postgres://postgres@127.0.0.1:5441/postgres),
 * CITUS_BENCH_SAMPLES (timed calls per operation and target, default 600),
 * CITUS_BENCH_ROUNDS (rounds they are split into, default 4),
 * CITUS_BENCH_TENANTS (tenants the restores are spread over, default 32).
 */
import { performance } from "node:perf_hooks";
import type { AppendRequest, Restore } from "@restorekit/core";
import type { ResultAsync } from "neverthrow";
import pg from "pg";
import {
  type AppendWith,
  fromPool,
  migrate,
  type PostgresRepository,
  postgresIdGenerator,
  postgresRepository,
} from "../src/index.js";
import { createOf, reportOf, startOf } from "./bench-requests.js";
import { envNumber } from "./env-number.js";
import { loadAverage, machineInfo } from "./machine-info.js";
import { percentile } from "./percentile.js";
import { logStorageError } from "./storage-errors.js";

const PLAIN_URL = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const CITUS_URL = process.env.RESTOREKIT_CITUS_URL ?? "postgres://postgres@127.0.0.1:5441/postgres";
const SAMPLES = envNumber("CITUS_BENCH_SAMPLES", 600, { integer: true });
const ROUNDS = Math.min(SAMPLES, envNumber("CITUS_BENCH_ROUNDS", 4, { integer: true }));
const TENANTS = envNumber("CITUS_BENCH_TENANTS", 32, { integer: true });
/** Connections per target: what a small instance's pool holds, all opened before measuring. */
const POOL = 4;
/** Untimed calls per operation and target, POOL at a time, so every connection has prepared. */
const WARMUP = POOL * 5;
/** Restores in progress the reports go to, in turn. */
const IN_PROGRESS = 64;
const APP = `rkcitus_${process.pid}`;

const log = (line: string) => process.stderr.write(`${line}\n`);
const out = (line = "") => process.stdout.write(`${line}\n`);
const fixed = (value: number, digits = 2) => (Number.isNaN(value) ? "n/a" : value.toFixed(digits));

/** Where a server is, without the credentials a URL may hold. */
function address(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.host}${parsed.pathname}`;
  } catch {
    return "(an unparsable URL)";
  }
}

/** The value of a store call, or the bench stops: a figure of failed calls would mean nothing. */
async function value<T>(what: string, result: ResultAsync<T, { code: string }>): Promise<T> {
  const settled = await result;
  if (settled.isErr()) throw new Error(`${what}: ${settled.error.code}`);
  return settled.value;
}

/** Whether `url` answers, and whether the citus extension is there; null when nothing answers. */
async function citusThere(url: string): Promise<boolean | null> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3_000 });
  client.on("error", () => undefined);
  try {
    await client.connect();
    const { rows } = await client.query(
      "SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_extension WHERE extname = 'citus') AS citus",
    );
    return rows[0]?.citus === true;
  } catch {
    return null;
  } finally {
    await client.end().catch(() => undefined);
  }
}

type Operation = "create" | "start" | "report" | "load";
const OPERATIONS: readonly { key: Operation; label: string }[] = [
  { key: "create", label: "create (`nextRestoreId` + `append`, one event)" },
  { key: "start", label: "start (`append` of StartRequested on a restore in Creating)" },
  { key: "report", label: "report (`append` of a progress report on a restore in progress)" },
  { key: "load", label: "`load` of a random restore" },
];

/** One store under test: its pools, schema, the repository as shipped, and what it has written. */
interface Target {
  readonly name: "plain" | "citus" | "citus_statement";
  readonly setup: pg.Pool;
  readonly repository: PostgresRepository;
  nextId(): Promise<number>;
  /** Restores in Creating, waiting for a start, oldest first. */
  readonly creating: Restore[];
  /** Restores in progress, the last version of each. */
  readonly inProgress: Restore[];
  /** Every restore written, for `load` to pick from. */
  readonly written: { tenantId: string; restoreId: number }[];
  readonly timings: Map<Operation, number[]>;
  reports: number;
}

/** What a run must undo, whatever stops it: each schema it made, then its pools. */
const cleanups: (() => Promise<void>)[] = [];

let tenantTurn = 0;
const nextTenant = () => `bench-tenant-${(tenantTurn++ % TENANTS) + 1}`;

async function openTarget(
  name: Target["name"],
  url: string,
  appendWith?: AppendWith,
): Promise<Target> {
  const newPool = (max: number, suffix: string) => {
    const pool = new pg.Pool({
      connectionString: url,
      max,
      application_name: `${APP}_${suffix}`,
      // Never closed for being idle: every round finds the pool as warm as the last one left it.
      idleTimeoutMillis: 0,
    });
    pool.on("error", () => undefined);
    return pool;
  };
  const setup = newPool(1, `${name}_setup`);
  const pool = newPool(POOL, name);
  const schema = `${APP}_${name}`;
  cleanups.push(async () => {
    await setup
      .query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)
      .catch((error: unknown) => log(`could not drop ${schema}: ${String(error)}`));
    await Promise.all([setup.end(), pool.end()]);
  });
  const migrating = performance.now();
  const migrated = await migrate(fromPool(setup), { schema });
  if (migrated.isErr()) throw new Error(`migrate ${schema}: ${migrated.error.message}`);
  log(`${name}: schema migrated in ${fixed((performance.now() - migrating) / 1000, 1)} s`);
  const client = fromPool(pool);
  const ids = postgresIdGenerator(client, { schema, onError: logStorageError });
  await Promise.all(Array.from({ length: POOL }, () => pool.connect())).then((clients) => {
    for (const opened of clients) opened.release();
  });
  return {
    name,
    setup,
    repository: postgresRepository(client, {
      schema,
      onError: logStorageError,
      ...(appendWith === undefined ? {} : { appendWith }),
    }),
    nextId: () => value("nextRestoreId", ids.nextRestoreId()),
    creating: [],
    inProgress: [],
    written: [],
    timings: new Map(OPERATIONS.map(({ key }) => [key, []])),
    reports: 0,
  };
}

async function append(target: Target, request: AppendRequest): Promise<Restore> {
  return value(`append on ${target.name}`, target.repository.append(request));
}

/** One call of `operation` on `target`; every restore it writes is kept for the later operations. */
async function call(target: Target, operation: Operation): Promise<void> {
  switch (operation) {
    case "create": {
      const restoreId = await target.nextId();
      const tenantId = nextTenant();
      target.creating.push(await append(target, createOf(tenantId, restoreId, "Creating")));
      target.written.push({ tenantId, restoreId });
      return;
    }
    case "start": {
      const previous = target.creating.shift();
      if (previous === undefined) throw new Error(`${target.name}: no restore left to start`);
      await append(target, startOf(previous));
      return;
    }
    case "report": {
      const index = target.reports++ % target.inProgress.length;
      const previous = target.inProgress[index] as Restore;
      target.inProgress[index] = await append(target, reportOf(previous));
      return;
    }
    case "load": {
      const pick = target.written[Math.floor(Math.random() * target.written.length)];
      if (pick === undefined) throw new Error(`${target.name}: nothing written to load`);
      const found = await value("load", target.repository.load(pick.tenantId, pick.restoreId));
      if (found === null) throw new Error(`${target.name}: restore ${pick.restoreId} not found`);
      return;
    }
  }
}

/** The restores in progress the reports go to, written untimed, and each operation warmed up. */
async function prepare(target: Target): Promise<void> {
  for (let i = 0; i < IN_PROGRESS; i += 1) {
    const restoreId = await target.nextId();
    const tenantId = nextTenant();
    target.inProgress.push(await append(target, createOf(tenantId, restoreId, "InProgress")));
    target.written.push({ tenantId, restoreId });
  }
  for (const { key } of OPERATIONS) {
    for (let i = 0; i < WARMUP; i += POOL) {
      await Promise.all(Array.from({ length: POOL }, () => call(target, key)));
    }
  }
}

/** One round: `count` calls of each operation on `target`, one at a time, each timed. */
async function round(target: Target, count: number): Promise<void> {
  for (const { key } of OPERATIONS) {
    const timings = target.timings.get(key) as number[];
    for (let i = 0; i < count; i += 1) {
      const at = performance.now();
      await call(target, key);
      timings.push(performance.now() - at);
    }
  }
}

interface Figures {
  readonly p50: number;
  readonly p95: number;
  readonly samples: number;
}

function figures(values: readonly number[]): Figures {
  const sorted = [...values].sort((a, b) => a - b);
  return { p50: percentile(sorted, 50), p95: percentile(sorted, 95), samples: sorted.length };
}

async function citusInfo(setup: pg.Pool): Promise<string> {
  const { rows } = await setup.query<{ version: string; workers: number; shards: string }>(
    `SELECT citus_version() AS version,
            (SELECT count(*)::int FROM pg_dist_node WHERE noderole = 'primary' AND groupid <> 0) AS workers,
            current_setting('citus.shard_count') AS shards`,
  );
  const row = rows[0];
  return `- Citus: ${row?.version.split(" on ")[0] ?? "unknown"}; ${row?.workers ?? "?"} workers; citus.shard_count ${row?.shards ?? "?"} (the tables are distributed by tenant_id, co-located, by \`migrate\`)`;
}

async function main(): Promise<void> {
  const loadBefore = loadAverage();
  const startedAt = new Date().toISOString();
  out(`## The Postgres store on plain Postgres and on Citus (run of ${startedAt})\n`);
  const [plainThere, citus] = await Promise.all([citusThere(PLAIN_URL), citusThere(CITUS_URL)]);
  if (citus !== true || plainThere !== false) {
    const why =
      plainThere === null
        ? `no plain Postgres answered at ${address(PLAIN_URL)} (DATABASE_URL)`
        : plainThere
          ? `the Postgres at ${address(PLAIN_URL)} (DATABASE_URL) is a Citus node, not a plain Postgres`
          : citus === null
            ? `no Citus coordinator answered at ${address(CITUS_URL)} (RESTOREKIT_CITUS_URL)`
            : `the Postgres at ${address(CITUS_URL)} (RESTOREKIT_CITUS_URL) has no citus extension`;
    out(`Skipped: ${why}. Nothing was measured.`);
    log(`bench:citus skipped: ${why}`);
    return;
  }
  const began = performance.now();
  const targets: Target[] = [];
  try {
    targets.push(await openTarget("plain", PLAIN_URL));
    targets.push(await openTarget("citus", CITUS_URL));
    targets.push(await openTarget("citus_statement", CITUS_URL, "statement"));
    const [plain, onCitus, byStatement] = targets as [Target, Target, Target];
    out(`- plain Postgres: ${address(PLAIN_URL)}`);
    out((await machineInfo(plain.setup)).replace(/^/gm, "  "));
    out(`- Citus coordinator: ${address(CITUS_URL)}`);
    out((await machineInfo(onCitus.setup)).replace(/^/gm, "  "));
    out(`  ${await citusInfo(onCitus.setup)}`);
    out(`- load average before: ${loadBefore}`);
    const perRound = Math.ceil(SAMPLES / ROUNDS);
    out(
      `- each target: a pool of ${POOL} connections opened before measuring, ${WARMUP} untimed calls of each operation (${POOL} at a time, so every connection has prepared its statements), then ${ROUNDS} rounds of ${perRound} calls per operation, one call at a time; the targets take turns to go first from round to round; restores spread over ${TENANTS} tenants; "citus" appends as shipped there (the append function, sent to the tenant's node), "citus, statement" with \`appendWith: "statement"\` (the one-statement append, which Citus splits into steps)`,
    );
    for (const target of targets) await prepare(target);
    const roundLoads: string[] = [];
    for (let r = 0; r < ROUNDS; r += 1) {
      const order = [...targets.slice(r % targets.length), ...targets.slice(0, r % targets.length)];
      for (const target of order) await round(target, perRound);
      roundLoads.push(loadAverage());
      log(`round ${r + 1}/${ROUNDS} done, load ${roundLoads.at(-1)}`);
    }
    await Promise.all(targets.map((target) => target.repository.flushNotifications()));

    out(
      "\n| operation | plain p50 ms | plain p95 ms | citus p50 ms | citus p95 ms | citus/plain p50 | citus/plain p95 | citus, statement p50 ms | citus, statement / citus p50 | calls timed (each) |",
    );
    out("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    for (const { key, label } of OPERATIONS) {
      const p = figures(plain.timings.get(key) ?? []);
      const c = figures(onCitus.timings.get(key) ?? []);
      const st = figures(byStatement.timings.get(key) ?? []);
      out(
        `| ${label} | ${fixed(p.p50, 3)} | ${fixed(p.p95, 3)} | ${fixed(c.p50, 3)} | ${fixed(c.p95, 3)} | **${fixed(c.p50 / p.p50)}** | ${fixed(c.p95 / p.p95)} | ${fixed(st.p50, 3)} | ${fixed(st.p50 / c.p50)} | ${Math.min(p.samples, c.samples, st.samples)} |`,
      );
    }
    out(`\nLoad average after each round: ${roundLoads.join("; ")}.`);
    out(
      `Load average after: ${loadAverage()}; the run took ${fixed((performance.now() - began) / 1000, 1)} s.`,
    );
  } finally {
    for (const cleanup of cleanups.splice(0)) await cleanup();
  }
}

await main();
// A notifier the repository may keep must not hold the finished bench open.
process.exit(0);
