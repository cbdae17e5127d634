/**
 * The real Postgres for the end-to-end variant of the HTTP benchmark: a
 * `pg.Pool` of `HTTP_BENCH_PG_POOL` connections (default 16), a throwaway
 * schema migrated with `migrate` and dropped at the end, core's repository
 * over it (`postgresRepository(fromPool(pool))`), and the CPU time the
 * Postgres server spends, read from /proc (Linux, same machine only).
 */
import { execSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import type { RestoreRepository } from "@restorekit/core";
import { fromPool, migrate, postgresRepository } from "@restorekit/postgres";
import pg from "pg";
import type { PostgresCpu } from "./bench-protocol.js";

export const DATABASE_URL = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";

/**
 * 16 by default: the 64 HTTP connections wait on the pool, not on the
 * server; more backends than that on two cores only queue in the kernel.
 */
export const POOL_SIZE = Number(process.env.HTTP_BENCH_PG_POOL ?? 16);

const APPLICATION = "restorekit-http-bench";

export interface PostgresStore {
  readonly repository: RestoreRepository;
  /** Pool size, schema and server version, for the report. */
  readonly about: string;
  /** CPU µs so far of our pool's backends and of every postgres process (with exited children). */
  cpu(): PostgresCpu | null;
  close(): Promise<void>;
}

const ticksPerSecond = (() => {
  try {
    return Number(execSync("getconf CLK_TCK", { encoding: "utf8" }).trim()) || 100;
  } catch {
    return 100;
  }
})();

interface ProcStat {
  readonly name: string;
  readonly ppid: number;
  /** utime + stime, in µs. */
  readonly own: number;
  /** cutime + cstime: children that have exited and been waited for, in µs. */
  readonly children: number;
}

function procStat(pid: number | string): ProcStat | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, "utf8");
    const open = text.indexOf("(");
    const close = text.lastIndexOf(")");
    // Fields after the name, from field 3 (state) on.
    const fields = text.slice(close + 2).split(" ");
    const tick = (at: number) => (Number(fields[at - 3]) * 1e6) / ticksPerSecond;
    return {
      name: text.slice(open + 1, close),
      ppid: Number(fields[4 - 3]),
      own: tick(14) + tick(15),
      children: tick(16) + tick(17),
    };
  } catch {
    return null;
  }
}

/** Every live postgres process plus the exited children its postmaster has reaped. */
function allPostgresMicros(): number {
  let total = 0;
  for (const entry of readdirSync("/proc")) {
    if (!/^[0-9]+$/.test(entry)) continue;
    const stat = procStat(entry);
    if (stat === null || stat.name !== "postgres") continue;
    total += stat.own;
    // The postmaster (its parent is not postgres) has waited for the backends that ended.
    if (procStat(stat.ppid)?.name !== "postgres") total += stat.children;
  }
  return total;
}

/** Host and port, or the Unix socket directory a `?host=/path` names; never the password. */
function where(url: string): string {
  const parsed = new URL(url);
  const socket = parsed.searchParams.get("host");
  return socket?.startsWith("/") ? `the Unix socket in ${socket}` : parsed.host;
}

export async function postgresStore(): Promise<PostgresStore> {
  const pool = new pg.Pool({
    connectionString: DATABASE_URL,
    max: POOL_SIZE,
    application_name: APPLICATION,
    // Kept open between measured windows: a reconnect would be measured as the route's cost.
    idleTimeoutMillis: 0,
  });
  pool.on("error", () => undefined);
  const client = fromPool(pool);
  const schema = `bench_http_${process.pid}_${Date.now().toString(36)}`;
  const migrated = await migrate(client, { schema });
  if (migrated.isErr()) throw new Error(`migrate: ${migrated.error.message}`);
  // Every connection opened now, before any window.
  const held = await Promise.all(Array.from({ length: POOL_SIZE }, () => pool.connect()));
  const pids: number[] = [];
  for (const connection of held) {
    const { rows } = await connection.query<{ pid: number }>("SELECT pg_backend_pid() AS pid");
    if (rows[0] !== undefined) pids.push(rows[0].pid);
  }
  for (const connection of held) connection.release();
  const { rows } = await pool.query<{ server_version: string }>("SHOW server_version");
  const local = procStat(pids[0] ?? 0) !== null;

  return {
    repository: postgresRepository(client, { schema }),
    about: `Postgres ${rows[0]?.server_version ?? "?"} at ${where(DATABASE_URL)}, pool of ${POOL_SIZE} connections (all opened before measuring), schema ${schema} (dropped at the end)`,
    cpu: () =>
      local
        ? {
            backends: pids.reduce((sum, pid) => sum + (procStat(pid)?.own ?? 0), 0),
            all: allPostgresMicros(),
          }
        : null,
    async close() {
      await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => undefined);
      await pool.end();
    },
  };
}
