import type { Context } from "hono";
import type { ResultAsync } from "neverthrow";
import { type ErrorDialect, errorResponse, type HttpError } from "../errors/error-response.js";
import type { RestoreAppEnv } from "./app-env.js";
import type { RequestLogger } from "./request-logger.js";

export interface Responder {
  /** The error as a response in the route's dialect; a 5xx is logged with the request id. */
  error(c: Context<RestoreAppEnv>, error: HttpError): Response;
  /** Answers with `onOk` of the value, or with the error. */
  result<T>(
    c: Context<RestoreAppEnv>,
    result: ResultAsync<T, HttpError>,
    onOk: (value: T) => Response,
  ): Promise<Response>;
}

/** v2 paths are the agent's, which reads `{"message", "errors"}` bodies. */
export function dialectOf(path: string): ErrorDialect {
  return path.startsWith("/v2/") ? "v2" : "v1";
}

export function responder(logger: RequestLogger, retryAfterSeconds: number): Responder {
  function error(c: Context<RestoreAppEnv>, failure: HttpError): Response {
    const answer = errorResponse(failure, {
      dialect: dialectOf(c.req.path),
      accept: c.req.header("accept"),
      retryAfterSeconds,
    });
    if (answer.status >= 500) {
      logger.error(
        { requestId: c.get("requestId"), code: failure.code, status: answer.status },
        "request failed",
      );
    }
    return new Response(answer.body, { status: answer.status, headers: answer.headers });
  }
  return {
    error,
    result: (c, result, onOk) =>
      result.match(onOk, (failure) => error(c, failure)) as Promise<Response>,
  };
}
