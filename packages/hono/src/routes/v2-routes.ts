import { parseAgentPatch, type RestoreService } from "@restorekit/core";
import { Hono, type MiddlewareHandler } from "hono";
import type { RestoreAppEnv } from "../http/app-env.js";
import type { Responder } from "../http/respond.js";
import { agentRequestsRoute } from "./agent-requests-route.js";
import { EVENT_STREAM_DEFAULTS, type StreamSettings } from "./event-stream.js";
import { methodsOnly } from "./methods-only.js";
import { contextOf, jsonBodyOf, restoreIdOf } from "./route-inputs.js";

const PATCH_TYPES = ["application/json-patch+json", "application/json"] as const;

export interface V2RouteOptions {
  readonly service: RestoreService;
  readonly authenticate: MiddlewareHandler<RestoreAppEnv>;
  readonly respond: Responder;
  readonly bodyLimit: number;
  /** The agent's request stream: its keep-alive and the app's closing signal. */
  readonly eventStream?: StreamSettings;
}

/** The destination agent's routes: its requests, its reports, and the password it decrypts. */
export function v2Routes({
  service,
  authenticate,
  respond,
  bodyLimit,
  eventStream = EVENT_STREAM_DEFAULTS,
}: V2RouteOptions) {
  const app = new Hono<RestoreAppEnv>();

  app.route(
    "/",
    agentRequestsRoute({
      service,
      authenticate,
      respond,
      heartbeatMs: eventStream.heartbeatMs,
      closing: eventStream.closing,
    }),
  );

  const passwordPath = "/v2/:projectId/restores/:restoreId/password";
  app.get(passwordPath, authenticate, (c) =>
    respond.result(
      c,
      restoreIdOf(c, "restoreId").asyncAndThen((id) =>
        service.releasePassword(contextOf(c, "projectId"), id),
      ),
      (encryptedPassword) =>
        new Response(JSON.stringify({ EncryptedPassword: encryptedPassword }), {
          status: 200,
          // The ciphertext must not linger in a cache between the server and the agent.
          headers: {
            "content-type": "application/json; charset=utf-8",
            "cache-control": "no-store",
          },
        }),
    ),
  );
  app.all(passwordPath, methodsOnly(["GET"], respond));

  const restorePath = "/v2/:projectId/restores/:restoreId";
  app.patch(restorePath, authenticate, (c) =>
    respond.result(
      c,
      restoreIdOf(c, "restoreId").asyncAndThen((id) =>
        jsonBodyOf(c, PATCH_TYPES, bodyLimit, parseAgentPatch).andThen((report) =>
          service.agentReport(contextOf(c, "projectId"), id, report),
        ),
      ),
      () => new Response(null, { status: 204 }),
    ),
  );
  app.all(restorePath, methodsOnly(["PATCH"], respond));

  return app;
}
