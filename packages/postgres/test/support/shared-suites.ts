import { type AgentRequest, fold } from "@restorekit/core";
import { DEFAULT_TENANT, DESTINATION_MACHINE_ID } from "@restorekit/testing";
import { describe, expect, it } from "vitest";
import { agentRequests, migrate, type SqlClient } from "../../src/index.js";
import { dropSchema } from "./contract-subject.js";
import { rawInspector, transitions } from "./raw-inspector.js";
import { uniqueSchema } from "./real-server.js";
import { serviceOn } from "./service.js";

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
        expect(applied.filter((names) => names.length > 0)).toEqual([["0001_restores.sql"]]);
        expect(applied.filter((names) => names.length === 0)).toHaveLength(3);

        const [first] = clients;
        if (first === undefined) throw new Error("no client");
        const recorded = await first.query({
          text: `SELECT version, name FROM "${schema}".schema_migrations ORDER BY version`,
        });
        expect(recorded.rows.map((row) => [Number(row.version), row.name])).toEqual([
          [1, "0001_restores.sql"],
        ]);
        expect((await migrate(first, { schema }))._unsafeUnwrap().applied).toEqual([]);
        await dropSchema(first, schema);
      } finally {
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
        await dropSchema(client, schema);
      } finally {
        await on.release();
      }
    });

    it("refuses a schema name that is not a plain identifier, touching nothing", async () => {
      const on = backend();
      const [client] = on.clients(1);
      if (client === undefined) throw new Error("no client");
      try {
        for (const schema of ['x"; DROP SCHEMA public; --', "Upper", "pg_catalog", "", "a b"]) {
          const result = await migrate(client, { schema });
          expect(result._unsafeUnwrapErr().code).toBe("invalid_request");
        }
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
        await dropSchema(writer, schema);
      } finally {
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
        await dropSchema(writer, schema);
      } finally {
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
