import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { FAULT_SCHEMA, faultRun, postgresOrSay, verdict } from "../support/fault-run.js";
import { describeAnswers, disallowed, startLoad, tally } from "../support/load.js";
import { listenAsAgent, requestKey, requestsInLog } from "../support/store-check.js";

// Several server processes on one database, started together (so their migrations and start-up
// meet), with the load spread over them at random and the agent's reports landing on any of
// them: no lost update, a sound store, and each agent request heard exactly once by each of two
// listeners of the test's own.

const onPostgres = await postgresOrSay("the several-instances test");

describe.skipIf(!onPostgres).each([2, 3])("%i server processes on one database", (count) => {
  const run = faultRun(`rk_fault_${count}x`);

  it("keeps every change and tells each listener of each request once", async () => {
    const { setup, database } = run();
    const servers = await Promise.all(Array.from({ length: count }, () => run().server()));
    const urls = servers.map((server) => server.url);
    const listeners = await Promise.all(
      [1, 2].map(() => listenAsAgent(database.url, FAULT_SCHEMA, setup.tenant, setup.agentId)),
    );
    const load = await startLoad({ urls: () => urls, setup, workers: 16, restores: 12 });
    await load.answered(1_500);
    await load.stop();
    // Each process notifies after its commits; let the last ones arrive.
    const expected = await requestsInLog(database.url, FAULT_SCHEMA, setup.tenant);
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline && listeners.some((l) => l.heard.length < expected.length)) {
      await sleep(100);
    }
    await sleep(300);
    await Promise.all(listeners.map((listener) => listener.close()));

    const { store, unbacked, line } = await verdict(database.url, setup, load.outcomes);
    const perServer = urls.map(
      (_, index) => load.outcomes.filter((outcome) => outcome.server === index).length,
    );
    console.log(
      [
        `reliability: ${count} server processes on one database`,
        `  ${describeAnswers(load.outcomes)}; per process ${perServer.join(" / ")}`,
        line,
        `  agent requests in the log: ${expected.length}; heard by each listener: ${listeners.map((l) => l.heard.length).join(" and ")}`,
        `  by operation: ${JSON.stringify(tally(load.outcomes))}`,
      ].join("\n"),
    );

    expect(disallowed(load.outcomes, "refused")).toEqual([]);
    expect(perServer.every((n) => n > 100)).toBe(true);
    expect(store.problems).toEqual([]);
    expect(unbacked).toEqual([]);
    for (const listener of listeners) {
      expect(listener.heard.map(requestKey).sort()).toEqual(expected);
    }
  });
});
