import { afterAll, afterEach, describe, expect, it } from "vitest";
import {
  CITUS_URL,
  citusAddress,
  citusAnswers,
  DISTRIBUTED_TABLES,
  distributedTables,
} from "../support/citus-coordinator.js";
import { QUICKSTART, readQuickstart, sessionsOf } from "../support/quickstart-doc.js";
import { runQuickstartSession } from "../support/quickstart-session.js";
import { adminQuery } from "../support/scratch-database.js";

// The runnable server on a Citus coordinator (RESTOREKIT_CITUS_URL), nothing changed but
// DATABASE_URL and, so each quickstart session has a schema of its own that is dropped afterwards,
// RESTOREKIT_SCHEMA: the doc's sessions must print what they print on PGlite. Where no coordinator
// answers, the file says so and does not run them: on plain Postgres or PGlite they would only
// repeat quickstart.test.ts and postgres.test.ts.

const onCitus = await citusAnswers();
const where = citusAddress();
const sessions = sessionsOf(readQuickstart());
const schemas: string[] = [];
const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

afterAll(async () => {
  for (const schema of schemas) {
    await adminQuery(CITUS_URL, `DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  }
});

if (!onCitus) {
  console.warn(
    `No Citus coordinator answered at ${where} (nothing answered, or a Postgres without the citus extension): the quickstart did not run on Citus (set RESTOREKIT_CITUS_URL).`,
  );
  describe("the quickstart on Citus", () => {
    it(`did not run: no Citus coordinator answered at ${where}`, () => {
      expect(onCitus).toBe(false);
    });
  });
} else {
  describe(`${QUICKSTART} on the Citus coordinator at ${where}, tables distributed by tenant`, () => {
    sessions.forEach((session, n) => {
      it(`session ${n + 1} (pnpm start at line ${session.start.line}): every step prints what the doc shows`, {
        timeout: 300_000,
      }, async () => {
        const schema = `rk_citus_qs_${process.pid}_${n + 1}_${Math.random().toString(36).slice(2, 8)}`;
        schemas.push(schema);
        const run = await runQuickstartSession(
          session,
          { DATABASE_URL: CITUS_URL, RESTOREKIT_SCHEMA: schema },
          cleanups,
        );
        expect(run.server.stdout()).toMatch(/storage {10}Postgres at postgres:\/\/\S+/);
        expect(run.server.stdout()).toContain(where);
        expect(
          run.exit,
          `the steps' script failed:\n${run.output}\n--- server:\n${run.server.output()}`,
        ).toEqual({ code: 0, signal: null });
        expect(run.problems, `--- server:\n${run.server.output()}`).toEqual([]);
        // What the session wrote is in the schema's tables, which the server's migration
        // distributed: the doc's session ran on shards, not on tables of the coordinator.
        expect(await distributedTables(CITUS_URL, schema)).toEqual([...DISTRIBUTED_TABLES]);
        const [written] = await adminQuery<{ restores: number; events: number }>(
          CITUS_URL,
          `SELECT (SELECT count(*)::int FROM "${schema}".restores WHERE tenant_id = '1234') AS restores,
                  (SELECT count(*)::int FROM "${schema}".restore_events WHERE tenant_id = '1234') AS events`,
        );
        expect(written?.restores).toBeGreaterThanOrEqual(3);
        expect(written?.events).toBeGreaterThan(written?.restores ?? 0);
        expect(await run.server.stop()).toEqual({ code: 0, signal: null });
      });
    });
  });
}
