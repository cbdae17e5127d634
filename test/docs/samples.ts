/**
 * Runs the TypeScript samples of the documentation as a reader would: each
 * ```ts block is written out as a module of its own, under a gitignored
 * folder whose node_modules holds the workspace packages as an app's would,
 * type-checked with tsc and run in a child process.
 */
import { spawn } from "node:child_process";
import { mkdirSync, readdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join, resolve } from "node:path";
import { type DocFile, type Fence, fencesOf, ROOT } from "./markdown.js";

/** The languages whose blocks are samples; every other fence (sh, mermaid, json...) is not run. */
export const SAMPLE_LANGS: ReadonlySet<string> = new Set(["ts", "typescript"]);

/**
 * The words a ```ts fence may carry after the language:
 * - `vitest`: the block is a Vitest test file; it runs with `vitest run`.
 * - `postgres`: it needs a Postgres server at DATABASE_URL; without one it is
 *   type-checked only, and the test says it was not run. A block that
 *   imports "pg" needs one too, with or without the word.
 */
export const ANNOTATIONS: ReadonlySet<string> = new Set(["vitest", "postgres"]);

/** Where the samples are written (gitignored): a folder per run, so that runs at once do not collide. */
export const SAMPLES_DIR = join(ROOT, "test/docs/.samples");
export const WORKSPACE = join(SAMPLES_DIR, `run-${process.pid}`);

export const DATABASE_URL = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";

/** How long one sample may run. Generous: a loaded 2-core machine runs the other projects too. */
export const SAMPLE_TIMEOUT_MS = 150_000;
export const TYPECHECK_TIMEOUT_MS = 240_000;

export interface Sample {
  /** The generated file's name, which says where the block is. */
  readonly file: string;
  readonly doc: string;
  readonly fence: Fence;
  readonly runner: "tsx" | "vitest";
  readonly needsPostgres: boolean;
}

/** Every ts block of the files, in order. */
export function samplesOf(docs: readonly DocFile[]): Sample[] {
  return docs.flatMap((doc) =>
    fencesOf(doc.text)
      .filter((fence) => SAMPLE_LANGS.has(fence.lang))
      .map((fence): Sample => {
        const runner = fence.annotations.includes("vitest") ? "vitest" : "tsx";
        const stem = `${doc.path.replace(/[^A-Za-z0-9]+/g, "_")}_L${fence.line}`;
        return {
          file: runner === "vitest" ? `${stem}.vitest.ts` : `${stem}.ts`,
          doc: doc.path,
          fence,
          runner,
          needsPostgres:
            fence.annotations.includes("postgres") ||
            /\bfrom\s+["']pg["']|\bimport\s*\(\s*["']pg["']\s*\)/.test(fence.code),
        };
      }),
  );
}

/** How a block is named in test names and failures: `README.md:53 (```ts vitest)`. */
export function describeSample(sample: Sample): string {
  const info = [sample.fence.lang, ...sample.fence.annotations].join(" ");
  return `${sample.doc}:${sample.fence.line} (\`\`\`${info})`;
}

/**
 * Writes the samples and what they need to resolve as in an app:
 * node_modules with the workspace packages (their TypeScript sources through
 * the `@restorekit/source` condition) and the third-party packages the
 * workspace installed, a package.json, a tsconfig and a Vitest config.
 */
export function prepareWorkspace(samples: readonly Sample[]): void {
  removeStaleRuns();
  rmSync(WORKSPACE, { recursive: true, force: true });
  const modules = join(WORKSPACE, "node_modules");
  mkdirSync(modules, { recursive: true });
  const linked = new Set(readdirSync(join(ROOT, "node_modules")).flatMap(scoped(ROOT)));
  const link = (name: string, target: string) => {
    if (linked.has(name)) return;
    linked.add(name);
    mkdirSync(join(modules, name, ".."), { recursive: true });
    symlinkSync(target, join(modules, name), "dir");
  };
  const packages = readdirSync(join(ROOT, "packages")).sort();
  for (const name of packages) link(`@restorekit/${name}`, join(ROOT, "packages", name));
  for (const name of packages) {
    const installed = join(ROOT, "packages", name, "node_modules");
    let entries: string[];
    try {
      entries = readdirSync(installed);
    } catch {
      continue;
    }
    for (const entry of entries.flatMap(scoped(join(ROOT, "packages", name)))) {
      if (!entry.startsWith(".") && !entry.startsWith("@restorekit/")) {
        link(entry, join(installed, entry));
      }
    }
  }

  writeFileSync(
    join(WORKSPACE, "package.json"),
    `${JSON.stringify({ name: "restorekit-doc-samples", private: true, type: "module" }, null, 2)}\n`,
  );
  writeFileSync(
    join(WORKSPACE, "tsconfig.json"),
    `${JSON.stringify(
      {
        extends: "../../../../tsconfig.json",
        compilerOptions: {
          composite: false,
          declaration: false,
          declarationMap: false,
          sourceMap: false,
          incremental: false,
          noEmit: true,
          customConditions: ["@restorekit/source"],
        },
        files: samples.map((sample) => sample.file),
      },
      null,
      2,
    )}\n`,
  );
  writeFileSync(
    join(WORKSPACE, "vitest.config.ts"),
    [
      'import { defineConfig } from "vitest/config";',
      "",
      "export default defineConfig({",
      '  resolve: { conditions: ["@restorekit/source"] },',
      '  ssr: { resolve: { conditions: ["@restorekit/source"] } },',
      '  test: { include: ["*.vitest.ts"], testTimeout: 60_000, hookTimeout: 60_000 },',
      "});",
      "",
    ].join("\n"),
  );
  for (const sample of samples) {
    // `export {}` makes a block without imports a module too, so samples never share a scope.
    writeFileSync(join(WORKSPACE, sample.file), `${sample.fence.code}\nexport {};\n`);
  }
}

/** Removes the folders of runs whose process is gone. */
function removeStaleRuns(): void {
  let runs: string[];
  try {
    runs = readdirSync(SAMPLES_DIR);
  } catch {
    return;
  }
  for (const run of runs) {
    const pid = Number(/^run-(\d+)$/.exec(run)?.[1]);
    if (Number.isInteger(pid) && pid !== process.pid && !alive(pid)) {
      rmSync(join(SAMPLES_DIR, run), { recursive: true, force: true });
    }
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Removes this run's folder: done when every sample passed, kept to look into otherwise. */
export function removeWorkspace(): void {
  rmSync(WORKSPACE, { recursive: true, force: true });
}

/** A directory's entries, with scoped packages (`@scope/name`) listed one by one. */
function scoped(base: string): (entry: string) => string[] {
  return (entry) => {
    if (!entry.startsWith("@")) return [entry];
    try {
      return readdirSync(join(base, "node_modules", entry)).map((name) => `${entry}/${name}`);
    } catch {
      return [];
    }
  };
}

export interface Finished {
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly timedOut: boolean;
  readonly output: string;
  readonly ms: number;
}

/** Runs a node script in its own process group, killing the whole group after the timeout. */
export function runNode(
  args: readonly string[],
  { cwd, timeoutMs }: { cwd: string; timeoutMs: number },
): Promise<Finished> {
  const env: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL, NO_COLOR: "1", FORCE_COLOR: "0" };
  // The child is not a worker of this Vitest run: a sample run with vitest starts its own.
  for (const key of Object.keys(env)) if (key.startsWith("VITEST")) delete env[key];
  const started = Date.now();
  return new Promise((done) => {
    const child = spawn(process.execPath, args, {
      cwd,
      env,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    const collect = (chunk: Buffer) => {
      output += chunk.toString("utf8");
    };
    child.stdout.on("data", collect);
    child.stderr.on("data", collect);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(child.pid);
    }, timeoutMs);
    child.on("error", (error) => {
      output += `\n${String(error)}`;
    });
    child.on("close", (exitCode, signal) => {
      clearTimeout(timer);
      // A sample may have left a child of its own running.
      killGroup(child.pid);
      done({ exitCode, signal, timedOut, output, ms: Date.now() - started });
    });
  });
}

function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, "SIGKILL");
  } catch {
    // Already gone.
  }
}

const fromHere = createRequire(import.meta.url);
const TSX_CLI = fromHere.resolve("tsx/cli");
const VITEST_CLI = resolve(fromHere.resolve("vitest/package.json"), "../vitest.mjs");
const TSC = resolve(fromHere.resolve("typescript/package.json"), "../bin/tsc");

/** Runs one sample in a fresh, empty working directory. */
export function runSample(sample: Sample): Promise<Finished> {
  const cwd = join(WORKSPACE, "cwd", sample.file.replace(/\.ts$/, ""));
  rmSync(cwd, { recursive: true, force: true });
  mkdirSync(cwd, { recursive: true });
  const file = join(WORKSPACE, sample.file);
  const args =
    sample.runner === "vitest"
      ? [
          VITEST_CLI,
          "run",
          "--root",
          WORKSPACE,
          "--config",
          join(WORKSPACE, "vitest.config.ts"),
          file,
        ]
      : [TSX_CLI, "--conditions=@restorekit/source", file];
  return runNode(args, { cwd, timeoutMs: SAMPLE_TIMEOUT_MS });
}

export interface TypeCheck {
  readonly finished: Finished;
  /** Errors by sample file, with their positions translated to the Markdown file. */
  readonly bySample: ReadonlyMap<string, readonly string[]>;
  /** Errors in no sample (a package source, the configuration...). */
  readonly elsewhere: readonly string[];
}

/** Type-checks every sample at once with tsc and the workspace's compiler options. */
export async function typeCheck(samples: readonly Sample[]): Promise<TypeCheck> {
  const finished = await runNode([TSC, "-p", "tsconfig.json", "--pretty", "false"], {
    cwd: WORKSPACE,
    timeoutMs: TYPECHECK_TIMEOUT_MS,
  });
  const byFile = new Map(samples.map((sample) => [sample.file, sample]));
  const bySample = new Map<string, string[]>();
  const elsewhere: string[] = [];
  const diagnostics: string[] = [];
  for (const line of finished.output.split("\n")) {
    if (/^\S.*\(\d+,\d+\): /.test(line) || diagnostics.length === 0) diagnostics.push(line);
    else diagnostics[diagnostics.length - 1] += `\n${line}`;
  }
  for (const diagnostic of diagnostics.map((text) => text.trimEnd()).filter(Boolean)) {
    const at = /^(.+?)\((\d+),(\d+)\): ([\s\S]*)$/.exec(diagnostic);
    const sample = at ? byFile.get(at[1] ?? "") : undefined;
    if (at && sample) {
      const line = sample.fence.line + Number(at[2]);
      const list = bySample.get(sample.file) ?? [];
      list.push(`${sample.doc}:${line}:${at[3]} ${at[4]}`);
      bySample.set(sample.file, list);
    } else {
      elsewhere.push(diagnostic);
    }
  }
  return { finished, bySample, elsewhere };
}

/** What this file uses of node-postgres, which only @restorekit/postgres installs. */
interface Pg {
  readonly Client: new (config: {
    connectionString: string;
    connectionTimeoutMillis: number;
  }) => {
    connect(): Promise<unknown>;
    query(sql: string): Promise<unknown>;
    end(): Promise<void>;
    on(event: "error", listener: () => void): unknown;
  };
}

/** Whether a Postgres server answers at the URL, asked with the postgres package's own pg. */
export async function postgresAnswers(url: string): Promise<boolean> {
  let pg: Pg;
  try {
    pg = createRequire(join(ROOT, "packages/postgres/package.json"))("pg") as Pg;
  } catch {
    return false;
  }
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
  client.on("error", () => undefined);
  try {
    await client.connect();
    await client.query("SELECT 1");
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Runs tasks at most `concurrency` at once, in the order they were given. */
export interface Scheduler {
  <T>(task: () => Promise<T>): Promise<T>;
  /** Drops the tasks not started yet: their promises reject. The running ones go on. */
  drop(): void;
}

export function limit(concurrency: number): Scheduler {
  let running = 0;
  const waiting: { start: () => void; cancel: () => void }[] = [];
  const next = () => {
    running -= 1;
    waiting.shift()?.start();
  };
  const schedule = <T>(task: () => Promise<T>) =>
    new Promise<T>((resolveTask, rejectTask) => {
      const start = () => {
        running += 1;
        task().then(resolveTask, rejectTask).finally(next);
      };
      if (running < concurrency) start();
      else waiting.push({ start, cancel: () => rejectTask(new Error("not run: dropped")) });
    });
  return Object.assign(schedule, {
    drop: () => {
      for (const task of waiting.splice(0)) task.cancel();
    },
  });
}

/** The last `max` characters of an output, enough to show a failure without flooding. */
export function tail(output: string, max = 6_000): string {
  return output.length <= max ? output : `[...]\n${output.slice(-max)}`;
}
