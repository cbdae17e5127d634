import pg from "pg";

/** The Postgres server the test machine runs; `DATABASE_URL` points elsewhere. */
export const DATABASE_URL = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";

/** Where the server is, without the credentials a URL may hold: for messages. */
export function serverAddress(): string {
  try {
    const url = new URL(DATABASE_URL);
    return `${url.host}${url.pathname}`;
  } catch {
    return "DATABASE_URL";
  }
}

/** Whether the server answers within a short timeout. */
export async function serverIsUp(): Promise<boolean> {
  const client = new pg.Client({ connectionString: DATABASE_URL, connectionTimeoutMillis: 2_000 });
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

/** A pool on the server, with the idle-error handler node-postgres asks every app to set. */
export function serverPool(options: pg.PoolConfig = {}): pg.Pool {
  const pool = new pg.Pool({ connectionString: DATABASE_URL, ...options });
  pool.on("error", () => undefined);
  return pool;
}

let counter = 0;

/** A schema name no other test, file or concurrent run uses. */
export function uniqueSchema(prefix: string): string {
  counter += 1;
  const random = Math.random().toString(36).slice(2, 8);
  return `${prefix}_${process.pid}_${counter}_${random}`;
}
