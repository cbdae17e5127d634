import { once } from "node:events";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { getRequestListener } from "@hono/node-server";
import {
  parseWith,
  positiveIdSchema,
  type RestoreService,
  type TokenVerifier,
} from "@restorekit/core";
import { createRestoreApp, errorResponse } from "@restorekit/hono";
import express from "express";
import pino from "pino";

/** The restore paths, as the embedding guide has Express match them. */
export const RESTORE_PATHS = ["/v1.0/*path", "/v2/*path", "/healthz", "/readyz"];

/**
 * Which mistake of the guide's pitfalls the host makes, if any: an app-wide
 * `express.json()` in front of the restore paths, or the app mounted under
 * `/v1.0` with `app.use`.
 */
export type HostMistake = "none" | "app-wide-json-parser" | "mount-path";

/**
 * An Express 5 app built as the embedding guide builds it: the restore app
 * on its paths through `getRequestListener`, the host's own routes (one
 * with `express.json()`), and a route written by hand that answers core's
 * errors with `errorResponse`.
 */
export function expressHost(
  service: RestoreService,
  tokens: TokenVerifier,
  mistake: HostMistake = "none",
): express.Express {
  const restoreApp = createRestoreApp({ service, tokens, logger: pino({ level: "silent" }) });
  const restoreRoutes = getRequestListener(restoreApp.fetch);

  const app = express();
  if (mistake === "app-wide-json-parser") app.use(express.json());
  if (mistake === "mount-path") {
    app.use("/v1.0", (req, res) => {
      void restoreRoutes(req, res);
    });
  } else {
    app.all(RESTORE_PATHS, (req, res) => {
      void restoreRoutes(req, res);
    });
  }

  app.get("/api/hello", (_req, res) => {
    res.json({ hello: "world" });
  });
  app.post("/api/notes", express.json(), (req, res) => {
    res.status(201).json({ note: req.body.note });
  });
  app.get("/api/tenants/:tenantId/restores/:restoreId/summary", async (req, res) => {
    const requestId = crypto.randomUUID();
    const result = await tokens
      .verify(req.get("x-auth-token") ?? "")
      .andThen((principal) =>
        parseWith(positiveIdSchema("restoreId"), req.params.restoreId).asyncAndThen((id) =>
          service.getRestore({ principal, tenantId: req.params.tenantId, requestId }, id),
        ),
      );
    result.match(
      (restore) => res.json({ id: restore.restoreId, state: restore.state }),
      (error) => {
        const answer = errorResponse(error, { dialect: "v1", accept: req.get("accept") });
        res.status(answer.status).set(answer.headers).send(answer.body);
      },
    );
  });
  return app;
}

export interface Listening {
  readonly url: string;
  close(): Promise<void>;
}

/** Listens on 127.0.0.1 and a port the system picks. */
export async function listen(app: express.Express): Promise<Listening> {
  const server: Server = app.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      const closed = once(server, "close");
      server.close();
      // Keep-alive connections of the test's fetch would hold the close back otherwise.
      server.closeAllConnections();
      await closed;
    },
  };
}
