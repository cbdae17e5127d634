/**
 * One statement: `name` makes it a prepared statement where the driver
 * supports it. Without `values`, `text` may hold several statements (a
 * migration script), run with the simple query protocol.
 */
export interface SqlStatement {
  readonly name?: string;
  readonly text: string;
  readonly values?: readonly unknown[];
}

export interface SqlRows {
  readonly rows: readonly Record<string, unknown>[];
  readonly rowCount: number;
}

/** Runs statements; rejects with the driver's error, which the repository turns into data. */
export interface SqlExecutor {
  query(statement: SqlStatement): Promise<SqlRows>;
}

/** A `LISTEN` in place; `close` stops it. */
export interface SqlListener {
  close(): Promise<void>;
}

/**
 * The small query interface the package runs on, so an embedding app can pass
 * its own `pg.Pool` (`fromPool`) or PGlite instance (`fromPGlite`), or adapt
 * another driver. It is the driver edge: its promises reject with driver
 * errors, which the repository turns into `RestoreError`s.
 *
 * @example
 * ```ts
 * const client = fromPool(new pg.Pool({ connectionString: process.env.DATABASE_URL }));
 * await client.query({ text: "SELECT 1" });
 * ```
 */
export interface SqlClient extends SqlExecutor {
  /** Runs `work` on one connection between BEGIN and COMMIT (ROLLBACK when it rejects). */
  transaction<T>(work: (executor: SqlExecutor) => Promise<T>): Promise<T>;
  /**
   * Listens on `channel` (lower-case letters, digits and `_` only) on a
   * connection kept for notifications, and calls `onNotification` with each
   * payload after the notifying transaction commits. When a lost
   * notification connection has been re-established and listens again,
   * `onReconnect` is called: what was sent in between was missed.
   */
  listen(
    channel: string,
    onNotification: (payload: string) => void,
    onReconnect?: () => void,
  ): Promise<SqlListener>;
}

const CHANNEL = /^[a-z_][a-z0-9_]{0,62}$/;

/** Channels are quoted into LISTEN, which takes no parameters, so only plain names pass. */
export function isChannelName(channel: string): boolean {
  return CHANNEL.test(channel);
}
