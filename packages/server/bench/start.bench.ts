/**
 * How long `pnpm start` takes to be ready, and how much memory it holds then,
 * on each store. Each run spawns the root `start` script's command itself
 * (node and its arguments, without pnpm in between, so the pid is the
 * server's), times it from the spawn to the `restorekit is listening on`
 * line, reads the server's resident memory at that moment (VmRSS), its peak
 * so far (VmHWM) and the CPU it used (utime + stime), then stops it with
 * SIGTERM and waits for it to exit.
 *
 * - `pglite-memory`: DATA_DIR=memory://, a new in-memory database each run
 *   (unpacked from the cached empty-database template);
 * - `pglite-fresh`: a new, empty DATA_DIR each run (the template unpacked
 *   into it, the schema migrated, the demo seeded, the agent key generated);
 * - `pglite-existing`: one DATA_DIR made by the warm-up start and reopened by
 *   every run (nothing to migrate, the demo found in storage);
 * - `postgres`: DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test)
 *   with a throwaway RESTOREKIT_SCHEMA, migrated and seeded by the warm-up
 *   start, dropped at the end (each run finds it up to date).
 *
 * Every path runs in demo mode with the simulated agent, as `pnpm start`
 * does by default. One warm-up start comes first (it builds the server
 * bundle when the sources changed, and fills the template cache); the
 * paths then run in turn, round by round, so drift hits them alike.
 *
 *   pnpm --filter @restorekit/server bench
 *
 * Environment: START_BENCH_RUNS (5 per path), START_BENCH_PATHS (all four,
 * comma-separated), DATABASE_URL.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "../../..");
const RUNS = positive(process.env.START_BENCH_RUNS, 5);
const DATABASE_URL = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const READY = /restorekit is listening on \S+ \(started in ([\d.]+) (ms|s)\)/;
const START_DEADLINE_MS = 120_000;
/** Linux counts process CPU time in clock ticks of 1/100 s. */
const TICK_MS = 10;

type PathName = "pglite-memory" | "pglite-fresh" | "pglite-existing" | "postgres";
const ALL_PATHS: readonly PathName[] = [
  "pglite-memory",
  "pglite-fresh",
  "pglite-existing",
  "postgres",
];

interface Goal {
  readonly readyMs: number;
  readonly rssMb: number | null;
}
/** The goals the start work set: under 1 s and 400 MB on an existing directory, 2 s on a new one. */
const GOALS: Partial<Record<PathName, Goal>> = {
  "pglite-existing": { readyMs: 1000, rssMb: 400 },
  "pglite-fresh": { readyMs: 2000, rssMb: null },
  "pglite-memory": { readyMs: 2000, rssMb: null },
};

interface Sample {
  /** From the spawn to the ready line, as the parent saw it. */
  readonly readyMs: number;
  /** What the server printed as its own start time (from its process start). */
  readonly reportedMs: number;
  readonly cpuMs: number;
  readonly rssMb: number;
  readonly hwmMb: number;
  /** The steps of the start as the server's `ready` log line tells them, in ms. */
  readonly steps: Readonly<Record<Step, number>>;
}

/** The fields of the server's `ready` log line, in the order the steps run. */
const STEPS = ["modulesLoadedMs", "storeOpenMs", "migrateMs", "seedMs", "listenMs"] as const;
type Step = (typeof STEPS)[number];

function positive(value: string | undefined, fallback: number): number {
  const number = Number(value);
  return Number.isSafeInteger(number) && number > 0 ? number : fallback;
}

/** The root `start` script as a command and arguments, as the e2e tests run it. */
function startCommand(): { command: string; args: string[] } {
  const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as {
    scripts: Record<string, string>;
  };
  const [first, ...args] = (pkg.scripts.start ?? "").split(/\s+/).filter((w) => w !== "");
  if (first !== "node") throw new Error(`the start script does not start with node: ${first}`);
  return { command: process.execPath, args };
}

function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (name.startsWith("RESTOREKIT_") || name === "NODE_OPTIONS" || name.startsWith("npm_"))
      continue;
    if (["PORT", "HOST", "DATA_DIR", "DATABASE_URL", "LOG_LEVEL"].includes(name)) continue;
    env[name] = value;
  }
  return { ...env, PORT: "0", ...extra };
}

function procStatus(pid: number): { rssMb: number; hwmMb: number } {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (field: string) =>
    Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status)?.[1]);
  return { rssMb: kb("VmRSS") / 1024, hwmMb: kb("VmHWM") / 1024 };
}

function procCpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  // Fields after the command (which may hold spaces) start at ") "; utime and stime are 14 and 15.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
}

/** Starts the server once with `env`, measures it at ready, stops it. */
async function startOnce(env: Record<string, string>): Promise<Sample> {
  const { command, args } = startCommand();
  const started = performance.now();
  const child = spawn(command, args, { cwd: ROOT, env: cleanEnv(env), stdio: "pipe" });
  const exited = new Promise<string>((resolve) =>
    child.once("close", (code, signal) => resolve(signal ?? String(code))),
  );
  let output = "";
  const ready = await new Promise<{ at: number; line: RegExpExecArray } | null>((resolve) => {
    const deadline = setTimeout(() => resolve(null), START_DEADLINE_MS);
    const look = (chunk: Buffer) => {
      output += chunk.toString();
      const line = READY.exec(output);
      if (line !== null) {
        clearTimeout(deadline);
        resolve({ at: performance.now(), line });
      }
    };
    child.stdout.on("data", look);
    child.stderr.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    void exited.then(() => {
      clearTimeout(deadline);
      resolve(null);
    });
  });
  const pid = child.pid;
  if (ready === null || pid === undefined) {
    child.kill("SIGKILL");
    await exited;
    throw new Error(`the server did not get ready:\n${output}`);
  }
  const memory = procStatus(pid);
  const cpuMs = procCpuMs(pid);
  // The ready log line follows the start message in the same tick; give the pipe a moment.
  const logged = await new Promise<Record<string, unknown>>((resolve) => {
    const find = () => {
      const line = output.split("\n").find((text) => text.includes('"msg":"ready"'));
      return line === undefined ? null : (JSON.parse(line) as Record<string, unknown>);
    };
    const timer = setInterval(() => {
      const found = find();
      if (found !== null) {
        clearInterval(timer);
        resolve(found);
      }
    }, 5);
    setTimeout(() => {
      clearInterval(timer);
      resolve(find() ?? {});
    }, 5_000);
  });
  const steps = Object.fromEntries(
    STEPS.map((step) => [step, Number(logged[step] ?? Number.NaN)]),
  ) as Record<Step, number>;
  child.kill("SIGTERM");
  const code = await exited;
  if (code !== "0") throw new Error(`the server exited with ${code} on SIGTERM:\n${output}`);
  const [, value, unit] = ready.line;
  return {
    readyMs: ready.at - started,
    reportedMs: Number(value) * (unit === "s" ? 1000 : 1),
    cpuMs,
    ...memory,
    steps,
  };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] ?? 0)
    : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

function cell(values: readonly number[], digits = 0): string {
  const fix = (n: number) => n.toFixed(digits);
  return `${fix(median(values))} (${fix(Math.min(...values))}–${fix(Math.max(...values))})`;
}

function machine(): string[] {
  const cpuinfo = readFileSync("/proc/cpuinfo", "utf8");
  const model = /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1] ?? cpus()[0]?.model ?? "unknown";
  return [`nproc: ${cpus().length}`, `CPU: ${model}`, `Node: ${process.version}`];
}

async function postgresVersion(): Promise<string> {
  const client = new pg.Client({ connectionString: DATABASE_URL, connectionTimeoutMillis: 5_000 });
  client.on("error", () => undefined);
  try {
    await client.connect();
    const result = await client.query<{ server_version: string }>("SHOW server_version");
    return result.rows[0]?.server_version ?? "unknown";
  } catch {
    return "unreachable";
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function dropSchema(schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: DATABASE_URL });
  client.on("error", () => undefined);
  try {
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end().catch(() => undefined);
  }
}

const load = () =>
  loadavg()
    .map((n) => n.toFixed(2))
    .join(", ");

const paths = (process.env.START_BENCH_PATHS ?? ALL_PATHS.join(","))
  .split(",")
  .map((name) => name.trim())
  .filter((name): name is PathName => (ALL_PATHS as readonly string[]).includes(name));
const pgVersion = await postgresVersion();
const loadBefore = load();
const scratch = mkdtempSync(join(tmpdir(), "rk-start-bench-"));
const existingDir = join(scratch, "existing");
const schema = `bench_start_${process.pid}`;

console.log("# restorekit start benchmark\n");
for (const line of [...machine(), `Postgres: ${pgVersion}`]) console.log(`- ${line}`);
console.log(`- load average before: ${loadBefore}`);
console.log(
  `- command: ${[startCommand().command, ...startCommand().args].join(" ")} (cwd ${ROOT})`,
);
console.log(`- runs per path: ${RUNS}, paths in turn round by round, after one warm-up each\n`);

const envOf = (path: PathName, run: number): Record<string, string> => {
  switch (path) {
    case "pglite-memory":
      return { DATA_DIR: "memory://" };
    case "pglite-fresh":
      return { DATA_DIR: join(scratch, `fresh-${run}`) };
    case "pglite-existing":
      return { DATA_DIR: existingDir };
    case "postgres":
      return { DATABASE_URL, RESTOREKIT_SCHEMA: schema };
  }
};

const samples = new Map<PathName, Sample[]>(paths.map((path) => [path, []]));
try {
  // Warm-ups: the bundle (when stale) and the template are made here, the existing directory and
  // the Postgres schema are created here, so every counted run finds what its path says.
  for (const path of paths) {
    if (path === "postgres" && pgVersion === "unreachable") continue;
    const warm = await startOnce(envOf(path, -1));
    console.log(`warm-up ${path}: ready in ${warm.readyMs.toFixed(0)} ms`);
  }
  for (let run = 0; run < RUNS; run += 1) {
    for (const path of paths) {
      if (path === "postgres" && pgVersion === "unreachable") continue;
      samples.get(path)?.push(await startOnce(envOf(path, run)));
      if (path === "pglite-fresh") rmSync(join(scratch, `fresh-${run}`), { recursive: true });
    }
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
  if (paths.includes("postgres") && pgVersion !== "unreachable") await dropSchema(schema);
}

const postgresReady = median((samples.get("postgres") ?? []).map((s) => s.readyMs));
console.log(
  "\n| path | ready ms (spawn → listening line) | reported start | CPU ms at ready | VmRSS MB at ready | VmHWM MB | ready / postgres | goal | met |",
);
console.log("|---|---|---|---|---|---|---|---|---|");
for (const path of paths) {
  const rows = samples.get(path) ?? [];
  if (rows.length === 0) {
    console.log(`| ${path} | not run (Postgres unreachable) | | | | | | | |`);
    continue;
  }
  const ready = rows.map((s) => s.readyMs);
  const rss = rows.map((s) => s.rssMb);
  const goal = GOALS[path];
  const goalText =
    goal === undefined
      ? "none"
      : `< ${goal.readyMs} ms${goal.rssMb === null ? "" : `, < ${goal.rssMb} MB RSS`}`;
  const met =
    goal === undefined
      ? ""
      : median(ready) < goal.readyMs && (goal.rssMb === null || median(rss) < goal.rssMb)
        ? "yes"
        : "no";
  const ratio = Number.isFinite(postgresReady) ? (median(ready) / postgresReady).toFixed(2) : "";
  console.log(
    `| ${path} | ${cell(ready)} | ${cell(rows.map((s) => s.reportedMs))} | ${cell(rows.map((s) => s.cpuMs))} | ${cell(rss)} | ${cell(rows.map((s) => s.hwmMb))} | ${ratio} | ${goalText} | ${met} |`,
  );
}
console.log(
  "\nmedian (min–max) of the runs; `met` compares the medians with the goal. CPU ms is the server process's user + system time at ready (less sensitive than wall time to other load on the machine).",
);
console.log(
  "\nWhere the time goes, from the server's `ready` log line (median ms): loading the modules (from the process start), opening the store, migrating, seeding the demo, and from there to a listening socket.\n",
);
console.log(`| path | ${STEPS.join(" | ")} | sum |`);
console.log(`|---|${STEPS.map(() => "---|").join("")}---|`);
for (const path of paths) {
  const rows = samples.get(path) ?? [];
  if (rows.length === 0) continue;
  const medians = STEPS.map((step) => median(rows.map((s) => s.steps[step])));
  const sum = medians.reduce((a, b) => a + b, 0);
  console.log(`| ${path} | ${medians.map((m) => m.toFixed(0)).join(" | ")} | ${sum.toFixed(0)} |`);
}
console.log(`\n- load average after: ${load()}`);
