import { type AgentRequest, fold, RestoreErrors } from "@restorekit/core";
import { DEFAULT_TENANT, DESTINATION_MACHINE_ID } from "@restorekit/testing";
import { describe, expect, it } from "vitest";
import {
  agentRequests,
  MIGRATIONS,
  type Migration,
  migrate,
  postgresIdGenerator,
  postgresRepository,
  type SqlClient,
  type StorageFailure,
} from "../../src/index.js";
import { dropSchema } from "./contract-subject.js";
import { rawInspector, transitions } from "./raw-inspector.js";
import { uniqueSchema } from "./real-server.js";

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

import { serviceOn } from "./service.js";

/** In `finally`: a failed test must not leave its schema (on Citus, its shards) behind. */
async function dropLeftSchema(client: SqlClient | undefined, schema: string): Promise<void> {
  if (client !== undefined) await dropSchema(client, schema).catch(() => undefined);
}

/** Where a suite runs: clients on separate connections where the backend has them. */
export interface Backend {
  readonly name: string;
  /** `count` clients, each on connections of its own (one shared session on PGlite). */
  clients(count: number): SqlClient[];
  release(): Promise<void>;
}

/** migrate(): applies once, records versions, stays in its schema, even from concurrent clients. */
export function migrateSuite(backend: () => Backend): void {
  describe("migrate", () => {
    it("applies each migration once and records it, from 4 concurrent clients", async () => {
      const on = backend();
      const schema = uniqueSchema("migrate");
      const clients = on.clients(4);
      try {
        const reports = await Promise.all(clients.map((client) => migrate(client, { schema })));
        const applied = reports.map((report) => report._unsafeUnwrap().applied);
        expect(applied.filter((names) => names.length > 0)).toEqual([
          [
            "0001_restores.sql",
            "0002_progress_and_deadlines.sql",
            "0003_idempotency_keys.sql",
            "0004_append_function.sql",
          ],
        ]);
        expect(applied.filter((names) => names.length === 0)).toHaveLength(3);

        const [first] = clients;
        if (first === undefined) throw new Error("no client");
        const recorded = await first.query({
          text: `SELECT version, name FROM "${schema}".schema_migrations ORDER BY version`,
        });
        expect(recorded.rows.map((row) => [Number(row.version), row.name])).toEqual([
          [1, "0001_restores.sql"],
          [2, "0002_progress_and_deadlines.sql"],
          [3, "0003_idempotency_keys.sql"],
          [4, "0004_append_function.sql"],
        ]);
        expect((await migrate(first, { schema }))._unsafeUnwrap().applied).toEqual([]);
      } finally {
        await dropLeftSchema(clients[0], schema);
        await on.release();
      }
    });

    it("creates its tables in the chosen schema only", async () => {
      const on = backend();
      const [client] = on.clients(1);
      if (client === undefined) throw new Error("no client");
      const schema = uniqueSchema("placed");
      try {
        (await migrate(client, { schema }))._unsafeUnwrap();
        const tables = await client.query({
          text: `SELECT table_schema, table_name FROM information_schema.tables
                 WHERE table_name IN ('restores', 'restore_events', 'schema_migrations')
                   AND table_schema = $1 ORDER BY table_name`,
          values: [schema],
        });
        expect(tables.rows.map((row) => row.table_name)).toEqual([
          "restore_events",
          "restores",
          "schema_migrations",
        ]);
        const path = await client.query({ text: "SHOW search_path" });
        expect(String(path.rows[0]?.search_path)).not.toContain(schema);
      } finally {
        await dropLeftSchema(client, schema);
        await on.release();
      }
    });

    it("refuses a schema name that is not a plain identifier, touching nothing", async () => {
      const on = backend();
      const [client] = on.clients(1);
      if (client === undefined) throw new Error("no client");
      try {
        for (const schema of ['x"; DROP SCHEMA public; --', "Upper", "pg_catalog", "", "a b"]) {
          const error = (await migrate(client, { schema }))._unsafeUnwrapErr();
          expect(error).toMatchObject({ code: "invalid_request", step: "validate", cause: null });
          expect(error.issues.map((issue) => issue.path)).toEqual(["schema"]);
        }
      } finally {
        await on.release();
      }
    });

    it("applies the migrations a caller adds after the package's, once", async () => {
      const on = backend();
      const [client] = on.clients(1);
      if (client === undefined) throw new Error("no client");
      const schema = uniqueSchema("extra");
      const extra: Migration = {
        version: 1001,
        name: "1001_app_notes.sql",
        sql: "CREATE TABLE app_notes (restore_id bigint NOT NULL, note text NOT NULL);",
      };
      try {
        expect((await migrate(client, { schema }))._unsafeUnwrap().applied).toEqual([
          "0001_restores.sql",
          "0002_progress_and_deadlines.sql",
          "0003_idempotency_keys.sql",
          "0004_append_function.sql",
        ]);
        const withExtra = { schema, migrations: [extra, ...MIGRATIONS] };
        expect((await migrate(client, withExtra))._unsafeUnwrap().applied).toEqual([extra.name]);
        expect((await migrate(client, withExtra))._unsafeUnwrap().applied).toEqual([]);
        const notes = await client.query({
          text: `SELECT count(*)::int AS n FROM "${schema}".app_notes`,
        });
        expect(notes.rows[0]?.n).toBe(0);
      } finally {
        await dropLeftSchema(client, schema);
        await on.release();
      }
    });

    it("names the migration that failed and its SQLSTATE, and keeps nothing of the run", async () => {
      const on = backend();
      const [client] = on.clients(1);
      if (client === undefined) throw new Error("no client");
      const schema = uniqueSchema("failing");
      const broken: Migration = {
        version: 1002,
        name: "1002_broken.sql",
        sql: "CREATE TABLE oops (",
      };
      try {
        const error = (
          await migrate(client, { schema, migrations: [...MIGRATIONS, broken] })
        )._unsafeUnwrapErr();
        expect(error).toMatchObject({
          code: "internal_error",
          step: "apply",
          migration: "1002_broken.sql",
          sqlState: "42601",
        });
        expect(error.message).toContain("while applying 1002_broken.sql");
        expect(error.message).toContain("(SQLSTATE 42601)");
        expect((error.cause as { code?: unknown }).code).toBe("42601");
        const left = await client.query({
          text: "SELECT count(*)::int AS n FROM information_schema.schemata WHERE schema_name = $1",
          values: [schema],
        });
        expect(left.rows[0]?.n).toBe(0);
      } finally {
        await on.release();
      }
    });

    it("refuses a migration list that repeats a version or a name, touching nothing", async () => {
      const on = backend();
      const [client] = on.clients(1);
      if (client === undefined) throw new Error("no client");
      const [first] = MIGRATIONS;
      if (first === undefined) throw new Error("no migrations");
      try {
        const twice = await migrate(client, {
          schema: uniqueSchema("twice"),
          migrations: [first, { ...first, name: "0001_again.sql" }, { ...first, version: 7 }],
        });
        expect(twice._unsafeUnwrapErr()).toMatchObject({
          code: "invalid_request",
          step: "validate",
        });
        expect(twice._unsafeUnwrapErr().issues.map((issue) => issue.path)).toEqual([
          "migrations.1.version",
          "migrations.2.name",
        ]);
        const unversioned = await migrate(client, {
          migrations: [
            { ...first, version: 0 },
            { ...first, version: 2 ** 31, name: "x" },
          ],
        });
        expect(unversioned._unsafeUnwrapErr().issues.map((issue) => issue.path)).toEqual([
          "migrations.0.version",
          "migrations.1.version",
        ]);
      } finally {
        await on.release();
      }
    });
  });
}

/** LISTEN/NOTIFY: requests committed by one client reach a listener on another. */
export function notifySuite(backend: () => Backend): void {
  describe("agent notifications", () => {
    it("delivers a start committed by one client to a listener on another connection", async () => {
      const on = backend();
      const [listener, writer] = on.clients(2);
      if (listener === undefined || writer === undefined) throw new Error("no clients");
      const schema = uniqueSchema("notify");
      try {
        (await migrate(writer, { schema }))._unsafeUnwrap();
        const stream = (
          await agentRequests(listener, {
            schema,
            tenantId: DEFAULT_TENANT,
            agentId: DESTINATION_MACHINE_ID,
            includePending: false,
          })
        )._unsafeUnwrap();
        const started = await serviceOn(writer, schema).createStarted();

        const iterator = stream[Symbol.asyncIterator]();
        const first = await iterator.next();
        expect(first.value).toEqual({
          tenantId: DEFAULT_TENANT,
          restoreId: started.restoreId,
          agentId: DESTINATION_MACHINE_ID,
          action: "start",
          version: started.version,
        } satisfies AgentRequest);
        await stream.close();
        expect((await iterator.next()).done).toBe(true);
      } finally {
        await dropLeftSchema(writer, schema);
        await on.release();
      }
    });

    it("polls every pollIntervalMs, so a request whose notification never came still arrives", async () => {
      const on = backend();
      const [listener, writer] = on.clients(2);
      if (listener === undefined || writer === undefined) throw new Error("no clients");
      const schema = uniqueSchema("poll");
      try {
        (await migrate(writer, { schema }))._unsafeUnwrap();
        // Committed, and its notification sent, before anyone listens: only a poll can find it.
        const writes = postgresRepository(writer, { schema });
        const started = await serviceOn(writer, schema, writes).createStarted();
        await writes.flushNotifications();
        const subscribe = (pollIntervalMs: number, heard: AgentRequest[]) =>
          postgresRepository(listener, { schema, pollIntervalMs }).subscribeAgentRequests(
            DEFAULT_TENANT,
            DESTINATION_MACHINE_ID,
            (request) => heard.push(request),
          );
        const unheard: AgentRequest[] = [];
        const heard: AgentRequest[] = [];
        const quiet = (await subscribe(0, unheard))._unsafeUnwrap();
        const polling = (await subscribe(100, heard))._unsafeUnwrap();
        const deadline = Date.now() + 30_000;
        while (heard.length < 2 && Date.now() < deadline) await pause(50);
        await Promise.all([quiet.close(), polling.close()]);
        expect(unheard, "without the poll, nothing tells of it").toEqual([]);
        // Two polls at least, the first found and the second found again: at least once.
        expect(heard.length).toBeGreaterThanOrEqual(2);
        expect(new Set(heard.map((r) => `${r.restoreId}@${r.version}:${r.action}`))).toEqual(
          new Set([`${started.restoreId}@${started.version}:start`]),
        );
        const count = heard.length;
        await pause(300);
        expect(heard.length, "a closed subscription polls no more").toBe(count);
      } finally {
        await dropLeftSchema(writer, schema);
        await on.release();
      }
    });

    it("tells agents after the commits, never from a statement that writes, and misses none", async () => {
      const on = backend();
      const [listener, writer] = on.clients(2);
      if (listener === undefined || writer === undefined) throw new Error("no clients");
      const schema = uniqueSchema("outbox");
      try {
        (await migrate(writer, { schema }))._unsafeUnwrap();
        const texts: string[] = [];
        const recording: SqlClient = {
          ...writer,
          query: (statement) => {
            texts.push(statement.text);
            return writer.query(statement);
          },
        };
        const stream = (
          await agentRequests(listener, {
            schema,
            tenantId: DEFAULT_TENANT,
            agentId: DESTINATION_MACHINE_ID,
            includePending: false,
          })
        )._unsafeUnwrap();
        const app = serviceOn(recording, schema);
        const started = await Promise.all(Array.from({ length: 12 }, () => app.createStarted()));

        const heard: AgentRequest[] = [];
        for await (const request of stream) {
          heard.push(request);
          if (heard.length === started.length) break;
        }
        expect(heard.map((r) => r.restoreId).sort((a, b) => a - b)).toEqual(
          started.map((r) => r.restoreId).sort((a, b) => a - b),
        );
        const notifying = texts.filter((text) => /pg_notify/i.test(text));
        // The append is a statement, or on Citus a call of the append function (migration 0004).
        const writes = /\b(INSERT|UPDATE|DELETE)\b|\.append_restore\(/i;
        const writing = texts.filter((text) => writes.test(text));
        expect(notifying.length).toBeGreaterThan(0);
        expect(writing.length).toBeGreaterThan(0);
        for (const text of notifying) expect(text).not.toMatch(writes);
      } finally {
        await dropLeftSchema(writer, schema);
        await on.release();
      }
    });

    it("yields what was pending first, then new requests, and ends on abort", async () => {
      const on = backend();
      const [listener, writer] = on.clients(2);
      if (listener === undefined || writer === undefined) throw new Error("no clients");
      const schema = uniqueSchema("stream");
      try {
        (await migrate(writer, { schema }))._unsafeUnwrap();
        const app = serviceOn(writer, schema);
        const waiting = await app.createStarted();
        await app.create();

        const abort = new AbortController();
        const stream = (
          await agentRequests(listener, {
            schema,
            tenantId: DEFAULT_TENANT,
            agentId: DESTINATION_MACHINE_ID,
            signal: abort.signal,
          })
        )._unsafeUnwrap();
        const received: AgentRequest[] = [];
        const consumed = (async () => {
          for await (const request of stream) {
            received.push(request);
            if (received.length === 1) {
              // The user stops it once the agent has taken it: a stop request follows.
              await app.service.agentReport(app.agent(), waiting.restoreId, {
                state: "InProgress",
                report: {},
              });
              await app.service.requestAction(app.user(), {
                action: "StopManual",
                restoreId: waiting.restoreId,
                encryptedPassword: null,
              });
            }
            if (received.length === 2) abort.abort();
          }
        })();
        await consumed;

        expect(received.map((r) => [r.restoreId, r.action, r.version])).toEqual([
          [waiting.restoreId, "start", 2],
          [waiting.restoreId, "stop", 4],
        ]);
      } finally {
        await dropLeftSchema(writer, schema);
        await on.release();
      }
    });
  });
}

/** Checks every restore's log against its row: gap-free seq, row == fold, from/to chained. */
export async function expectConsistent(
  client: SqlClient,
  schema: string,
  restoreIds: readonly number[],
): Promise<number> {
  const inspect = rawInspector(client, schema);
  let total = 0;
  for (const restoreId of restoreIds) {
    const events = await inspect.events(DEFAULT_TENANT, restoreId);
    const row = await inspect.row(DEFAULT_TENANT, restoreId);
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    const folded = fold(events.map((e) => e.event));
    expect(folded.type === "Existing" ? folded.restore : null).toEqual(row?.restore);
    const chain = await transitions(client, schema, DEFAULT_TENANT, restoreId);
    chain.forEach((step, i) => {
      expect(step.from).toBe(i === 0 ? null : (chain[i - 1]?.to ?? null));
    });
    total += events.length;
  }
  return total;
}

/** Failures are secret-free to callers, and their cause reaches the embedder's onError. */
export function storageFailureSuite(backend: () => Backend): void {
  describe("failures told to onError", () => {
    it("a broken table: load is internal_error with no driver text; onError gets the driver's error", async () => {
      const on = backend();
      const [client] = on.clients(1);
      if (client === undefined) throw new Error("no client");
      const schema = uniqueSchema("broken");
      try {
        (await migrate(client, { schema }))._unsafeUnwrap();
        const restore = await serviceOn(client, schema).create();
        await client.query({ text: `ALTER TABLE "${schema}".restores DROP COLUMN backup_flavor` });
        const told: StorageFailure[] = [];
        const repository = postgresRepository(client, {
          schema,
          onError: (failure) => told.push(failure),
        });

        const loaded = await repository.load(DEFAULT_TENANT, restore.restoreId);

        // Exactly the fixed error: no field could carry the driver's text, SQL or values.
        expect(loaded._unsafeUnwrapErr()).toStrictEqual(RestoreErrors.internal());
        expect(told).toHaveLength(1);
        const [failure] = told;
        if (failure === undefined) throw new Error("onError was not called");
        expect(failure.operation).toBe("load");
        expect(failure.error).toStrictEqual(RestoreErrors.internal());
        expect(failure.cause).toBeInstanceOf(Error);
        expect(failure.cause).toMatchObject({ code: "42703" });
        expect((failure.cause as Error).message).toContain("backup_flavor");
      } finally {
        await dropLeftSchema(client, schema);
        await on.release();
      }
    });

    it("a row it cannot read back: internal_error to the caller, which row to onError", async () => {
      const on = backend();
      const [client] = on.clients(1);
      if (client === undefined) throw new Error("no client");
      const schema = uniqueSchema("unreadable");
      try {
        (await migrate(client, { schema }))._unsafeUnwrap();
        const restore = await serviceOn(client, schema).create();
        // No constraint covers event types: a row written behind the package's back.
        await client.query({ text: `UPDATE "${schema}".restore_events SET type = 'Bogus'` });
        const told: StorageFailure[] = [];
        const repository = postgresRepository(client, {
          schema,
          onError: (failure) => told.push(failure),
        });

        const read = await repository.readEvents(DEFAULT_TENANT, restore.restoreId);

        expect(read._unsafeUnwrapErr()).toStrictEqual(RestoreErrors.internal());
        expect(told.map(({ operation, error }) => ({ operation, error }))).toStrictEqual([
          { operation: "readEvents", error: RestoreErrors.internal() },
        ]);
        expect(told[0]?.cause).toStrictEqual(
          new Error("a row of restore_events could not be read"),
        );
      } finally {
        await dropLeftSchema(client, schema);
        await on.release();
      }
    });

    it("tells onError of each failed operation by name, once, with the driver's error", async () => {
      const on = backend();
      const [client] = on.clients(1);
      if (client === undefined) throw new Error("no client");
      // Never migrated: every statement names a schema (3F000) or relation (42P01) that does not exist.
      const schema = uniqueSchema("absent");
      const told: StorageFailure[] = [];
      const onError = (failure: StorageFailure) => told.push(failure);
      try {
        const repository = postgresRepository(client, { schema, onError });
        const results = [
          await repository.load(DEFAULT_TENANT, 1),
          await repository.readEvents(DEFAULT_TENANT, 1),
          await repository.readSealedPassword(DEFAULT_TENANT, 1),
          await repository.pendingAgentRequests(DEFAULT_TENANT, 1),
          await postgresIdGenerator(client, { schema, onError }).nextRestoreId(),
        ];
        expect(results.map((result) => result.isErr() && result.error)).toStrictEqual(
          Array(5).fill(RestoreErrors.internal()),
        );
        expect(told.map(({ operation }) => operation)).toEqual([
          "load",
          "readEvents",
          "readSealedPassword",
          "pendingAgentRequests",
          "nextRestoreId",
        ]);
        for (const failure of told) {
          expect(failure.error).toStrictEqual(RestoreErrors.internal());
          expect(["3F000", "42P01"]).toContain((failure.cause as { code?: unknown }).code);
          expect((failure.cause as Error).message).toContain(schema);
        }
      } finally {
        await on.release();
      }
    });

    it("gives the caller its error whatever onError does: throw, reject, or return", async () => {
      const on = backend();
      const [client] = on.clients(1);
      if (client === undefined) throw new Error("no client");
      const schema = uniqueSchema("absent");
      let calls = 0;
      const hooks = [
        () => {
          calls += 1;
          throw new Error("the log is down");
        },
        async () => {
          calls += 1;
          throw new Error("the async log is down");
        },
        () => {
          calls += 1;
        },
      ];
      try {
        for (const onError of hooks) {
          const loaded = await postgresRepository(client, { schema, onError }).load(
            DEFAULT_TENANT,
            1,
          );
          expect(loaded._unsafeUnwrapErr()).toStrictEqual(RestoreErrors.internal());
          const id = await postgresIdGenerator(client, { schema, onError }).nextRestoreId();
          expect(id._unsafeUnwrapErr()).toStrictEqual(RestoreErrors.internal());
        }
        // A rejection left unhandled would fail the run; give it the turn it would take to surface.
        await new Promise((resolve) => setTimeout(resolve, 50));
        expect(calls).toBe(6);
      } finally {
        await on.release();
      }
    });
  });
}
