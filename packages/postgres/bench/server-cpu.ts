import { execSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import type pg from "pg";

/** CPU ticks (utime + stime) per pid, from /proc. */
type Ticks = Map<number, number>;

/** A snapshot of the server's CPU use, to subtract from a later one. */
export interface ServerCpuSnapshot {
  readonly backends: Ticks;
  readonly all: Ticks;
}

/** Server CPU spent between two snapshots, in microseconds; null where /proc shows nothing. */
export interface ServerCpuSpent {
  /** The backends whose application_name is the bench's: the connections serving it. */
  readonly backendsUs: number | null;
  /** Every process named postgres: the bench's backends, WAL writer, checkpointer, autovacuum, and anyone else's sessions. */
  readonly allUs: number | null;
}

const TICK_US = 1_000_000 / (Number(shell("getconf CLK_TCK")) || 100);

function shell(command: string): string {
  try {
    return execSync(command, { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
  } catch {
    return "";
  }
}

function ticksOf(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after the command name, which is in parentheses and may hold spaces: utime and stime are 14 and 15.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return null;
  }
}

function postgresPids(): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, "utf8").trim() === "postgres")
        pids.push(Number(entry));
    } catch {
      // Gone between the listing and the read.
    }
  }
  return pids;
}

function ticksFor(pids: readonly number[]): Ticks {
  const ticks: Ticks = new Map();
  for (const pid of pids) {
    const value = ticksOf(pid);
    if (value !== null) ticks.set(pid, value);
  }
  return ticks;
}

/**
 * Reads the server's CPU counters. The bench's backends are found by the
 * application_name its pools set (pg_stat_activity), so a monitor query on
 * another application name does not count itself. Only meaningful when the
 * server runs on this machine; otherwise both sums come out null.
 */
export async function serverCpuSnapshot(
  monitor: pg.Pool,
  applicationName: string,
): Promise<ServerCpuSnapshot> {
  const { rows } = await monitor.query<{ pid: number }>(
    "SELECT pid FROM pg_stat_activity WHERE application_name = $1",
    [applicationName],
  );
  return { backends: ticksFor(rows.map((row) => row.pid)), all: ticksFor(postgresPids()) };
}

function spentUs(before: Ticks, after: Ticks): number | null {
  if (after.size === 0) return null;
  let ticks = 0;
  // A process that started in between counts whole: all its time falls in the window.
  for (const [pid, value] of after) ticks += value - (before.get(pid) ?? 0);
  return ticks * TICK_US;
}

export function serverCpuSpent(
  before: ServerCpuSnapshot,
  after: ServerCpuSnapshot,
): ServerCpuSpent {
  return {
    backendsUs: spentUs(before.backends, after.backends),
    allUs: spentUs(before.all, after.all),
  };
}
