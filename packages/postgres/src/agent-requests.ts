import type { AgentRequest, RestoreError } from "@restorekit/core";
import { errAsync, okAsync, ResultAsync } from "neverthrow";
import { postgresRepository } from "./postgres-repository.js";
import type { SqlClient } from "./sql-client.js";
import type { OnStorageError } from "./storage-failure.js";

export interface AgentRequestsOptions {
  readonly schema?: string;
  readonly tenantId: string;
  readonly agentId: number;
  /** Ends the stream (and its LISTEN) when aborted. */
  readonly signal?: AbortSignal;
  /** Yield the requests already waiting (the poll) before the new ones. Default true. */
  readonly includePending?: boolean;
  /** Told why setting up failed, with the driver's error (see `postgresRepository`). */
  readonly onError?: OnStorageError;
  /** How often the stream also polls the pending requests (see `postgresRepository`). */
  readonly pollIntervalMs?: number;
}

/** The requests of one agent as they are committed; `close` (or the signal) ends it. */
export interface AgentRequestStream extends AsyncIterable<AgentRequest> {
  close(): Promise<void>;
}

/**
 * Subscribes one agent to its start and stop requests. The LISTEN is in
 * place before the poll runs, so a request committed in between is not
 * missed; one seen both ways is yielded once. Setting up fails as data
 * (`storage_unavailable`); once set up, the stream yields until closed or
 * aborted. A request sent while the notification connection was lost, or
 * never sent, is yielded by the next poll (on reconnecting, and every
 * `pollIntervalMs`) if it is still pending.
 *
 * @example
 * ```ts
 * const stream = await agentRequests(client, { tenantId: "123456", agentId: 156751, signal });
 * if (stream.isOk()) for await (const request of stream.value) console.log(request.action);
 * ```
 */
export function agentRequests(
  client: SqlClient,
  options: AgentRequestsOptions,
): ResultAsync<AgentRequestStream, RestoreError> {
  const repository = postgresRepository(client, {
    schema: options.schema,
    onError: options.onError,
    pollIntervalMs: options.pollIntervalMs,
  });
  const { tenantId, agentId, signal } = options;
  const queue: AgentRequest[] = [];
  const seen = new Set<string>();
  let wake: (() => void) | null = null;
  let ended = signal?.aborted ?? false;

  const push = (request: AgentRequest): void => {
    const key = `${request.restoreId}/${request.version}/${request.action}`;
    if (ended || seen.has(key)) return;
    seen.add(key);
    queue.push(request);
    wake?.();
  };

  return repository.subscribeAgentRequests(tenantId, agentId, push).andThen((subscription) => {
    const close = async (): Promise<void> => {
      ended = true;
      wake?.();
      await subscription.close();
    };
    if (signal?.aborted) void close();
    else signal?.addEventListener("abort", () => void close(), { once: true });
    const pending =
      options.includePending === false
        ? okAsync<readonly AgentRequest[], RestoreError>([])
        : repository.pendingAgentRequests(tenantId, agentId);
    return (
      pending
        // The poll's failure is the caller's, after the LISTEN is released.
        .orElse((error) => ResultAsync.fromSafePromise(close()).andThen(() => errAsync(error)))
        .map((requests): AgentRequestStream => {
          // Pending first, in restore order, ahead of anything already delivered.
          const early = queue.splice(0);
          for (const request of requests) push(request);
          for (const request of early) queue.push(request);
          return {
            close,
            async *[Symbol.asyncIterator]() {
              try {
                while (true) {
                  const next = queue.shift();
                  if (next !== undefined) {
                    yield next;
                    continue;
                  }
                  if (ended) return;
                  await new Promise<void>((resolve) => {
                    wake = resolve;
                  });
                  wake = null;
                }
              } finally {
                await close();
              }
            },
          };
        })
    );
  });
}
