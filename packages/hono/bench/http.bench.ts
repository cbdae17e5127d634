/**
 * The seed route over HTTP, side by side with the least a route can do, in
 * one run: 64 connections from autocannon against servers that each run in
 * a child process of their own (`@hono/node-server` on 127.0.0.1), so the
 * server's CPU time is counted apart from the load generator's.
 *
 * - (a) `bare`: a Hono app whose one route parses the same JSON body
 *   (`{"Action":"StartManual","Id":13692}`) and answers 204;
 * - (b) `seed-noop`: `POST /v1.0/{tenant}/restore/action-requested` through
 *   `createRestoreApp`, a real `X-Auth-Token` check (`staticTokens`, one
 *   entry) and core's service on the in-memory store: a StartManual on a
 *   restore already started, which is a no-op (the retry path: no write);
 * - (c) `seed-change`: the same route, each connection taking a fresh
 *   restore in Creating, starting it (a write) and stopping it (a write);
 * - (d) `seed-noop-log`: (b) with the request log on (pino at info, one line
 *   per request, to /dev/null);
 * - (e) `e2e-memory` and (f) `e2e-postgres`: the seed route end to end, on
 *   the in-memory store and on the real Postgres (DATABASE_URL, default
 *   postgres://postgres@127.0.0.1:5432/test; a pool of HTTP_BENCH_PG_POOL
 *   connections, default 16; a throwaway schema). Before each window the
 *   server makes HTTP_BENCH_RESTORES restores (10 000, rounded up to a
 *   multiple of the 64 connections) through the service; each connection
 *   then starts and stops its share of them, one after the other, so that
 *   every request is a write (Creating -> StartRequested -> Stopped) and the
 *   window is exactly two requests per restore. Also prints the Postgres
 *   backends' CPU per request (from /proc) and the goal check
 *   (>= 3 000 req/s, p99 < 25 ms).
 *
 * Every server is warmed up, then measured in alternating order across
 * rounds. Prints requests/s, p50/p99 latency, the server's CPU µs per
 * request (its own `process.cpuUsage()` over the window), the load
 * generator's, the ratios to (a) and the load average at start and end.
 *
 *   pnpm --filter @restorekit/hono bench
 *
 * Environment: HTTP_BENCH_SECONDS (10), HTTP_BENCH_WARMUP (3), HTTP_BENCH_ROUNDS (3),
 * HTTP_BENCH_RESTORES (10000), HTTP_BENCH_PG_POOL (16), DATABASE_URL,
 * HTTP_BENCH_VARIANTS (bare,seed-noop,seed-change,seed-noop-log,e2e-memory,e2e-postgres; also adapter-only,
 * adapter-tokens, adapter-service, which replace parts of (b) with stubs), and
 * HTTP_BENCH_CPU_PROF=<dir> to have the servers write V8 CPU profiles under <dir>/<variant>/
 * (whole process), or HTTP_BENCH_WINDOW_PROF=<dir> for one profile per measured window only
 * (read them with bench/profile-summary.ts, which sums several files).
 */
import { type ChildProcess, execSync, fork } from "node:child_process";
import { mkdirSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { fileURLToPath } from "node:url";
import autocannon from "autocannon";
import {
  BENCH_TOKEN,
  type ChildMessage,
  DEFAULT_VARIANTS,
  END_TO_END,
  NOOP_RESTORE_ID,
  type ParentMessage,
  type PostgresCpu,
  VARIANTS,
  type Variant,
} from "./bench-protocol.js";

const CONNECTIONS = 64;
const MEASURE_S = positive("HTTP_BENCH_SECONDS", 10);
const WARMUP_S = positive("HTTP_BENCH_WARMUP", 3);
const ROUNDS = positive("HTTP_BENCH_ROUNDS", 3);
/** Restores per end-to-end window: a whole number per connection, so that each is started and stopped. */
const RESTORES = Math.ceil(positive("HTTP_BENCH_RESTORES", 10_000) / 64) * 64;
/** The end-to-end warm-up's restores: 20 per connection. */
const WARMUP_RESTORES = 20 * 64;
const GOAL_RATE = 3_000;
const GOAL_P99_MS = 25;
const PROFILE_DIR = process.env.HTTP_BENCH_CPU_PROF;
const CHOSEN = chosenVariants();
const TENANT = "123456";
const PATH = `/v1.0/${TENANT}/restore/action-requested`;
const HEADERS = { "content-type": "application/json", "x-auth-token": BENCH_TOKEN };
const SEED_BODY = JSON.stringify({ Action: "StartManual", Id: NOOP_RESTORE_ID });
const SERVER_FILE = fileURLToPath(new URL("./bench-server.ts", import.meta.url));
/**
 * The least rate the state-changing variant's restores are made for: well
 * above what it reaches here, since a warm-up can run far slower than the
 * windows after it.
 */
const RATE_FLOOR = 3_000;
/** How much faster than its last window the state-changing variant may run before it runs out of restores. */
const RATE_MARGIN = 2.5;

const LABELS: Readonly<Record<Variant, string>> = {
  bare: "(a) bare Hono: parse JSON, 204",
  "seed-noop": "(b) seed route, start again (no-op)",
  "seed-change": "(c) seed route, start then stop (writes)",
  "seed-noop-log": "(d) = (b) with the request log on",
  "e2e-memory": "(e) seed route end to end, in-memory store",
  "e2e-postgres": "(f) seed route end to end, Postgres",
  "adapter-only": "(b) with a stub verifier and service",
  "adapter-tokens": "(b) with a stub service",
  "adapter-service": "(b) with a stub verifier",
};

function positive(name: string, fallback: number): number {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number`);
  return value;
}

function chosenVariants(): readonly Variant[] {
  const listed = process.env.HTTP_BENCH_VARIANTS?.split(",").map((name) => name.trim());
  if (listed === undefined) return DEFAULT_VARIANTS;
  const unknown = listed.filter((name) => !(VARIANTS as readonly string[]).includes(name));
  if (unknown.length > 0) throw new Error(`unknown variants: ${unknown.join(", ")}`);
  return listed as Variant[];
}

interface CpuReading {
  readonly server: number;
  readonly postgres: PostgresCpu | null;
}

interface BenchServer {
  readonly variant: Variant;
  readonly url: string;
  /** What the server runs on (store, pool), for the report. */
  readonly about: string;
  cpu(): Promise<CpuReading>;
  /** Creates restores in Creating; resolves with the first one's id. */
  prepare(count: number): Promise<number>;
  /** Creates restores in Creating through the service; resolves with all their ids. */
  restores(count: number): Promise<readonly number[]>;
  close(): Promise<void>;
}

function startServer(variant: Variant): Promise<BenchServer> {
  const profile =
    PROFILE_DIR === undefined
      ? []
      : // A directory per variant: the module loader's thread writes a profile of its own.
        ["--cpu-prof", `--cpu-prof-dir=${PROFILE_DIR}/${variant}`];
  const child: ChildProcess = fork(SERVER_FILE, [variant], {
    execArgv: [
      "--import",
      import.meta.resolve("tsx"),
      "--conditions=@restorekit/source",
      ...profile,
    ],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  let nextId = 0;
  const waiting = new Map<number, (message: ChildMessage) => void>();
  const ask = (message: ParentMessage): Promise<ChildMessage> =>
    new Promise((resolve) => {
      waiting.set(message.id, resolve);
      child.send(message);
    });

  return new Promise((resolve, reject) => {
    child.once("exit", (code) => {
      reject(new Error(`the ${variant} server exited (${code})`));
      // A question in flight gets an answer of the wrong type, which its asker throws on.
      for (const answer of waiting.values()) answer({ type: "failed", message: "exited" });
      waiting.clear();
    });
    child.on("message", (message: ChildMessage) => {
      if (message.type === "failed") {
        reject(new Error(`the ${variant} server failed: ${message.message}`));
      } else if (message.type === "listening") {
        resolve({
          variant,
          url: `http://127.0.0.1:${message.port}`,
          about: message.about,
          async cpu() {
            nextId += 1;
            const answer = await ask({ type: "cpu", id: nextId });
            if (answer.type !== "cpu") throw new Error("unexpected answer");
            return { server: answer.usage.user + answer.usage.system, postgres: answer.postgres };
          },
          async restores(count) {
            nextId += 1;
            const answer = await ask({ type: "restores", id: nextId, count });
            if (answer.type !== "restores") throw new Error("unexpected answer");
            return answer.ids;
          },
          async prepare(count) {
            nextId += 1;
            const answer = await ask({ type: "prepare", id: nextId, count });
            if (answer.type !== "prepared") throw new Error("unexpected answer");
            return answer.first;
          },
          close: () =>
            new Promise((closed) => {
              child.removeAllListeners("exit");
              child.once("exit", () => closed());
              // The server exits when its IPC channel closes, writing its CPU profile if asked.
              child.disconnect();
            }),
        });
      } else {
        waiting.get(message.id)?.(message);
        waiting.delete(message.id);
      }
    });
  });
}

interface Window {
  readonly variant: Variant;
  readonly latencies: number[];
  readonly seconds: number;
  readonly serverMicros: number;
  readonly postgres: PostgresCpu | null;
  readonly loaderMicros: number;
  readonly statuses: ReadonlyMap<number, number>;
  readonly errors: number;
}

type Requests = autocannon.Options["requests"];

const isEndToEnd = (variant: Variant) => END_TO_END.includes(variant);

/**
 * The end-to-end windows' requests: each connection takes the next restore,
 * starts it, stops it, and again; with a whole number of restores per
 * connection, every restore is started and stopped exactly once.
 */
function startThenStop(ids: readonly number[]): Requests {
  let next = 0;
  const body = (action: string, id: unknown) => JSON.stringify({ Action: action, Id: id });
  return [
    {
      setupRequest: (request, context) => {
        const state = context as { id?: number };
        state.id = ids[next];
        next += 1;
        return { ...request, body: body("StartManual", state.id) };
      },
    },
    {
      setupRequest: (request, context) => ({
        ...request,
        body: body("StopManual", (context as { id?: number }).id),
      }),
    },
  ];
}

/** What each variant sends. For (c), `count` fresh restores are made first, outside the window. */
async function requestsFor(server: BenchServer, expected: number): Promise<Requests> {
  if (isEndToEnd(server.variant)) return startThenStop(await server.restores(expected / 2));
  if (server.variant !== "seed-change") return undefined;
  // Each connection takes the next restore, starts it, stops it; a restore is never shared.
  const count = Math.ceil(expected / 2) + CONNECTIONS;
  let next = await server.prepare(count);
  const body = (action: string, id: unknown) => JSON.stringify({ Action: action, Id: id });
  return [
    {
      setupRequest: (request, context) => {
        const state = context as { id?: number };
        state.id = next;
        next += 1;
        return { ...request, body: body("StartManual", state.id) };
      },
    },
    {
      setupRequest: (request, context) => ({
        ...request,
        body: body("StopManual", (context as { id?: number }).id),
      }),
    },
  ];
}

async function measure(server: BenchServer, seconds: number, expected: number): Promise<Window> {
  const requests = await requestsFor(server, expected);
  const latencies: number[] = [];
  const statuses = new Map<number, number>();
  const loaderBefore = process.cpuUsage();
  const before = await server.cpu();
  const started = performance.now();
  const result = await new Promise<autocannon.Result>((done, failed) => {
    const instance = autocannon(
      {
        url: `${server.url}${PATH}`,
        method: "POST",
        headers: HEADERS,
        body: SEED_BODY,
        connections: CONNECTIONS,
        // The end-to-end windows are as long as their requests take: two per restore made.
        ...(isEndToEnd(server.variant) ? { amount: expected } : { duration: seconds }),
        ...(requests === undefined ? {} : { requests }),
      },
      (error, finished) => (error ? failed(error) : done(finished)),
    );
    instance.on("response", (_client, status, _bytes, ms) => {
      latencies.push(ms);
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
    });
  });
  const elapsed = (performance.now() - started) / 1000;
  const after = await server.cpu();
  const loader = process.cpuUsage(loaderBefore);
  return {
    variant: server.variant,
    latencies,
    seconds: elapsed,
    serverMicros: after.server - before.server,
    postgres:
      before.postgres === null || after.postgres === null
        ? null
        : {
            backends: after.postgres.backends - before.postgres.backends,
            all: after.postgres.all - before.postgres.all,
          },
    loaderMicros: loader.user + loader.system,
    statuses,
    errors: result.errors + result.timeouts,
  };
}

/** One request of each kind before any load: a variant that does not answer 204 is not measured. */
async function checkAnswers(server: BenchServer): Promise<void> {
  const post = (body: string) =>
    fetch(`${server.url}${PATH}`, { method: "POST", headers: HEADERS, body });
  const answers: number[] = [];
  if (server.variant === "seed-change" || isEndToEnd(server.variant)) {
    const id = isEndToEnd(server.variant) ? (await server.restores(1))[0] : await server.prepare(1);
    for (const action of ["StartManual", "StopManual"]) {
      const response = await post(JSON.stringify({ Action: action, Id: id }));
      answers.push(response.status);
      await response.arrayBuffer();
    }
  } else {
    const response = await post(SEED_BODY);
    answers.push(response.status);
    await response.arrayBuffer();
  }
  if (answers.some((status) => status !== 204)) {
    throw new Error(`${server.variant} answered ${answers.join(", ")} instead of 204`);
  }
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

interface Summary {
  readonly requests: number;
  readonly rate: number;
  readonly rates: readonly number[];
  readonly p50: number;
  readonly p99: number;
  readonly serverMicrosPerRequest: number;
  /** The Postgres backends' CPU µs per request, and every postgres process's. */
  readonly postgresMicrosPerRequest: PostgresCpu | null;
  readonly serverCores: number;
  readonly loaderMicrosPerRequest: number;
  readonly other: string;
}

function summary(windows: readonly Window[]): Summary {
  const requests = windows.reduce((n, w) => n + w.latencies.length, 0);
  const seconds = windows.reduce((n, w) => n + w.seconds, 0);
  const serverMicros = windows.reduce((n, w) => n + w.serverMicros, 0);
  const loaderMicros = windows.reduce((n, w) => n + w.loaderMicros, 0);
  const postgres = windows.every((w) => w.postgres !== null)
    ? {
        backends: windows.reduce((n, w) => n + (w.postgres?.backends ?? 0), 0) / requests,
        all: windows.reduce((n, w) => n + (w.postgres?.all ?? 0), 0) / requests,
      }
    : null;
  const sorted = windows.flatMap((w) => w.latencies).sort((x, y) => x - y);
  const other = new Map<string, number>();
  for (const w of windows) {
    for (const [status, count] of w.statuses) {
      if (status !== 204) other.set(String(status), (other.get(String(status)) ?? 0) + count);
    }
    if (w.errors > 0) other.set("errors", (other.get("errors") ?? 0) + w.errors);
  }
  return {
    requests,
    rate: requests / seconds,
    rates: windows.map((w) => w.latencies.length / w.seconds),
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    serverMicrosPerRequest: serverMicros / requests,
    postgresMicrosPerRequest: postgres,
    serverCores: serverMicros / 1e6 / seconds,
    loaderMicrosPerRequest: loaderMicros / requests,
    other: [...other].map(([what, count]) => `${what}: ${count}`).join(", ") || "0",
  };
}

function shell(command: string): string {
  try {
    return execSync(command, { encoding: "utf8" }).trim();
  } catch {
    return "unknown";
  }
}

const loads = () =>
  loadavg()
    .map((n) => n.toFixed(2))
    .join(" ");
const fixed = (n: number, digits = 2) => n.toFixed(digits);
const whole = (n: number) => Math.round(n).toLocaleString("en-US");

async function main(): Promise<void> {
  const loadAtStart = loads();
  if (PROFILE_DIR !== undefined) mkdirSync(PROFILE_DIR, { recursive: true });
  const servers: BenchServer[] = [];
  const skipped: string[] = [];
  try {
    for (const variant of CHOSEN) {
      try {
        servers.push(await startServer(variant));
      } catch (error) {
        // Without a Postgres to reach, the other variants still run; said loudly, in the report too.
        if (variant !== "e2e-postgres") throw error;
        skipped.push(`${variant}: ${error instanceof Error ? error.message : String(error)}`);
        console.error(`SKIPPED ${skipped.at(-1)}`);
      }
    }
    for (const server of servers) await checkAnswers(server);

    // The state-changing variant needs a fresh restore per two requests: sized from its last
    // rate. Running out shows as answers other than 204 in the table.
    let changeRate = RATE_FLOOR;
    const expectedFor = (server: BenchServer, seconds: number, warmUp: boolean) => {
      if (isEndToEnd(server.variant)) return 2 * (warmUp ? WARMUP_RESTORES : RESTORES);
      return server.variant === "seed-change"
        ? Math.max(RATE_FLOOR, changeRate * RATE_MARGIN) * seconds
        : 0;
    };
    const run = async (server: BenchServer, seconds: number, warmUp = false) => {
      const window = await measure(server, seconds, expectedFor(server, seconds, warmUp));
      if (server.variant === "seed-change") changeRate = window.latencies.length / window.seconds;
      return window;
    };

    for (const server of servers) await run(server, WARMUP_S, true);
    const windows: Window[] = [];
    for (let round = 0; round < ROUNDS; round += 1) {
      // Alternated, so drift in the machine's load falls on every variant alike.
      const order = round % 2 === 0 ? servers : [...servers].reverse();
      for (const server of order) {
        const window = await run(server, MEASURE_S);
        windows.push(window);
        const s = summary([window]);
        console.error(
          `round ${round + 1} ${server.variant}: ${whole(s.rate)} req/s, p99 ${fixed(s.p99)} ms, server ${fixed(s.serverMicrosPerRequest, 1)} µs/req, other answers ${s.other}`,
        );
      }
    }
    const loadAtEnd = loads();

    const results = new Map(
      servers.map(({ variant }) => [
        variant,
        summary(windows.filter((w) => w.variant === variant)),
      ]),
    );
    const model = shell("grep -m1 'model name' /proc/cpuinfo").replace(/^model name\s*:\s*/, "");
    console.log(
      `\nmachine: node ${process.version}, ${cpus().length} CPUs (nproc ${shell("nproc")}), ${model}; the load generator (autocannon) runs on the same 2 cores as the servers (and Postgres)`,
    );
    console.log(
      `load: ${CONNECTIONS} connections (autocannon, in this process), ${ROUNDS} alternating rounds of ${MEASURE_S} s per variant (the end-to-end ones: of ${whole(2 * RESTORES)} requests) after ${WARMUP_S} s of warm-up; each server in its own process`,
    );
    if (servers.some((server) => isEndToEnd(server.variant))) {
      console.log(
        `end to end: each round ${whole(RESTORES)} restores made through the service before the window, then ${whole(2 * RESTORES)} requests (a StartManual then a StopManual per restore, ${RESTORES / CONNECTIONS} restores per connection); warm-up ${whole(WARMUP_RESTORES)} restores`,
      );
    }
    for (const server of servers) console.log(`- ${server.variant}: ${server.about}`);
    for (const line of skipped) console.log(`- SKIPPED ${line}`);
    console.log(`load average (1, 5, 15 min): ${loadAtStart} at start, ${loadAtEnd} at end\n`);
    console.log(
      "| variant | requests | req/s | req/s per round | p50 ms | p99 ms | server CPU µs/req | server cores busy | autocannon CPU µs/req | not 204 |",
    );
    console.log("| --- | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |");
    for (const [variant, s] of results) {
      console.log(
        `| ${LABELS[variant]} | ${whole(s.requests)} | ${whole(s.rate)} | ${s.rates.map(whole).join(" / ")} | ${fixed(s.p50)} | ${fixed(s.p99)} | ${fixed(s.serverMicrosPerRequest, 1)} | ${fixed(s.serverCores)} | ${fixed(s.loaderMicrosPerRequest, 1)} | ${s.other} |`,
      );
    }
    const endToEnd = [...results].filter(([variant]) => isEndToEnd(variant));
    if (endToEnd.length > 0) {
      console.log(
        `\nend to end (goal: >= ${whole(GOAL_RATE)} req/s and p99 < ${GOAL_P99_MS} ms at ${CONNECTIONS} connections, the load generator on the same machine)\n`,
      );
      console.log(
        "| store | requests | req/s | req/s per round | p50 ms | p99 ms | server CPU µs/req | Postgres backends CPU µs/req | all postgres processes CPU µs/req | not 204 | goal |",
      );
      console.log("| --- | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |");
      for (const [variant, s] of endToEnd) {
        const met = s.rate >= GOAL_RATE && s.p99 < GOAL_P99_MS && s.other === "0";
        const pg = s.postgresMicrosPerRequest;
        console.log(
          `| ${LABELS[variant]} | ${whole(s.requests)} | ${whole(s.rate)} | ${s.rates.map(whole).join(" / ")} | ${fixed(s.p50)} | ${fixed(s.p99)} | ${fixed(s.serverMicrosPerRequest, 1)} | ${pg === null ? "-" : fixed(pg.backends, 1)} | ${pg === null ? "-" : fixed(pg.all, 1)} | ${s.other} | ${met ? "met" : "missed"} |`,
        );
      }
    }
    const bare = results.get("bare");
    if (bare !== undefined) {
      console.log("");
      for (const [variant, s] of results) {
        if (variant === "bare") continue;
        console.log(
          `ratio ${variant}/bare: req/s ${fixed(s.rate / bare.rate)}, server CPU per request ${fixed(bare.serverMicrosPerRequest / s.serverMicrosPerRequest)}${variant === "seed-noop" ? " (goal >= 0.8)" : ""}`,
        );
      }
    }
  } finally {
    await Promise.all(servers.map((server) => server.close()));
  }
}

await main();
