import { setTimeout as sleep } from "node:timers/promises";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { CREATE_EXAMPLE, call, startRestore, waitForState } from "../support/api.js";
import { SERVER_URL as DATABASE_URL, postgresAnswers } from "../support/scratch-database.js";
import { startServerProcess } from "../support/server-process.js";

// The sweeper in the real server process: restores whose agent goes silent are given up within
// seconds of their deadline, and an agent that keeps reporting, bare heartbeats included, keeps
// its restore. On PGlite in memory, and on the real Postgres when it answers.

const SCHEMA = `rk_expiry_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
const onPostgres = await postgresAnswers();
if (!onPostgres) {
  console.warn(
    `Postgres does not answer at ${DATABASE_URL}: the expiry test ran on PGlite only, NOT on a real server.`,
  );
}

afterAll(async () => {
  if (!onPostgres) return;
  const client = new pg.Client({ connectionString: DATABASE_URL });
  await client.connect();
  await client.query(`DROP SCHEMA IF EXISTS "${SCHEMA}" CASCADE`);
  await client.end();
});

const FAILED = 5;
const STOPPED = 4;
const IN_PROGRESS = 2;
// Long beside the heartbeats' period, so a stall of a busy machine cannot expire the kept restore.
const HEARTBEAT_MS = 3_000;

function report(url: string, restoreId: number, patch: unknown[]) {
  return call(url, `/v2/1234/restores/${restoreId}`, {
    token: "demo-agent",
    method: "PATCH",
    body: patch,
    contentType: "application/json-patch+json",
  });
}

async function create(url: string): Promise<number> {
  const created = await call(url, "/v1.0/1234/restore", {
    token: "demo-creator",
    method: "PUT",
    body: CREATE_EXAMPLE,
  });
  expect(created.status).toBe(200);
  return (created.body as { RestoreId: number }).RestoreId;
}

async function eventTypes(url: string, restoreId: number): Promise<string[]> {
  const answer = await call(url, `/v1.0/1234/restore/${restoreId}/events`, {
    token: "demo-observer",
  });
  expect(answer.status).toBe(200);
  return (answer.body as { Events: { type: string }[] }).Events.map((event) => event.type);
}

const backends: { name: string; env: Record<string, string> }[] = [
  { name: "PGlite in memory", env: { DATA_DIR: "memory://" } },
  ...(onPostgres
    ? [{ name: "the real Postgres", env: { DATABASE_URL, RESTOREKIT_SCHEMA: SCHEMA } }]
    : []),
];

for (const backend of backends) {
  describe(`the sweeper on ${backend.name}`, () => {
    it("keeps a restore whose agent heartbeats, and gives up restores whose agents go silent", async () => {
      const server = await startServerProcess({
        PORT: "0",
        RESTOREKIT_SIMULATED_AGENT: "0",
        RESTOREKIT_PICKUP_TIMEOUT: "2s",
        RESTOREKIT_HEARTBEAT_TIMEOUT: `${HEARTBEAT_MS}ms`,
        RESTOREKIT_STOP_TIMEOUT: "2s",
        ...backend.env,
      });
      try {
        const [kept, silent, unpicked, unstopped] = [
          await create(server.url),
          await create(server.url),
          await create(server.url),
          await create(server.url),
        ];
        for (const id of [kept, silent, unpicked, unstopped]) {
          expect((await startRestore(server.url, id)).status).toBe(204);
        }
        for (const id of [kept, silent, unstopped]) {
          const taken = await report(server.url, id, [
            { op: "replace", path: "/state", value: "in_progress" },
          ]);
          expect(taken.status).toBe(204);
        }
        const stop = await call(server.url, "/v1.0/1234/restore/action-requested", {
          token: "demo-creator",
          method: "POST",
          body: { Action: "StopManual", Id: unstopped },
        });
        expect(stop.status).toBe(204);

        // Two deadlines' worth of bare heartbeats, a sixth of the deadline apart.
        const until = Date.now() + 2 * HEARTBEAT_MS;
        while (Date.now() < until) {
          expect((await report(server.url, kept, [])).status).toBe(204);
          await sleep(HEARTBEAT_MS / 6);
        }
        const keptDetails = await call(server.url, `/v1.0/1234/restore/${kept}`, {
          token: "demo-observer",
        });
        expect(keptDetails.body).toMatchObject({ RestoreStateId: IN_PROGRESS });
        expect(await eventTypes(server.url, kept)).toContain("RestoreHeartbeatReceived");

        // By now the others have been silent past their deadlines; each is given up within seconds.
        await waitForState(server.url, silent, [FAILED]);
        await waitForState(server.url, unpicked, [FAILED]);
        await waitForState(server.url, unstopped, [STOPPED]);
        for (const id of [silent, unpicked, unstopped]) {
          expect((await eventTypes(server.url, id)).at(-1)).toBe("RestoreExpired");
        }
        const failedReport = await call(server.url, `/v1.0/1234/restore/report/${silent}`, {
          token: "demo-observer",
        });
        expect(failedReport.body).toMatchObject({ State: "Failed", Reason: "AgentTimeout" });
        // An agent that comes back to a restore given up is told it is over: a 409 stops its work.
        expect(
          (
            await report(server.url, silent, [
              { op: "replace", path: "/state", value: "completed" },
            ])
          ).status,
        ).toBe(409);
        expect(server.output()).toContain("gave up a restore whose agent went silent");

        // Silent from here, the kept restore goes too.
        await waitForState(server.url, kept, [FAILED]);
      } finally {
        expect(await server.stop()).toEqual({ code: 0, signal: null });
      }
    }, 180_000);
  });
}
