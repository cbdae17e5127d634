import type { SqlClient, SqlExecutor, SqlStatement } from "../../src/index.js";

/** One statement a client was asked to run: its text as sent, and its values. */
export interface RecordedStatement {
  readonly text: string;
  readonly values: readonly unknown[];
}

/**
 * A client that notes every statement before running it on `client`, in
 * order, inside transactions too: what the package really sends, to be
 * checked afterwards (its text, or its plan on another server).
 */
export function recording(client: SqlClient): {
  client: SqlClient;
  statements: RecordedStatement[];
} {
  const statements: RecordedStatement[] = [];
  const record = (executor: SqlExecutor) => (statement: SqlStatement) => {
    statements.push({ text: statement.text, values: [...(statement.values ?? [])] });
    return executor.query(statement);
  };
  return {
    statements,
    client: {
      ...client,
      query: record(client),
      transaction: (work) => client.transaction((executor) => work({ query: record(executor) })),
    },
  };
}

/** A statement's text on one line, for matching and for messages. */
export function oneLine(text: string): string {
  return text.replace(/\s+/g, " ").trim();
}
