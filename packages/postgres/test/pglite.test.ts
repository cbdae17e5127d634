import type { PGlite } from "@electric-sql/pglite";
import { type AppendRequest, fold, type RestoreEvent, stateId } from "@restorekit/core";
import { arbHistory } from "@restorekit/testing";
import { restoreRepositoryContract } from "@restorekit/testing/contract";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  fromPGlite,
  migrate,
  postgresIdGenerator,
  postgresRepository,
  type SqlClient,
} from "../src/index.js";
import { dropSchema, freshSubject } from "./support/contract-subject.js";
import { filePGlite } from "./support/pglite.js";
import { rawInspector, transitions } from "./support/raw-inspector.js";
import { uniqueSchema } from "./support/real-server.js";
import {
  type Backend,
  migrateSuite,
  notifySuite,
  storageFailureSuite,
} from "./support/shared-suites.js";

let db: PGlite;
let client: SqlClient;

beforeAll(async () => {
  db = await filePGlite();
  client = fromPGlite(db);
});

afterAll(async () => {
  if (!db.closed) await db.close();
});

// PGlite is one session: "separate clients" share it, which still exercises the same code paths.
const pglite = (): Backend => ({
  name: "PGlite",
  clients: (count) => Array.from({ length: count }, () => fromPGlite(db)),
  release: () => Promise.resolve(),
});

restoreRepositoryContract("postgres repository on PGlite", () =>
  freshSubject(client, uniqueSchema("contract")),
);

// The append Citus is sent (one function call) must keep the same contract everywhere.
restoreRepositoryContract("postgres repository on PGlite, appending with the function", () =>
  freshSubject(client, uniqueSchema("contract"), { appendWith: "function" }),
);

migrateSuite(pglite);
notifySuite(pglite);
storageFailureSuite(pglite);

describe("any history", () => {
  // 40 histories of up to 12 commands, each appended and read back several times.
  it("is stored in any split into appends: row == fold, events as appended, from/to chained", {
    timeout: 60_000,
  }, async () => {
    const schema = uniqueSchema("history");
    (await migrate(client, { schema }))._unsafeUnwrap();
    const repository = postgresRepository(client, { schema });
    const inspect = rawInspector(client, schema);
    let tenant = 0;
    await fc.assert(
      fc.asyncProperty(
        arbHistory({ maxCommands: 12 }),
        fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 30, maxLength: 30 }),
        async ({ events }, chunks) => {
          // Each sample gets a tenant of its own, since histories may reuse restore ids.
          tenant += 1;
          const tenantId = `t${tenant}`;
          const retenanted = events.map((event) =>
            event.type === "RestoreCreated"
              ? { ...event, data: { ...event.data, tenantId } }
              : event,
          ) as RestoreEvent[];
          let done = 0;
          for (const size of chunks) {
            if (done >= retenanted.length) break;
            const before = fold(retenanted.slice(0, done));
            const after = fold(retenanted.slice(0, done + size));
            if (after.type !== "Existing") throw new Error("history does not fold");
            const request: AppendRequest = {
              tenantId,
              restoreId: after.restore.restoreId,
              expectedVersion: before.type === "Existing" ? before.restore.version : 0,
              previous: before.type === "Existing" ? before.restore : null,
              events: retenanted.slice(done, done + size),
              restore: after.restore,
            };
            const appended = await repository.append(request);
            expect(appended.isOk()).toBe(true);
            expect(
              (await repository.load(tenantId, after.restore.restoreId))._unsafeUnwrap(),
            ).toEqual(after.restore);
            done += size;
          }
          const final = fold(retenanted);
          if (final.type !== "Existing") throw new Error("history does not fold");
          const { restoreId } = final.restore;
          const stored = (await repository.readEvents(tenantId, restoreId))._unsafeUnwrap();
          expect(stored).toEqual(retenanted.map((event, i) => ({ seq: i + 1, event })));
          expect(await inspect.events(tenantId, restoreId)).toEqual(stored);
          expect((await inspect.row(tenantId, restoreId))?.restore).toEqual(final.restore);

          const expected = retenanted.map((_, i) => {
            const prior = fold(retenanted.slice(0, i));
            const next = fold(retenanted.slice(0, i + 1));
            return {
              from: prior.type === "Existing" ? stateId(prior.restore.state) : null,
              to: next.type === "Existing" ? stateId(next.restore.state) : -1,
            };
          });
          expect(await transitions(client, schema, tenantId, restoreId)).toEqual(expected);
        },
      ),
      { numRuns: 40 },
    );
    await dropSchema(client, schema);
  });
});

describe("restore ids", () => {
  it("come from the schema's sequence: positive, increasing, never repeated", async () => {
    const schema = uniqueSchema("ids");
    (await migrate(client, { schema }))._unsafeUnwrap();
    const ids = postgresIdGenerator(client, { schema });
    const taken = await Promise.all(
      Array.from({ length: 50 }, async () => (await ids.nextRestoreId())._unsafeUnwrap()),
    );
    expect(new Set(taken).size).toBe(50);
    expect([...taken].sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    await dropSchema(client, schema);
  });
});

describe("a closed PGlite", () => {
  it("is storage_unavailable for every method, never not-found", async () => {
    const schema = uniqueSchema("closed");
    (await migrate(client, { schema }))._unsafeUnwrap();
    const repository = postgresRepository(client, { schema });
    const ids = postgresIdGenerator(client, { schema });
    await db.close();

    const codes = await Promise.all([
      repository.load("123456", 1),
      repository.readEvents("123456", 1),
      repository.readSealedPassword("123456", 1),
      repository.pendingAgentRequests("123456", 1),
      repository.subscribeAgentRequests("123456", 1, () => undefined),
      ids.nextRestoreId(),
      migrate(client, { schema }),
    ]);
    expect(codes.map((result) => (result.isErr() ? result.error.code : "ok"))).toEqual(
      Array(7).fill("storage_unavailable"),
    );
  });
});
