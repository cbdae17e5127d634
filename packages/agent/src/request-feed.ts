import { agentRequestSchema, agentRequestsSchema } from "@restorekit/core";
import type { AgentHttp } from "./agent-http.js";
import type { AgentLog, AgentRequestOrder } from "./agent-types.js";
import { type Backoff, pause } from "./backoff.js";
import { serverSentEvents } from "./sse-reader.js";

export interface RequestFeedOptions {
  readonly http: AgentHttp;
  readonly agentId: number;
  readonly backoff: Backoff;
  readonly pollMs: number;
  readonly log: AgentLog;
  readonly name: string;
  /** Told of every request heard; the same request may come more than once. */
  readonly onRequest: (order: AgentRequestOrder) => void;
  /** Told each time the server answered: the stream opened or a poll came back. */
  readonly onHeard: () => void;
  readonly signal: AbortSignal;
}

/** How one attempt to use the stream ended. */
type StreamEnd = "ended" | "unsupported" | "failed";

/**
 * Hears the agent's requests until `signal` aborts: over the server-sent
 * event stream of `GET /v2/{project_id}/agents/{agent_id}/requests`; when
 * the stream cannot be opened or breaks, by polling the same route's JSON
 * list, and opening the stream again with backoff. Every reconnection sends
 * the pending requests again, so nothing waiting is missed.
 */
export async function hearRequests(options: RequestFeedOptions): Promise<void> {
  const { http, log, name, signal } = options;
  const path = `${http.projectPath}/agents/${options.agentId}/requests`;
  let failures = 0;
  let polling = false;

  function deliver(value: unknown): void {
    const order = agentRequestSchema.safeParse(value);
    if (order.success) options.onRequest(order.data);
    else log.warn({}, `${name}: a request from the server could not be read; skipped`);
  }

  async function poll(): Promise<boolean> {
    const answer = await http.send(path, {
      method: "GET",
      headers: { accept: "application/json" },
    });
    if (answer.isErr()) return false;
    const response = answer.value;
    if (response.status !== 200) {
      await response.body?.cancel().catch(() => undefined);
      return false;
    }
    const body = agentRequestsSchema.safeParse(await response.json().catch(() => null));
    if (!body.success) return false;
    options.onHeard();
    for (const request of body.data.requests) deliver(request);
    return true;
  }

  async function stream(): Promise<StreamEnd> {
    const attempt = new AbortController();
    const stop = () => attempt.abort();
    signal.addEventListener("abort", stop, { once: true });
    try {
      const answer = await http.send(path, {
        method: "GET",
        headers: { accept: "text/event-stream" },
        signal: attempt.signal,
      });
      if (answer.isErr()) return "failed";
      const response = answer.value;
      const type = response.headers.get("content-type") ?? "";
      if (response.status !== 200 || !/^text\/event-stream/i.test(type) || !response.body) {
        await response.body?.cancel().catch(() => undefined);
        // A server that answers the list instead of a stream is polled.
        return response.status === 200 ? "unsupported" : "failed";
      }
      options.onHeard();
      failures = 0;
      log.info({ agentId: options.agentId }, `${name}: listening for requests`);
      for await (const event of serverSentEvents(response.body, attempt.signal)) {
        if (event.event === "start" || event.event === "stop") {
          let data: unknown;
          try {
            data = JSON.parse(event.data);
          } catch {
            data = null;
          }
          deliver(data);
        } else if (event.event === "error") {
          return "failed";
        }
      }
      return "ended";
    } finally {
      signal.removeEventListener("abort", stop);
      attempt.abort();
    }
  }

  while (!signal.aborted) {
    if (!polling) {
      const end = await stream();
      if (signal.aborted) return;
      if (end === "unsupported") polling = true;
      else if (end === "failed") failures += 1;
    }
    // Whatever waited while the stream was down is heard at once by a poll, if the server answers.
    const polled = await poll();
    if (signal.aborted) return;
    if (!polled && failures % 10 === 1) {
      log.warn({ agentId: options.agentId }, `${name}: cannot reach the server; retrying`);
    }
    await pause(
      polling
        ? options.pollMs
        : polled
          ? options.backoff.delay(0)
          : options.backoff.delay(failures),
      signal,
    );
  }
}
