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
import { checkStore, unbackedAcknowledgements } from "../support/store-check.js";

// The server process is killed with SIGKILL in the middle of the load, again and again, and
// started again on the same database: whatever a client was told succeeded must be there, and
// every restore must still be exactly the fold of its log.

const onPostgres = await postgresAnswers();
if (!onPostgres) {
  console.warn(
    `Postgres does not answer at ${SERVER_URL}: the SIGKILL test on Postgres did not run.`,
  );
}

const KILLS = 3;

describe.skipIf(!onPostgres)(
  "the server killed with SIGKILL under load, then restarted (Postgres)",
  () => {
    // Made when the tests run, so a skipped run makes no keys and leaves no directory.
    let setup: FaultSetup;
    let database: ScratchDatabase;
    let server: ServerProcess | null = null;

    beforeAll(async () => {
      setup = faultSetup();
      database = await scratchDatabase("rk_fault_sigkill");
    });
    afterAll(async () => {
      await server?.stop();
      await database?.drop();
      setup?.cleanup();
    });

    it("keeps every acknowledged change and a sound store across kills", async () => {
      const env = { ...setup.env, DATABASE_URL: database.url };
      server = await startServerProcess(env);
      let urls: string[] = [server.url];
      const load = await startLoad({ urls: () => urls, setup, workers: 12, restores: 30 });
      const restartMs: number[] = [];
      for (let kill = 0; kill < KILLS; kill += 1) {
        // Kill at a different point of each run's load.
        await load.answered(150 + Math.floor(Math.random() * 200));
        const killed = server;
        killed.signal("SIGKILL");
        urls = [];
        expect((await killed.exited).signal).toBe("SIGKILL");
        const restarting = performance.now();
        server = await startServerProcess(env);
        restartMs.push(performance.now() - restarting);
        urls = [server.url];
      }
      await load.answered(200);
      await load.stop();

      const store = await checkStore(database.url, "restorekit");
      const unbacked = await unbackedAcknowledgements(
        database.url,
        "restorekit",
        setup.tenant,
        load.outcomes,
      );
      const summary = classes(load.outcomes);
      console.log(
        [
          "reliability: the server killed with SIGKILL under load (Postgres)",
          `  ${KILLS} kills; restarted in ${restartMs.map((ms) => Math.round(ms)).join(", ")} ms`,
          `  ${summary.total} requests: ${summary.ok} acknowledged, ${summary.refused} refused by the tables, ${summary.unavailable} answered 503, ${summary.network} cut off by the kills, ${summary.other} other`,
          `  store: ${store.restores} restores, ${store.events} events, ${store.problems.length} problems; acknowledgements not in the log: ${unbacked.length}`,
          `  by operation: ${JSON.stringify(tally(load.outcomes))}`,
        ].join("\n"),
      );

      expect(disallowed(load.outcomes, "allowed")).toEqual([]);
      expect(summary.ok).toBeGreaterThan(200);
      expect(store.problems).toEqual([]);
      expect(unbacked).toEqual([]);
    });
  },
);
