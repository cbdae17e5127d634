/**
 * What the Postgres store's own operations cost as data grows, for the
 * limits docs/scaling.md cites: one tenant holding 1 000, 100 000 and
 * 1 000 000 restores (the id sequence's nextval, a create, a load of a
 * random restore, an agent's pending poll, the sweeper's due query), and one restore holding 10,
 * 1 000, 10 000 and 50 000 events (its load, its event log read whole and
 * by pages of 1 000, a progress report appended to it). Every figure is one
 * call at a time on one connection, so it is the latency of the operation,
 * not a rate. Markdown on stdout, progress on stderr.
 *
 * The rows are built in SQL (`generate_series`) from template restores the
 * repository itself wrote, since a million creates through the repository
 * would take most of the run; then only the repository's own operations are
 * timed on them.
 *
 *   pnpm --filter @restorekit/postgres bench:limits
 *
 * Environment: DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test),
 * LIMITS_RESTORES (tenant sizes, default 1000,100000,1000000),
 * LIMITS_EVENTS (events per restore, default 10,1000,10000,50000),
 * LIMITS_SAMPLES (calls timed per operation at most, default 200),
 * LIMITS_BUDGET_SECONDS (time per operation at most, once 5 calls are in; default 2).
 */
import { performance } from "node:perf_hooks";
import {
  type AppendRequest,
  DEFAULT_DEADLINES,
  existing,
  fold,
  type IdGenerator,
  type Restore,
  type RestoreEvent,
  type RestoreStateName,
  stateId,
} from "@restorekit/core";
import { DEFAULT_TENANT, DESTINATION_MACHINE_ID, restoreEvents } from "@restorekit/testing";
import type { ResultAsync } from "neverthrow";
import pg from "pg";
import {
  fromPool,
  migrate,
  type PostgresRepository,
  postgresDueRestores,
  postgresIdGenerator,
  postgresRepository,
} from "../src/index.js";
import { repositoryStatements } from "../src/repository-statements.js";
import { validateSchemaName } from "../src/schema-name.js";
import { envNumber } from "./env-number.js";
import { loadAverage, machineInfo } from "./machine-info.js";
import { percentile } from "./percentile.js";
import { seedRestores } from "./seed-restores.js";
import { logStorageError } from "./storage-errors.js";

const DATABASE_URL = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const MIN_SAMPLES = 5;
const SAMPLES = Math.max(MIN_SAMPLES, Math.round(envNumber("LIMITS_SAMPLES", 200)));
const BUDGET_MS = envNumber("LIMITS_BUDGET_SECONDS", 2) * 1000;
/** Restores of the tenant waiting for its agent: what the poll finds, whatever the tenant's size. */
const PENDING = 10;
const PAGE = 1_000;

function sizes(name: string, fallback: readonly number[]): readonly number[] {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === "") return fallback;
  const values = raw.split(",").map((item) => Number(item.trim()));
  if (values.some((value) => !Number.isSafeInteger(value) || value < 1)) {
    throw new RangeError(`${name} must list positive integers, got ${JSON.stringify(raw)}`);
  }
  return [...values].sort((a, b) => a - b);
}

const TENANT_SIZES = sizes("LIMITS_RESTORES", [1_000, 100_000, 1_000_000]);
const EVENT_COUNTS = sizes("LIMITS_EVENTS", [10, 1_000, 10_000, 50_000]);

const APP = `rklimits_${process.pid}`;
const log = (line: string) => process.stderr.write(`${line}\n`);
const out = (line = "") => process.stdout.write(`${line}\n`);
const fixed = (value: number, digits = 2) => (Number.isNaN(value) ? "n/a" : value.toFixed(digits));
const seconds = (since: number) => fixed((performance.now() - since) / 1000, 1);

/** The value of a store call, or the bench stops: a figure of failed calls would mean nothing. */
async function value<T>(what: string, result: ResultAsync<T, { code: string }>): Promise<T> {
  const settled = await result;
  if (settled.isErr()) throw new Error(`${what}: ${settled.error.code}`);
  return settled.value;
}

interface Timing {
  readonly samples: number;
  readonly p50: number;
  readonly p99: number;
}

/**
 * Times `call` one call after another: a few untimed calls first (statements
 * prepared, pages cached), then up to SAMPLES calls, fewer when they outrun
 * the budget. Milliseconds.
 */
async function timed(call: (i: number) => Promise<unknown>): Promise<Timing> {
  for (let i = 0; i < 3; i += 1) await call(-1 - i);
  const durations: number[] = [];
  const started = performance.now();
  while (
    durations.length < SAMPLES &&
    (durations.length < MIN_SAMPLES || performance.now() - started < BUDGET_MS)
  ) {
    const at = performance.now();
    await call(durations.length);
    durations.push(performance.now() - at);
  }
  durations.sort((a, b) => a - b);
  return {
    samples: durations.length,
    p50: percentile(durations, 50),
    p99: percentile(durations, 99),
  };
}

const timingCells = (t: Timing) => `${fixed(t.p50, 3)} | ${fixed(t.p99, 3)} | ${t.samples}`;

/** A restore's whole history as one create, as the repository writes it (one statement). */
function createRequest(restoreId: number, events: readonly RestoreEvent[]): AppendRequest {
  const folded = fold(events);
  if (folded.type !== "Existing") throw new Error("the events made no restore");
  return {
    tenantId: DEFAULT_TENANT,
    restoreId,
    expectedVersion: 0,
    previous: null,
    events,
    restore: folded.restore,
  };
}

async function createUntil(
  repository: PostgresRepository,
  ids: IdGenerator,
  state: RestoreStateName,
): Promise<Restore> {
  const restoreId = await value("nextRestoreId", ids.nextRestoreId());
  return value(
    "append (create)",
    repository.append(createRequest(restoreId, restoreEvents({ restoreId }).until(state))),
  );
}

/** An agent's progress report on `previous`, as the service would append it. */
function progressRequest(previous: Restore, files: number): AppendRequest {
  const event = restoreEvents({ restoreId: previous.restoreId }).progressReported({
    filesRestored: files,
    bytesRestored: files * 4096,
  });
  const after = fold([event], existing(previous));
  if (after.type !== "Existing") throw new Error("the report made no restore");
  return {
    tenantId: previous.tenantId,
    restoreId: previous.restoreId,
    expectedVersion: previous.version,
    previous,
    events: [event],
    restore: after.restore,
  };
}

interface Store {
  readonly schema: string;
  readonly repository: PostgresRepository;
  readonly ids: IdGenerator;
}

async function newStore(setup: pg.Pool, client: pg.Pool, name: string, schemas: string[]) {
  const schema = `${APP}_${name}`;
  schemas.push(schema);
  const migrated = await migrate(fromPool(setup), { schema });
  if (migrated.isErr()) throw new Error(`migrate ${schema}: ${migrated.error.message}`);
  const sql = fromPool(client);
  return {
    schema,
    repository: postgresRepository(sql, { schema, onError: logStorageError }),
    ids: postgresIdGenerator(sql, { schema, onError: logStorageError }),
  } satisfies Store;
}

/**
 * Copies of the template restore `template` under the ids `first..last`, in
 * SQL: each row is the template's with another restore_id
 * (`jsonb_populate_record` keeps every column not named), with its first
 * event only (RestoreCreated); a copy of its whole log would make the
 * largest tenant take most of the run to build.
 */
async function cloneRestores(
  setup: pg.Pool,
  schema: string,
  template: number,
  first: number,
  last: number,
): Promise<void> {
  const s = `"${schema}"`;
  await setup.query(
    `INSERT INTO ${s}.restores
     SELECT copy.* FROM ${s}.restores AS t
       CROSS JOIN generate_series($3::bigint, $4::bigint) AS g
       CROSS JOIN LATERAL jsonb_populate_record(t, jsonb_build_object('restore_id', g)) AS copy
     WHERE t.tenant_id = $1 AND t.restore_id = $2`,
    [DEFAULT_TENANT, template, first, last],
  );
  await setup.query(
    `INSERT INTO ${s}.restore_events
     SELECT copy.* FROM ${s}.restore_events AS e
       CROSS JOIN generate_series($3::bigint, $4::bigint) AS g
       CROSS JOIN LATERAL jsonb_populate_record(e, jsonb_build_object('restore_id', g)) AS copy
     WHERE e.tenant_id = $1 AND e.restore_id = $2 AND e.seq = 1`,
    [DEFAULT_TENANT, template, first, last],
  );
  await setup.query(`SELECT setval('${s}.restore_ids', $1::bigint)`, [last]);
}

/**
 * What autovacuum would have done by the time a table this size is read in
 * production, then a checkpoint: a million rows leave gigabytes of WAL, and
 * the checkpoints they trigger would otherwise slow every commit timed next.
 */
async function settle(setup: pg.Pool, schema: string): Promise<void> {
  await setup.query(`VACUUM (ANALYZE) "${schema}".restores, "${schema}".restore_events`);
  // Needs superuser or pg_checkpoint; without it the figures are only noisier.
  await setup.query("CHECKPOINT").catch(() => log("CHECKPOINT refused: figures may be noisier"));
}

async function megabytes(setup: pg.Pool, relation: string): Promise<string> {
  const { rows } = await setup.query<{ size: string }>(
    "SELECT pg_total_relation_size($1::regclass)::text AS size",
    [relation],
  );
  return fixed(Number(rows[0]?.size ?? Number.NaN) / 1024 / 1024, 1);
}

async function restoresPerTenant(setup: pg.Pool, client: pg.Pool, schemas: string[]) {
  const { schema, repository, ids } = await newStore(setup, client, "tenant", schemas);
  const building = performance.now();
  // Restores 1..PENDING wait for the agent; every other restore of the tenant has finished.
  await seedRestores(setup, schema, PENDING, "StartRequested");
  const template = await createUntil(repository, ids, "Completed");
  log(`tenant: templates written in ${seconds(building)} s`);

  const rows: string[] = [];
  // Ids the sequence handed out; the cloned ranges, where `load` picks, hold nearly all the restores.
  let last = template.restoreId;
  const cloned: (readonly [first: number, count: number])[] = [];
  const randomCloned = () => {
    let pick = Math.floor(Math.random() * cloned.reduce((n, [, count]) => n + count, 0));
    for (const [first, count] of cloned) {
      if (pick < count) return first + pick;
      pick -= count;
    }
    throw new Error("no restore cloned yet");
  };
  for (const size of TENANT_SIZES) {
    const cloning = performance.now();
    const { rows: counted } = await setup.query<{ n: string }>(
      `SELECT count(*)::text AS n FROM "${schema}".restores WHERE tenant_id = $1`,
      [DEFAULT_TENANT],
    );
    const missing = size - Number(counted[0]?.n ?? 0);
    if (missing > 0) {
      await cloneRestores(setup, schema, template.restoreId, last + 1, last + missing);
      cloned.push([last + 1, missing]);
      last += missing;
    }
    await settle(setup, schema);
    const built = seconds(cloning);
    log(`tenant: ${size} restores built in ${built} s, load ${loadAverage()}`);

    const nextval = await timed(async () => {
      last = await value("nextRestoreId", ids.nextRestoreId());
    });
    const create = await timed(async () => {
      const restoreId = await value("nextRestoreId", ids.nextRestoreId());
      last = restoreId;
      const events = [restoreEvents({ restoreId }).created()];
      await value("append (create)", repository.append(createRequest(restoreId, events)));
    });
    const load = await timed(async () => {
      const restoreId = randomCloned();
      const found = await value("load", repository.load(DEFAULT_TENANT, restoreId));
      if (found === null) throw new Error(`load: restore ${restoreId} not found`);
    });
    const poll = await timed(async () => {
      const pending = await value(
        "pendingAgentRequests",
        repository.pendingAgentRequests(DEFAULT_TENANT, DESTINATION_MACHINE_ID),
      );
      if (pending.length !== PENDING) throw new Error(`poll: ${pending.length} pending`);
    });
    // The sweeper's query, across every restore: when none is due, and when the waiting ones are.
    const due = postgresDueRestores(fromPool(client), { schema });
    const dueQuery = (now: Date) => ({
      now: now.toISOString(),
      deadlines: DEFAULT_DEADLINES,
      limit: 100,
    });
    // The waiting restores were seeded at one instant: at it none is due, a day later all are.
    const { rows: seededAt } = await setup.query<{ at: Date }>(
      `SELECT max(updated_at) AS at FROM "${schema}".restores WHERE state_id = ${stateId("StartRequested")}`,
    );
    const waitingSince = seededAt[0]?.at ?? new Date();
    const noneDue = await timed(async () => {
      const found = await value("findDue", due.findDue(dueQuery(waitingSince)));
      if (found.length !== 0) throw new Error(`findDue: ${found.length} due now`);
    });
    const allDue = await timed(async () => {
      const found = await value(
        "findDue",
        due.findDue(dueQuery(new Date(waitingSince.getTime() + 86_400_000))),
      );
      if (found.length !== Math.min(PENDING, 100)) throw new Error(`findDue: ${found.length} due`);
    });
    const [restoresMb, eventsMb, pendingMb] = await Promise.all([
      megabytes(setup, `"${schema}".restores`),
      megabytes(setup, `"${schema}".restore_events`),
      megabytes(setup, `"${schema}".restores_pending_by_agent`),
    ]);
    log(
      `  load p50 ${fixed(load.p50, 3)} ms, poll p50 ${fixed(poll.p50, 3)} ms, load ${loadAverage()}`,
    );
    const at = `| ${size.toLocaleString("en-US")} |`;
    rows.push(`${at} nextval (\`nextRestoreId\`) | ${timingCells(nextval)} |`);
    rows.push(`${at} create (\`append\`, one event) | ${timingCells(create)} |`);
    rows.push(`${at} \`load\` of a random restore | ${timingCells(load)} |`);
    rows.push(`${at} pending poll (${PENDING} waiting) | ${timingCells(poll)} |`);
    rows.push(`${at} sweeper's \`findDue\`, none due | ${timingCells(noneDue)} |`);
    rows.push(
      `${at} sweeper's \`findDue\`, ${Math.min(PENDING, 100)} due | ${timingCells(allDue)} |`,
    );
    rows.push(
      `${at} sizes: restores ${restoresMb} MB, restore_events ${eventsMb} MB, pending index ${pendingMb} MB; built in ${built} s | | | |`,
    );
  }
  out("\n### Restores in one tenant\n");
  out(
    `One tenant, one agent with ${PENDING} restores waiting (StartRequested); every other restore finished (Completed; the copies hold their first event only). ms per call, one call at a time.\n`,
  );
  out("| restores in the tenant | operation | p50 ms | p99 ms | calls timed |");
  out("| ---: | --- | ---: | ---: | ---: |");
  for (const row of rows) out(row);
}

/**
 * The server's own time for the repository's whole-log read (EXPLAIN
 * ANALYZE's execution time, without per-node timing), the median of 5: what
 * is left of a call's time is the round trip and the client reading rows.
 */
async function serverMs(setup: pg.Pool, schema: string, restoreId: number): Promise<number> {
  const { text } = repositoryStatements(validateSchemaName(schema)._unsafeUnwrap()).readEvents;
  const times: number[] = [];
  for (let i = 0; i < 5; i += 1) {
    const { rows } = await setup.query<{ "QUERY PLAN": [{ "Execution Time": number }] }>(
      `EXPLAIN (ANALYZE, TIMING OFF, FORMAT JSON) ${text}`,
      [DEFAULT_TENANT, restoreId, 0, null, null],
    );
    times.push(rows[0]?.["QUERY PLAN"][0]["Execution Time"] ?? Number.NaN);
  }
  return percentile(
    times.sort((a, b) => a - b),
    50,
  );
}

async function eventsPerRestore(setup: pg.Pool, client: pg.Pool, schemas: string[]) {
  const { schema, repository } = await newStore(setup, client, "events", schemas);
  const s = `"${schema}"`;
  const building = performance.now();
  // One restore in progress per size, its log made of progress reports after the first five events.
  const restores = await seedRestores(setup, schema, EVENT_COUNTS.length, "InProgress");
  const inProgress = stateId("InProgress");
  const report = restoreEvents().progressReported({ filesRestored: 1, bytesRestored: 4096 });
  const cases: { events: number; restore: Restore }[] = [];
  for (const [index, events] of EVENT_COUNTS.entries()) {
    const seeded = restores[index] as Restore;
    const extra = events - seeded.version;
    if (extra > 0) {
      await setup.query(
        `INSERT INTO ${s}.restore_events
           (tenant_id, restore_id, seq, type, from_state_id, to_state_id,
            actor_type, actor_id, at, request_id, data)
         SELECT $1, $2, g, 'RestoreProgressReported', $5, $5, 'agent', $6, $7, $8, $9::json
         FROM generate_series($3::integer, $4::integer) AS g`,
        [
          DEFAULT_TENANT,
          seeded.restoreId,
          seeded.version + 1,
          events,
          inProgress,
          String(DESTINATION_MACHINE_ID),
          report.metadata.at,
          report.metadata.requestId,
          JSON.stringify(report.data),
        ],
      );
      await setup.query(
        `UPDATE ${s}.restores SET version = $3 WHERE tenant_id = $1 AND restore_id = $2`,
        [DEFAULT_TENANT, seeded.restoreId, events],
      );
    }
    const restore = await value("load", repository.load(DEFAULT_TENANT, seeded.restoreId)).then(
      (found) => {
        if (found === null) throw new Error(`restore ${seeded.restoreId} not found`);
        return found;
      },
    );
    cases.push({ events: Math.max(events, seeded.version), restore });
  }
  await settle(setup, schema);
  log(`events: ${EVENT_COUNTS.join(", ")} events built in ${seconds(building)} s`);

  const rows: string[] = [];
  for (const { events, restore } of cases) {
    const { restoreId } = restore;
    const load = await timed(() => value("load", repository.load(DEFAULT_TENANT, restoreId)));
    const firstPage = await timed(() =>
      value("readEvents", repository.readEvents(DEFAULT_TENANT, restoreId, { limit: PAGE })),
    );
    const lastPage = await timed(() =>
      value(
        "readEvents",
        repository.readEvents(DEFAULT_TENANT, restoreId, {
          afterSeq: Math.max(0, events - PAGE),
          limit: PAGE,
        }),
      ),
    );
    // After the pages, whose figures its garbage would otherwise disturb; before the appends, which add events.
    const whole = await timed(async () => {
      const read = await value("readEvents", repository.readEvents(DEFAULT_TENANT, restoreId));
      if (read.length !== events) throw new Error(`readEvents: ${read.length} of ${events}`);
    });
    const server = await serverMs(setup, schema, restoreId);
    let current = restore;
    const append = await timed(async () => {
      current = await value(
        "append (progress)",
        repository.append(progressRequest(current, current.version)),
      );
    });
    log(`  ${events} events: whole log p50 ${fixed(whole.p50, 1)} ms, load ${loadAverage()}`);
    const at = `| ${events.toLocaleString("en-US")} |`;
    rows.push(`${at} \`load\` (the row) | ${timingCells(load)} |`);
    rows.push(`${at} \`readEvents\`, the whole log | ${timingCells(whole)} |`);
    rows.push(
      `${at} of which the server's execution (EXPLAIN ANALYZE) | ${fixed(server, 3)} | | 5 |`,
    );
    rows.push(`${at} \`readEvents\`, first page of ${PAGE} | ${timingCells(firstPage)} |`);
    rows.push(`${at} \`readEvents\`, last page of ${PAGE} | ${timingCells(lastPage)} |`);
    rows.push(`${at} \`append\`, a progress report | ${timingCells(append)} |`);
  }
  out("\n### Events of one restore\n");
  out(
    "One restore in progress; after its first five events, its log is progress reports (RestoreProgressReported). ms per call, one call at a time; the HTTP event log reads pages of at most 1 000.\n",
  );
  out("| events | operation | p50 ms | p99 ms | calls timed |");
  out("| ---: | --- | ---: | ---: | ---: |");
  for (const row of rows) out(row);
}

async function main(): Promise<void> {
  const loadBefore = loadAverage();
  const startedAt = new Date().toISOString();
  const began = performance.now();
  const setup = new pg.Pool({ connectionString: DATABASE_URL, max: 2, application_name: APP });
  // One connection: each figure is one call at a time, the statements prepared on it once.
  const client = new pg.Pool({ connectionString: DATABASE_URL, max: 1, application_name: APP });
  for (const pool of [setup, client]) pool.on("error", () => undefined);
  const schemas: string[] = [];
  try {
    out(`## Postgres limits (run of ${startedAt})\n`);
    out(await machineInfo(setup));
    out(`- load average before: ${loadBefore}`);
    out(
      `- each operation: 3 untimed calls, then up to ${SAMPLES} calls one after another, fewer once ${BUDGET_MS / 1000} s have passed (never fewer than ${MIN_SAMPLES}); one connection`,
    );
    await restoresPerTenant(setup, client, schemas);
    await eventsPerRestore(setup, client, schemas);
    out(`\nLoad average after: ${loadAverage()}; the run took ${seconds(began)} s.`);
  } finally {
    for (const schema of schemas) {
      await setup.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => undefined);
    }
    await Promise.all([setup.end(), client.end()]);
  }
}

await main();
// A notifier the repository may keep must not hold the finished bench open.
process.exit(0);
