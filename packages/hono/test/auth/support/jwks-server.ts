import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/** A real HTTP server on port 0 that serves whatever the test sets, and counts the requests. */
export interface JwksServer {
  readonly url: string;
  /** Requests answered so far. */
  requests(): number;
  /** What the next requests get. */
  answer(status: number, body: string): void;
  close(): Promise<void>;
}

export async function startJwksServer(jwks: unknown): Promise<JwksServer> {
  let status = 200;
  let body = JSON.stringify(jwks);
  let count = 0;
  const server: Server = createServer((request, response) => {
    count += 1;
    request.resume();
    response.writeHead(status, { "content-type": "application/json" });
    response.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/.well-known/jwks.json`,
    requests: () => count,
    answer(nextStatus, nextBody) {
      status = nextStatus;
      body = nextBody;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

/** A URL on which nothing listens: a server is started on port 0 and closed again. */
export async function closedUrl(): Promise<string> {
  const server = await startJwksServer({ keys: [] });
  const url = server.url;
  await server.close();
  return url;
}
