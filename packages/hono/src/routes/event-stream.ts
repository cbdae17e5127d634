import {
  isTerminal,
  type RequestContext,
  type RestoreService,
  type StoredEvent,
} from "@restorekit/core";
import type { Context } from "hono";
import { type SSEStreamingApi, streamSSE } from "hono/streaming";
import { v1JsonText } from "../errors/error-response.js";
import type { RestoreAppEnv } from "../http/app-env.js";

// A restore's events as a server-sent event stream, so a UI or a CLI follows it live: each
// event once, in order, from where the client left off, until the restore has finished.

export interface EventStreamOptions {
  /** How often the store is asked for new events while none come. */
  readonly pollMs: number;
  /** A comment line after this much silence, so proxies keep the connection open. */
  readonly heartbeatMs: number;
}

export const EVENT_STREAM_DEFAULTS: EventStreamOptions = { pollMs: 500, heartbeatMs: 15_000 };

/** The streams' settings inside the app: the options, and the app's signal that ends them all. */
export interface StreamSettings extends EventStreamOptions {
  /** Aborted when the app shuts down: each open stream ends, so a server's close need not wait. */
  readonly closing?: AbortSignal | undefined;
}

/** Whether the client asked for the stream rather than a page. */
export function wantsEventStream(c: Context<RestoreAppEnv>): boolean {
  return /\btext\/event-stream\b/i.test(c.req.header("accept") ?? "");
}

/** Where a reconnecting client left off: `Last-Event-ID`, which is the last `seq` it had. */
export function resumeAfter(c: Context<RestoreAppEnv>): number {
  const id = c.req.header("last-event-id")?.trim() ?? "";
  return /^[0-9]{1,10}$/.test(id) ? Math.min(Number(id), 2 ** 31 - 1) : 0;
}

/**
 * Streams the events of `restoreId` after `afterSeq`: `id` is the event's
 * `seq` (so the browser's EventSource resumes by itself), `event` its type,
 * `data` the event as the events route shows it. The stream ends once the
 * restore has finished and every event is sent, when the client goes, or
 * with an `error` event carrying the error's code when the store fails (a
 * client reconnects with `Last-Event-ID`), or when the app shuts down. New events are found by asking
 * the store every `pollMs`: each stream costs one indexed read per poll.
 */
export function streamEvents(
  c: Context<RestoreAppEnv>,
  service: RestoreService,
  context: RequestContext,
  restoreId: number,
  afterSeq: number,
  toWire: (event: StoredEvent) => unknown,
  options: StreamSettings,
): Response {
  return streamSSE(c, async function follow(stream: SSEStreamingApi) {
    let last = afterSeq;
    let lastWrite = performance.now();
    let checkFinished = true;
    // A client that loses the connection tries again after a second, from its last event.
    await stream.write("retry: 1000\n\n");
    while (!stream.aborted && !stream.closed && options.closing?.aborted !== true) {
      const page = await service.listEvents(context, restoreId, { afterSeq: last, limit: 1000 });
      if (page.isErr()) {
        await stream.writeSSE({
          event: "error",
          data: JSON.stringify({ code: page.error.code, message: page.error.message }),
        });
        return;
      }
      for (const stored of page.value) {
        await stream.writeSSE({
          id: String(stored.seq),
          event: stored.event.type,
          data: v1JsonText(toWire(stored)),
        });
        last = stored.seq;
      }
      if (page.value.length > 0) {
        lastWrite = performance.now();
        checkFinished = true;
        // A full page: more may be waiting right now.
        if (page.value.length === 1000) continue;
      }
      // A finished restore has nothing more to tell: checked once after each batch sent.
      if (checkFinished) {
        checkFinished = false;
        const restore = await service.getRestore(context, restoreId);
        if (restore.isOk() && isTerminal(restore.value.state)) {
          const more = await service.listEvents(context, restoreId, { afterSeq: last, limit: 1 });
          if (more.isOk() && more.value.length === 0) return;
          checkFinished = true;
          continue;
        }
      }
      await stream.sleep(options.pollMs);
      if (performance.now() - lastWrite >= options.heartbeatMs) {
        lastWrite = performance.now();
        await stream.write(": still here\n\n");
      }
    }
  });
}
