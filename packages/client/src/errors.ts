import { ERROR_STATUS, type RestoreErrorCode } from "@restorekit/core";

/**
 * The codes of the server's HTTP layer, for requests that never reach the
 * service (`ADAPTER_ERROR_STATUS` of `@restorekit/hono`, which a client does
 * not depend on; a type test holds the two lists together).
 */
export const ADAPTER_ERROR_CODES = [
  "route_not_found",
  "method_not_allowed",
  "body_too_large",
  "unsupported_media_type",
] as const;

export type AdapterErrorCode = (typeof ADAPTER_ERROR_CODES)[number];

/** Every code a restorekit server answers with. */
export type ServerErrorCode = RestoreErrorCode | AdapterErrorCode;

/** One entry of a v1 fault: `{"code": 404, "message": "...", "details": "restore_not_found"}`. */
export interface V1FaultEntry {
  readonly code: number;
  readonly message: string;
  readonly details?: string;
}

/** A v1 fault body, one key named after the status: `{"itemNotFound": {...}}`. */
export type V1Fault = Readonly<Record<string, V1FaultEntry>>;

/** What every error the server answered holds. */
interface Answered {
  readonly status: number;
  readonly message: string;
  /** The server's `X-Request-Id`, to match the error with its log line. */
  readonly requestId: string | null;
  /** The server's `Retry-After` in milliseconds (sent with a 503), else `null`. */
  readonly retryAfterMs: number | null;
}

/** An error the server answered, with a code it documents. */
export type ServerError = {
  readonly [C in ServerErrorCode]: Answered & {
    readonly kind: "server";
    readonly code: C;
    /** The v1 fault body exactly as the server sent it. */
    readonly fault: V1Fault;
  };
}[ServerErrorCode];

/** A v1 fault whose code this client does not know (a newer server): branch on `status`. */
export interface UnknownServerError extends Answered {
  readonly kind: "server";
  readonly code: "unknown_server_error";
  /** The fault's `details`, where the code would be. */
  readonly details: string | null;
  readonly fault: V1Fault;
}

/** The server could not be reached, the connection broke, or no answer came in time. */
export interface NetworkError {
  readonly kind: "client";
  readonly code: "network_error";
  readonly message: string;
}

/** An answer that is not what the contract promises: not JSON, not the schema, not a fault. */
export interface UnexpectedResponseError {
  readonly kind: "client";
  readonly code: "unexpected_response";
  readonly status: number;
  readonly message: string;
  /** The schema's problems, one line each (`RestoreStateId: ...`); empty when it was not JSON. */
  readonly problems: readonly string[];
  readonly requestId: string | null;
}

/** Every try failed with an error worth retrying, and the retry options allow no more. */
export interface RetryBudgetExhaustedError {
  readonly kind: "client";
  readonly code: "retry_budget_exhausted";
  readonly message: string;
  readonly attempts: number;
  /** What the last try got: a network error or a 503 (or a 409 `idempotency_key_in_use`). */
  readonly last: NetworkError | ServerError | UnknownServerError;
}

/** `start` with a password on a restore that is not encrypted: the password is never sent. */
export interface RestoreNotEncryptedError {
  readonly kind: "client";
  readonly code: "restore_not_encrypted";
  readonly message: string;
}

/** The passphrase cannot be encrypted: no agent key, a key WebCrypto refuses, or too long. */
export interface EncryptionError {
  readonly kind: "client";
  readonly code: "encryption_failed";
  readonly reason: "no_public_key" | "key_unusable" | "passphrase_invalid" | "passphrase_too_long";
  readonly message: string;
}

/**
 * Every error a client call can end with, told apart by `code`: the server's
 * own codes (the table of docs/http.md) and the client's.
 *
 * @example
 * ```ts
 * if (error.code === "password_required") console.log(error.fault, error.status); // 400
 * ```
 */
export type ClientError =
  | ServerError
  | UnknownServerError
  | NetworkError
  | UnexpectedResponseError
  | RetryBudgetExhaustedError
  | RestoreNotEncryptedError
  | EncryptionError;

export type ClientErrorCode = ClientError["code"];

/** The error of one code, for functions that handle one. */
export type ClientErrorOf<C extends ClientErrorCode> = Extract<ClientError, { code: C }>;

const SERVER_CODES: ReadonlySet<string> = new Set([
  ...Object.keys(ERROR_STATUS),
  ...ADAPTER_ERROR_CODES,
]);

function isServerErrorCode(code: string): code is ServerErrorCode {
  return SERVER_CODES.has(code);
}

/**
 * The error a v1 fault stands for. `details` holds the code, except where it
 * lists a 400's problems (`invalid_request`) or where a body stopped being
 * JSON (`invalid_json`, `line 1, column 49`).
 */
export function serverError(
  status: number,
  fault: V1Fault,
  entry: V1FaultEntry,
  answer: { readonly requestId: string | null; readonly retryAfterMs: number | null },
): ServerError | UnknownServerError {
  const details = typeof entry.details === "string" ? entry.details : null;
  const answered = {
    kind: "server" as const,
    status,
    message: entry.message,
    requestId: answer.requestId,
    retryAfterMs: answer.retryAfterMs,
    fault,
  };
  if (details !== null && isServerErrorCode(details)) {
    return { ...answered, code: details } as ServerError;
  }
  if (status === 400 && details !== null) {
    const code = /^line \d+, column \d+$/.test(details) ? "invalid_json" : "invalid_request";
    return { ...answered, code };
  }
  return { ...answered, code: "unknown_server_error", details };
}

/**
 * A line for a person: the message, then the code and status.
 *
 * @example
 * ```ts
 * describeError(error); // "Restore 99 was not found. (restore_not_found, HTTP 404)"
 * ```
 */
export function describeError(error: ClientError): string {
  switch (error.kind) {
    case "server":
      return `${error.message} (${error.code}, HTTP ${error.status})`;
    case "client":
      return error.code === "retry_budget_exhausted"
        ? `${error.message} Last: ${describeError(error.last)}`
        : `${error.message} (${error.code})`;
  }
}
