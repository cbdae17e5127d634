import type { IdempotencyKeys, RestoreRepository } from "@restorekit/core";
import {
  fromPGlite,
  fromPool,
  migrate,
  postgresIdempotencyKeys,
  postgresRepository,
  type SqlClient,
} from "@restorekit/postgres";
import { inMemoryRepository } from "@restorekit/testing";
import { fileCitusPool, filePGlite, fileServerPool } from "./file-databases.js";
import { uniqueSchema } from "./real-server.js";

/** Where a route suite keeps its restores. */
export type StoreKind = "memory" | "pglite" | "server" | "citus";

// Every route suite runs on Citus too, not only those that touch the store: the cluster costs a
// migrate and a DROP (about a second) per suite and a few ms per write, 1 to 2 minutes for the
// whole project on a busy 2-core machine, too little to leave a suite out for.
export const STORE_KINDS: readonly StoreKind[] = ["memory", "pglite", "server", "citus"];

/** Which databases answered when the file loaded. */
export interface Reachable {
  /** The real Postgres server (`DATABASE_URL`). */
  readonly server: boolean;
  /** A Citus coordinator (`RESTOREKIT_CITUS_URL`). */
  readonly citus: boolean;
}

export interface StoreUnderTest {
  readonly repository: RestoreRepository;
  /** The `Idempotency-Key` store that the repository's appends answer. */
  readonly idempotencyKeys: IdempotencyKeys;
  /** Drops what the store holds (a Postgres schema of its own); the file closes the database. */
  close(): Promise<void>;
}

/**
 * What a suite on `kind` runs on, said plainly: with the real server down, the
 * "server" suites run on PGlite and their name says so; with no Citus
 * coordinator, the "citus" suites do not run and their name says that.
 */
export function storeLabel(kind: StoreKind, reachable: Reachable): string {
  switch (kind) {
    case "memory":
      return "in-memory store";
    case "pglite":
      return "Postgres repository on PGlite";
    case "server":
      return reachable.server
        ? "Postgres repository on the real server"
        : "real Postgres server DOWN: ran on PGlite instead";
    case "citus":
      return reachable.citus
        ? "Postgres repository on Citus, tables distributed by tenant"
        : "Citus coordinator DOWN: did not run";
  }
}

/** A fresh store of the kind: in memory, or a migrated schema of its own. */
export async function openStore(kind: StoreKind, reachable: Reachable): Promise<StoreUnderTest> {
  if (kind === "memory") {
    const repository = inMemoryRepository();
    return {
      repository,
      idempotencyKeys: repository.idempotencyKeys,
      close: () => Promise.resolve(),
    };
  }
  if (kind === "citus" && !reachable.citus) {
    throw new Error("no Citus coordinator answered: a citus suite must not be built");
  }
  const client: SqlClient =
    kind === "citus"
      ? fromPool(fileCitusPool())
      : kind === "server" && reachable.server
        ? fromPool(fileServerPool())
        : fromPGlite(await filePGlite());
  const schema = uniqueSchema(`hono_${kind}`);
  const migrated = await migrate(client, { schema });
  if (migrated.isErr()) throw new Error(`migrate failed: ${migrated.error.message}`);
  if (kind === "citus") await expectDistributed(client, schema);
  return {
    repository: postgresRepository(client, { schema }),
    idempotencyKeys: postgresIdempotencyKeys(client, { schema }),
    close: async () => {
      await client.query({ text: `DROP SCHEMA IF EXISTS "${schema}" CASCADE` });
    },
  };
}

/**
 * Fails unless `migrate` distributed the store's tables: on tables left on the
 * coordinator, a "citus" suite would pass without routing anything to a shard.
 */
async function expectDistributed(client: SqlClient, schema: string): Promise<void> {
  const { rows } = await client.query({
    text: `SELECT t.name FROM unnest($1::text[]) AS t(name)
           WHERE NOT EXISTS (SELECT 1 FROM pg_catalog.pg_dist_partition p
                             WHERE p.logicalrelid = to_regclass(format('%I.%I', $2::text, t.name))
                               AND p.partmethod = 'h')`,
    values: [["restores", "restore_events", "idempotency_keys"], schema],
  });
  if (rows.length > 0) {
    throw new Error(
      `migrate left ${rows.map((row) => String(row.name)).join(", ")} of ${schema} undistributed on Citus`,
    );
  }
}
