import { readFileSync } from "node:fs";
import { readFile, rename, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import type pg from "pg";
import { citusIsUp, citusPool } from "./citus-cluster.js";
import { serverIsUp, serverPool } from "./real-server.js";

// Module state is per test file (Vitest isolates files), so "shared" here means shared by
// the suites of one file.
let pglite: Promise<PGlite> | undefined;
let pool: pg.Pool | undefined;
let up: Promise<boolean> | undefined;
let citus: pg.Pool | undefined;
let citusUp: Promise<boolean> | undefined;

/**
 * Where a fresh PGlite's data directory is kept between files and runs, per
 * PGlite version: a fresh instance spends seconds of CPU in initdb, loading
 * the dump a fraction of that. Null when the version cannot be read.
 */
function dumpPath(): string | null {
  try {
    const manifest = readFileSync(
      new URL("../../node_modules/@electric-sql/pglite/package.json", import.meta.url),
      "utf8",
    );
    const { version } = JSON.parse(manifest) as { version?: unknown };
    return typeof version === "string" && /^[\w.-]+$/.test(version)
      ? join(tmpdir(), `restorekit-hono-tests-pglite-${version}.tar`)
      : null;
  } catch {
    return null;
  }
}

async function openPGlite(): Promise<PGlite> {
  const path = dumpPath();
  if (path !== null) {
    const dump = await readFile(path).catch(() => null);
    if (dump !== null) {
      try {
        return await PGlite.create({ loadDataDir: new Blob([dump]) });
      } catch {
        // A dump this PGlite cannot load: start from scratch, and replace it below.
      }
    }
  }
  const db = await PGlite.create();
  if (path !== null) {
    try {
      const fresh = await db.dumpDataDir("none");
      // Written aside and renamed, so a file loading at the same time never sees half a dump.
      const partial = `${path}.${process.pid}.${Date.now()}`;
      await writeFile(partial, new Uint8Array(await fresh.arrayBuffer()));
      await rename(partial, path);
    } catch {
      // Without a dump the next file starts from scratch too; nothing else depends on it.
    }
  }
  return db;
}

/** The file's one in-memory PGlite, made on first use. */
export function filePGlite(): Promise<PGlite> {
  pglite ??= openPGlite();
  return pglite;
}

/** The file's pool on the real server, made on first use. */
export function fileServerPool(): pg.Pool {
  pool ??= serverPool({ max: 4 });
  return pool;
}

/** Whether the real server answers; asked once per file. */
export function fileServerIsUp(): Promise<boolean> {
  up ??= serverIsUp();
  return up;
}

/** The file's pool on the Citus coordinator, made on first use. */
export function fileCitusPool(): pg.Pool {
  citus ??= citusPool({ max: 4 });
  return citus;
}

/** Whether a Citus coordinator answers; asked once per file. */
export function fileCitusIsUp(): Promise<boolean> {
  citusUp ??= citusIsUp();
  return citusUp;
}

/** Closes what the file opened; the suites' own schemas are dropped by the suites. */
export async function closeFileDatabases(): Promise<void> {
  const opened = pglite;
  const openedPool = pool;
  const openedCitus = citus;
  pglite = undefined;
  pool = undefined;
  citus = undefined;
  if (opened !== undefined) {
    const db = await opened;
    if (!db.closed) await db.close();
  }
  await openedPool?.end().catch(() => undefined);
  await openedCitus?.end().catch(() => undefined);
}
