import { createServer, type IncomingMessage, request } from "node:http";
import type { AddressInfo } from "node:net";

/** What the proxy does with one request: pass it on, answer 503, or forward and drop the answer. */
export type ProxyDecision =
  | { readonly kind: "forward" }
  | { readonly kind: "unavailable"; readonly retryAfter: string | null }
  | { readonly kind: "drop-answer" };

export interface SeenRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingMessage["headers"];
  readonly body: string;
}

export interface UnavailableProxy {
  readonly url: string;
  /** Every request that reached the server's side of the proxy, in order (pages it served aside). */
  readonly seen: readonly SeenRequest[];
  /** What the proxy did with each of `seen`, at the same index. */
  readonly decisions: readonly ProxyDecision[];
  close(): Promise<void>;
}

/** A page the proxy serves itself, so that a browser's page and the API share an origin. */
export type ServePage = (path: string) => { readonly type: string; readonly body: string } | null;

/**
 * A node:http proxy in front of the server at `target` that asks `decide`
 * what to do with each request (`index` is its place in `seen`). Its 503s
 * look like the server's own when the store does not answer, so the client
 * and the agent retry them as they would those. Forwarded answers are
 * streamed, so an agent's event stream comes through as it is written.
 */
export async function unavailableProxy(
  target: string,
  decide: (seen: SeenRequest, index: number) => ProxyDecision,
  serve?: ServePage,
): Promise<UnavailableProxy> {
  const upstream = new URL(target);
  const seen: SeenRequest[] = [];
  const decisions: ProxyDecision[] = [];
  const server = createServer((incoming, outgoing) => {
    const chunks: Buffer[] = [];
    incoming.on("data", (chunk: Buffer) => chunks.push(chunk));
    incoming.on("end", () => {
      const own = serve?.(incoming.url ?? "/") ?? null;
      if (own !== null) {
        outgoing.writeHead(200, { "content-type": own.type });
        outgoing.end(own.body);
        return;
      }
      const body = Buffer.concat(chunks);
      const entry: SeenRequest = {
        method: incoming.method ?? "GET",
        url: incoming.url ?? "/",
        headers: incoming.headers,
        body: body.toString("utf8"),
      };
      const decision = decide(entry, seen.length);
      seen.push(entry);
      decisions.push(decision);
      if (decision.kind === "unavailable") {
        outgoing.writeHead(503, {
          "content-type": "application/json",
          ...(decision.retryAfter === null ? {} : { "retry-after": decision.retryAfter }),
        });
        outgoing.end(unavailableBody(entry.url));
        return;
      }
      const forwarded = request(
        {
          host: upstream.hostname,
          port: upstream.port,
          method: entry.method,
          path: entry.url,
          headers: { ...incoming.headers, host: upstream.host },
        },
        (answer) => {
          // The server did the work; the client never hears of it, as when a connection drops.
          if (decision.kind === "drop-answer") {
            answer.resume();
            answer.on("end", () => outgoing.socket?.destroy());
            return;
          }
          outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(outgoing);
        },
      );
      forwarded.on("error", () => outgoing.socket?.destroy());
      // A client that hangs up (an agent closing its stream) hangs up on the server too.
      outgoing.on("close", () => {
        if (!outgoing.writableFinished) forwarded.destroy();
      });
      forwarded.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    decisions,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The body the server sends with its own 503: the v1 fault, or the agent routes' v2 error. */
function unavailableBody(url: string): string {
  const message = "The store is not answering; retry shortly.";
  if (url.startsWith("/v2/")) return JSON.stringify({ message, errors: [] });
  return JSON.stringify({
    serviceUnavailable: { code: 503, message, details: "storage_unavailable" },
  });
}
