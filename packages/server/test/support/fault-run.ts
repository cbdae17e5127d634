import { afterAll, beforeAll } from "vitest";
import { type FaultSetup, faultSetup } from "./fault-setup.js";
import type { Outcome } from "./load.js";
import {
  postgresAnswers,
  type ScratchDatabase,
  SERVER_URL,
  scratchDatabase,
} from "./scratch-database.js";
import { type ServerProcess, startServerProcess } from "./server-process.js";
import { checkStore, type StoreReport, unbackedAcknowledgements } from "./store-check.js";

/** The schema the servers of a fault test use (the server's default). */
export const FAULT_SCHEMA = "restorekit";

/**
 * Whether the shared Postgres server answers; when it does not, says on the
 * console which test did not run, so a skipped fault is never silent.
 */
export async function postgresOrSay(what: string): Promise<boolean> {
  const up = await postgresAnswers();
  if (!up) console.warn(`Postgres does not answer at ${SERVER_URL}: ${what} did not run.`);
  return up;
}

/** A fault test's surroundings, valid inside its tests. */
export interface FaultRun {
  readonly setup: FaultSetup;
  readonly database: ScratchDatabase;
  /** The environment its servers start with: the setup's, on its database. */
  readonly env: Record<string, string>;
  /** Starts a server as `pnpm start` does; every one is stopped when the tests end. */
  server(extra?: Record<string, string>): Promise<ServerProcess>;
}

/**
 * Registers the hooks of a fault test in the current `describe`: a database
 * of its own and the deployment's setup, made when the tests run (so a
 * skipped run makes nothing), and everything stopped and dropped after,
 * even when a test failed half way.
 */
export function faultRun(prefix: string): () => FaultRun {
  let run: FaultRun | null = null;
  const started: ServerProcess[] = [];
  let setup: FaultSetup | null = null;
  let database: ScratchDatabase | null = null;
  beforeAll(async () => {
    setup = faultSetup();
    database = await scratchDatabase(prefix);
    const env = { ...setup.env, DATABASE_URL: database.url };
    run = {
      setup,
      database,
      env,
      async server(extra = {}) {
        const server = await startServerProcess({ ...env, ...extra });
        started.push(server);
        return server;
      },
    };
  });
  afterAll(async () => {
    await Promise.all(started.map((server) => server.stop()));
    await database?.drop();
    setup?.cleanup();
  });
  return () => {
    if (run === null) throw new Error("a fault run is only there inside its tests");
    return run;
  };
}

/** What the database says of a load: the store's rules, and the acknowledgements it bears out. */
export interface Verdict {
  readonly store: StoreReport;
  readonly unbacked: readonly string[];
  /** One line for the test's printed summary. */
  readonly line: string;
}

export async function verdict(
  url: string,
  setup: FaultSetup,
  outcomes: readonly Outcome[],
): Promise<Verdict> {
  const store = await checkStore(url, FAULT_SCHEMA);
  const unbacked = await unbackedAcknowledgements(url, FAULT_SCHEMA, setup.tenant, outcomes);
  return {
    store,
    unbacked,
    line: `  store: ${store.restores} restores, ${store.events} events, ${store.problems.length} problems; acknowledgements not in the log: ${unbacked.length}`,
  };
}
