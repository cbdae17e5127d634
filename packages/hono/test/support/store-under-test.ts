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
import { filePGlite, fileServerPool } from "./file-databases.js";
import { uniqueSchema } from "./real-server.js";

/** Where a route suite keeps its restores. */
export type StoreKind = "memory" | "pglite" | "server";

export const STORE_KINDS: readonly StoreKind[] = ["memory", "pglite", "server"];

export interface StoreUnderTest {
  readonly repository: RestoreRepository;
  /** The `Idempotency-Key` store that the repository's appends answer. */
  readonly idempotencyKeys: IdempotencyKeys;
  /** Drops what the store holds (a Postgres schema of its own); the file closes the database. */
  close(): Promise<void>;
}

/**
 * What a suite on `kind` runs on, said plainly: with the real server down, the
 * "server" suites run on PGlite and their name says so.
 */
export function storeLabel(kind: StoreKind, serverUp: boolean): string {
  switch (kind) {
    case "memory":
      return "in-memory store";
    case "pglite":
      return "Postgres repository on PGlite";
    case "server":
      return serverUp
        ? "Postgres repository on the real server"
        : "real Postgres server DOWN: ran on PGlite instead";
  }
}

/** A fresh store of the kind: in memory, or a migrated schema of its own. */
export async function openStore(kind: StoreKind, serverUp: boolean): Promise<StoreUnderTest> {
  if (kind === "memory") {
    const repository = inMemoryRepository();
    return {
      repository,
      idempotencyKeys: repository.idempotencyKeys,
      close: () => Promise.resolve(),
    };
  }
  const client: SqlClient =
    kind === "server" && serverUp ? fromPool(fileServerPool()) : fromPGlite(await filePGlite());
  const schema = uniqueSchema(`hono_${kind}`);
  const migrated = await migrate(client, { schema });
  if (migrated.isErr()) throw new Error(`migrate failed: ${migrated.error.message}`);
  return {
    repository: postgresRepository(client, { schema }),
    idempotencyKeys: postgresIdempotencyKeys(client, { schema }),
    close: async () => {
      await client.query({ text: `DROP SCHEMA IF EXISTS "${schema}" CASCADE` });
    },
  };
}
