import { createHash } from "node:crypto";
import type { PGlite } from "@electric-sql/pglite";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  fromPGlite,
  MIGRATIONS,
  type Migration,
  migrate,
  type SqlClient,
  type SqlExecutor,
} from "../src/index.js";
import { filePGlite } from "./support/pglite.js";
import { uniqueSchema } from "./support/real-server.js";

describe("the shipped migrations", () => {
  it("keep the versions and names databases already recorded", () => {
    expect(MIGRATIONS.map(({ version, name }) => [version, name])).toEqual([
      [1, "0001_restores.sql"],
      [2, "0002_progress_and_deadlines.sql"],
      [3, "0003_idempotency_keys.sql"],
      [4, "0004_append_function.sql"],
    ]);
  });

  it("never change once shipped: a changed one would not reach databases that applied it", () => {
    // SHA-256 of each migration as it shipped: 0001 in 0.1.0, 0002 and 0003 in 0.2.0, 0004 after it.
    expect(MIGRATIONS.map(({ sql }) => createHash("sha256").update(sql).digest("hex"))).toEqual([
      "b5203c8c0425540a2b458c2b2eec4ca9b066f32bbcf75bd2bd00d61083b5addf",
      "43ea36785a2a163e98b3369433e56d92ea8523422a18e3fa3763711f0af93422",
      "dffb2beafeebeb53c1c5e3f289977732e9959d17c477e026961c505d9644c4b2",
      "6f036450c4a10d953b5cc677a80ee9ec1e4b3b96555e3aad364cc91058435ca8",
    ]);
  });

  it("cannot be altered by an app that imports them", () => {
    const [first] = MIGRATIONS;
    expect(Object.isFrozen(MIGRATIONS)).toBe(true);
    expect(Object.isFrozen(first)).toBe(true);
  });
});

/** Every statement a client is sent, and whether it went through a transaction. */
function recording(client: SqlClient): {
  client: SqlClient;
  statements: string[];
  transactions: () => number;
} {
  const statements: string[] = [];
  let transactions = 0;
  const record = (executor: SqlExecutor): SqlExecutor => ({
    query: (statement) => {
      statements.push(statement.text);
      return executor.query(statement);
    },
  });
  return {
    statements,
    transactions: () => transactions,
    client: {
      ...record(client),
      transaction: (work) => {
        transactions += 1;
        return client.transaction((tx) => work(record(tx)));
      },
      listen: (channel, onNotification, onReconnect) =>
        client.listen(channel, onNotification, onReconnect),
    },
  };
}

const migration = (version: number): Migration => ({
  version,
  name: `${version}_note.sql`,
  sql: `CREATE TABLE note_${version} (id int);`,
});

describe("migrate on a schema that is up to date", () => {
  let db: PGlite;
  let client: SqlClient;

  beforeAll(async () => {
    db = await filePGlite();
    client = fromPGlite(db);
  }, 120_000);

  afterAll(async () => {
    if (!db.closed) await db.close();
  });

  it("finds it so with one read, without a transaction or the lock", async () => {
    const schema = uniqueSchema("uptodate");
    expect((await migrate(client, { schema }))._unsafeUnwrap().applied).toEqual([
      "0001_restores.sql",
      "0002_progress_and_deadlines.sql",
      "0003_idempotency_keys.sql",
      "0004_append_function.sql",
    ]);
    const again = recording(client);
    expect((await migrate(again.client, { schema }))._unsafeUnwrap()).toEqual({
      schema,
      applied: [],
    });
    expect(again.statements).toHaveLength(1);
    // One read: the versions, and whether Citus is there (a second read only where it is).
    expect(again.statements[0]).toMatch(
      /^SELECT version, EXISTS \(SELECT 1 FROM pg_catalog\.pg_extension WHERE extname = 'citus'\) AS citus\s+FROM "uptodate_\w+"\.schema_migrations$/,
    );
    expect(again.transactions()).toBe(0);
  });

  it("takes the locked path on a schema that does not exist yet, and creates it", async () => {
    const schema = uniqueSchema("absent");
    const first = recording(client);
    expect((await migrate(first.client, { schema }))._unsafeUnwrap().applied).toEqual([
      "0001_restores.sql",
      "0002_progress_and_deadlines.sql",
      "0003_idempotency_keys.sql",
      "0004_append_function.sql",
    ]);
    expect(first.transactions()).toBe(1);
    expect(first.statements.some((text) => text.includes("pg_advisory_xact_lock"))).toBe(true);
  });

  it("still refuses bad options before reading anything", async () => {
    const refused = recording(client);
    const error = (await migrate(refused.client, { schema: "Upper" }))._unsafeUnwrapErr();
    expect(error).toMatchObject({ code: "invalid_request", step: "validate" });
    expect(refused.statements).toEqual([]);
  });

  it("applies exactly the migrations not yet recorded, and reads once when none is missing", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(fc.integer({ min: 1001, max: 1040 }), { maxLength: 4 }),
        fc.uniqueArray(fc.integer({ min: 1001, max: 1040 }), { maxLength: 4 }),
        async (before, added) => {
          const schema = uniqueSchema("subset");
          const earlier = [...MIGRATIONS, ...before.map(migration)];
          (await migrate(client, { schema, migrations: earlier }))._unsafeUnwrap();
          const later = [...earlier, ...added.filter((v) => !before.includes(v)).map(migration)];
          const missing = later.slice(earlier.length).sort((a, b) => a.version - b.version);
          const run = recording(client);
          const report = (await migrate(run.client, { schema, migrations: later }))._unsafeUnwrap();
          expect(report.applied).toEqual(missing.map((m) => m.name));
          expect(run.transactions()).toBe(missing.length === 0 ? 0 : 1);
          await client.query({ text: `DROP SCHEMA "${schema}" CASCADE` });
        },
      ),
      { numRuns: 15 },
    );
  }, 120_000);

  it("lets instances that start at once on an up-to-date schema all find it so", async () => {
    const schema = uniqueSchema("together");
    (await migrate(client, { schema }))._unsafeUnwrap();
    const runs = Array.from({ length: 4 }, () => recording(client));
    const reports = await Promise.all(runs.map((run) => migrate(run.client, { schema })));
    expect(reports.map((report) => report._unsafeUnwrap().applied)).toEqual([[], [], [], []]);
    expect(runs.map((run) => run.transactions())).toEqual([0, 0, 0, 0]);
  });
});
