import type { Principal } from "@restorekit/core";
import type { ErrorDialect } from "../errors/error-response.js";

/** What the middleware hands the routes through Hono's context. */
export interface RestoreAppEnv {
  Variables: {
    requestId: string;
    /** Set by the auth middleware; routes behind it can rely on it. */
    principal: Principal;
    /** Which error body the matched route speaks; v1 until a v2 route says otherwise. */
    dialect: ErrorDialect;
  };
}
