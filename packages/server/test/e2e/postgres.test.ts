import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { CREATE_EXAMPLE, call, startRestore, waitForState } from "../support/api.js";
import { SERVER_URL as DATABASE_URL, postgresAnswers } from "../support/scratch-database.js";
import { startServerProcess } from "../support/server-process.js";

// The server on a real Postgres (DATABASE_URL), in a schema of its own that is dropped afterwards.
// Where no server answers, the same test runs on PGlite and says so in its name and output.

const SCHEMA = `rk_server_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;

const onPostgres = await postgresAnswers();
if (!onPostgres) {
  console.warn(
    `Postgres does not answer at ${DATABASE_URL}: the DATABASE_URL test runs on PGlite instead.`,
  );
}
const dataDir = mkdtempSync(join(tmpdir(), "rk-server-pg-"));

afterAll(async () => {
  rmSync(dataDir, { recursive: true, force: true });
  if (!onPostgres) return;
  const client = new pg.Client({ connectionString: DATABASE_URL });
  await client.connect();
  await client.query(`DROP SCHEMA IF EXISTS "${SCHEMA}" CASCADE`);
  await client.end();
});

describe(onPostgres ? `on Postgres at ${DATABASE_URL}` : "on PGlite (Postgres is down)", () => {
  it("migrates, seeds, runs a restore to Completed through notifications, and restarts warm", async () => {
    const env = {
      PORT: "0",
      DATA_DIR: dataDir,
      RESTOREKIT_AGENT_STEP_MS: "100",
      ...(onPostgres ? { DATABASE_URL, RESTOREKIT_SCHEMA: SCHEMA } : {}),
    };
    const first = await startServerProcess(env);
    try {
      expect(first.stdout()).toContain(
        onPostgres ? "storage          Postgres at postgres://" : "PGlite in",
      );
      expect((await startRestore(first.url, 13692)).status).toBe(204);
      await waitForState(first.url, 13692, [3]);
    } finally {
      expect(await first.stop()).toEqual({ code: 0, signal: null });
    }

    const second = await startServerProcess(env);
    try {
      expect(second.stdout()).toContain("(found in storage)");
      expect(
        (await call(second.url, "/v1.0/1234/restore/13692", { token: "demo-observer" })).body,
      ).toMatchObject({ RestoreStateId: 3 });
      const created = await call(second.url, "/v1.0/1234/restore", {
        token: "demo-creator",
        method: "PUT",
        body: CREATE_EXAMPLE,
      });
      expect(created.body).toMatchObject({ RestoreId: 13693 });
      expect((await call(second.url, "/readyz")).status).toBe(200);
    } finally {
      expect(await second.stop()).toEqual({ code: 0, signal: null });
    }
  });
});
