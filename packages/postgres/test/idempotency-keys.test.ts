import type { PGlite } from "@electric-sql/pglite";
import type { IdempotencyScope } from "@restorekit/core";
import { idempotencyKeysContract } from "@restorekit/testing/contract";
import type pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import {
  fromPGlite,
  fromPool,
  migrate,
  postgresIdempotencyKeys,
  postgresRepository,
  type SqlClient,
} from "../src/index.js";
import { dropSchema } from "./support/contract-subject.js";
import { filePGlite } from "./support/pglite.js";
import { rawKeyRow } from "./support/raw-key-row.js";
import { serverIsUp, serverPool, uniqueSchema } from "./support/real-server.js";

let db: PGlite | undefined;
let pool: pg.Pool | undefined;
const up = await serverIsUp();

afterAll(async () => {
  if (db !== undefined && !db.closed) await db.close();
  await pool?.end();
});

async function pgliteClient(): Promise<SqlClient> {
  db ??= await filePGlite();
  return fromPGlite(db);
}

function serverClient(): SqlClient {
  pool ??= serverPool({ max: 4 });
  return fromPool(pool);
}

function subjectOn(client: () => Promise<SqlClient> | SqlClient) {
  return async () => {
    const sql = await client();
    const schema = uniqueSchema("idem");
    (await migrate(sql, { schema }))._unsafeUnwrap();
    return {
      keys: postgresIdempotencyKeys(sql, { schema }),
      repository: postgresRepository(sql, { schema }),
      row: (scope: IdempotencyScope, key: string) => rawKeyRow(sql, schema, scope, key),
      close: () => dropSchema(sql, schema),
    };
  };
}

idempotencyKeysContract("postgres idempotency keys on PGlite", subjectOn(pgliteClient));

if (up) {
  idempotencyKeysContract("postgres idempotency keys on the real server", subjectOn(serverClient));

  describe("on the real server, many claims of one key at once", () => {
    it("exactly one is claimed; the others are in_use", async () => {
      const subject = await subjectOn(serverClient)();
      try {
        const scope = { tenantId: "t1", principal: "user:u" };
        const now = new Date();
        const outcomes = await Promise.all(
          Array.from({ length: 8 }, () =>
            subject.keys.claim({
              scope,
              key: "raced",
              fingerprint: "f",
              now,
              lockMs: 60_000,
              keepMs: 86_400_000,
            }),
          ),
        );
        const kinds = outcomes.map((o) => o._unsafeUnwrap().kind).sort();
        expect(kinds).toEqual(["claimed", ...Array(7).fill("in_use")]);
      } finally {
        await subject.close();
      }
    });
  });
} else {
  it("says the real-server idempotency key tests did not run", () => {
    console.warn(
      "No Postgres server answered at DATABASE_URL: the idempotency key contract ran on PGlite only, NOT on a real server.",
    );
    expect(up).toBe(false);
  });
}
