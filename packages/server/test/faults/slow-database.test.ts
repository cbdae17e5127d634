import { setTimeout as sleep } from "node:timers/promises";
import pg from "pg";
import { describe, expect, it } from "vitest";
import { FAULT_SCHEMA, faultRun, postgresOrSay, verdict } from "../support/fault-run.js";
import {
  classes,
  describeAnswers,
  disallowed,
  type Outcome,
  startLoad,
  tally,
} from "../support/load.js";
import { adminQuery, SERVER_URL } from "../support/scratch-database.js";

// A database that stops answering in time: a transaction holds an exclusive lock on the
// restores table (and sleeps) for longer than the server's timeout. Requests must answer 503
// with Retry-After in bounded time, the server must not open more connections than its pool
// allows nor leave statements waiting past the timeout, and all must be well once it lets go.

const onPostgres = await postgresOrSay("the slow-database test");

const POOL_SIZE = 5;
const TIMEOUT_MS = 1_000;
// Longer than the answer bound, so a request that waited for the lock to go would show.
const LOCK_SECONDS = 8;
// A request makes at most two waits on the database before it fails (a connection, then the
// blocked statement); the rest is slack for a busy 2-core machine.
const ANSWER_BOUND_MS = 2 * TIMEOUT_MS + 4_000;

describe.skipIf(!onPostgres)(
  "a database slower than the request timeout (a lock held with pg_sleep)",
  () => {
    const run = faultRun("rk_fault_slow");

    it("answers 503 with Retry-After in bounded time, within its pool, and recovers", async () => {
      const { setup, database } = run();
      const server = await run().server({
        RESTOREKIT_DB_POOL_SIZE: String(POOL_SIZE),
        RESTOREKIT_DB_TIMEOUT_MS: String(TIMEOUT_MS),
      });
      const url = server.url;
      const load = await startLoad({ urls: () => [url], setup, workers: 16, restores: 20 });
      await load.answered(100);

      const locker = new pg.Client({ connectionString: database.url });
      locker.on("error", () => undefined);
      await locker.connect();
      await locker.query("BEGIN");
      await locker.query(`LOCK TABLE ${FAULT_SCHEMA}.restores IN ACCESS EXCLUSIVE MODE`);
      const lockedAt = performance.now();
      const sleeping = locker.query(`SELECT pg_sleep(${LOCK_SECONDS})`);
      const locked = load.outcomes.length;

      // While it holds: how many connections the server has open, and how long its oldest wait is.
      const samples: { connections: number; longestWaitMs: number }[] = [];
      while (performance.now() - lockedAt < (LOCK_SECONDS - 0.5) * 1000) {
        const [row] = await adminQuery<{ connections: number; longest: number | null }>(
          SERVER_URL,
          `SELECT count(*)::int AS connections,
                max(extract(epoch FROM clock_timestamp() - query_start) * 1000)
                  FILTER (WHERE state = 'active' AND wait_event_type = 'Lock') AS longest
         FROM pg_stat_activity WHERE datname = $1 AND application_name = 'restorekit'`,
          [database.name],
        );
        samples.push({
          connections: Number(row?.connections),
          longestWaitMs: Number(row?.longest ?? 0),
        });
        await sleep(200);
      }
      await sleeping;
      await locker.query("COMMIT");
      await locker.end();
      const released = load.outcomes.length;
      const whileLocked: Outcome[] = load.outcomes.slice(locked, released);

      await load.answered(300);
      await load.stop();
      const after = load.outcomes.slice(released);
      // Answers that straddle the release may succeed; those sent after it all must.
      const afterSettled = after.slice(Math.min(after.length, 50));

      const { store, unbacked, line } = await verdict(database.url, setup, load.outcomes);
      const times = whileLocked.map((o) => o.ms).sort((a, b) => a - b);
      const at = (q: number) =>
        Math.round(times[Math.min(times.length - 1, Math.floor(q * times.length))] ?? 0);
      const maxConnections = Math.max(...samples.map((s) => s.connections));
      const longestWait = Math.max(...samples.map((s) => s.longestWaitMs));
      const summary = classes(whileLocked);
      console.log(
        [
          "reliability: a database slower than the request timeout",
          `  lock held ${LOCK_SECONDS} s; server timeout ${TIMEOUT_MS} ms, pool ${POOL_SIZE}`,
          `  while it held, ${describeAnswers(whileLocked)}; every 503 with Retry-After: ${whileLocked.every((o) => o.status !== 503 || o.retryAfter !== null)}`,
          `  answer time while it held: p50 ${at(0.5)} ms, p99 ${at(0.99)} ms, max ${Math.round(times.at(-1) ?? 0)} ms (bound ${ANSWER_BOUND_MS} ms)`,
          `  server connections: at most ${maxConnections} (pool ${POOL_SIZE}); longest lock wait seen ${Math.round(longestWait)} ms`,
          `  after it let go: ${afterSettled.length} requests, ${afterSettled.filter((o) => o.status === 503).length} answered 503`,
          line,
          `  by operation: ${JSON.stringify(tally(load.outcomes))}`,
        ].join("\n"),
      );

      expect(summary.unavailable, "the lock must have slowed requests down").toBeGreaterThan(20);
      expect(disallowed(load.outcomes, "refused")).toEqual([]);
      expect(times.at(-1) ?? 0).toBeLessThan(ANSWER_BOUND_MS);
      expect(maxConnections).toBeLessThanOrEqual(POOL_SIZE);
      // The server cancels a statement at the timeout; a sample may catch one just before.
      expect(longestWait).toBeLessThan(TIMEOUT_MS + 500);
      expect(afterSettled.filter((o) => o.status === 503)).toEqual([]);
      expect(store.problems).toEqual([]);
      expect(unbacked).toEqual([]);
    });
  },
);
