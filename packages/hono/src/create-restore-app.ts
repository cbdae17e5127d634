import {
  type IdempotencyKeys,
  type RestoreError,
  RestoreErrors,
  type RestoreService,
  type TokenVerifier,
} from "@restorekit/core";
import { Hono } from "hono";
import { okAsync, ResultAsync } from "neverthrow";
import pino from "pino";
import { AdapterErrors } from "./errors/adapter-errors.js";
import type { RestoreAppEnv } from "./http/app-env.js";
import { authenticate } from "./http/authenticate.js";
import { idempotency, REPLAYED_HEADER } from "./http/idempotency.js";
import { DEFAULT_BODY_LIMIT } from "./http/read-body.js";
import { requestIdFor } from "./http/request-id.js";
import type { RequestLogger } from "./http/request-logger.js";
import { responder } from "./http/respond.js";
import { type DocsAppOptions, docsApp } from "./openapi/docs-app.js";
import { EVENT_STREAM_DEFAULTS, type EventStreamOptions } from "./routes/event-stream.js";
import { healthRoutes } from "./routes/health-routes.js";
import { v1Routes } from "./routes/v1-routes.js";
import { v2Routes } from "./routes/v2-routes.js";

export interface RestoreAppOptions {
  /** Core's service over the app's own ports (`createRestoreService`). */
  readonly service: RestoreService;
  /** Checks each request's `X-Auth-Token`: `staticTokens`, `jwtTokens` or the app's own. */
  readonly tokens: TokenVerifier;
  /** Where the request log goes (a pino logger fits); `pino()` at level info when absent. */
  readonly logger?: RequestLogger;
  /**
   * What `/readyz` checks: typically one query against the store. An error
   * answers 503. Without it `/readyz` answers 200 like `/healthz`.
   */
  readonly ready?: () => ResultAsync<void, RestoreError>;
  /** Seconds in `Retry-After` on a 503. Default 1. */
  readonly retryAfterSeconds?: number;
  /** The largest body taken, in bytes; larger is 413. Default 64 KiB. */
  readonly bodyLimit?: number;
  /**
   * `/openapi.json` and the `/docs` page (`docsApp`): `true` (the default)
   * serves them with the generated document, `false` leaves them out, and
   * options are passed to `docsApp`.
   */
  readonly docs?: boolean | DocsAppOptions;
  /**
   * The events route's stream (`Accept: text/event-stream`): how often it
   * asks the store for new events (default 500 ms) and how long it stays
   * silent before a keep-alive comment (default 15 s).
   */
  readonly eventStream?: Partial<EventStreamOptions>;
  /**
   * Where `Idempotency-Key`s and their first responses are kept (e.g.
   * `postgresIdempotencyKeys(client)` on the repository's database, so a
   * change and its response commit together). Without it a request that
   * sends the header is refused (400) rather than served without the
   * promise the header asks for.
   */
  readonly idempotencyKeys?: IdempotencyKeys;
  /**
   * Aborted when the app is shutting down: the open event streams (a
   * restore's events, an agent's requests) end, so a server's close does
   * not wait for clients that would otherwise stay connected for good.
   * Their clients reconnect, to another instance or to this one restarted.
   */
  readonly signal?: AbortSignal;
}

/**
 * The restore routes as a Hono app: the v1.0 routes (action-requested,
 * create, update, details, report, events), the agent's v2 routes,
 * `/healthz`, `/readyz`, `/openapi.json` and `/docs`. It never binds a port: serve it
 * (`serve(app)` from `@hono/node-server`, `export default app` on Bun,
 * Deno or Workers) or mount it in an app of yours with
 * `app.route("/", restoreApp)`.
 *
 * @example
 * ```ts
 * import { createRestoreApp, staticTokens } from "@restorekit/hono";
 *
 * const tokens = staticTokens([{ token: "s3cret-admin", tenantId: "1234", roles: ["admin"] }]);
 * if (tokens.isErr()) throw new Error(tokens.error.message);
 * const app = createRestoreApp({ service, tokens: tokens.value });
 * const response = await app.request("/v1.0/1234/restore/13692", {
 *   headers: { "X-Auth-Token": "s3cret-admin" },
 * });
 * ```
 */
export function createRestoreApp(options: RestoreAppOptions): Hono<RestoreAppEnv> {
  const logger: RequestLogger = options.logger ?? pino();
  const respond = responder(logger, options.retryAfterSeconds ?? 1);
  const bodyLimit = options.bodyLimit ?? DEFAULT_BODY_LIMIT;
  const ready = guardedReady(options.ready);
  const auth = authenticate(options.tokens, respond, logger);

  const app = new Hono<RestoreAppEnv>();

  app.use("*", async function requestLog(c, next) {
    const requestId = requestIdFor(c.req.header("x-request-id"));
    c.set("requestId", requestId);
    // Checked on every request, since a logger's level may change while the app runs.
    if (logger.isLevelEnabled !== undefined && !logger.isLevelEnabled("info")) {
      await next();
      c.res.headers.set("x-request-id", requestId);
      return;
    }
    const started = performance.now();
    await next();
    c.res.headers.set("x-request-id", requestId);
    logger.info(
      {
        requestId,
        method: c.req.method,
        // The route's pattern, not the path as sent: a client may put anything in a URL.
        route: c.req.routePath,
        status: c.res.status,
        ...(c.res.headers.has(REPLAYED_HEADER) ? { replayed: true } : {}),
        ms: Math.round((performance.now() - started) * 10) / 10,
      },
      "request",
    );
  });

  app.route("/", healthRoutes({ ready, respond }));
  if (options.docs !== false) {
    app.route(
      "/",
      docsApp(options.docs === true || options.docs === undefined ? {} : options.docs),
    );
  }
  const eventStream = {
    ...EVENT_STREAM_DEFAULTS,
    ...options.eventStream,
    closing: options.signal,
  };
  app.route(
    "/",
    v1Routes({
      service: options.service,
      authenticate: auth,
      respond,
      bodyLimit,
      eventStream,
      idempotency: idempotency({ keys: options.idempotencyKeys, respond, bodyLimit, logger }),
    }),
  );
  app.route(
    "/",
    v2Routes({
      service: options.service,
      authenticate: auth,
      respond,
      bodyLimit,
      eventStream,
    }),
  );

  app.notFound((c) => respond.error(c, AdapterErrors.routeNotFound()));
  app.onError(function unexpected(cause, c) {
    // A bug of ours: the cause goes to the log, the client sees a bare 500.
    logger.error({ requestId: c.get("requestId"), err: cause }, "unexpected error");
    return respond.error(c, RestoreErrors.internal());
  });
  return app;
}

/** `ready` as given, except that a throw or rejection is a 503 rather than an escape. */
function guardedReady(ready: RestoreAppOptions["ready"]): () => ResultAsync<void, RestoreError> {
  if (ready === undefined) return () => okAsync(undefined);
  const check = ResultAsync.fromThrowable(
    async () => ready(),
    (): RestoreError => RestoreErrors.storageUnavailable(),
  );
  return () => check().andThen((result) => result);
}
