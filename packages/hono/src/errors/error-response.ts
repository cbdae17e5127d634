import { ERROR_STATUS, type RestoreError } from "@restorekit/core";
import { ADAPTER_ERROR_STATUS, type AdapterError } from "./adapter-errors.js";

/** Anything an HTTP layer over restorekit answers with a non-2xx status. */
export type HttpError = RestoreError | AdapterError;

/**
 * Which error body a route speaks: `v1` is the fault shape of the Cloud
 * Backup v1.0 API (`{"badRequest": {...}}`), `v2` the agent route's
 * `{"message", "errors"}`.
 */
export type ErrorDialect = "v1" | "v2";

export interface ErrorResponseOptions {
  readonly dialect: ErrorDialect;
  /** The request's `Accept` header: `application/problem+json` gets RFC 9457 problem details. */
  readonly accept?: string | null;
  /** Seconds a client should wait before retrying a 503. Default 1. */
  readonly retryAfterSeconds?: number;
}

/** A response as plain data, to hand to any framework. */
export interface ErrorResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  /** JSON text. */
  readonly body: string;
}

/** The key of the v1 fault body for each status, as the API family spells them. */
export const FAULT_KEYS: Readonly<Record<number, string>> = Object.freeze({
  400: "badRequest",
  401: "unauthorized",
  403: "forbidden",
  404: "itemNotFound",
  405: "badMethod",
  409: "conflictingRequest",
  412: "preconditionFailed",
  413: "overLimit",
  415: "badMediaType",
  422: "unprocessableEntity",
  500: "instanceFault",
  503: "serviceUnavailable",
});

const TITLES: Readonly<Record<number, string>> = Object.freeze({
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  409: "Conflict",
  412: "Precondition Failed",
  413: "Content Too Large",
  415: "Unsupported Media Type",
  422: "Unprocessable Content",
  500: "Internal Server Error",
  503: "Service Unavailable",
});

/** The one HTTP status of any error, core's or the adapter's. */
export function httpStatusOf(error: HttpError): number {
  return error.code in ADAPTER_ERROR_STATUS
    ? ADAPTER_ERROR_STATUS[error.code as AdapterError["code"]]
    : ERROR_STATUS[error.code as RestoreError["code"]];
}

/** The problems a client can act on, one line each: `Id: must be a positive integer`. */
function problemLines(error: HttpError): string[] {
  if (error.code === "invalid_request") {
    return error.issues.map((issue) =>
      issue.path === "" ? issue.message : `${issue.path}: ${issue.message}`,
    );
  }
  if (error.code === "invalid_json") return [`line ${error.line}, column ${error.column}`];
  return [];
}

/**
 * What a v1 fault's `details` holds: the problems found in the request, or,
 * when there is no list, the error's stable code, so a client can branch on
 * something that is not prose.
 */
function v1Details(error: HttpError): string {
  const lines = problemLines(error);
  return lines.length > 0 ? lines.join("; ") : error.code;
}

function acceptsProblemJson(accept: string | null | undefined): boolean {
  if (typeof accept !== "string") return false;
  return accept.split(",").some((range) => {
    const [type, ...params] = range.split(";").map((part) => part.trim().toLowerCase());
    if (type !== "application/problem+json") return false;
    const q = params.find((param) => param.startsWith("q="));
    return q === undefined || Number(q.slice(2)) > 0;
  });
}

/**
 * `/` written as `\/`, as the .NET serializer of the API's original clients
 * writes it: the same JSON value, and the only form those clients read as a
 * date in `"\/Date(1357151359000)\/"`. Outside strings JSON has no `/`, so
 * replacing every one is safe.
 */
export function v1JsonText(value: unknown): string {
  return JSON.stringify(value).replaceAll("/", "\\/");
}

/**
 * Translates an error into the status, headers and body to answer with, in
 * the route's dialect or as RFC 9457 problem details when the client accepts
 * `application/problem+json`. Framework-free: the Hono adapter uses it, and
 * so can an app that serves core from Express, Fastify or anything else.
 * The body holds the error's safe message and code only, never a cause.
 *
 * @example
 * ```ts
 * import { RestoreErrors } from "@restorekit/core";
 * import { errorResponse } from "@restorekit/hono";
 *
 * const { status, headers, body } = errorResponse(RestoreErrors.notFound(13689), { dialect: "v1" });
 * // 404, { "content-type": "application/json; charset=utf-8" },
 * // {"itemNotFound":{"code":404,"message":"Restore 13689 was not found.","details":"restore_not_found"}}
 * ```
 */
export function errorResponse(error: HttpError, options: ErrorResponseOptions): ErrorResponse {
  const status = httpStatusOf(error);
  const headers: Record<string, string> = {};
  if (status === 503) {
    headers["retry-after"] = String(Math.max(0, Math.ceil(options.retryAfterSeconds ?? 1)));
  }
  if (error.code === "method_not_allowed") headers.allow = error.allow.join(", ");

  if (acceptsProblemJson(options.accept)) {
    headers["content-type"] = "application/problem+json; charset=utf-8";
    const issues = error.code === "invalid_request" ? error.issues : undefined;
    return {
      status,
      headers,
      body: JSON.stringify({
        type: `urn:restorekit:problem:${error.code}`,
        title: TITLES[status] ?? "Error",
        status,
        detail: error.message,
        code: error.code,
        ...(issues === undefined
          ? {}
          : { errors: issues.map(({ path, message }) => ({ path, message })) }),
      }),
    };
  }

  headers["content-type"] = "application/json; charset=utf-8";
  if (options.dialect === "v2") {
    return {
      status,
      headers,
      body: JSON.stringify({ message: error.message, errors: problemLines(error) }),
    };
  }
  const key = FAULT_KEYS[status] ?? "instanceFault";
  return {
    status,
    headers,
    body: v1JsonText({
      [key]: { code: status, message: error.message, details: v1Details(error) },
    }),
  };
}
