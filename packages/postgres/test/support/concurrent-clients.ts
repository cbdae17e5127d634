import type {
  AgentReportedState,
  AppendRequest,
  Restore,
  RestoreError,
  RestoreRepository,
} from "@restorekit/core";
import type { ResultAsync } from "neverthrow";
import type pg from "pg";
import { expect } from "vitest";
import { fromPool, migrate, postgresRepository, type SqlClient } from "../../src/index.js";
import { dropSchema } from "./contract-subject.js";
import { uniqueSchema } from "./real-server.js";
import { serviceOn } from "./service.js";
import { expectConsistent } from "./shared-suites.js";

const WORKING: readonly AgentReportedState[] = ["Queued", "Preparing", "InProgress"];
// Rare: each leaves the restore where most commands are rejected.
const ENDING: readonly AgentReportedState[] = [
  "StopRequested",
  "Completed",
  "CompletedWithErrors",
  "Failed",
  "Stopped",
];

function pick<T>(values: readonly T[]): T | null {
  return values[Math.floor(Math.random() * values.length)] ?? null;
}

export type RecordingClient = ReturnType<typeof recordingClient>;

// Rises across workloads, so a report of a later run never counts fewer files than an earlier one.
let files = 0;

/** A client of its own: a pool, the repository on it, and a count of the appends it won. */
export function recordingClient(pool: pg.Pool, schema: string) {
  const inner = postgresRepository(fromPool(pool), { schema });
  const won: { restoreId: number; version: number; events: number }[] = [];
  // Delegates to the real repository and notes what it committed: the test's ledger, not a stub.
  const repository: RestoreRepository = {
    ...inner,
    append(request: AppendRequest): ResultAsync<Restore, RestoreError> {
      return inner.append(request).map((restore) => {
        won.push({
          restoreId: request.restoreId,
          version: restore.version,
          events: request.events.length,
        });
        return restore;
      });
    },
  };
  return {
    pool,
    repository,
    app: serviceOn(fromPool(pool), schema, repository),
    appendedEvents: () => won.reduce((n, w) => n + w.events, 0),
    versionsWon: (restoreId: number) =>
      won.filter((w) => w.restoreId === restoreId).map((w) => w.version),
    changes: () => won.length,
  };
}

export async function createRestores(client: SqlClient, schema: string, count: number) {
  const app = serviceOn(client, schema);
  const ids: number[] = [];
  for (let i = 0; i < count; i += 1) ids.push((await app.create()).restoreId);
  return ids;
}

/** Random starts, stops and agent reports from every client until the deadline. */
export async function workload(
  clients: readonly RecordingClient[],
  restoreIds: readonly number[],
  durationMs: number,
  alsoExpected: readonly string[] = [],
) {
  // Rejections the domain gives for a random command; anything else is a failure.
  const expected = new Set([
    "restore_not_started",
    "restore_stopping",
    "restore_finished",
    "agent_conflict",
    "restore_busy",
    // Counts rise with each request, but concurrent reports commit in any order.
    "progress_regressed",
    ...alsoExpected,
  ]);
  const codes: Record<string, number> = {};
  const unexpected: string[] = [];
  const deadline = Date.now() + durationMs;
  await Promise.all(
    clients.map(async ({ app }) => {
      while (Date.now() < deadline) {
        const restoreId = restoreIds[Math.floor(Math.random() * restoreIds.length)] ?? 0;
        const roll = Math.random();
        files += 1;
        // Stops and finishing reports are rare: a terminal restore rejects everything after it.
        const result =
          roll < 0.1
            ? await app.service.requestAction(app.user(), {
                action: "StartManual",
                restoreId,
                encryptedPassword: null,
              })
            : roll < 0.105
              ? await app.service.requestAction(app.user(), {
                  action: "StopManual",
                  restoreId,
                  encryptedPassword: null,
                })
              : await app.service.agentReport(app.agent(), restoreId, {
                  state: roll < 0.3 ? pick(WORKING) : roll < 0.305 ? pick(ENDING) : null,
                  report: { filesRestored: files },
                });
        if (result.isErr()) {
          const { code } = result.error;
          codes[code] = (codes[code] ?? 0) + 1;
          if (!expected.has(code)) unexpected.push(`${code}: ${result.error.message}`);
        }
      }
    }),
  );
  return {
    codes,
    unexpected,
    changes: clients.reduce((n, c) => n + c.changes(), 0),
  };
}

/**
 * 32 clients, each on a one-connection pool of its own from `openPool`, run
 * random commands on 5 restores for `durationMs` (default 3 s), and up to
 * `patienceMs` more while no more than 100 changes won: no update is lost,
 * each row is the fold of its events, and each log's seq has no gap. The
 * pools are ended before the checks, the schema dropped after them.
 */
export async function expectNoLostUpdate(
  shared: SqlClient,
  openPool: (options: pg.PoolConfig) => pg.Pool,
  { durationMs = 3_000, patienceMs = 0 }: { durationMs?: number; patienceMs?: number } = {},
): Promise<void> {
  const schema = uniqueSchema("stress");
  (await migrate(shared, { schema }))._unsafeUnwrap();
  try {
    await raceOnFive(shared, schema, openPool, durationMs, patienceMs);
  } finally {
    await dropSchema(shared, schema);
  }
}

async function raceOnFive(
  shared: SqlClient,
  schema: string,
  openPool: (options: pg.PoolConfig) => pg.Pool,
  durationMs: number,
  patienceMs: number,
): Promise<void> {
  const restoreIds = await createRestores(shared, schema, 5);
  const clients = Array.from({ length: 32 }, () => recordingClient(openPool({ max: 1 }), schema));

  let outcome: Awaited<ReturnType<typeof workload>>;
  try {
    outcome = await workload(clients, restoreIds, durationMs);
    // A slow machine gets more time rather than a lower bar.
    const giveUpAt = Date.now() + patienceMs;
    while (outcome.changes <= 100 && Date.now() < giveUpAt) {
      const more = await workload(clients, restoreIds, 2_000);
      const codes = { ...outcome.codes };
      for (const [code, n] of Object.entries(more.codes)) codes[code] = (codes[code] ?? 0) + n;
      outcome = {
        codes,
        unexpected: [...outcome.unexpected, ...more.unexpected],
        changes: more.changes,
      };
    }
  } finally {
    // Their 32 connections would otherwise idle on into the next test's load.
    await Promise.all(clients.map(({ pool }) => pool.end().catch(() => undefined)));
  }

  expect(outcome.unexpected).toEqual([]);
  // Fewer would not be the contention the test is about.
  expect(outcome.changes, JSON.stringify(outcome.codes)).toBeGreaterThan(100);
  const total = await expectConsistent(shared, schema, restoreIds);
  // Every event in the logs is one a winning append wrote: nothing lost, nothing doubled.
  expect(total).toBe(restoreIds.length * 1 + clients.reduce((n, c) => n + c.appendedEvents(), 0));
  for (const restoreId of restoreIds) {
    const won = clients.flatMap((c) => c.versionsWon(restoreId));
    expect(new Set(won).size).toBe(won.length);
  }
}
