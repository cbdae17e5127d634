import {
  isPrincipal,
  type RestoreError,
  RestoreErrors,
  type TokenVerifier,
} from "@restorekit/core";
import type { MiddlewareHandler } from "hono";
import type { Result } from "neverthrow";
import type { RestoreAppEnv } from "./app-env.js";
import type { RequestLogger } from "./request-logger.js";
import type { Responder } from "./respond.js";

/** A verifier's answer as it may come from one that does not keep to its type. */
function isResult(value: unknown): value is Result<unknown, RestoreError> {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as { isErr?: unknown }).isErr === "function"
  );
}

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
  return async function authenticateToken(c, next) {
    const token = c.req.header("x-auth-token");
    if (token === undefined || token.trim() === "") {
      return respond.error(c, RestoreErrors.unauthenticated());
    }
    // One await on the verifier's answer, on every request: wrapping it in
    // ResultAsync.fromThrowable and two andThen steps cost four promise hops more.
    let answer: unknown;
    try {
      answer = await tokens.verify(token);
    } catch {
      return respond.error(c, RestoreErrors.internal());
    }
    if (isResult(answer) && answer.isErr()) return respond.error(c, answer.error);
    const principal = isResult(answer) && answer.isOk() ? answer.value : undefined;
    if (!isPrincipal(principal)) {
      logger.error(
        { requestId: c.get("requestId"), code: "internal_error" },
        "the token verifier answered something that is not a principal",
      );
      return respond.error(c, RestoreErrors.internal());
    }
    c.set("principal", principal);
    await next();
  };
}
