import { ResultAsync } from "neverthrow";
import type { AgentLog } from "./agent-types.js";
import { type Backoff, pause } from "./backoff.js";

/** What became of a report: acknowledged, refused for the restore's state, refused otherwise, or given up at shutdown. */
export type ReportOutcome =
  | { readonly kind: "ok" }
  | { readonly kind: "conflict"; readonly code: string | null; readonly message: string }
  | {
      readonly kind: "refused";
      readonly status: number;
      readonly code: string | null;
      readonly message: string;
    }
  | { readonly kind: "abandoned" };

/** An answer that is not a success, read from its problem details. */
export interface Refusal {
  readonly status: number;
  readonly code: string | null;
  readonly message: string;
}

export interface AgentHttpOptions {
  readonly baseUrl: string;
  readonly tenantId: string;
  readonly token: string;
  readonly fetch: (request: Request) => Response | Promise<Response>;
  readonly backoff: Backoff;
  readonly log: AgentLog;
  readonly name: string;
  readonly requestIdPrefix: string;
}

export interface AgentHttp {
  /** `url` of a path under the base URL. */
  url(path: string): string;
  /** One request, no retry: a network failure is an error value. */
  send(path: string, init: RequestInit): ResultAsync<Response, unknown>;
  /** A JSON Patch on the restore, retried until the server answers it for good or `signal` aborts. */
  report(restoreId: number, patch: readonly object[], signal: AbortSignal): Promise<ReportOutcome>;
  /** The restore's `EncryptedPassword` (hex), retried like a report. */
  password(restoreId: number, signal: AbortSignal): Promise<string | Refusal | null>;
  readonly projectPath: string;
}

/** Worth retrying: the server or something before it is unavailable or overloaded right now. */
const RETRYABLE = new Set([429, 502, 503, 504]);

export function agentHttp(options: AgentHttpOptions): AgentHttp {
  const base = options.baseUrl.replace(/\/+$/, "");
  const projectPath = `/v2/${encodeURIComponent(options.tenantId)}`;
  let numbered = 0;
  const { log, name } = options;

  const fetchOnce = ResultAsync.fromThrowable(
    async (request: Request) => options.fetch(request),
    (cause) => cause,
  );

  function send(path: string, init: RequestInit): ResultAsync<Response, unknown> {
    const headers = new Headers(init.headers);
    headers.set("x-auth-token", options.token);
    return fetchOnce(new Request(`${base}${path}`, { ...init, headers }));
  }

  /** Sends until an answer that is not worth retrying comes, or `signal` aborts (null). */
  async function untilAnswered(
    path: string,
    init: RequestInit,
    signal: AbortSignal,
    what: object,
  ): Promise<Response | null> {
    // One id for every try of the same request, so the server's log ties them together.
    numbered += 1;
    const requestId = `${options.requestIdPrefix}-${numbered}`;
    for (let attempt = 0; !signal.aborted; attempt += 1) {
      const headers = new Headers(init.headers);
      headers.set("x-request-id", requestId);
      headers.set("accept", "application/problem+json, application/json");
      const answer = await send(path, { ...init, headers, signal });
      if (answer.isOk() && !RETRYABLE.has(answer.value.status)) return answer.value;
      const wait = answer.isOk()
        ? (options.backoff.retryAfter(answer.value) ?? options.backoff.delay(attempt))
        : options.backoff.delay(attempt);
      if (answer.isOk()) await answer.value.body?.cancel().catch(() => undefined);
      // Every try is not news; the first, and then every tenth, is.
      if (attempt % 10 === 0) {
        log.warn(
          {
            ...what,
            requestId,
            ...(answer.isOk() ? { status: answer.value.status } : { unreachable: true }),
            retryInMs: wait,
          },
          `${name}: the server did not take the request; retrying`,
        );
      }
      await pause(wait, signal);
    }
    return null;
  }

  async function refusalOf(response: Response): Promise<Refusal> {
    const body = (await response.json().catch(() => null)) as {
      code?: unknown;
      detail?: unknown;
      message?: unknown;
    } | null;
    const code = typeof body?.code === "string" ? body.code : null;
    const text = body?.detail ?? body?.message;
    return {
      status: response.status,
      code,
      message: typeof text === "string" ? text : `HTTP ${response.status}`,
    };
  }

  return {
    projectPath,
    url: (path) => `${base}${path}`,
    send,

    async report(restoreId, patch, signal) {
      const response = await untilAnswered(
        `${projectPath}/restores/${restoreId}`,
        {
          method: "PATCH",
          headers: { "content-type": "application/json-patch+json" },
          body: JSON.stringify(patch),
        },
        signal,
        { restoreId },
      );
      if (response === null) return { kind: "abandoned" };
      if (response.status === 204 || response.status === 200) {
        await response.body?.cancel().catch(() => undefined);
        return { kind: "ok" };
      }
      const refusal = await refusalOf(response);
      return refusal.status === 409
        ? { kind: "conflict", code: refusal.code, message: refusal.message }
        : { kind: "refused", ...refusal };
    },

    async password(restoreId, signal) {
      const response = await untilAnswered(
        `${projectPath}/restores/${restoreId}/password`,
        { method: "GET" },
        signal,
        { restoreId },
      );
      if (response === null) return null;
      if (response.status !== 200) return refusalOf(response);
      const body = (await response.json().catch(() => null)) as {
        EncryptedPassword?: unknown;
      } | null;
      const hex = body?.EncryptedPassword;
      return typeof hex === "string"
        ? hex
        : { status: 200, code: null, message: "the answer holds no EncryptedPassword" };
    },
  };
}
