import { adminQuery, postgresAnswers } from "./scratch-database.js";

/** The Citus coordinator the test machine may run; `RESTOREKIT_CITUS_URL` points elsewhere. */
export const CITUS_URL =
  process.env.RESTOREKIT_CITUS_URL ?? "postgres://postgres@127.0.0.1:5441/postgres";

/** Where the coordinator is, without the credentials a URL may hold: for test names and messages. */
export function citusAddress(url: string = CITUS_URL): string {
  try {
    const parsed = new URL(url);
    return `${parsed.host}${parsed.pathname}`;
  } catch {
    return "RESTOREKIT_CITUS_URL";
  }
}

/** The tables `migrate` distributes by tenant on Citus. */
export const DISTRIBUTED_TABLES = ["restores", "restore_events", "idempotency_keys"] as const;

/**
 * Whether a Citus coordinator answers at `url`. A plain Postgres there is no
 * Citus: a test would pass on it without a table being distributed.
 */
export async function citusAnswers(url: string = CITUS_URL): Promise<boolean> {
  if (!(await postgresAnswers(url))) return false;
  try {
    const rows = await adminQuery<{ citus: boolean }>(
      url,
      "SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_extension WHERE extname = 'citus') AS citus",
    );
    return rows[0]?.citus === true;
  } catch {
    return false;
  }
}

/** Which of `DISTRIBUTED_TABLES` Citus holds as hash-distributed tables in `schema`. */
export async function distributedTables(url: string, schema: string): Promise<string[]> {
  const rows = await adminQuery<{ name: string }>(
    url,
    `SELECT t.name FROM unnest($1::text[]) WITH ORDINALITY AS t(name, n)
     WHERE EXISTS (SELECT 1 FROM pg_catalog.pg_dist_partition p
                   WHERE p.logicalrelid = to_regclass(format('%I.%I', $2::text, t.name))
                     AND p.partmethod = 'h')
     ORDER BY t.n`,
    [DISTRIBUTED_TABLES, schema],
  );
  return rows.map((row) => row.name);
}
