import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import type { Hono } from "hono";
import type { RestoreAppEnv } from "../../src/index.js";

/** The app behind a real HTTP server on a free port of 127.0.0.1. */
export interface ServedApp {
  /** `http://127.0.0.1:<port>` */
  readonly origin: string;
  close(): Promise<void>;
}

export function serveApp(app: Hono<RestoreAppEnv>): Promise<ServedApp> {
  return new Promise((resolve) => {
    const server = serve(
      { fetch: app.fetch, port: 0, hostname: "127.0.0.1" },
      (info: AddressInfo) => {
        resolve({
          origin: `http://127.0.0.1:${info.port}`,
          close: () =>
            new Promise<void>((closed) => {
              if ("closeAllConnections" in server) server.closeAllConnections();
              server.close(() => closed());
            }),
        });
      },
    );
  });
}
