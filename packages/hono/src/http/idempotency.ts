import {
  type ChangeOptions,
  IDEMPOTENCY_KEEP_MS,
  IDEMPOTENCY_KEY_MAX,
  IDEMPOTENCY_LOCK_MS,
  type IdempotencyKeys,
  type IdempotencyScope,
  idempotencyPrincipal,
  isIdempotencyKey,
  isPrincipal,
  type Restore,
  type RestoreError,
  RestoreErrors,
  type StoredResponse,
} from "@restorekit/core";
import type { Context } from "hono";
import { err, ok, type Result, ResultAsync } from "neverthrow";
import type { HttpError } from "../errors/error-response.js";
import type { RestoreAppEnv } from "./app-env.js";
import { type BodyError, readBody, readBodyAndBytes } from "./read-body.js";
import type { RequestLogger } from "./request-logger.js";
import type { Responder } from "./respond.js";

/** The header a replayed response carries, so a client can tell it from a first answer. */
export const REPLAYED_HEADER = "idempotent-replayed";

/** What a change route under `Idempotency-Key` does, in three steps. */
export interface IdempotentRoute<I> {
  /** The media types the body may be sent as. */
  readonly accepted: readonly string[];
  /**
   * The route's input from the request: `body` reads the body (call it at
   * most once). Everything here depends on the request alone, so it runs
   * before the key is claimed and its refusals are not stored.
   */
  input(
    c: Context<RestoreAppEnv>,
    body: () => ResultAsync<string, BodyError>,
  ): ResultAsync<I, HttpError>;
  /** The service call, given the key's options when there is a key. */
  change(input: I, options: ChangeOptions | undefined): ResultAsync<Restore, HttpError>;
  /** The response to a successful change: rendered before the append, committed with it. */
  render(restore: Restore): StoredResponse;
}

export interface IdempotencyOptions {
  /** The store of keys; without one a request carrying the header is refused (400). */
  readonly keys: IdempotencyKeys | undefined;
  readonly respond: Responder;
  readonly bodyLimit: number;
  /** Told when a key could not be answered or released after the request (it lapses instead). */
  readonly logger: RequestLogger;
}

export interface Idempotency {
  /** Runs a change route, under the request's `Idempotency-Key` when it sends one. */
  change<I>(c: Context<RestoreAppEnv>, route: IdempotentRoute<I>): Promise<Response>;
}

/**
 * `Idempotency-Key` (draft-ietf-httpapi-idempotency-key-header) for the
 * routes that change restores.
 *
 * The key is scoped by the path's tenant and the sender (`user:<id>` or
 * `agent:<id>`) and kept 24 hours. The first request with a key claims it;
 * its response is stored (in the append's transaction when it changed a
 * restore) and a retry with the same key, method, path and body gets that
 * response again, byte for byte, with `Idempotent-Replayed: true` (and its
 * own `X-Request-Id`). The same key with another request is 422
 * `idempotency_key_reused`; a retry while the first still runs is 409
 * `idempotency_key_in_use`. A 5xx is not stored: the key is released so a
 * retry runs again. A request refused before the claim (a malformed key or
 * body, a token of another tenant) is answered as without a key.
 */
export function idempotency({
  keys: given,
  respond,
  bodyLimit,
  logger,
}: IdempotencyOptions): Idempotency {
  const keys = given === undefined ? undefined : guardedKeys(given);
  /**
   * After the request: a store that fails here leaves the key claimed until
   * its lock lapses (a retry meanwhile is 409), which costs a client a wait,
   * never a second change. The response goes out all the same.
   */
  async function settle(
    c: Context<RestoreAppEnv>,
    operation: "complete" | "release",
    done: ResultAsync<void, RestoreError>,
  ): Promise<void> {
    const result = await done;
    if (result.isErr()) {
      logger.error(
        { requestId: c.get("requestId"), operation, code: result.error.code },
        "the idempotency key could not be settled; it lapses instead",
      );
    }
  }
  return {
    async change(c, route) {
      const header = c.req.header("idempotency-key");
      if (header === undefined) {
        const plain = route
          .input(c, () => readBody(c.req.raw, route.accepted, bodyLimit))
          .andThen((input) => route.change(input, undefined));
        return respond.result(c, plain, (restore) => responseOf(route.render(restore)));
      }
      const key = readIdempotencyKey(header);
      if (key.isErr()) return respond.error(c, key.error);
      if (keys === undefined) return respond.error(c, unsupported());

      let bytes: Uint8Array = new Uint8Array(0);
      const input = await route.input(c, () =>
        readBodyAndBytes(c.req.raw, route.accepted, bodyLimit).map((read) => {
          bytes = read.bytes;
          return read.text;
        }),
      );
      if (input.isErr()) return respond.error(c, input.error);

      const principal = c.get("principal");
      const tenantId = c.req.param("tenantId") ?? "";
      if (!isPrincipal(principal) || principal.tenantId !== tenantId) {
        // Refused by the service whatever the key: nothing to keep for it.
        return respond.result(c, route.change(input.value, undefined), (restore) =>
          responseOf(route.render(restore)),
        );
      }
      const scope: IdempotencyScope = { tenantId, principal: idempotencyPrincipal(principal) };
      const fingerprint = await fingerprintOf(c.req.method, c.req.path, bytes);
      if (fingerprint.isErr()) return respond.error(c, fingerprint.error);
      const claimed = await keys.claim({
        scope,
        key: key.value,
        fingerprint: fingerprint.value,
        now: new Date(),
        lockMs: IDEMPOTENCY_LOCK_MS,
        keepMs: IDEMPOTENCY_KEEP_MS,
      });
      if (claimed.isErr()) return respond.error(c, claimed.error);
      switch (claimed.value.kind) {
        case "replay":
          return responseOf(claimed.value.response, true);
        case "in_use":
          return respond.error(c, RestoreErrors.idempotencyKeyInUse());
        case "reused":
          return respond.error(c, RestoreErrors.idempotencyKeyReused());
        case "claimed":
          break;
      }

      const changed = await route.change(input.value, {
        idempotency: { scope, key: key.value, respond: (restore) => route.render(restore) },
      });
      if (changed.isOk()) {
        // Already written with the append when the change appended; a no-op is written here.
        const stored = route.render(changed.value);
        await settle(c, "complete", keys.complete(scope, key.value, stored));
        return responseOf(stored);
      }
      const refused = respond.error(c, changed.error);
      if (refused.status >= 500) {
        // Nothing changed (a change that commits answers its key with it): a retry may run.
        await settle(c, "release", keys.release(scope, key.value));
        return refused;
      }
      const stored = await storedOf(refused);
      await settle(c, "complete", keys.complete(scope, key.value, stored));
      return responseOf(stored);
    },
  };
}

/**
 * The key an `Idempotency-Key` header holds: a structured-field string
 * (`"abc"`, with `\"` and `\\` escapes) or the bare value (`abc`), the
 * same key either way; 1 to 255 printable ASCII characters. Anything else
 * is `invalid_request` naming the header.
 *
 * @example
 * ```ts
 * readIdempotencyKey('"8e03978e-40d5"'); // ok("8e03978e-40d5")
 * readIdempotencyKey("8e03978e-40d5"); // ok("8e03978e-40d5")
 * ```
 */
export function readIdempotencyKey(header: string): Result<string, RestoreError> {
  const value = header.trim();
  const key = value.startsWith('"')
    ? unquoted(value)
    : /^[\x21-\x7e]+$/.test(value) && !value.includes('"')
      ? value
      : null;
  if (key === null || !isIdempotencyKey(key)) {
    return err(
      RestoreErrors.invalidRequest([
        {
          path: "Idempotency-Key",
          message: `must be a string of 1 to ${IDEMPOTENCY_KEY_MAX} printable ASCII characters, "quoted" or bare`,
        },
      ]),
    );
  }
  return ok(key);
}

/** The content of an RFC 8941 string, or null when the value is not exactly one. */
function unquoted(value: string): string | null {
  let key = "";
  for (let i = 1; i < value.length; i += 1) {
    const char = value[i] as string;
    if (char === "\\") {
      const next = value[i + 1];
      if (next !== '"' && next !== "\\") return null;
      key += next;
      i += 1;
    } else if (char === '"') {
      return i === value.length - 1 ? key : null;
    } else if (char < " " || char > "~") {
      return null;
    } else {
      key += char;
    }
  }
  return null;
}

function unsupported(): RestoreError {
  return RestoreErrors.invalidRequest([
    {
      path: "Idempotency-Key",
      message: "is not supported by this server: send the request without it",
    },
  ]);
}

const encoder = new TextEncoder();

async function digestHex(method: string, path: string, body: Uint8Array): Promise<string> {
  const head = encoder.encode(`${method}\n${path}\n`);
  const data = new Uint8Array(head.byteLength + body.byteLength);
  data.set(head, 0);
  data.set(body, head.byteLength);
  const digest = new Uint8Array(await globalThis.crypto.subtle.digest("SHA-256", data));
  return Array.from(digest, (byte) => byte.toString(16).padStart(2, "0")).join("");
}

/** SHA-256 (hex) of method, path and the body's bytes: what makes two requests the same one. */
export const fingerprintOf: (
  method: string,
  path: string,
  body: Uint8Array,
) => ResultAsync<string, RestoreError> = ResultAsync.fromThrowable(digestHex, () =>
  RestoreErrors.internal(),
);

function responseOf(stored: StoredResponse, replayed = false): Response {
  return new Response(stored.body, {
    status: stored.status,
    headers: replayed ? { ...stored.headers, [REPLAYED_HEADER]: "true" } : stored.headers,
  });
}

/** A response as data, read whole: only the small error responses are read this way. */
async function storedOf(response: Response): Promise<StoredResponse> {
  return {
    status: response.status,
    headers: Object.fromEntries(response.headers),
    body: response.body === null ? null : await response.text(),
  };
}

/** The embedder's store as one that cannot throw or reject: either is `storage_unavailable`. */
function guardedKeys(keys: IdempotencyKeys): IdempotencyKeys {
  const guarded = <A extends unknown[], T>(
    call: (...args: A) => ResultAsync<T, RestoreError>,
  ): ((...args: A) => ResultAsync<T, RestoreError>) => {
    // An async wrapper, so a synchronous throw is a rejection too; awaiting the store's
    // ResultAsync gives its Result, which is then flattened.
    const settled = ResultAsync.fromThrowable(
      async (...args: A): Promise<Result<T, RestoreError>> => call(...args),
      () => RestoreErrors.storageUnavailable(),
    );
    return (...args) => settled(...args).andThen((result) => result);
  };
  return {
    claim: guarded((claim) => keys.claim(claim)),
    complete: guarded((scope, key, response) => keys.complete(scope, key, response)),
    release: guarded((scope, key) => keys.release(scope, key)),
    purgeExpired: guarded((now, limit) => keys.purgeExpired(now, limit)),
  };
}
