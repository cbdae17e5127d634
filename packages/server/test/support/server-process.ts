import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository's root, where `pnpm start` is run. */
export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "../../../..");

/** Generous: a cold start compiles TypeScript and opens PGlite, on a machine that may be busy. */
const START_DEADLINE_MS = 150_000;

export interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export interface ServerProcess {
  readonly child: ChildProcess;
  /** The URL the start message printed; empty if the process exited first. */
  readonly url: string;
  /** The demo agent's private key file (PEM) the start message names; null out of demo mode. */
  readonly agentKeyPath: string | null;
  /** Everything printed so far, standard output and error interleaved as received. */
  output(): string;
  stdout(): string;
  /** Resolves when a line matching `pattern` has been printed (or rejects once the process exits). */
  waitFor(pattern: RegExp): Promise<string>;
  readonly exited: Promise<Exit>;
  /** Sends a signal to the server process itself. */
  signal(signal: NodeJS.Signals): void;
  /** SIGTERM, then SIGKILL to the whole process group if it does not go; resolves on exit. */
  stop(): Promise<Exit>;
}

/**
 * The root `start` script split into a command and its arguments, so the
 * server runs exactly as `pnpm start` runs it, without pnpm in between
 * (pnpm would take the signals the tests send).
 */
export function startCommand(script: "start" | "restorekit" = "start"): {
  command: string;
  args: string[];
} {
  const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as {
    scripts: Record<string, string>;
  };
  const line = pkg.scripts[script];
  if (line === undefined) throw new Error(`the root package.json has no "${script}" script`);
  const [first, ...args] = line.split(/\s+/).filter((word) => word !== "");
  if (first !== "node")
    throw new Error(`the "${script}" script no longer starts with node: ${line}`);
  return { command: process.execPath, args };
}

/** The environment a server starts with: the test's, without any setting of its own leaking in. */
export function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (name.startsWith("RESTOREKIT_") || name.startsWith("VITEST") || name === "NODE_OPTIONS") {
      continue;
    }
    if (["PORT", "HOST", "DATA_DIR", "DATABASE_URL", "LOG_LEVEL"].includes(name)) continue;
    env[name] = value;
  }
  return { ...env, ...extra };
}

/**
 * Runs a process from the repository's root and collects what it prints.
 * It gets a process group of its own, so a test that fails cannot leave it
 * (or anything it started) running.
 */
export function runProcess(
  command: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv,
): {
  child: ChildProcess;
  output(): string;
  stdout(): string;
  exited: Promise<Exit>;
  waitFor(pattern: RegExp): Promise<string>;
} {
  const child = spawn(command, args, { cwd: ROOT, env, detached: true, stdio: "pipe" });
  let all = "";
  let out = "";
  const waiters: { pattern: RegExp; resolve: (line: string) => void }[] = [];
  const check = () => {
    for (const waiter of [...waiters]) {
      const match = waiter.pattern.exec(all);
      if (match !== null) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(match[0]);
      }
    }
  };
  child.stdout?.on("data", (chunk: Buffer) => {
    all += chunk.toString();
    out += chunk.toString();
    check();
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    all += chunk.toString();
    check();
  });
  const exited = new Promise<Exit>((resolve) => {
    child.once("close", (code, signal) => resolve({ code, signal }));
  });
  return {
    child,
    output: () => all,
    stdout: () => out,
    exited,
    waitFor(pattern) {
      return new Promise<string>((resolve, reject) => {
        waiters.push({ pattern, resolve });
        check();
        void exited.then(() => {
          check();
          const index = waiters.findIndex((waiter) => waiter.pattern === pattern);
          if (index >= 0) {
            waiters.splice(index, 1);
            reject(new Error(`the process exited before printing ${pattern}:\n${all}`));
          }
        });
      });
    },
  };
}

/**
 * Starts the server as `pnpm start` does, with `env` on top of a clean
 * environment, and waits for its start message.
 */
export async function startServerProcess(env: Record<string, string>): Promise<ServerProcess> {
  const { command, args } = startCommand();
  const run = runProcess(command, args, cleanEnv(env));
  const killGroup = (signal: NodeJS.Signals) => {
    try {
      if (run.child.pid !== undefined) process.kill(-run.child.pid, signal);
    } catch {
      // Already gone.
    }
  };
  const deadline = setTimeout(() => killGroup("SIGKILL"), START_DEADLINE_MS);
  let url = "";
  let agentKeyPath: string | null = null;
  try {
    const line = await run.waitFor(/restorekit is listening on (http:\/\/\S+)/);
    url = /http:\/\/\S+/.exec(line)?.[0] ?? "";
    // The key's line comes later in the same message, which always ends with this one.
    await run.waitFor(/Press Ctrl\+C to stop\./);
    agentKeyPath = /agent key\s+(\S+)/.exec(run.output())?.[1] ?? null;
  } catch (error) {
    const exit = await run.exited;
    if (exit.signal === "SIGKILL") {
      throw new Error(`the server did not start within ${START_DEADLINE_MS} ms:\n${run.output()}`);
    }
    throw error;
  } finally {
    clearTimeout(deadline);
  }
  return {
    ...run,
    url,
    agentKeyPath,
    signal(signal) {
      run.child.kill(signal);
    },
    async stop() {
      run.child.kill("SIGTERM");
      const timer = setTimeout(() => killGroup("SIGKILL"), 60_000);
      const exit = await run.exited;
      clearTimeout(timer);
      killGroup("SIGKILL");
      return exit;
    },
  };
}
