import {
  type createRestoreSchema,
  isRestoreStateName,
  type RestoreDetailsWire,
  type RestoreReportWire,
  type RestoreStateName,
  restoreDetailsSchema,
  restoreReportSchema,
} from "@restorekit/core";
import { errAsync, okAsync, type Result, type ResultAsync } from "neverthrow";
import type { z } from "zod";
import { encryptPassphrase, type OaepPadding } from "./encrypt-passphrase.js";
import type { ClientError, UnexpectedResponseError } from "./errors.js";
import { type EventsPage, nextLink, restoreEventsSchema } from "./events.js";
import { type RetryOptions, retryPolicy } from "./retry.js";
import { type Answer, type Call, type FetchLike, send, type Transport } from "./transport.js";

/** The body of a create: what `PUT /v1.0/{tenant_id}/restore` takes (core's `createRestoreSchema`). */
export type CreateRestoreBody = z.input<typeof createRestoreSchema>;

export interface RestoreClientOptions {
  /** The server, e.g. `https://restores.example.com` (a path prefix is kept). */
  readonly baseUrl: string;
  readonly tenantId: string;
  /** Sent as `X-Auth-Token`. */
  readonly token: string;
  /** Default the global `fetch`. */
  readonly fetch?: FetchLike;
  readonly retry?: RetryOptions;
  /** How long one try may take. Default 30 s. */
  readonly timeoutMs?: number;
  /**
   * Send `Idempotency-Key` on create, start and stop. Default true: a server
   * that refuses the header (a restorekit app wired without a key store) is
   * asked again without it, and not sent one again by this client. False
   * never sends it.
   */
  readonly idempotencyKeys?: boolean;
  /** How `start` encrypts a passphrase; default `"oaep-sha1"`, what agents decrypt by default. */
  readonly padding?: OaepPadding;
}

/** A restore's details and the version they show (its `ETag`, for `ifMatch`). */
export interface VersionedDetails {
  readonly details: RestoreDetailsWire;
  readonly etag: string | null;
}

/** What a start, stop or update did, from the headers of its 204. */
export interface ChangeOutcome {
  readonly restoreId: number;
  /** The version now; unchanged by a no-op. `null` from a server that sends none. */
  readonly etag: string | null;
  readonly state: RestoreStateName | null;
  readonly stateId: number | null;
}

/** Options of the calls that change a restore. */
export interface ChangeOptions {
  /** Change it only while it is at this version (an `ETag`); else the error is `precondition_failed`. */
  readonly ifMatch?: string;
}

export interface StartOptions extends ChangeOptions {
  /** The vault passphrase of an encrypted restore; the client encrypts it for the agent. */
  readonly password?: string;
}

export interface RestoreClient {
  create(config: CreateRestoreBody): ResultAsync<VersionedDetails, ClientError>;
  update(
    id: number,
    config: CreateRestoreBody,
    options?: ChangeOptions,
  ): ResultAsync<ChangeOutcome, ClientError>;
  get(id: number): ResultAsync<VersionedDetails, ClientError>;
  report(id: number): ResultAsync<RestoreReportWire, ClientError>;
  /** The event log page by page, oldest first; an error ends the pages. */
  events(
    id: number,
    options?: { readonly pageSize?: number },
  ): AsyncIterableIterator<Result<EventsPage, ClientError>>;
  start(id: number, options?: StartOptions): ResultAsync<ChangeOutcome, ClientError>;
  stop(id: number, options?: ChangeOptions): ResultAsync<ChangeOutcome, ClientError>;
}

function unexpected(answer: Answer, message: string, error?: z.ZodError): UnexpectedResponseError {
  return {
    kind: "client",
    code: "unexpected_response",
    status: answer.status,
    message,
    problems: (error?.issues ?? []).map((issue) =>
      issue.path.length === 0 ? issue.message : `${issue.path.join(".")}: ${issue.message}`,
    ),
    requestId: answer.requestId,
  };
}

/** An answer's body read with a schema; a body that does not match is `unexpected_response`. */
function read<S extends z.ZodType>(
  answer: Answer,
  schema: S,
  what: string,
): ResultAsync<z.output<S>, ClientError> {
  const parsed = schema.safeParse(answer.body);
  return parsed.success
    ? okAsync(parsed.data)
    : errAsync(unexpected(answer, `The server's answer is not ${what}.`, parsed.error));
}

function changeOutcome(restoreId: number, answer: Answer): ChangeOutcome {
  const state = answer.headers.get("x-restore-state");
  const stateId = answer.headers.get("x-restore-state-id");
  return {
    restoreId,
    etag: answer.headers.get("etag"),
    state: state !== null && isRestoreStateName(state) ? state : null,
    stateId: stateId !== null && /^\d{1,2}$/.test(stateId) ? Number(stateId) : null,
  };
}

/** Whether a 400 refused the `Idempotency-Key` header itself: the server keeps no keys. */
function refusesKeys(error: ClientError): boolean {
  return (
    error.kind === "server" &&
    error.code === "invalid_request" &&
    Object.values(error.fault).some((entry) => entry.details?.startsWith("Idempotency-Key:"))
  );
}

/** A fresh key for one logical call: 128 random bits, as hex. */
function newIdempotencyKey(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
}

/**
 * A client of a restorekit server (or any server of the Cloud Backup v1.0
 * restore API) on `fetch` alone. Every call answers a `ResultAsync` whose
 * error has a `code` to branch on: the server's (`restore_not_found`,
 * `password_required`...) or the client's (`network_error`,
 * `unexpected_response`, `retry_budget_exhausted`...). Network failures and
 * 503s are retried with backoff; create, start and stop carry an
 * `Idempotency-Key`, the same at each retry, so a retry never does twice
 * what the first try did.
 *
 * @example
 * ```ts
 * const client = createRestoreClient({ baseUrl: "http://127.0.0.1:8080", tenantId: "1234", token });
 * const started = await client.start(13689, { password: "vault passphrase" });
 * if (started.isErr() && started.error.code === "restore_finished") console.log("too late");
 * ```
 */
export function createRestoreClient(options: RestoreClientOptions): RestoreClient {
  const transport: Transport = {
    fetch: options.fetch,
    token: options.token,
    retry: retryPolicy(options.retry),
    timeoutMs: options.timeoutMs ?? 30_000,
  };
  const v1 = `${options.baseUrl.replace(/\/+$/, "")}/v1.0/${encodeURIComponent(options.tenantId)}`;
  const keyed = options.idempotencyKeys ?? true;
  const padding = options.padding ?? "oaep-sha1";

  const call = (request: Call) => send(transport, request);
  // Set once a server said it takes no keys: the request was refused before anything was done.
  let keysRefused = false;
  /** A change that must not happen twice: one key for all of its tries. */
  const keyedCall = (request: Call): ResultAsync<Answer, ClientError> => {
    if (!keyed || keysRefused) return call(request);
    const key = { "idempotency-key": newIdempotencyKey() };
    return call({ ...request, headers: { ...request.headers, ...key } }).orElse((error) => {
      if (!refusesKeys(error)) return errAsync(error);
      keysRefused = true;
      return call(request);
    });
  };
  const changeHeaders = (change: ChangeOptions = {}): Record<string, string> =>
    change.ifMatch === undefined ? {} : { "if-match": change.ifMatch };
  const versioned = (answer: Answer) =>
    read(answer, restoreDetailsSchema, "restore details").map(
      (details): VersionedDetails => ({ details, etag: answer.headers.get("etag") }),
    );
  const action = (
    id: number,
    action: "StartManual" | "StopManual",
    encryptedPassword: string | null,
    change: ChangeOptions = {},
  ) =>
    keyedCall({
      method: "POST",
      url: `${v1}/restore/action-requested`,
      body: { Action: action, Id: id, EncryptedPassword: encryptedPassword },
      headers: changeHeaders(change),
    }).map((answer) => changeOutcome(id, answer));

  const get = (id: number) =>
    call({ method: "GET", url: `${v1}/restore/${id}` }).andThen(versioned);

  async function* events(
    id: number,
    { pageSize }: { readonly pageSize?: number } = {},
  ): AsyncIterableIterator<Result<EventsPage, ClientError>> {
    const origin = new URL(v1).origin;
    let url: string | null =
      `${v1}/restore/${id}/events${pageSize === undefined ? "" : `?limit=${pageSize}`}`;
    while (url !== null) {
      const from: string = url;
      const page: Result<EventsPage, ClientError> = await call({
        method: "GET",
        url: from,
      }).andThen((answer) =>
        read(answer, restoreEventsSchema, "a page of events").andThen((body) => {
          const next = nextLink(answer.headers.get("link"), from);
          // The token goes with every page: never to another origin than the client's own.
          if (next !== null && new URL(next).origin !== origin) {
            return errAsync(unexpected(answer, "The next page's link leads to another origin."));
          }
          return okAsync({ events: body.Events, next });
        }),
      );
      yield page;
      url = page.isOk() ? page.value.next : null;
    }
  }

  return {
    create: (config) =>
      keyedCall({
        method: "PUT",
        url: `${v1}/restore`,
        body: config,
      }).andThen(versioned),
    update: (id, config, change) =>
      call({
        method: "POST",
        url: `${v1}/restore`,
        body: { ...config, RestoreId: id },
        headers: changeHeaders(change),
      }).map((answer) => changeOutcome(id, answer)),
    get,
    report: (id) =>
      call({ method: "GET", url: `${v1}/restore/report/${id}` }).andThen((answer) =>
        read(answer, restoreReportSchema, "a restore report"),
      ),
    events,
    start: (id, start = {}) => {
      const { password } = start;
      if (password === undefined) return action(id, "StartManual", null, start);
      // The agent's key is in the details; the passphrase itself never leaves this process.
      return get(id).andThen(({ details }) => {
        if (!details.IsEncrypted) {
          return errAsync<ChangeOutcome, ClientError>({
            kind: "client",
            code: "restore_not_encrypted",
            message: `Restore ${id} is not encrypted: start it without a password.`,
          });
        }
        if (details.PublicKey === null) {
          return errAsync<ChangeOutcome, ClientError>({
            kind: "client",
            code: "encryption_failed",
            reason: "no_public_key",
            message: `Restore ${id} has no public key: its destination agent published none.`,
          });
        }
        return encryptPassphrase(password, details.PublicKey, padding).andThen((hex) =>
          action(id, "StartManual", hex, start),
        );
      });
    },
    stop: (id, change) => action(id, "StopManual", null, change),
  };
}
