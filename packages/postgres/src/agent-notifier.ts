import type { AgentRequest } from "@restorekit/core";
import { agentChannel } from "./agent-channel.js";
import { pause } from "./pause.js";
import type { SchemaName } from "./schema-name.js";
import type { SqlExecutor } from "./sql-client.js";
import { statementName } from "./statement-name.js";
import { storageErrorOf } from "./storage-error.js";
import type { Reporter } from "./storage-failure.js";

/** Sends agents their requests after the changes that made them have committed. */
export interface AgentNotifier {
  /** Queues the requests of a committed append; they go out with the others queued meanwhile. */
  send(requests: readonly AgentRequest[]): void;
  /** Resolves once everything queued so far was sent, or given up on and reported. */
  flush(): Promise<void>;
}

export interface AgentNotifierOptions {
  /** Delays between the tries of a batch the database refused; then it is reported and dropped. */
  readonly retryDelaysMs?: readonly number[];
}

/** Enough for a database restart or a failover to pass, short enough to hold little in memory. */
const RETRY_DELAYS_MS = [50, 100, 200, 400, 800, 1_600];
/** Notifications per statement: far under what one NOTIFY queue page holds. */
const BATCH = 500;

/**
 * One instance's notifier. Postgres serialises the commits of notifying
 * transactions behind one lock, so notifying inside each append capped every
 * writer at what one commit flush allows (about 1k/s here). Instead the
 * appends commit without notifying, and this sends the requests afterwards
 * in batches: at most one statement in flight per instance, carrying
 * whatever queued while the previous one ran, so the rate of notifying
 * commits no longer follows the rate of changes.
 *
 * An agent never hears of a request before its change is visible (it is
 * queued only after the commit). A request is lost when the process dies
 * between the commit and the send, or when the database refuses every try;
 * the change itself is committed and the restore waits in the pending poll
 * (`pendingAgentRequests`), which listeners run again whenever their
 * connection comes back.
 */
export function agentNotifier(
  executor: SqlExecutor,
  schema: SchemaName,
  report: Reporter,
  options: AgentNotifierOptions = {},
): AgentNotifier {
  const text = `SELECT pg_notify(n->>0, n->>1) FROM json_array_elements($1::text::json) AS n`;
  // The channels carry the schema, so one text (and one prepared name) serves every schema.
  const name = statementName("notify", text);
  const delays = options.retryDelaysMs ?? RETRY_DELAYS_MS;
  let queue: (readonly [channel: string, payload: string])[] = [];
  let draining: Promise<void> | null = null;

  async function sendBatch(batch: readonly (readonly [string, string])[]): Promise<void> {
    const values = [JSON.stringify(batch)];
    for (let attempt = 0; ; attempt += 1) {
      try {
        await executor.query({ name, text, values });
        return;
      } catch (cause) {
        const delay = delays[attempt];
        if (delay === undefined) {
          report("notifyAgentRequests", storageErrorOf(cause), cause);
          return;
        }
        await pause(delay);
      }
    }
  }

  async function drain(): Promise<void> {
    // One turn of the event loop, so appends completing together share a statement.
    await nextTurn();
    while (queue.length > 0) {
      const batch = queue.slice(0, BATCH);
      queue = queue.slice(BATCH);
      await sendBatch(batch);
    }
    draining = null;
  }

  return {
    send(requests) {
      if (requests.length === 0) return;
      for (const request of requests) {
        queue.push([
          agentChannel(schema, request.tenantId, request.agentId),
          JSON.stringify(request),
        ]);
      }
      draining ??= drain();
    },
    async flush() {
      while (draining !== null) await draining;
    },
  };
}

function nextTurn(): Promise<void> {
  return new Promise((resolve) => {
    if (typeof setImmediate === "function") setImmediate(resolve);
    else setTimeout(resolve, 0);
  });
}
