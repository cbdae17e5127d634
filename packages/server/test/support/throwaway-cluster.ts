import { execFile, execFileSync } from "node:child_process";
import {
  appendFileSync,
  chownSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
} from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

// A Postgres cluster of a test's own, on a port of its own, that the test may stop and start at
// will: the shared server at 5432 must never be stopped, restarted or reconfigured by a test.

/** Every throwaway cluster's name starts with this, then the creating process's pid. */
export const THROWAWAY_PREFIX = "rk_throwaway";

/** Ports the throwaway cluster never takes: the shared server's, and another tool's. */
const RESERVED_PORTS = new Set([5432, 5441, 5442, 5443]);
const PORT_RANGE = { from: 20_000, to: 29_999 };
/** Each command to Postgres's tools is bounded; a busy machine gets them done well within this. */
const COMMAND_DEADLINE_MS = 60_000;
const READY_DEADLINE_MS = 60_000;
const DEBIAN_CONF_ROOT = "/etc/postgresql";
const PG_LIB = "/usr/lib/postgresql";

export interface ThrowawayCluster {
  readonly name: string;
  readonly port: number;
  /** Its `postgres` database as the `postgres` user over TCP on 127.0.0.1 (trust auth). */
  readonly url: string;
  readonly tool: "pg_createcluster" | "initdb";
  /** How long creating it and starting it the first time took. */
  readonly createdMs: number;
  /** A fast shutdown (sessions ended, a checkpoint); resolves once nothing answers on the port. */
  stop(): Promise<void>;
  /** Resolves once `pg_isready` says it accepts connections, to how many ms after the call it first did. */
  start(): Promise<number>;
  /** Whether `pg_isready` says it accepts connections now. */
  isReady(): Promise<boolean>;
  /** Stops it and removes its data and configuration; safe to call twice, or after a failure. */
  destroy(): Promise<void>;
}

interface Tools {
  readonly kind: "pg_createcluster" | "initdb";
  readonly version: string;
  /** The server's own programs: initdb, pg_ctl, pg_isready. */
  readonly bin: string;
}

function onPath(program: string): string | null {
  try {
    return execFileSync("sh", ["-c", `command -v ${program}`], { encoding: "utf8" }).trim() || null;
  } catch {
    return null;
  }
}

/** The newest server installed in Debian's layout, else the one whose initdb is on the PATH. */
function findTools(): Tools | null {
  const versions = existsSync(PG_LIB)
    ? readdirSync(PG_LIB)
        .filter((v) => /^\d+(\.\d+)?$/.test(v) && existsSync(join(PG_LIB, v, "bin", "pg_ctl")))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  const newest = versions[0];
  if (newest !== undefined) {
    const bin = join(PG_LIB, newest, "bin");
    const kind =
      onPath("pg_createcluster") !== null && onPath("pg_ctlcluster") !== null
        ? "pg_createcluster"
        : "initdb";
    return { kind, version: newest, bin };
  }
  const initdb = onPath("initdb");
  if (initdb === null) return null;
  const bin = dirname(initdb);
  return existsSync(join(bin, "pg_ctl")) ? { kind: "initdb", version: "", bin } : null;
}

function postgresUserExists(): boolean {
  try {
    execFileSync("id", ["-u", "postgres"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

/**
 * Why no throwaway cluster can be made here (not root, no server tools, no
 * `postgres` user), or null when it can: a test skips on the first, and
 * fails when the tools are there but making one fails.
 */
export function throwawayClusterUnavailable(): string | null {
  if (process.platform !== "linux") return `it needs Linux, this is ${process.platform}`;
  if (process.getuid?.() !== 0) return "it needs root to run Postgres's tools as postgres";
  if (onPath("runuser") === null && onPath("pg_createcluster") === null) {
    return "neither pg_createcluster nor runuser is installed";
  }
  if (findTools() === null) {
    return "no Postgres server tools (pg_createcluster, or initdb and pg_ctl) are installed";
  }
  if (!postgresUserExists()) return "there is no postgres user to run the server as";
  return null;
}

/** Runs a command with a deadline; rejects with what it printed. */
function run(command: string, args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      command,
      args,
      { timeout: COMMAND_DEADLINE_MS, encoding: "utf8", maxBuffer: 4 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error === null) resolve(stdout);
        else {
          reject(new Error(`${command} ${args.join(" ")} failed (${error.message}):\n${stderr}`));
        }
      },
    );
  });
}

function asPostgres(bin: string, program: string, args: readonly string[]): Promise<string> {
  return run("runuser", ["-u", "postgres", "--", join(bin, program), ...args]);
}

function portAnswers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once("error", () => resolve(false));
    probe.listen({ host: "127.0.0.1", port, exclusive: true }, () =>
      probe.close(() => resolve(true)),
    );
  });
}

/** The ports the clusters Debian knows are configured for, running or not. */
function configuredPorts(): Set<number> {
  const ports = new Set<number>();
  if (!existsSync(DEBIAN_CONF_ROOT)) return ports;
  for (const version of readdirSync(DEBIAN_CONF_ROOT)) {
    const root = join(DEBIAN_CONF_ROOT, version);
    let clusters: string[] = [];
    try {
      clusters = readdirSync(root);
    } catch {
      continue;
    }
    for (const cluster of clusters) {
      try {
        const conf = readFileSync(join(root, cluster, "postgresql.conf"), "utf8");
        const match = /^\s*port\s*=\s*(\d+)/m.exec(conf);
        if (match?.[1] !== undefined) ports.add(Number(match[1]));
      } catch {
        // Not a cluster's directory.
      }
    }
  }
  return ports;
}

async function freePort(): Promise<number> {
  const taken = configuredPorts();
  for (let attempt = 0; attempt < 50; attempt += 1) {
    const port = PORT_RANGE.from + Math.floor(Math.random() * (PORT_RANGE.to - PORT_RANGE.from));
    if (RESERVED_PORTS.has(port) || taken.has(port)) continue;
    // A Unix socket of another server on this port would clash with the new one's.
    if ([`/var/run/postgresql/.s.PGSQL.${port}`, `/tmp/.s.PGSQL.${port}`].some(existsSync)) {
      continue;
    }
    if (await portAnswers(port)) return port;
  }
  throw new Error("no free port for a throwaway Postgres cluster");
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** The pid a throwaway cluster's name says created it, when that process is gone. */
function orphanedBy(name: string): number | null {
  const match = new RegExp(`^${THROWAWAY_PREFIX}_(\\d+)_`).exec(name);
  if (match?.[1] === undefined) return null;
  const pid = Number(match[1]);
  return processAlive(pid) ? null : pid;
}

/** Drops what a crashed earlier run left: throwaway clusters whose creating process is dead. */
async function dropLeftovers(tools: Tools): Promise<string[]> {
  const dropped: string[] = [];
  if (tools.kind === "pg_createcluster" && existsSync(DEBIAN_CONF_ROOT)) {
    for (const version of readdirSync(DEBIAN_CONF_ROOT)) {
      const root = join(DEBIAN_CONF_ROOT, version);
      for (const name of existsSync(root) ? readdirSync(root) : []) {
        if (orphanedBy(name) === null) continue;
        await run("pg_ctlcluster", [
          "--skip-systemctl-redirect",
          version,
          name,
          "stop",
          "-m",
          "immediate",
        ]).catch(() => undefined);
        await run("pg_dropcluster", ["--stop", version, name]).catch(() => undefined);
        dropped.push(`${version}/${name}`);
      }
    }
  }
  for (const name of readdirSync(tmpdir())) {
    if (orphanedBy(name) === null) continue;
    const dir = join(tmpdir(), name);
    if (existsSync(join(dir, "data", "postmaster.pid"))) {
      await asPostgres(tools.bin, "pg_ctl", [
        "-D",
        join(dir, "data"),
        "stop",
        "-m",
        "immediate",
      ]).catch(() => undefined);
    }
    rmSync(dir, { recursive: true, force: true });
    dropped.push(dir);
  }
  return dropped;
}

interface Driver {
  create(): Promise<void>;
  start(): Promise<void>;
  stop(mode: "fast" | "immediate"): Promise<void>;
  drop(): Promise<void>;
}

function debianDriver(tools: Tools, name: string, port: number): Driver {
  const ctl = (action: string, ...rest: string[]) =>
    run("pg_ctlcluster", ["--skip-systemctl-redirect", tools.version, name, action, ...rest]);
  return {
    async create() {
      await run("pg_createcluster", [
        tools.version,
        name,
        "-p",
        String(port),
        // Never started by the machine's own service at boot: it belongs to one test run.
        "--start-conf",
        "manual",
        "-o",
        "shared_buffers=16MB",
        "--",
        "--auth=trust",
        "--no-sync",
      ]);
      // pg_createcluster's -o leaves an address unquoted, which postgresql.conf cannot parse.
      appendFileSync(
        join(DEBIAN_CONF_ROOT, tools.version, name, "postgresql.conf"),
        "\nlisten_addresses = '127.0.0.1'\n",
      );
    },
    start: async () => {
      await ctl("start");
    },
    stop: async (mode) => {
      await ctl("stop", "-m", mode);
    },
    async drop() {
      if (!existsSync(join(DEBIAN_CONF_ROOT, tools.version, name))) return;
      await ctl("stop", "-m", "immediate").catch(() => undefined);
      await run("pg_dropcluster", ["--stop", tools.version, name]);
    },
  };
}

function initdbDriver(tools: Tools, dir: string, port: number): Driver {
  const data = join(dir, "data");
  const pgCtl = (...args: string[]) => asPostgres(tools.bin, "pg_ctl", ["-D", data, ...args]);
  return {
    async create() {
      const ids = (flag: string) => Number(execFileSync("id", [flag, "postgres"]).toString());
      chownSync(dir, ids("-u"), ids("-g"));
      await asPostgres(tools.bin, "initdb", [
        "-D",
        data,
        "-U",
        "postgres",
        "--auth=trust",
        "--no-sync",
      ]);
      appendFileSync(
        join(data, "postgresql.conf"),
        [
          "",
          `port = ${port}`,
          "listen_addresses = '127.0.0.1'",
          `unix_socket_directories = '${dir}'`,
          "shared_buffers = 16MB",
          "",
        ].join("\n"),
      );
    },
    start: async () => {
      await pgCtl("-l", join(dir, "server.log"), "-w", "-t", "60", "start");
    },
    stop: async (mode) => {
      await pgCtl("-m", mode, "-w", "-t", "60", "stop");
    },
    async drop() {
      if (existsSync(join(data, "postmaster.pid"))) {
        await pgCtl("-m", "immediate", "-w", "stop").catch(() => undefined);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function isReady(tools: Tools, port: number): Promise<boolean> {
  return run(join(tools.bin, "pg_isready"), ["-q", "-h", "127.0.0.1", "-p", String(port)]).then(
    () => true,
    () => false,
  );
}

/** Polls `pg_isready` until it says `ready`, within a deadline. */
async function waitUntil(tools: Tools, port: number, ready: boolean): Promise<void> {
  const deadline = performance.now() + READY_DEADLINE_MS;
  while ((await isReady(tools, port)) !== ready) {
    if (performance.now() > deadline) {
      throw new Error(
        `Postgres on port ${port} still ${ready ? "does not accept" : "accepts"} connections after ${READY_DEADLINE_MS} ms`,
      );
    }
    await sleep(50);
  }
}

/**
 * Makes and starts a cluster of the test's own on a free port, with trust
 * authentication on 127.0.0.1, after dropping those that crashed runs left.
 * Debian's pg_createcluster when it is there, else initdb and pg_ctl run as
 * postgres (or those when `tool` asks). Throws (having removed whatever it
 * made) when it fails.
 */
export async function createThrowawayCluster(
  options: { readonly tool?: "initdb" } = {},
): Promise<ThrowawayCluster> {
  const found = findTools();
  if (found === null) throw new Error("no Postgres server tools are installed");
  const tools: Tools = options.tool === undefined ? found : { ...found, kind: options.tool };
  await dropLeftovers(tools);
  const started = performance.now();
  // Another process may take the port between the check and the start: then try another.
  for (let attempt = 1; ; attempt += 1) {
    const port = await freePort();
    const suffix = `${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
    const name = `${THROWAWAY_PREFIX}_${suffix}`;
    const driver =
      tools.kind === "pg_createcluster"
        ? debianDriver(tools, name, port)
        : initdbDriver(tools, mkdtempSync(join(tmpdir(), `${name}_`)), port);
    try {
      await driver.create();
      await driver.start();
      await waitUntil(tools, port, true);
    } catch (error) {
      await driver.drop().catch(() => undefined);
      if (
        attempt < 3 &&
        /already in use|could not bind|could not create any TCP/.test(String(error))
      ) {
        continue;
      }
      throw error;
    }
    let destroyed: Promise<void> | null = null;
    return {
      name,
      port,
      url: `postgres://postgres@127.0.0.1:${port}/postgres`,
      tool: tools.kind,
      createdMs: performance.now() - started,
      async stop() {
        await driver.stop("fast");
        await waitUntil(tools, port, false);
      },
      async start() {
        const asked = performance.now();
        // The start command may return well after the server accepts (pg_ctlcluster checks in
        // half-second steps), so watch for the moment it does alongside.
        let acceptingAt: number | null = null;
        let starting = true;
        const watch = (async () => {
          while (starting && acceptingAt === null) {
            if (await isReady(tools, port)) acceptingAt = performance.now();
            else await sleep(25);
          }
        })();
        try {
          await driver.start();
        } finally {
          starting = false;
          await watch;
        }
        await waitUntil(tools, port, true);
        return (acceptingAt ?? performance.now()) - asked;
      },
      isReady: () => isReady(tools, port),
      destroy() {
        destroyed ??= driver.drop();
        return destroyed;
      },
    };
  }
}
