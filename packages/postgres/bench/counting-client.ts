import type { SqlClient, SqlExecutor } from "../src/index.js";

/** A `SqlClient` that counts the statements sent through it; the count is read and reset by the bench. */
export interface CountingClient extends SqlClient {
  statements(): number;
}

/**
 * Wraps a client to count round trips per change: an increment per
 * statement, so the service pays nothing measurable for being counted.
 * Statements inside `transaction` count too, BEGIN and COMMIT not.
 */
export function countingClient(client: SqlClient): CountingClient {
  let count = 0;
  const counted = (executor: SqlExecutor): SqlExecutor => ({
    query(statement) {
      count += 1;
      return executor.query(statement);
    },
  });
  const direct = counted(client);
  return {
    query: (statement) => direct.query(statement),
    transaction: (work) => client.transaction((executor) => work(counted(executor))),
    listen: (...args) => client.listen(...args),
    statements: () => count,
  };
}
