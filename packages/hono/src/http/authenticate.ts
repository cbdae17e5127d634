import {
  isPrincipal,
  type RestoreError,
  RestoreErrors,
  type TokenVerifier,
} from "@restorekit/core";
import type { MiddlewareHandler } from "hono";
import { errAsync, okAsync, ResultAsync } from "neverthrow";
import type { RestoreAppEnv } from "./app-env.js";
import type { RequestLogger } from "./request-logger.js";
import type { Responder } from "./respond.js";

/**
 * Reads `X-Auth-Token` through the verifier and puts the principal on the
 * context. A verifier that throws, rejects or answers something that is not
 * a principal is a fault of ours (500, logged), not the client's.
 */
export function authenticate(
  tokens: TokenVerifier,
  respond: Responder,
  logger: RequestLogger,
): MiddlewareHandler<RestoreAppEnv> {
  const verify = ResultAsync.fromThrowable(
    async (token: string) => tokens.verify(token),
    (): RestoreError => RestoreErrors.internal(),
  );

  return async function authenticateToken(c, next) {
    const token = c.req.header("x-auth-token");
    if (token === undefined || token.trim() === "") {
      return respond.error(c, RestoreErrors.unauthenticated());
    }
    const principal = verify(token)
      .andThen((verified) => verified)
      .andThen((value) => {
        if (isPrincipal(value)) return okAsync(value);
        logger.error(
          { requestId: c.get("requestId"), code: "internal_error" },
          "the token verifier answered something that is not a principal",
        );
        return errAsync(RestoreErrors.internal());
      });
    const outcome = await principal;
    if (outcome.isErr()) return respond.error(c, outcome.error);
    c.set("principal", outcome.value);
    await next();
  };
}
