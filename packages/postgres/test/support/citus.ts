import pg from "pg";
import { fromPool } from "../../src/index.js";
import type { Backend } from "./shared-suites.js";

/** The Citus coordinator the test machine may run; `RESTOREKIT_CITUS_URL` points elsewhere. */
export const CITUS_URL =
  process.env.RESTOREKIT_CITUS_URL ?? "postgres://postgres@127.0.0.1:5441/postgres";

/** Where the coordinator is, without the credentials a URL may hold: for messages. */
export function citusAddress(): string {
  try {
    const url = new URL(CITUS_URL);
    return `${url.protocol}//${url.host}${url.pathname}`;
  } catch {
    return "RESTOREKIT_CITUS_URL (not a URL)";
  }
}

/** What answered at `CITUS_URL`: a coordinator with workers, or why the suite cannot run there. */
export type CitusCluster =
  | { readonly up: true; readonly version: string; readonly workers: number }
  | { readonly up: false; readonly reason: string };

/**
 * Asks once, with a short timeout, whether a Citus coordinator with active
 * workers answers. A plain Postgres there is no Citus: the suite would pass
 * on it without telling anything about shards.
 */
export async function citusCluster(): Promise<CitusCluster> {
  const client = new pg.Client({ connectionString: CITUS_URL, connectionTimeoutMillis: 2_000 });
  client.on("error", () => undefined);
  try {
    await client.connect();
  } catch (error) {
    return { up: false, reason: `no server answered (${(error as Error).message})` };
  }
  try {
    const { rows } = await client.query(
      "SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_extension WHERE extname = 'citus') AS citus",
    );
    if (rows[0]?.citus !== true) {
      return { up: false, reason: "a server answered, but without the citus extension" };
    }
    // Only now: the function and the view exist where the extension does.
    const found = await client.query(
      `SELECT citus_version() AS version,
         (SELECT count(*)::int FROM pg_catalog.pg_dist_node
          WHERE isactive AND noderole = 'primary' AND shouldhaveshards) AS workers`,
    );
    const workers = Number(found.rows[0]?.workers ?? 0);
    if (workers === 0) return { up: false, reason: "the coordinator has no active worker" };
    return { up: true, version: String(found.rows[0]?.version), workers };
  } catch (error) {
    return { up: false, reason: `the cluster could not be read (${(error as Error).message})` };
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** A pool on the coordinator, with the idle-error handler node-postgres asks every app to set. */
export function citusPool(options: pg.PoolConfig = {}): pg.Pool {
  const pool = new pg.Pool({ connectionString: CITUS_URL, ...options });
  pool.on("error", () => undefined);
  return pool;
}

/** The shared suites' backend on the coordinator: each client a pool of its own. */
export function citusBackend(): Backend {
  const own: pg.Pool[] = [];
  return {
    name: "citus",
    clients: (count) =>
      Array.from({ length: count }, () => {
        const pool = citusPool({ max: 2 });
        own.push(pool);
        return fromPool(pool);
      }),
    release: async () => {
      await Promise.all(own.map((pool) => pool.end().catch(() => undefined)));
    },
  };
}
