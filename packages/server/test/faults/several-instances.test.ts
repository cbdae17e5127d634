import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FaultSetup, faultSetup } from "../support/fault-setup.js";
import { classes, disallowed, startLoad, tally } from "../support/load.js";
import {
  postgresAnswers,
  type ScratchDatabase,
  SERVER_URL,
  scratchDatabase,
} from "../support/scratch-database.js";
import { type ServerProcess, startServerProcess } from "../support/server-process.js";
import {
  checkStore,
  listenAsAgent,
  requestKey,
  requestsInLog,
  unbackedAcknowledgements,
} from "../support/store-check.js";

// Several server processes on one database, started together (so their migrations and start-up
// meet), with the load spread over them at random and the agent's reports landing on any of
// them: no lost update, a sound store, and each agent request heard exactly once by each of two
// listeners of the test's own.

const onPostgres = await postgresAnswers();
if (!onPostgres) {
  console.warn(
    `Postgres does not answer at ${SERVER_URL}: the several-instances test did not run.`,
  );
}

describe.skipIf(!onPostgres)("several server processes on one database", () => {
  // Made when the tests run, so a skipped run makes no keys and leaves no directory.
  let setup: FaultSetup;
  const databases: ScratchDatabase[] = [];
  const servers: ServerProcess[] = [];

  beforeAll(() => {
    setup = faultSetup();
  });
  afterAll(async () => {
    await Promise.all(servers.map((server) => server.stop()));
    for (const database of databases) await database.drop();
    setup?.cleanup();
  });

  it.each([2, 3])("%i instances: every change kept, every request heard once", async (count) => {
    const database = await scratchDatabase(`rk_fault_${count}x`);
    databases.push(database);
    const env = { ...setup.env, DATABASE_URL: database.url };
    const started = await Promise.all(Array.from({ length: count }, () => startServerProcess(env)));
    servers.push(...started);
    const urls = started.map((server) => server.url);
    const listeners = await Promise.all(
      [1, 2].map(() => listenAsAgent(database.url, "restorekit", setup.tenant, setup.agentId)),
    );
    const load = await startLoad({ urls: () => urls, setup, workers: 16, restores: 12 });
    await load.answered(1_500);
    await load.stop();
    // Each process notifies after its commits; let the last ones arrive.
    const expected = await requestsInLog(database.url, "restorekit", setup.tenant);
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline && listeners.some((l) => l.heard.length < expected.length)) {
      await sleep(100);
    }
    await sleep(300);
    await Promise.all(listeners.map((listener) => listener.close()));

    const store = await checkStore(database.url, "restorekit");
    const unbacked = await unbackedAcknowledgements(
      database.url,
      "restorekit",
      setup.tenant,
      load.outcomes,
    );
    const perServer = urls.map(
      (_, index) => load.outcomes.filter((outcome) => outcome.server === index).length,
    );
    const summary = classes(load.outcomes);
    console.log(
      [
        `reliability: ${count} server processes on one database`,
        `  ${summary.total} requests (${perServer.join(" / ")} per process): ${summary.ok} acknowledged, ${summary.refused} refused by the tables, ${summary.unavailable} answered 503, ${summary.other} other`,
        `  store: ${store.restores} restores, ${store.events} events, ${store.problems.length} problems; acknowledgements not in the log: ${unbacked.length}`,
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
