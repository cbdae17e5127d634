import { err, ok, type Result, type ResultAsync } from "neverthrow";
import { type RestoreError, RestoreErrors } from "./errors.js";
import { isRecord } from "./internal/plain-data.js";
import type { Principal } from "./policy.js";
import type { Restore } from "./restore.js";

/** How long a key and its first response are kept: 24 hours. */
export const IDEMPOTENCY_KEEP_MS = 24 * 60 * 60 * 1000;
/**
 * How long a first request may run before its claim lapses and a retry may
 * take the key: far longer than any request takes, short enough that a
 * request lost with its process does not hold the key for a day.
 */
export const IDEMPOTENCY_LOCK_MS = 60 * 1000;
/** The longest key taken, in characters. */
export const IDEMPOTENCY_KEY_MAX = 255;

/** Whose keys these are: a client's keys never meet another tenant's or another sender's. */
export interface IdempotencyScope {
  readonly tenantId: string;
  /** `user:<userId>` or `agent:<agentId>` (`idempotencyPrincipal`). */
  readonly principal: string;
}

/** A response as it was sent, to be sent again: header names in lower case, body as text. */
export interface StoredResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string | null;
}

export interface IdempotencyClaim {
  readonly scope: IdempotencyScope;
  readonly key: string;
  /** What identifies the request (SHA-256 hex of method, path and body, in the HTTP adapter). */
  readonly fingerprint: string;
  readonly now: Date;
  /** How long the claim holds while its request runs. */
  readonly lockMs: number;
  /** How long the key is kept from now. */
  readonly keepMs: number;
}

/**
 * What a claim found: the key is this request's to run (`claimed`); it was
 * answered before (`replay`, with that answer); its first request still runs
 * (`in_use`); or it was first sent with another request (`reused`).
 */
export type ClaimOutcome =
  | { readonly kind: "claimed" }
  | { readonly kind: "replay"; readonly response: StoredResponse }
  | { readonly kind: "in_use" }
  | { readonly kind: "reused" };

/**
 * The `Idempotency-Key`s clients sent and the first response to each.
 *
 * - `claim` takes a key that is unknown, past its retention, or whose first
 *   request's claim lapsed (the same request only: another one is `reused`),
 *   atomically, so of two requests racing for a key one runs.
 * - The response of a request that changed a restore is written by the
 *   repository's `append` in the same transaction as the change
 *   (`AppendRequest.idempotency`), so a change is never without its answer.
 *   `complete` writes it for a request that changed nothing; it writes only
 *   a key still unanswered, so the first answer stays.
 * - `release` forgets an unanswered key (a request that failed on our side
 *   and changed nothing), so a retry runs.
 * - `purgeExpired` deletes up to `limit` keys past their retention and
 *   answers how many.
 */
export interface IdempotencyKeys {
  claim(claim: IdempotencyClaim): ResultAsync<ClaimOutcome, RestoreError>;
  complete(
    scope: IdempotencyScope,
    key: string,
    response: StoredResponse,
  ): ResultAsync<void, RestoreError>;
  release(scope: IdempotencyScope, key: string): ResultAsync<void, RestoreError>;
  purgeExpired(now: Date, limit: number): ResultAsync<number, RestoreError>;
}

/** The response to commit with an append, in the claimed key's row. */
export interface IdempotentCompletion {
  readonly scope: IdempotencyScope;
  readonly key: string;
  readonly response: StoredResponse;
}

/**
 * A change made under a claimed key: `respond` renders the response from the
 * restore the change leaves, before the append, so the store commits it with
 * the change.
 */
export interface IdempotentChange {
  readonly scope: IdempotencyScope;
  readonly key: string;
  respond(restore: Restore): StoredResponse;
}

/** What a changing use case may be given beside its request. */
export interface ChangeOptions {
  readonly idempotency?: IdempotentChange;
}

/**
 * The sender part of a key's scope.
 *
 * @example
 * ```ts
 * idempotencyPrincipal({ type: "agent", agentId: 7, tenantId: "1234" }); // "agent:7"
 * ```
 */
export function idempotencyPrincipal(principal: Principal): string {
  return principal.type === "user" ? `user:${principal.userId}` : `agent:${principal.agentId}`;
}

/** A key a store can hold: 1-255 characters of printable ASCII. */
export function isIdempotencyKey(value: unknown): value is string {
  return (
    typeof value === "string" &&
    value.length > 0 &&
    value.length <= IDEMPOTENCY_KEY_MAX &&
    /^[\x20-\x7e]+$/.test(value)
  );
}

function isScope(value: unknown): value is IdempotencyScope {
  return (
    isRecord(value) && typeof value.tenantId === "string" && typeof value.principal === "string"
  );
}

/** Whether a value is a response as stored: what a store checks a row it reads back against. */
export function isStoredResponse(value: unknown): value is StoredResponse {
  return (
    isRecord(value) &&
    Number.isInteger(value.status) &&
    (value.status as number) >= 100 &&
    (value.status as number) <= 599 &&
    isRecord(value.headers) &&
    Object.values(value.headers).every((header) => typeof header === "string") &&
    (value.body === null || typeof value.body === "string")
  );
}

/**
 * A completion an `append` may carry, copied: anything malformed is our own
 * code's fault (the key was read from the request long before), so
 * `internal_error`.
 */
export function checkIdempotentCompletion(
  value: unknown,
): Result<IdempotentCompletion, RestoreError> {
  if (
    !isRecord(value) ||
    !isScope(value.scope) ||
    !isIdempotencyKey(value.key) ||
    !isStoredResponse(value.response)
  ) {
    return err(RestoreErrors.internal());
  }
  const { scope, key, response } = value;
  return ok({
    scope: { tenantId: scope.tenantId, principal: scope.principal },
    key,
    response: {
      status: response.status,
      headers: { ...response.headers },
      body: response.body,
    },
  });
}

/**
 * The options of a changing use case, checked: a key the client sent that no
 * store can hold is `invalid_request` naming the header; a missing `respond`
 * or scope is the embedder's fault, `internal_error`.
 */
export function readChangeOptions(
  value: ChangeOptions | undefined,
): Result<IdempotentChange | undefined, RestoreError> {
  if (value === undefined || value.idempotency === undefined) return ok(undefined);
  const change: unknown = value.idempotency;
  if (!isRecord(change) || !isScope(change.scope) || typeof change.respond !== "function") {
    return err(RestoreErrors.internal());
  }
  if (!isIdempotencyKey(change.key)) {
    return err(
      RestoreErrors.invalidRequest([
        {
          path: "Idempotency-Key",
          message: `must be 1 to ${IDEMPOTENCY_KEY_MAX} printable ASCII characters`,
        },
      ]),
    );
  }
  return ok(change as unknown as IdempotentChange);
}

/** The `AppendRequest` fields that commit a change's response with it; none without a key. */
export function completionFor(
  change: IdempotentChange | undefined,
  restore: Restore,
): { readonly idempotency?: IdempotentCompletion } {
  if (change === undefined) return {};
  return {
    idempotency: { scope: change.scope, key: change.key, response: change.respond(restore) },
  };
}
