import type { Handler } from "hono";
import { AdapterErrors } from "../errors/adapter-errors.js";
import type { RestoreAppEnv } from "../http/app-env.js";
import type { Responder } from "../http/respond.js";

/** Registered after a path's methods: any other method is a 405 naming those it takes. */
export function methodsOnly(allow: readonly string[], respond: Responder): Handler<RestoreAppEnv> {
  const allowed = allow.includes("GET") ? [...allow, "HEAD"] : [...allow];
  return function methodNotAllowed(c) {
    return respond.error(c, AdapterErrors.methodNotAllowed(allowed));
  };
}
