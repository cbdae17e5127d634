import { errAsync, okAsync, ResultAsync } from "neverthrow";
import {
  type ClientError,
  type NetworkError,
  type RetryBudgetExhaustedError,
  type ServerError,
  serverError,
  type UnexpectedResponseError,
  type UnknownServerError,
  type V1Fault,
  type V1FaultEntry,
} from "./errors.js";
import { backoffMs, parseRetryAfter, type RetryPolicy } from "./retry.js";

/**
 * The `fetch` a client calls: the global one by default, or anything that
 * takes a `Request`: a Hono app's `app.fetch`, a Worker's service binding.
 */
export type FetchLike = (request: Request) => Response | Promise<Response>;

export interface Transport {
  readonly fetch: FetchLike | undefined;
  readonly token: string;
  readonly retry: RetryPolicy;
  /** How long one try may take, answer body included. */
  readonly timeoutMs: number;
}

export interface Call {
  readonly method: "GET" | "PUT" | "POST";
  readonly url: string;
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

/** A successful answer, its body read (JSON, or `null` when empty). */
export interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly body: unknown;
  readonly requestId: string | null;
}

interface RawAnswer {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
}

type Retryable = NetworkError | ServerError | UnknownServerError;

function networkError(cause: unknown, timeoutMs: number): NetworkError {
  const name = (cause as { name?: unknown } | null)?.name;
  if (name === "TimeoutError") {
    return { kind: "client", code: "network_error", message: `No answer within ${timeoutMs} ms.` };
  }
  // Node's fetch hides the reason (ECONNREFUSED...) in `cause`; browsers give only a TypeError.
  const inner = (cause as { cause?: { code?: unknown; message?: unknown } } | null)?.cause;
  const reason =
    typeof inner?.code === "string"
      ? inner.code
      : typeof inner?.message === "string"
        ? inner.message
        : cause instanceof Error
          ? cause.message
          : "unknown error";
  return {
    kind: "client",
    code: "network_error",
    message: `The server cannot be reached (${reason}).`,
  };
}

function unexpected(
  raw: RawAnswer,
  message: string,
  problems: readonly string[] = [],
): UnexpectedResponseError {
  return {
    kind: "client",
    code: "unexpected_response",
    status: raw.status,
    message,
    problems,
    requestId: raw.headers.get("x-request-id"),
  };
}

function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  if (text === "") return { ok: true, value: null };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

function faultEntryOf(body: unknown): { fault: V1Fault; entry: V1FaultEntry } | null {
  if (typeof body !== "object" || body === null || Array.isArray(body)) return null;
  const values = Object.values(body);
  const entry = values[0] as Partial<V1FaultEntry> | undefined;
  if (values.length !== 1 || typeof entry !== "object" || entry === null) return null;
  if (typeof entry.code !== "number" || typeof entry.message !== "string") return null;
  return { fault: body as V1Fault, entry: entry as V1FaultEntry };
}

/** An answer read into what it means: a success, or the error it is. */
function judge(raw: RawAnswer): ResultAsync<Answer, ClientError> {
  const requestId = raw.headers.get("x-request-id");
  const json = parseJson(raw.text);
  if (raw.status >= 200 && raw.status < 300) {
    return json.ok
      ? okAsync({ status: raw.status, headers: raw.headers, body: json.value, requestId })
      : errAsync(
          unexpected(raw, `The server answered ${raw.status} with a body that is not JSON.`),
        );
  }
  const fault = json.ok ? faultEntryOf(json.value) : null;
  if (fault === null) {
    return errAsync(
      unexpected(
        raw,
        `The server answered ${raw.status} without a v1 fault body: is the URL a restorekit server?`,
      ),
    );
  }
  const retryAfterMs = parseRetryAfter(raw.headers.get("retry-after"));
  return errAsync(serverError(raw.status, fault.fault, fault.entry, { requestId, retryAfterMs }));
}

function isRetryable(error: ClientError, idempotencyKey: boolean): error is Retryable {
  if (error.code === "network_error") return true;
  if (error.kind !== "server") return false;
  // The first request with the key is still running: once it answers, a retry replays it.
  if (error.code === "idempotency_key_in_use") return idempotencyKey;
  return error.status === 503;
}

function exhausted(attempts: number, last: Retryable): RetryBudgetExhaustedError {
  return {
    kind: "client",
    code: "retry_budget_exhausted",
    message: `Gave up after ${attempts} ${attempts === 1 ? "try" : "tries"}: the retry budget is spent.`,
    attempts,
    last,
  };
}

/**
 * Sends one logical request: tries it, and retries network failures and
 * 503s (and a 409 `idempotency_key_in_use` when it carries a key) with
 * exponential backoff and full jitter, at least `Retry-After` apart, within
 * the policy's tries and waiting budget. The body and headers, so the
 * `Idempotency-Key` too, are the same at every try.
 */
export function send(transport: Transport, call: Call): ResultAsync<Answer, ClientError> {
  const { retry, timeoutMs } = transport;
  const headers: Record<string, string> = {
    accept: "application/json",
    "x-auth-token": transport.token,
    ...call.headers,
  };
  const body = call.body === undefined ? undefined : JSON.stringify(call.body);
  if (body !== undefined) headers["content-type"] = "application/json";
  const carriesKey = "idempotency-key" in headers;

  // The global fetch is looked up at each call (and called as a method: browsers insist).
  const tryOnce = ResultAsync.fromThrowable(
    async (): Promise<RawAnswer> => {
      const request = new Request(call.url, {
        method: call.method,
        headers,
        signal: AbortSignal.timeout(timeoutMs),
        ...(body === undefined ? {} : { body }),
      });
      const response = await (transport.fetch ?? ((r) => globalThis.fetch(r)))(request);
      // Read inside the try, so a connection that breaks mid-body is retried too.
      const text = await response.text();
      return { status: response.status, headers: response.headers, text };
    },
    (cause) => networkError(cause, timeoutMs),
  );

  const attempt = (made: number, waitedMs: number): ResultAsync<Answer, ClientError> =>
    tryOnce()
      .andThen(judge)
      .orElse((error) => {
        if (!isRetryable(error, carriesKey)) return errAsync(error);
        if (made >= retry.attempts) {
          return errAsync(retry.attempts === 1 ? error : exhausted(made, error));
        }
        const pause = backoffMs(retry, made, error.kind === "server" ? error.retryAfterMs : null);
        if (waitedMs + pause > retry.budgetMs) return errAsync(exhausted(made, error));
        return ResultAsync.fromSafePromise(retry.sleep(pause)).andThen(() =>
          attempt(made + 1, waitedMs + pause),
        );
      });

  return attempt(1, 0);
}
