import pg from "pg";

/** The shared Postgres server the tests use; `DATABASE_URL` points elsewhere. */
export const SERVER_URL = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";

/** Whether a Postgres server answers at `url` within a short timeout. */
export async function postgresAnswers(url: string = SERVER_URL): Promise<boolean> {
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

export interface ScratchDatabase {
  readonly name: string;
  /** The same server as `SERVER_URL`, this database. */
  readonly url: string;
  /** Drops it, ending whatever is still connected to it. */
  drop(): Promise<void>;
}

/** Runs one statement on its own connection to `url`. */
export async function adminQuery<Row extends pg.QueryResultRow = pg.QueryResultRow>(
  url: string,
  text: string,
  values: unknown[] = [],
): Promise<Row[]> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  client.on("error", () => undefined);
  await client.connect();
  try {
    return (await client.query<Row>(text, values)).rows;
  } finally {
    await client.end().catch(() => undefined);
  }
}

let counter = 0;

/**
 * A database of its own on the server at `serverUrl`, so a test that kills
 * connections or counts them by database sees only its own, and a dump holds
 * only what the test wrote.
 */
export async function scratchDatabase(
  prefix: string,
  serverUrl: string = SERVER_URL,
): Promise<ScratchDatabase> {
  counter += 1;
  const name = `${prefix}_${process.pid}_${counter}_${Math.random().toString(36).slice(2, 8)}`;
  await adminQuery(serverUrl, `CREATE DATABASE "${name}"`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    drop: async () => {
      await adminQuery(serverUrl, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    },
  };
}
