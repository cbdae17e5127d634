import type { PGliteInterface, Results, Transaction } from "@electric-sql/pglite";
import { isChannelName, type SqlClient, type SqlRows, type SqlStatement } from "./sql-client.js";

/** What the adapter needs of a PGlite instance (a `PGlite` or a `PGliteWorker`). */
export type PGliteLike = Pick<PGliteInterface, "query" | "exec" | "transaction" | "listen">;

/**
 * A `SqlClient` over a PGlite instance the app owns. PGlite is one session,
 * so statement names are ignored, transactions take PGlite's own lock, and
 * notifications are delivered by the same instance after the commit.
 *
 * @example
 * ```ts
 * const db = await PGlite.create();
 * const client = fromPGlite(db);
 * await migrate(client).match(console.log, console.error);
 * ```
 */
export function fromPGlite(db: PGliteLike): SqlClient {
  return {
    query: (statement) => run(db, statement),

    transaction(work) {
      return db.transaction((tx) => work({ query: (statement) => run(tx, statement) }));
    },

    async listen(channel, onNotification) {
      if (!isChannelName(channel))
        throw new RangeError("a channel must be a lower-case identifier");
      const unlisten = await db.listen(channel, (payload) => {
        try {
          onNotification(payload);
        } catch {
          // A failing handler must not break PGlite's delivery to the others.
        }
      });
      let closed = false;
      return {
        close() {
          if (closed) return Promise.resolve();
          closed = true;
          return unlisten();
        },
      };
    },
  };
}

async function run(executor: PGliteLike | Transaction, statement: SqlStatement): Promise<SqlRows> {
  if (statement.values === undefined) {
    const results = await executor.exec(statement.text);
    const last = results.at(-1);
    return { rows: last?.rows ?? [], rowCount: last?.affectedRows ?? last?.rows.length ?? 0 };
  }
  const result: Results<Record<string, unknown>> = await executor.query(statement.text, [
    ...statement.values,
  ]);
  return { rows: result.rows, rowCount: result.affectedRows ?? result.rows.length };
}
