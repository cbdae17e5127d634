import pg from "pg";

/** The Citus coordinator the test machine may run; `RESTOREKIT_CITUS_URL` points elsewhere. */
export const CITUS_URL =
  process.env.RESTOREKIT_CITUS_URL ?? "postgres://postgres@127.0.0.1:5441/postgres";

/** Where the coordinator is, without the credentials a URL may hold: for messages. */
export function citusAddress(): string {
  try {
    const url = new URL(CITUS_URL);
    return `${url.host}${url.pathname}`;
  } catch {
    return "RESTOREKIT_CITUS_URL";
  }
}

/**
 * Whether a Citus coordinator answers within a short timeout. A plain
 * Postgres at that address is no Citus: the suites would pass there without
 * telling anything about distributed tables.
 */
export async function citusIsUp(): Promise<boolean> {
  const client = new pg.Client({ connectionString: CITUS_URL, connectionTimeoutMillis: 2_000 });
  client.on("error", () => undefined);
  try {
    await client.connect();
    const { rows } = await client.query(
      "SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_extension WHERE extname = 'citus') AS citus",
    );
    return rows[0]?.citus === true;
  } catch {
    return false;
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
