import { parseAgentPatch, type RestoreService } from "@restorekit/core";
import { Hono, type MiddlewareHandler } from "hono";
import type { RestoreAppEnv } from "../http/app-env.js";
import type { Responder } from "../http/respond.js";
import { methodsOnly } from "./methods-only.js";
import { contextOf, jsonBodyOf, restoreIdOf } from "./route-inputs.js";

const PATCH_TYPES = ["application/json-patch+json", "application/json"] as const;

export interface V2RouteOptions {
  readonly service: RestoreService;
  readonly authenticate: MiddlewareHandler<RestoreAppEnv>;
  readonly respond: Responder;
  readonly bodyLimit: number;
}

/** The destination agent's routes: its reports, and the password it decrypts. */
export function v2Routes({ service, authenticate, respond, bodyLimit }: V2RouteOptions) {
  const app = new Hono<RestoreAppEnv>();

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
