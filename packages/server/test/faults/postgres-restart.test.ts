import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { withinDeadline } from "../support/deadline.js";
import { FAULT_SCHEMA, verdict } from "../support/fault-run.js";
import { type FaultSetup, faultSetup } from "../support/fault-setup.js";
import { classes, disallowed, type Load, type Outcome, startLoad, tally } from "../support/load.js";
import { type ServerProcess, startServerProcess } from "../support/server-process.js";
import {
  type AgentListener,
  listenAsAgent,
  requestKey,
  requestsInLog,
} from "../support/store-check.js";
import {
  createThrowawayCluster,
  type ThrowawayCluster,
  throwawayClusterUnavailable,
} from "../support/throwaway-cluster.js";

// The server's whole Postgres goes away (a fast shutdown) while clients keep it busy, stays away
// for seconds, and comes back. The server process stays up throughout: every answer must be one
// the tables allow or a 503 with Retry-After, /readyz must say so while the database is away, and
// the server must serve again by itself once it is back, having lost no acknowledged change.
// The cluster is the test's own: the shared server at 5432 is never stopped.

const unavailable = throwawayClusterUnavailable();
if (unavailable !== null) {
  console.warn(
    `A throwaway Postgres cluster cannot be made here (${unavailable}): the postgres-restart test (Postgres stopped and started under load) did not run.`,
  );
}

const LOAD_BEFORE_MS = 2_000;
const DOWN_FOR_MS = 3_000;
const READYZ_EVERY_MS = 150;
const AFTER_RECOVERY = 300;
/** Hang guards, not expectations: each phase normally takes a fraction of these. */
const READY_AGAIN_WITHIN_MS = 30_000;
const ANSWERS_WITHIN_MS = 60_000;

interface ReadyPoll {
  /** When it was asked, and when the answer came. */
  readonly at: number;
  readonly answeredAt: number;
  readonly status: number | "network" | "hung";
  readonly retryAfter: string | null;
}

async function readyz(url: string): Promise<ReadyPoll> {
  const at = performance.now();
  try {
    const response = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(10_000) });
    await response.text();
    const retryAfter = response.headers.get("retry-after");
    return { at, answeredAt: performance.now(), status: response.status, retryAfter };
  } catch (error) {
    const status = (error as Error).name === "TimeoutError" ? "hung" : "network";
    return { at, answeredAt: performance.now(), status, retryAfter: null };
  }
}

/** Polls `/readyz` until stopped, so the test sees it through the stop and the start. */
function pollReadyz(url: string): { polls: ReadyPoll[]; stop(): Promise<void> } {
  const polls: ReadyPoll[] = [];
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      polls.push(await readyz(url));
      await sleep(READYZ_EVERY_MS);
    }
  })();
  return {
    polls,
    async stop() {
      stopped = true;
      await loop;
    },
  };
}

/** Counts by status, e.g. `{"503":120,"204":3}`. */
const statuses = (answers: readonly { readonly status: number | string }[]) => {
  const counts: Record<string, number> = {};
  for (const { status } of answers) counts[status] = (counts[status] ?? 0) + 1;
  return JSON.stringify(counts);
};
const isAcknowledged = (o: Outcome) => typeof o.status === "number" && o.status < 300;

describe.skipIf(unavailable !== null)(
  "Postgres stopped and started under load (a throwaway cluster, the server left running)",
  () => {
    // Made here rather than in the describe body, so a skipped run leaves no directory behind.
    let setup: FaultSetup | null = null;
    let cluster: ThrowawayCluster | null = null;
    let server: ServerProcess | null = null;
    const listeners: AgentListener[] = [];
    let relistening = false;
    // Kept here so that a test that fails half way still stops its clients before the cleanup.
    let load: Load | null = null;
    let poller: { stop(): Promise<void> } | null = null;

    beforeAll(async () => {
      setup = faultSetup();
      cluster = await createThrowawayCluster();
    }, 90_000);
    afterAll(async () => {
      relistening = false;
      await poller?.stop();
      await load?.stop();
      for (const listener of listeners) await listener.close();
      await server?.stop();
      await cluster?.destroy();
      setup?.cleanup();
    }, 120_000);

    it("answers only by the tables or 503 while it is down, keeps every acknowledgement, and serves again without a restart", async () => {
      if (setup === null || cluster === null) throw new Error("beforeAll did not finish");
      const db = cluster;
      server = await startServerProcess({
        ...setup.env,
        DATABASE_URL: db.url,
        RESTOREKIT_DB_POOL_SIZE: "6",
        RESTOREKIT_DB_TIMEOUT_MS: "5000",
      });
      const url = server.url;
      const serverPid = server.child.pid;
      listeners.push(await listenAsAgent(db.url, FAULT_SCHEMA, setup.tenant, setup.agentId));
      // A request still open 20 s on is a hang: each database step the server takes ends at 5 s.
      load = await startLoad({
        urls: () => [url],
        setup,
        workers: 10,
        restores: 30,
        hangAfterMs: 20_000,
      });
      await sleep(LOAD_BEFORE_MS);
      const beforeStop = load.outcomes.length;

      const readyPolls = pollReadyz(url);
      poller = readyPolls;
      const stopAsked = performance.now();
      await db.stop();
      const downAt = performance.now();
      // The process itself must still answer while its database is gone.
      const healthWhileDown = (
        await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(10_000) })
      ).status;
      // An agent listens again as soon as its database connection comes back: what was sent
      // before that is lost to it by design (it polls for pending requests on reconnect).
      const agent = { tenant: setup.tenant, id: setup.agentId };
      relistening = true;
      const relistened = (async () => {
        while (relistening) {
          try {
            listeners.push(await listenAsAgent(db.url, FAULT_SCHEMA, agent.tenant, agent.id));
            return performance.now();
          } catch {
            await sleep(100);
          }
        }
        return null;
      })();
      await sleep(DOWN_FOR_MS - (performance.now() - downAt));
      const startAsked = performance.now();
      const acceptingAt = startAsked + (await db.start());
      const startReturnedAt = performance.now();

      let readyAt: number | null = null;
      while (readyAt === null && performance.now() - startReturnedAt < READY_AGAIN_WITHIN_MS) {
        readyAt =
          readyPolls.polls.find((poll) => poll.at >= startAsked && poll.status === 200)
            ?.answeredAt ?? null;
        if (readyAt === null) await sleep(50);
      }
      await readyPolls.stop();
      const recovered = readyAt ?? Number.POSITIVE_INFINITY;
      const listeningAgainAt = await withinDeadline(
        "listening again",
        READY_AGAIN_WITHIN_MS,
        relistened,
      ).finally(() => {
        relistening = false;
      });

      await withinDeadline(
        `${AFTER_RECOVERY} answers after recovery`,
        ANSWERS_WITHIN_MS,
        load.answered(AFTER_RECOVERY),
      );
      await load.stop();
      const serverStillUp = server.child.exitCode === null && server.child.signalCode === null;

      // The notifier sends after each commit; give it a moment to drain before counting.
      await sleep(500);
      for (const listener of listeners) await listener.close();
      const { store, unbacked, line } = await verdict(db.url, setup, load.outcomes);
      const expected = await requestsInLog(db.url, FAULT_SCHEMA, setup.tenant);
      const heard = new Set(listeners.flatMap((listener) => listener.heard.map(requestKey)));
      const heardOfExpected = expected.filter((key) => heard.has(key)).length;

      const outcomes = load.outcomes;
      const inFlightAtStop = outcomes.filter(
        (o) => o.startedAt < stopAsked && o.startedAt + o.ms >= stopAsked,
      );
      const duringOutage = outcomes.filter(
        (o) => o.startedAt >= stopAsked && o.startedAt < recovered,
      );
      // Begun and answered while Postgres was fully down: the start may overtake a slower one.
      const whileDown = outcomes.filter(
        (o) => o.startedAt >= downAt && o.startedAt + o.ms < startAsked,
      );
      const afterRecovery = outcomes.filter((o) => o.startedAt >= recovered);
      const pollsWhileDown = readyPolls.polls.filter(
        (p) => p.at >= downAt && p.answeredAt < startAsked,
      );
      const pollsStarting = readyPolls.polls.filter(
        (p) => p.at >= startAsked && p.answeredAt < recovered,
      );
      const summary = classes(outcomes);
      const ms = (value: number) => `${Math.round(value)} ms`;

      console.log(
        [
          "reliability: Postgres stopped and started under load",
          `  throwaway cluster ${db.name} on 127.0.0.1:${db.port} (${db.tool}), made and started in ${ms(db.createdMs)}`,
          `  Postgres down ${ms(acceptingAt - stopAsked)}: fast shutdown ${ms(downAt - stopAsked)}, away ${ms(startAsked - downAt)}, pg_isready ${ms(acceptingAt - startAsked)} after the start was asked (${db.tool === "pg_createcluster" ? "pg_ctlcluster" : "pg_ctl"} returned after ${ms(startReturnedAt - startAsked)})`,
          `  ${summary.total} requests (${beforeStop} in the ${LOAD_BEFORE_MS / 1000} s before the stop): ${summary.ok} acknowledged, ${summary.refused} refused by the tables, ${summary.unavailable} answered 503, ${summary.network} without an answer, ${summary.other} other`,
          `  in flight when Postgres stopped: ${inFlightAtStop.length} ${statuses(inFlightAtStop)}`,
          `  started during the outage (stop to /readyz 200): ${duringOutage.length} ${statuses(duringOutage)}; while fully down: ${whileDown.length} ${statuses(whileDown)}`,
          `  /readyz while down: ${pollsWhileDown.length} polls ${statuses(pollsWhileDown)}, ${pollsWhileDown.filter((p) => p.retryAfter !== null).length} with Retry-After; /healthz while down: ${healthWhileDown}`,
          `  /readyz 200 again ${readyAt === null ? "never" : `${ms(recovered - startAsked)} after the start was asked`}, ${pollsStarting.length} polls before ${statuses(pollsStarting)}; server pid ${serverPid} still up: ${serverStillUp}`,
          `  after recovery: ${afterRecovery.length} requests, ${afterRecovery.filter((o) => o.status === 503).length} answered 503`,
          line,
          `  agent requests in the log: ${expected.length}, heard: ${heardOfExpected} (not asserted: those sent while the database was away are lost by design); the agent listened again ${listeningAgainAt === null ? "never" : ms(listeningAgainAt - startAsked)} after the start was asked`,
          `  by operation: ${JSON.stringify(tally(outcomes))}`,
        ].join("\n"),
      );

      // The server stays up and only its database goes, so a request that gets no answer at all
      // is a defect, never an expected effect of the fault.
      expect(disallowed(outcomes, "refused")).toEqual([]);
      expect(serverStillUp).toBe(true);
      expect(healthWhileDown).toBe(200);
      expect(outcomes.slice(0, beforeStop).filter(isAcknowledged).length).toBeGreaterThan(0);
      // Nothing can be acknowledged without a database to write it to.
      expect(whileDown.length).toBeGreaterThan(0);
      expect(whileDown.filter(isAcknowledged)).toEqual([]);
      expect(
        readyPolls.polls.filter(
          (p) => p.status !== 200 && (p.status !== 503 || p.retryAfter === null),
        ),
      ).toEqual([]);
      expect(pollsWhileDown.length).toBeGreaterThan(0);
      expect(pollsWhileDown.filter((p) => p.status !== 503 || p.retryAfter === null)).toEqual([]);
      expect(readyAt, "/readyz must say 200 again without restarting the server").not.toBeNull();
      expect(afterRecovery.length).toBeGreaterThanOrEqual(AFTER_RECOVERY - 20);
      expect(afterRecovery.filter((o) => o.status === 503)).toEqual([]);
      expect(afterRecovery.filter(isAcknowledged).length).toBeGreaterThan(0);
      expect(store.problems).toEqual([]);
      expect(unbacked).toEqual([]);
    }, 120_000);
  },
);
