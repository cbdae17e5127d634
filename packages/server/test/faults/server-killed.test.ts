import { describe, expect, it } from "vitest";
import { faultRun, postgresOrSay, verdict } from "../support/fault-run.js";
import { classes, describeAnswers, disallowed, startLoad, tally } from "../support/load.js";

// The server process is killed with SIGKILL in the middle of the load, again and again, and
// started again on the same database: whatever a client was told succeeded must be there, and
// every restore must still be exactly the fold of its log.

const onPostgres = await postgresOrSay("the SIGKILL test on Postgres");
const KILLS = 3;

describe.skipIf(!onPostgres)(
  "the server killed with SIGKILL under load, then restarted (Postgres)",
  () => {
    const run = faultRun("rk_fault_sigkill");

    it("keeps every acknowledged change and a sound store across kills", async () => {
      const { setup, database } = run();
      let server = await run().server();
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
        server = await run().server();
        restartMs.push(performance.now() - restarting);
        urls = [server.url];
      }
      await load.answered(200);
      await load.stop();

      const { store, unbacked, line } = await verdict(database.url, setup, load.outcomes);
      console.log(
        [
          "reliability: the server killed with SIGKILL under load (Postgres)",
          `  ${KILLS} kills; restarted in ${restartMs.map((ms) => Math.round(ms)).join(", ")} ms`,
          `  ${describeAnswers(load.outcomes)} (cut off by the kills)`,
          line,
          `  by operation: ${JSON.stringify(tally(load.outcomes))}`,
        ].join("\n"),
      );

      expect(disallowed(load.outcomes, "allowed")).toEqual([]);
      expect(classes(load.outcomes).ok).toBeGreaterThan(200);
      expect(store.problems).toEqual([]);
      expect(unbacked).toEqual([]);
    });
  },
);
