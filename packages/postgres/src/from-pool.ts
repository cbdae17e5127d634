import type { Notification, Pool, PoolClient, QueryResult } from "pg";
import {
  isChannelName,
  type SqlClient,
  type SqlListener,
  type SqlRows,
  type SqlStatement,
} from "./sql-client.js";

export interface FromPoolOptions {
  /** How long to wait before taking a new notification connection after one was lost. Default 250 ms, doubling to 5 s. */
  readonly reconnectDelayMs?: number;
}

/**
 * A `SqlClient` over a node-postgres `Pool` the app owns. Statements with a
 * `name` are prepared once per connection. Notifications use one connection
 * taken from the pool while any `listen` is open (re-established, with its
 * LISTENs, when it is lost; poll for what was sent meanwhile). Give the pool
 * an `error` handler, as node-postgres asks, so an idle connection the
 * server drops does not crash the process.
 *
 * @example
 * ```ts
 * const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL });
 * pool.on("error", () => {});
 * const repository = postgresRepository(fromPool(pool));
 * ```
 */
export function fromPool(pool: Pool, options: FromPoolOptions = {}): SqlClient {
  const hub = notificationHub(pool, options.reconnectDelayMs ?? 250);
  return {
    query: (statement) => run(pool, statement),

    async transaction(work) {
      const client = await pool.connect();
      // A checked-out client has no error listener; without one a dropped connection would crash the process.
      let lost: Error | undefined;
      const onError = (error: Error) => {
        lost = error;
      };
      client.on("error", onError);
      try {
        await client.query("BEGIN");
        const result = await work({ query: (statement) => run(client, statement) });
        await client.query("COMMIT");
        return result;
      } catch (error) {
        await client.query("ROLLBACK").catch((rollbackError: Error) => {
          lost = rollbackError;
        });
        throw error;
      } finally {
        client.removeListener("error", onError);
        // A connection that failed is destroyed rather than handed to the next caller.
        client.release(lost ?? false);
      }
    },

    listen: (channel, onNotification, onReconnect) =>
      hub.listen(channel, onNotification, onReconnect),
  };
}

async function run(executor: Pool | PoolClient, statement: SqlStatement): Promise<SqlRows> {
  const result = await executor.query({
    ...(statement.name === undefined ? {} : { name: statement.name }),
    text: statement.text,
    values: statement.values === undefined ? [] : [...statement.values],
  });
  // A script of several statements answers with one result per statement; the last is the answer.
  const last: QueryResult = Array.isArray(result) ? result.at(-1) : result;
  return { rows: last?.rows ?? [], rowCount: last?.rowCount ?? last?.rows.length ?? 0 };
}

interface Handler {
  readonly onPayload: (payload: string) => void;
  readonly onReconnect?: () => void;
}

/**
 * All LISTENs of one `SqlClient` share one connection, so subscriptions cost
 * no pool slots beyond the first. Operations run one at a time so a close
 * racing a listen or a reconnect cannot leave a channel half set up.
 */
function notificationHub(pool: Pool, baseDelayMs: number) {
  const channels = new Map<string, Set<Handler>>();
  let client: PoolClient | null = null;
  let delayMs = baseDelayMs;
  let retry: NodeJS.Timeout | null = null;
  // Set when the connection is lost; the next one tells every listener it missed notifications.
  let missed = false;
  let queue: Promise<unknown> = Promise.resolve();

  function serial<T>(operation: () => Promise<T>): Promise<T> {
    const next = queue.then(operation);
    queue = next.catch(() => undefined);
    return next;
  }

  function deliver(message: Notification): void {
    if (message.payload === undefined) return;
    for (const handler of channels.get(message.channel) ?? []) {
      try {
        handler.onPayload(message.payload);
      } catch {
        // One failing handler must not keep the payload from the others.
      }
    }
  }

  async function connected(): Promise<PoolClient> {
    if (client !== null) return client;
    const fresh = await pool.connect();
    fresh.on("notification", deliver);
    fresh.on("error", (error) => {
      void serial(() => lose(fresh, error));
    });
    try {
      for (const channel of channels.keys()) await fresh.query(`LISTEN "${channel}"`);
    } catch (error) {
      fresh.release(error instanceof Error ? error : true);
      throw error;
    }
    client = fresh;
    delayMs = baseDelayMs;
    if (missed) {
      missed = false;
      for (const handlers of channels.values()) {
        for (const handler of handlers) {
          try {
            handler.onReconnect?.();
          } catch {
            // One failing listener must not keep the others from polling.
          }
        }
      }
    }
    return fresh;
  }

  async function lose(lost: PoolClient, error: Error): Promise<void> {
    if (client !== lost) return;
    client = null;
    missed = true;
    lost.release(error);
    scheduleReconnect();
  }

  function scheduleReconnect(): void {
    if (channels.size === 0 || retry !== null) return;
    retry = setTimeout(() => {
      retry = null;
      void serial(async () => {
        if (channels.size === 0) return;
        await connected().catch(() => {
          delayMs = Math.min(delayMs * 2, 5_000);
          scheduleReconnect();
        });
      });
    }, delayMs);
    retry.unref();
  }

  async function stop(channel: string, handler: Handler): Promise<void> {
    const handlers = channels.get(channel);
    if (handlers === undefined || !handlers.delete(handler)) return;
    if (handlers.size > 0) return;
    channels.delete(channel);
    // No one is left to have missed anything.
    if (channels.size === 0) missed = false;
    const current = client;
    if (current === null) return;
    if (channels.size === 0) {
      // Destroyed rather than released: nothing else should inherit a connection that listened.
      client = null;
      if (retry !== null) clearTimeout(retry);
      retry = null;
      current.release(true);
      return;
    }
    await current.query(`UNLISTEN "${channel}"`).catch(() => undefined);
  }

  return {
    listen(
      channel: string,
      onNotification: (payload: string) => void,
      onReconnect?: () => void,
    ): Promise<SqlListener> {
      if (!isChannelName(channel)) {
        return Promise.reject(new RangeError("a channel must be a lower-case identifier"));
      }
      // A wrapper per call, so the same function listening twice is two listeners.
      const handler: Handler = { onPayload: onNotification, onReconnect };
      return serial(async () => {
        const known = channels.has(channel);
        const handlers = channels.get(channel) ?? new Set<Handler>();
        handlers.add(handler);
        channels.set(channel, handlers);
        try {
          const current = await connected();
          if (!known) await current.query(`LISTEN "${channel}"`);
        } catch (error) {
          handlers.delete(handler);
          if (handlers.size === 0) channels.delete(channel);
          throw error;
        }
        let closed = false;
        return {
          close() {
            if (closed) return Promise.resolve();
            closed = true;
            return serial(() => stop(channel, handler));
          },
        };
      });
    },
  };
}
