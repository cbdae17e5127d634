import {
  type AgentWork,
  parseWith,
  positiveIdSchema,
  type RestoreError,
  type RestoreService,
  type Subscription,
  toAgentRequestWire,
} from "@restorekit/core";
import { type Context, Hono, type MiddlewareHandler } from "hono";
import { type SSEStreamingApi, streamSSE } from "hono/streaming";
import { errAsync, type Result, ResultAsync } from "neverthrow";
import type { RestoreAppEnv } from "../http/app-env.js";
import type { Responder } from "../http/respond.js";
import { wantsEventStream } from "./event-stream.js";
import { methodsOnly } from "./methods-only.js";
import { contextOf } from "./route-inputs.js";

export interface AgentRequestsRouteOptions {
  readonly service: RestoreService;
  readonly authenticate: MiddlewareHandler<RestoreAppEnv>;
  readonly respond: Responder;
  /** A comment line after this much silence on the stream, so proxies keep the connection open. */
  readonly heartbeatMs: number;
  /** Aborted when the app shuts down: the stream ends and the agent reconnects to another server. */
  readonly closing?: AbortSignal | undefined;
}

const agentIdSchema = positiveIdSchema("agent_id");
/** How many request ids a stream remembers having sent. */
const SENT_REMEMBERED = 10_000;

/** What the stream waits on: the subscription's requests as they come, and the client leaving. */
interface Inbox {
  push(work: Result<AgentWork, RestoreError>): void;
  /** The next request, or `null` after `waitMs` without one or once woken by `wake`. */
  next(waitMs: number): Promise<Result<AgentWork, RestoreError> | null>;
  wake(): void;
}

function inbox(): Inbox {
  const queue: Result<AgentWork, RestoreError>[] = [];
  let waiting: (() => void) | null = null;
  const wake = () => {
    const resolve = waiting;
    waiting = null;
    resolve?.();
  };
  return {
    push(work) {
      queue.push(work);
      wake();
    },
    async next(waitMs) {
      if (queue.length === 0) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, waitMs);
          waiting = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
      return queue.shift() ?? null;
    },
    wake,
  };
}

/**
 * `GET /v2/{project_id}/agents/{agent_id}/requests`: the start and stop
 * requests for the agent, as `{"requests": [...]}`, or with
 * `Accept: text/event-stream` as a stream that sends the pending ones and
 * then each new one as it commits. Only the agent's own token may ask.
 */
export function agentRequestsRoute({
  service,
  authenticate,
  respond,
  heartbeatMs,
  closing,
}: AgentRequestsRouteOptions) {
  const app = new Hono<RestoreAppEnv>();
  const path = "/v2/:projectId/agents/:agentId/requests";

  app.get(path, authenticate, (c) => {
    const context = contextOf(c, "projectId");
    const agentId = parseWith(agentIdSchema, c.req.param("agentId"));
    if (!wantsEventStream(c)) {
      return respond.result(
        c,
        agentId.asyncAndThen((id) => service.pendingAgentRequests(context, id)),
        (works) => json({ requests: works.map(wireOf) }),
      );
    }
    // Subscribed before the pending requests are read, so nothing committed in between is lost;
    // refusals (403, 400) are answered before the stream begins.
    const box = inbox();
    const opened = agentId.asyncAndThen((id) =>
      service
        .watchAgentRequests(context, id, (work) => box.push(work))
        .andThen((subscription) =>
          service
            .pendingAgentRequests(context, id)
            .map((pending) => ({ subscription, pending }))
            .orElse((error) =>
              ResultAsync.fromSafePromise(subscription.close()).andThen(() => errAsync(error)),
            ),
        ),
    );
    return respond.result(c, opened, ({ subscription, pending }) =>
      streamRequests(c, subscription, pending, box, { heartbeatMs, closing }),
    );
  });
  app.all(path, methodsOnly(["GET"], respond));

  return app;
}

function streamRequests(
  c: Context<RestoreAppEnv>,
  subscription: Subscription,
  pending: readonly AgentWork[],
  box: Inbox,
  { heartbeatMs, closing }: Pick<AgentRequestsRouteOptions, "heartbeatMs" | "closing">,
): Response {
  return streamSSE(c, async function follow(stream: SSEStreamingApi) {
    stream.onAbort(() => box.wake());
    const wake = () => box.wake();
    closing?.addEventListener("abort", wake, { once: true });
    const ended = () => stream.aborted || stream.closed || closing?.aborted === true;
    // The store's subscription is at least once: what this stream already sent is not sent again.
    // Only the latest ids are kept, so a stream open for months holds bounded memory; a request
    // that old is long settled, and an agent dedupes on its own anyway.
    const sent = new Set<string>();
    const send = async (work: AgentWork) => {
      const id = eventIdOf(work);
      if (sent.has(id)) return;
      sent.add(id);
      if (sent.size > SENT_REMEMBERED) sent.delete(sent.values().next().value as string);
      await stream.writeSSE({
        id,
        event: work.request.action,
        data: JSON.stringify(wireOf(work)),
      });
    };
    try {
      // An agent that loses the connection is sent every pending request again when it is back.
      await stream.write("retry: 1000\n\n");
      for (const work of pending) await send(work);
      while (!ended()) {
        const next = await box.next(heartbeatMs);
        if (ended()) return;
        if (next === null) {
          await stream.write(": still here\n\n");
        } else if (next.isErr()) {
          // The request could not be read; the agent reconnects and is sent the pending ones.
          await stream.writeSSE({
            event: "error",
            data: JSON.stringify({ code: next.error.code, message: next.error.message }),
          });
          return;
        } else {
          await send(next.value);
        }
      }
    } finally {
      closing?.removeEventListener("abort", wake);
      await subscription.close();
    }
  });
}

function eventIdOf({ request }: AgentWork): string {
  return `${request.restoreId}-${request.action}-${request.version}`;
}

function wireOf(work: AgentWork) {
  return toAgentRequestWire(work.request, work.restore);
}

function json(value: unknown): Response {
  return new Response(JSON.stringify(value), {
    status: 200,
    headers: { "content-type": "application/json; charset=utf-8", "cache-control": "no-store" },
  });
}
