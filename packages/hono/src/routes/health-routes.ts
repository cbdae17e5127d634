import type { RestoreError } from "@restorekit/core";
import { Hono } from "hono";
import type { ResultAsync } from "neverthrow";
import type { RestoreAppEnv } from "../http/app-env.js";
import type { Responder } from "../http/respond.js";
import { methodsOnly } from "./methods-only.js";

export interface HealthRouteOptions {
  readonly ready: () => ResultAsync<void, RestoreError>;
  readonly respond: Responder;
}

const NO_STORE = { "content-type": "application/json; charset=utf-8", "cache-control": "no-store" };

/** `/healthz`: the process answers. `/readyz`: and its storage does too. */
export function healthRoutes({ ready, respond }: HealthRouteOptions) {
  const app = new Hono<RestoreAppEnv>();
  app.get(
    "/healthz",
    () => new Response(JSON.stringify({ status: "ok" }), { status: 200, headers: NO_STORE }),
  );
  app.all("/healthz", methodsOnly(["GET"], respond));
  app.get("/readyz", (c) =>
    respond.result(
      c,
      ready(),
      () => new Response(JSON.stringify({ status: "ready" }), { status: 200, headers: NO_STORE }),
    ),
  );
  app.all("/readyz", methodsOnly(["GET"], respond));
  return app;
}
