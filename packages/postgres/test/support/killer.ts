import pg from "pg";
import { DATABASE_URL } from "./real-server.js";

export interface BackendKiller {
  /** Terminates every backend of the application now: how many it ended, 0 when the attempt failed. */
  kill(): Promise<number>;
  close(): Promise<void>;
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Terminates the backends of one `application_name` from a connection of its
 * own, opened before the test's workload starts and held throughout: a
 * test's helper must not compete with the load it creates for a connection
 * slot ("too many clients"). A failed attempt counts 0 and the caller tries
 * again on its next tick; a lost connection is reopened on the next attempt.
 */
export async function backendKiller(application: string): Promise<BackendKiller> {
  let client: pg.Client | null = null;
  let closed = false;

  async function open(): Promise<pg.Client> {
    const fresh = new pg.Client({
      connectionString: DATABASE_URL,
      application_name: `rk_killer_${process.pid}`,
      connectionTimeoutMillis: 2_000,
    });
    // A dropped connection must not crash the run: the next attempt opens another.
    const forget = () => {
      if (client === fresh) client = null;
    };
    fresh.on("error", forget);
    fresh.on("end", forget);
    try {
      await fresh.connect();
    } catch (error) {
      await fresh.end().catch(() => undefined);
      throw error;
    }
    client = fresh;
    return fresh;
  }

  // Other runs may hold slots for a moment; the held connection is worth a few tries up front.
  for (let attempt = 1; client === null; attempt += 1) {
    try {
      await open();
    } catch (error) {
      if (attempt === 10) throw error;
      await pause(200);
    }
  }

  return {
    async kill() {
      if (closed) return 0;
      try {
        const current = client ?? (await open());
        const result = await current.query<{ n: number }>(
          `SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity
           WHERE application_name = $1 AND pid <> pg_backend_pid()`,
          [application],
        );
        return Number(result.rows[0]?.n ?? 0);
      } catch {
        return 0;
      }
    },
    async close() {
      closed = true;
      const current = client;
      client = null;
      await current?.end().catch(() => undefined);
    },
  };
}
