import { execSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { loadavg } from "node:os";
import type pg from "pg";

function shell(command: string): string {
  try {
    return execSync(command, { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
  } catch {
    return "unknown";
  }
}

function cpuModel(): string {
  try {
    const line = readFileSync("/proc/cpuinfo", "utf8")
      .split("\n")
      .find((entry) => entry.startsWith("model name"));
    return line?.split(":")[1]?.trim() ?? "unknown";
  } catch {
    return "unknown";
  }
}

/** The 1, 5 and 15 minute load averages, as `uptime` prints them. */
export function loadAverage(): string {
  return loadavg()
    .map((value) => value.toFixed(2))
    .join(", ");
}

/** nproc, the CPU model, Node's and the server's versions and the settings that bear on a commit. */
export async function machineInfo(pool: pg.Pool): Promise<string> {
  const setting = async (name: string) =>
    String((await pool.query(`SHOW ${name}`)).rows[0]?.[name] ?? "unknown");
  return [
    `- nproc: ${shell("nproc")}; CPU: ${cpuModel()}`,
    `- Node ${process.version}; Postgres ${await setting("server_version")}`,
    `- server settings: synchronous_commit=${await setting("synchronous_commit")}, fsync=${await setting("fsync")}, shared_buffers=${await setting("shared_buffers")}, max_connections=${await setting("max_connections")}`,
  ].join("\n");
}
