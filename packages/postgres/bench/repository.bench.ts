/**
 * The Postgres write path, side by side in one run: the same durable state
 * change made by hand through `pg` (naive, prepared, one statement) and
 * through core's service over `postgresRepository` (as shipped, and with its
 * memory of restores off), at 16 and 64 clients, over 1 000 and 10 000 restores
 * in progress, through one or two service instances with random routing;
 * then StartManual through the service against one hand-written statement,
 * with the delivery latency of the agents' notifications. Markdown on
 * stdout, progress on stderr.
 *
 *   pnpm --filter @restorekit/postgres bench
 *   BENCH_SECONDS=1 BENCH_CONFIGS=16x1000x1 BENCH_PATHS=ap,b pnpm --filter @restorekit/postgres bench
 *
 * Settings: see bench-settings.ts. DATABASE_URL picks the server.
 */
import { type ChildProcess, fork } from "node:child_process";
import { monitorEventLoopDelay, performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { agentPrincipal, DEFAULT_TENANT } from "@restorekit/testing";
import pg from "pg";
import { fromPool, migrate } from "../src/index.js";
import { benchService } from "./bench-service.js";
import { type BenchConfig, benchSettings } from "./bench-settings.js";
import { countingClient } from "./counting-client.js";
import { type ChangePath, driveChanges, type Run } from "./drive-changes.js";
import { loadAverage, machineInfo } from "./machine-info.js";
import { percentile } from "./percentile.js";
import { seedRestores } from "./seed-restores.js";
import {
  type FreshRestores,
  oneStatementStarts,
  rememberedStarts,
  type SentRequest,
  START_PATHS,
  serviceStarts,
} from "./start-paths.js";
import { type ProgressSchema, WRITE_PATHS, type WritePath } from "./write-paths.js";

const settings = benchSettings();
// The pools' application_name (how the server CPU finds the bench's backends) and the schemas' prefix.
const APP = `rkbench_${process.pid}`;
const schemas: string[] = [];

const log = (line: string) => process.stderr.write(`${line}\n`);
const out = (line = "") => process.stdout.write(`${line}\n`);

function newPool(max: number, applicationName = APP): pg.Pool {
  const pool = new pg.Pool({
    connectionString: settings.databaseUrl,
    max,
    application_name: applicationName,
    // Never closed for being idle: every path finds its pool as warm as the last one left it.
    idleTimeoutMillis: 0,
  });
  pool.on("error", () => undefined);
  return pool;
}

/** Opens every connection of the pool now, so no path pays for connecting. */
async function warmPool(pool: pg.Pool, max: number): Promise<void> {
  const clients = await Promise.all(Array.from({ length: max }, () => pool.connect()));
  for (const client of clients) client.release();
}

async function newSchema(setup: pg.Pool, name: string): Promise<string> {
  const schema = `${APP}_${name}`;
  schemas.push(schema);
  const migrated = await migrate(fromPool(setup), { schema });
  if (migrated.isErr()) throw new Error(`migrate ${schema}: ${migrated.error.message}`);
  return schema;
}

/** Whether the service as shipped decides a second change on a restore without reading it. */
async function defaultRemembers(setup: pg.Pool): Promise<boolean> {
  const schema = await newSchema(setup, "probe");
  await seedRestores(setup, schema, 1, "InProgress");
  const client = countingClient(fromPool(setup));
  const service = benchService(client, schema);
  const context = { principal: agentPrincipal(), tenantId: DEFAULT_TENANT, requestId: "probe" };
  for (const files of [1, 2]) {
    const before = client.statements();
    const reported = await service.agentReport(context, 1, {
      state: null,
      report: { filesRestored: files },
    });
    if (reported.isErr()) throw new Error(`probe: ${reported.error.code}`);
    if (files === 2) return client.statements() - before < 2;
  }
  return false;
}

interface Summary {
  readonly changes: number;
  readonly failures: number;
  readonly rate: number;
  readonly roundRates: readonly number[];
  readonly p50: number;
  readonly p99: number;
  readonly clientUs: number;
  readonly backendsUs: number | null;
  readonly allUs: number | null;
  readonly statements: number;
  readonly firstFailure: string | null;
}

function summary(runs: readonly Run[]): Summary {
  const changes = runs.reduce((n, run) => n + run.changes, 0);
  const seconds = runs.reduce((n, run) => n + run.seconds, 0);
  const sorted = runs.flatMap((run) => run.latencies).sort((x, y) => x - y);
  const perChange = (values: readonly (number | null)[]) =>
    values.some((value) => value === null)
      ? null
      : values.reduce<number>((n, value) => n + (value ?? 0), 0) / changes;
  return {
    changes,
    failures: runs.reduce((n, run) => n + run.failures, 0),
    rate: changes / seconds,
    roundRates: runs.map((run) => run.changes / run.seconds),
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    clientUs: runs.reduce((n, run) => n + run.clientCpuUs, 0) / changes,
    backendsUs: perChange(runs.map((run) => run.server.backendsUs)),
    allUs: perChange(runs.map((run) => run.server.allUs)),
    statements: runs.reduce((n, run) => n + run.statements, 0) / changes,
    firstFailure: runs.find((run) => run.firstFailure !== null)?.firstFailure ?? null,
  };
}

const fixed = (value: number | null, digits = 2) =>
  value === null || Number.isNaN(value) ? "n/a" : value.toFixed(digits);

/** What the bench can see a change cost on both sides: its own process and its backends. */
function totalUs(s: Summary): number | null {
  return s.backendsUs === null ? null : s.clientUs + s.backendsUs;
}

function summaryCells(s: Summary): string {
  return [
    s.changes,
    fixed(s.rate, 0),
    fixed(s.p50),
    fixed(s.p99),
    fixed(s.clientUs, 0),
    fixed(s.backendsUs, 0),
    fixed(totalUs(s), 0),
    fixed(s.allUs, 0),
    fixed(s.statements),
    s.failures,
  ].join(" | ");
}

const configName = (config: BenchConfig) =>
  `${config.clients} | ${config.restores} | ${config.instances}`;

/** Warms every path, then measures them in rounds of alternating order. */
async function measure(
  paths: readonly { readonly key: string; readonly path: ChangePath }[],
  drive: (path: ChangePath, durationMs: number, measured: boolean, sweep?: number) => Promise<Run>,
  sweep = 0,
): Promise<Map<string, Run[]>> {
  for (const { path } of paths) {
    if (sweep > 0) await drive(path, 0, false, sweep);
    await drive(path, settings.warmupMs, false);
  }
  const runs = new Map<string, Run[]>(paths.map(({ key }) => [key, []]));
  for (let round = 0; round < settings.rounds; round += 1) {
    const order = round % 2 === 0 ? paths : [...paths].reverse();
    for (const { key, path } of order)
      runs.get(key)?.push(await drive(path, settings.measureMs, true));
  }
  return runs;
}

async function writeMatrix(
  setup: pg.Pool,
  monitor: pg.Pool,
  paths: readonly WritePath[],
): Promise<void> {
  const counts = [...new Set(settings.configs.map((config) => config.restores))];
  const targets = new Map<string, ProgressSchema>();
  const seeding = performance.now();
  for (const count of counts) {
    // Side by side, so one schema's rows are built while another's are inserted.
    await Promise.all(
      paths.map(async (path) => {
        const schema = await newSchema(setup, `${path.key}_${count}`);
        await seedRestores(setup, schema, count, "InProgress");
        targets.set(`${path.key}/${count}`, {
          schema,
          restores: count,
          files: new Float64Array(count),
        });
      }),
    );
  }
  log(
    `setup: ${targets.size} schemas of restores in progress (${counts.join(", ")} each, 5 events per restore) in ${fixed((performance.now() - seeding) / 1000, 1)} s`,
  );

  const results: { config: BenchConfig; summaries: Map<string, Summary> }[] = [];
  for (const config of settings.configs) {
    const poolSize = Math.min(config.clients, settings.poolMax);
    const pools = Array.from({ length: config.instances }, () => newPool(poolSize));
    try {
      await Promise.all(pools.map((pool) => warmPool(pool, poolSize)));
      const built = [];
      for (const path of paths) {
        const target = targets.get(`${path.key}/${config.restores}`) as ProgressSchema;
        built.push({
          key: path.key,
          path: await path.make({ target, pools, knownRestores: settings.knownRestores }),
        });
      }
      log(
        `config ${JSON.stringify(config)} (pool ${poolSize} per instance), load ${loadAverage()}`,
      );
      const runs = await measure(
        built,
        (path, durationMs, _measured, sweep) =>
          driveChanges(path, { ...config, durationMs, sweep, monitor, applicationName: APP }),
        Math.min(config.restores, settings.warmupSweep),
      );
      const summaries = new Map([...runs].map(([key, list]) => [key, summary(list)]));
      for (const [key, s] of summaries) {
        log(`  ${key}: ${fixed(s.rate, 0)}/s p50 ${fixed(s.p50)} ms, ${s.failures} failed`);
        if (s.firstFailure !== null) log(`    first failure: ${s.firstFailure}`);
      }
      results.push({ config, summaries });
    } finally {
      await Promise.all(pools.map((pool) => pool.end()));
    }
  }

  out("### Write path: an agent's progress report on a restore in progress\n");
  out(
    "| clients | restores | instances | path | changes | changes/s | p50 ms | p99 ms | client CPU µs/change | server CPU µs/change (bench backends) | client + backends µs/change | all postgres CPU µs/change | statements/change | failed |",
  );
  out(
    "| ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
  );
  for (const { config, summaries } of results) {
    for (const path of paths) {
      const s = summaries.get(path.key);
      if (s !== undefined) out(`| ${configName(config)} | ${path.label} | ${summaryCells(s)} |`);
    }
  }

  const ratio = (summaries: Map<string, Summary>, top: string, bottom: string) => {
    const x = summaries.get(top);
    const y = summaries.get(bottom);
    if (x === undefined || y === undefined) return null;
    return {
      value: x.rate / y.rate,
      rounds: x.roundRates.map((rate, round) => rate / (y.roundRates[round] ?? Number.NaN)),
    };
  };
  const cell = (r: ReturnType<typeof ratio>, goal: number | null) => {
    if (r === null) return "-";
    const rounds = r.rounds.map((value) => fixed(value)).join(", ");
    const mark = goal === null ? "" : r.value >= goal ? " ✓" : " ✗";
    return `**${fixed(r.value)}**${mark} (${rounds})`;
  };
  const hasBk = paths.some((path) => path.key === "bk");
  out(
    "\nRatios of changes/s, over both rounds (each round's in parentheses); ✓ / ✗ against the goal.\n",
  );
  out(
    `| clients | restores | instances | b/ap (goal ≥ 1.2) | b/a1 (goal ≥ 0.7, one instance) | b/b0 (goal ≥ 1: memory never slower) | b/a |${hasBk ? " bk/b0 |" : ""}`,
  );
  out(`| ---: | ---: | ---: | --- | --- | --- | --- |${hasBk ? " --- |" : ""}`);
  for (const { config, summaries } of results) {
    const cells = [
      cell(ratio(summaries, "b", "ap"), 1.2),
      cell(ratio(summaries, "b", "a1"), config.instances === 1 ? 0.7 : null),
      cell(ratio(summaries, "b", "b0"), 1),
      cell(ratio(summaries, "b", "a"), null),
      ...(hasBk ? [cell(ratio(summaries, "bk", "b0"), 1)] : []),
    ];
    out(`| ${configName(config)} | ${cells.join(" | ")} |`);
  }

  // On a shared machine the rates follow everyone's load; the CPU a change costs follows it far less.
  const cpuRatio = (summaries: Map<string, Summary>, top: string, bottom: string) => {
    const x = summaries.get(top);
    const y = summaries.get(bottom);
    const xUs = x === undefined ? null : totalUs(x);
    const yUs = y === undefined ? null : totalUs(y);
    return xUs === null || yUs === null ? "-" : fixed(yUs / xUs);
  };
  out(
    "\nThe same ratios by CPU (client + bench backends µs per change, the bottom path's over the top path's, so above 1 means (b) costs less): a steadier measure than rates when others load the machine.\n",
  );
  out(`| clients | restores | instances | b/ap | b/a1 | b/b0 | b/a |${hasBk ? " bk/b0 |" : ""}`);
  out(`| ---: | ---: | ---: | ---: | ---: | ---: | ---: |${hasBk ? " ---: |" : ""}`);
  for (const { config, summaries } of results) {
    const cells = [
      cpuRatio(summaries, "b", "ap"),
      cpuRatio(summaries, "b", "a1"),
      cpuRatio(summaries, "b", "b0"),
      cpuRatio(summaries, "b", "a"),
      ...(hasBk ? [cpuRatio(summaries, "bk", "b0")] : []),
    ];
    out(`| ${configName(config)} | ${cells.join(" | ")} |`);
  }
}

interface Latencies {
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
}

function latenciesOf(values: number[]): Latencies {
  const sorted = values.sort((x, y) => x - y);
  return {
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    max: sorted.at(-1) ?? Number.NaN,
  };
}

async function startManual(setup: pg.Pool, monitor: pg.Pool): Promise<void> {
  const clients = settings.startClients;
  // Fresh restores for BENCH_START_RATE starts/s of the one statement's run, and half that for the
  // service's (its goal); a path that uses them up stops early, its rate over the time it ran.
  const runSeconds = (settings.warmupMs + settings.rounds * settings.measureMs) / 1000;
  const seeding = performance.now();
  const fresh = async (key: string, rate: number): Promise<FreshRestores> => {
    const schema = await newSchema(setup, `start_${key}`);
    const count = Math.ceil(rate * runSeconds);
    return { schema, restores: await seedRestores(setup, schema, count, "Creating"), next: 0 };
  };
  const [forService, forStatement] = await Promise.all([
    fresh("s", settings.startRate / 2),
    fresh("s1", settings.startRate),
  ]);
  log(
    `setup: ${forService.restores.length} + ${forStatement.restores.length} restores in Creating in ${fixed((performance.now() - seeding) / 1000, 1)} s`,
  );

  const pool = newPool(settings.startPool);
  const sent = new Map<number, SentRequest>();
  const arrived = new Map<number, number>();
  let duplicates = 0;
  let measuring = false;
  try {
    await warmPool(pool, settings.startPool);
    const creating = performance.now();
    const remembered = await rememberedStarts(
      pool,
      await newSchema(setup, "start_sk"),
      forService.restores.length,
      clients,
    );
    log(
      `setup: ${remembered.fresh.restores.length} restores created through the (sk) service in ${fixed((performance.now() - creating) / 1000, 1)} s`,
    );
    const listener = await listenerProcess(forService.schema, (restoreId, at) => {
      if (arrived.has(restoreId)) duplicates += 1;
      else arrived.set(restoreId, at);
    });
    try {
      const paths = [
        { key: "s", path: serviceStarts(pool, forService, sent, () => measuring) },
        { key: "sk", path: remembered.path },
        { key: "s1", path: oneStatementStarts(pool, forStatement) },
      ];
      log(`StartManual at ${clients} clients, pool ${settings.startPool}, load ${loadAverage()}`);
      // How late the event loop ran while (s) was measured: the listener's callbacks wait on it too.
      const loopDelay = monitorEventLoopDelay({ resolution: 1 });
      const runs = await measure(paths, async (path, durationMs, measured) => {
        measuring = measured;
        const watched = measured && path === paths[0]?.path;
        if (watched) loopDelay.enable();
        try {
          return await driveChanges(path, {
            clients,
            restores: clients,
            instances: 1,
            durationMs,
            monitor,
            applicationName: APP,
          });
        } finally {
          if (watched) loopDelay.disable();
        }
      });
      // Give the last notifications time to arrive before counting what was lost.
      const waitUntil = performance.now() + 5_000;
      while (arrived.size < sent.size && performance.now() < waitUntil) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      const summaries = new Map([...runs].map(([key, list]) => [key, summary(list)]));
      const usedUp = [forService, remembered.fresh, forStatement].filter(
        (f) => f.next >= f.restores.length,
      );
      if (usedUp.length > 0) {
        log(
          `  fresh restores used up in ${usedUp.map((f) => f.schema).join(", ")}: raise BENCH_START_RATE`,
        );
        out("\n**Fresh restores ran out: the StartManual figures below are not comparable.**");
      }

      out(
        `\n### StartManual on fresh restores (Creating → StartRequested), ${clients} clients, one instance, pool of ${settings.startPool}\n`,
      );
      out(
        "| path | starts | starts/s | p50 ms | p99 ms | client CPU µs/start | server CPU µs/start (bench backends) | client + backends µs/start | all postgres CPU µs/start | statements/start | failed |",
      );
      out("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
      for (const path of START_PATHS) {
        const s = summaries.get(path.key);
        if (s !== undefined) out(`| ${path.label} | ${summaryCells(s)} |`);
        if (s?.firstFailure) log(`  ${path.key} first failure: ${s.firstFailure}`);
      }
      const s = summaries.get("s");
      const s1 = summaries.get("s1");
      const cpuOf = (top: Summary, bottom: Summary) => {
        const topUs = totalUs(top);
        const bottomUs = totalUs(bottom);
        return topUs === null || bottomUs === null ? "n/a" : fixed(bottomUs / topUs);
      };
      if (s !== undefined && s1 !== undefined) {
        const value = s.rate / s1.rate;
        const rounds = s.roundRates
          .map((rate, round) => fixed(rate / (s1.roundRates[round] ?? Number.NaN)))
          .join(", ");
        out(
          `\nRatio s/s1: **${fixed(value)}** ${value >= 0.5 ? "✓" : "✗"} (goal ≥ 0.5; rounds ${rounds}); by CPU (client + backends, s1's over s's): ${cpuOf(s, s1)}`,
        );
      }
      const sk = summaries.get("sk");
      if (sk !== undefined && s1 !== undefined) {
        const value = sk.rate / s1.rate;
        out(
          `Ratio sk/s1 (the restores the instance created, so no read): **${fixed(value)}** ${value >= 0.5 ? "✓" : "✗"} (goal ≥ 0.5); by CPU: ${cpuOf(sk, s1)}`,
        );
      }

      const afterResolve: number[] = [];
      const afterStart: number[] = [];
      let measuredSent = 0;
      for (const [restoreId, call] of sent) {
        const at = arrived.get(restoreId);
        if (!call.measured) continue;
        measuredSent += 1;
        if (at === undefined) continue;
        // Arrivals are wall-clock times from the listener's process; calls are this process's.
        afterResolve.push(at - (performance.timeOrigin + call.end));
        afterStart.push(at - (performance.timeOrigin + call.start));
      }
      const delivered = [...sent.keys()].filter((id) => arrived.has(id)).length;
      const byResolve = latenciesOf(afterResolve);
      const byStart = latenciesOf(afterStart);
      out(
        "\nNotification delivery under that load: a listener in a process of its own (`subscribeAgentRequests` on its own connection) timestamps each request as it arrives; the requests are sent by the service's process, so its event loop's delay (last row) is part of the delivery.\n",
      );
      out("| measured | p50 ms | p99 ms (goal < 50) | max ms |");
      out("| --- | ---: | ---: | ---: |");
      out(
        `| arrival − the service call resolved | ${fixed(byResolve.p50)} | ${fixed(byResolve.p99)}${byResolve.p99 < 50 ? " ✓" : " ✗"} | ${fixed(byResolve.max)} |`,
      );
      out(
        `| arrival − the service call started | ${fixed(byStart.p50)} | ${fixed(byStart.p99)} | ${fixed(byStart.max)} |`,
      );
      out(
        `| the event loop's delay in this process while (s) ran (\`monitorEventLoopDelay\`) | ${fixed(loopDelay.percentile(50) / 1e6)} | ${fixed(loopDelay.percentile(99) / 1e6)} | ${fixed(loopDelay.max / 1e6)} |`,
      );
      out(
        `\nDelivered ${delivered} of ${sent.size} requests sent (warm-up included; ${afterResolve.length} of the ${measuredSent} measured), lost ${sent.size - delivered}${sent.size === delivered ? " ✓" : " ✗"}, delivered twice ${duplicates}, arrived for no call ${[...arrived.keys()].filter((id) => !sent.has(id)).length}.`,
      );
    } finally {
      listener.disconnect();
    }
  } finally {
    await pool.end();
  }
}

function chosenPaths(remembers: boolean): WritePath[] {
  const keys =
    settings.paths.length > 0
      ? settings.paths
      : ["a", "ap", "a1", "b", "b0", ...(remembers ? [] : ["bk"])];
  return keys.map((key) => {
    const path = WRITE_PATHS.find((candidate) => candidate.key === key);
    if (path === undefined) throw new RangeError(`BENCH_PATHS: no path ${JSON.stringify(key)}`);
    return path;
  });
}

async function main(): Promise<void> {
  const loadBefore = loadAverage();
  const startedAt = new Date().toISOString();
  const setup = newPool(2, `${APP}_setup`);
  const monitor = newPool(1, `${APP}_monitor`);
  try {
    const machine = await machineInfo(setup);
    const remembers = await defaultRemembers(setup);
    const paths = chosenPaths(remembers);
    out(`## Postgres write path (run of ${startedAt})\n`);
    out(machine);
    out(`- load average before: ${loadBefore}`);
    out(
      `- settings: ${settings.rounds} rounds of ${settings.measureMs / 1000} s per path and config, alternating order, after a warm-up per path and config: one change on each of min(restores, ${settings.warmupSweep}) distinct restores, then ${settings.warmupMs / 1000} s; pool per instance min(clients, ${settings.poolMax}) connections, opened before measuring`,
    );
    out(
      `- the service's default memory (probed): ${remembers ? "on: a second change on a restore is decided without a read" : "off: every change reads first"}`,
    );
    out(
      "\nPaths (the same durable change: the row's files count, version and updated_at, and one event):\n",
    );
    for (const path of paths) out(`- ${path.label}: ${path.does}`);
    if (settings.startManual) for (const path of START_PATHS) out(`- ${path.label}: ${path.does}`);
    out(
      "\nChanges go to a random restore no other client is changing (one change in flight per restore), through a random instance when there are two: a lost race comes only from an instance's stale view. CPU per change: the bench process's `process.cpuUsage()`, the bench's Postgres backends (by application_name, from /proc/<pid>/stat), and every postgres process (adds WAL writer, checkpointer, autovacuum and anyone else's sessions). Statements per change count BEGIN and COMMIT for (a) and (ap); for the service, every statement its repository sent.\n",
    );
    if (settings.configs.length > 0) await writeMatrix(setup, monitor, paths);
    if (settings.startManual) await startManual(setup, monitor);
    out(`\nLoad average after: ${loadAverage()}`);
  } finally {
    for (const schema of schemas) {
      await setup.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => undefined);
    }
    await Promise.all([setup.end(), monitor.end()]);
  }
}

await main();
// A notifier or timer the service may keep must not hold the finished bench open.
process.exit(0);

/** Starts the listener process and resolves once it listens; `onArrival` gets each request's time. */
function listenerProcess(
  schema: string,
  onArrival: (restoreId: number, at: number) => void,
): Promise<ChildProcess> {
  const child = fork(fileURLToPath(new URL("./listener-process.ts", import.meta.url)), {
    env: { ...process.env, DATABASE_URL: settings.databaseUrl, LISTEN_SCHEMA: schema },
    execArgv: ["--import", "tsx", "--conditions=@restorekit/source"],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  return new Promise((resolve, reject) => {
    child.on(
      "message",
      (message: { ready?: boolean; error?: string; restoreId?: number; at?: number }) => {
        if (message.ready) resolve(child);
        else if (message.error !== undefined) reject(new Error(`listener: ${message.error}`));
        else if (message.restoreId !== undefined && message.at !== undefined) {
          onArrival(message.restoreId, message.at);
        }
      },
    );
    child.on("exit", (code) => reject(new Error(`listener exited with ${code}`)));
  });
}
