import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { FAULT_SCHEMA, faultRun, postgresOrSay, verdict } from "../support/fault-run.js";
import { classes, describeAnswers, disallowed, startLoad, tally } from "../support/load.js";
import { adminQuery, SERVER_URL } from "../support/scratch-database.js";
import { listenAsAgent, requestKey, requestsInLog } from "../support/store-check.js";

// The server's Postgres connections are terminated again and again while clients keep it busy:
// every answer must still be one the tables allow (or a 503 with Retry-After), nothing may be
// half written, and the server must come back by itself.

const onPostgres = await postgresOrSay("the terminated-connections test");

const KILL_FOR_MS = 6_000;
const KILL_EVERY_MS = 250;

describe.skipIf(!onPostgres)("connections terminated under load (pg_terminate_backend)", () => {
  const run = faultRun("rk_fault_kill");

  it("answers only by the tables or 503, keeps every acknowledgement, and recovers by itself", async () => {
    const { setup, database } = run();
    const server = await run().server({ RESTOREKIT_DB_POOL_SIZE: "6" });
    const url = server.url;
    const listener = await listenAsAgent(database.url, FAULT_SCHEMA, setup.tenant, setup.agentId);
    const load = await startLoad({ urls: () => [url], setup, workers: 12, restores: 30 });
    const ready: number[] = [];
    let killed = 0;
    let rounds = 0;
    const killingUntil = Date.now() + KILL_FOR_MS;
    while (Date.now() < killingUntil) {
      const rows = await adminQuery<{ n: number }>(
        SERVER_URL,
        `SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity
         WHERE datname = $1 AND application_name = 'restorekit'`,
        [database.name],
      );
      killed += Number(rows[0]?.n ?? 0);
      rounds += 1;
      ready.push((await fetch(`${url}/readyz`)).status);
      await sleep(KILL_EVERY_MS);
    }
    const duringKills = load.outcomes.length;

    // No more faults: /readyz must say ready again, and requests succeed without a restart.
    const recoveryStarted = performance.now();
    let readyAgain = false;
    while (!readyAgain && performance.now() - recoveryStarted < 30_000) {
      readyAgain = (await fetch(`${url}/readyz`)).status === 200;
      if (!readyAgain) await sleep(100);
    }
    const recoveredMs = performance.now() - recoveryStarted;
    const settled = load.outcomes.length;
    await load.answered(200);
    await load.stop();
    const afterRecovery = load.outcomes.slice(settled);

    // The notifier sends after each commit; give it a moment to drain before counting.
    await sleep(500);
    await listener.close();
    const { store, unbacked, line } = await verdict(database.url, setup, load.outcomes);
    const expected = await requestsInLog(database.url, FAULT_SCHEMA, setup.tenant);
    const heard = new Set(listener.heard.map(requestKey));
    const unheard = expected.filter((key) => !heard.has(key));

    const summary = classes(load.outcomes);
    console.log(
      [
        "reliability: connections terminated under load",
        `  ${killed} server connections terminated in ${rounds} rounds over ${KILL_FOR_MS / 1000} s`,
        `  ${describeAnswers(load.outcomes)}; ${duringKills} during the kills`,
        `  /readyz during the kills: ${ready.filter((s) => s === 200).length} × 200, ${ready.filter((s) => s === 503).length} × 503; ready again ${Math.round(recoveredMs)} ms after the last kill`,
        `  after recovery: ${afterRecovery.length} requests, ${afterRecovery.filter((o) => o.status === 503).length} answered 503`,
        line,
        `  agent requests in the log: ${expected.length}, heard: ${expected.length - unheard.length} (${listener.heard.length - heard.size} heard twice)`,
        `  by operation: ${JSON.stringify(tally(load.outcomes))}`,
      ].join("\n"),
    );

    expect(killed, "the test must actually have terminated connections").toBeGreaterThan(0);
    expect(disallowed(load.outcomes, "refused")).toEqual([]);
    expect(ready.every((status) => status === 200 || status === 503)).toBe(true);
    expect(readyAgain).toBe(true);
    expect(afterRecovery.filter((o) => o.status === 503)).toEqual([]);
    expect(store.problems).toEqual([]);
    expect(unbacked).toEqual([]);
    expect(unheard).toEqual([]);
    expect(summary.ok).toBeGreaterThan(100);
  });
});
