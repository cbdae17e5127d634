import {
  type Issue,
  parseActionRequest,
  parseCreateRestore,
  parseJsonBody,
  parseUpdateRestore,
  type Restore,
  type RestoreService,
  type StoredEvent,
  type StoredResponse,
  stateId,
  toRestoreDetails,
  toRestoreReport,
} from "@restorekit/core";
import { Hono, type MiddlewareHandler } from "hono";
import { v1JsonText } from "../errors/error-response.js";
import type { RestoreAppEnv } from "../http/app-env.js";
import { entityTagOf, noneMatch, preconditionOf } from "../http/entity-tag.js";
import type { Idempotency } from "../http/idempotency.js";
import type { Responder } from "../http/respond.js";
import { eventPageOf, nextPageLink } from "./event-page-query.js";
import {
  resumeAfter,
  type StreamSettings,
  streamEvents,
  wantsEventStream,
} from "./event-stream.js";
import { methodsOnly } from "./methods-only.js";
import { contextOf, issuesResult, jsonBodyOf, restoreIdOf } from "./route-inputs.js";

const JSON_ONLY = ["application/json"] as const;

export interface V1RouteOptions {
  readonly service: RestoreService;
  readonly authenticate: MiddlewareHandler<RestoreAppEnv>;
  readonly respond: Responder;
  readonly bodyLimit: number;
  readonly eventStream: StreamSettings;
  /** `Idempotency-Key` on the create and action-requested routes. */
  readonly idempotency: Idempotency;
}

function v1Json(value: unknown, headers: Record<string, string> = {}): Response {
  return new Response(v1JsonText(value), {
    status: 200,
    headers: { "content-type": "application/json; charset=utf-8", ...headers },
  });
}

/** What a change left the restore as, so a client need not read it to know what its 204 did. */
function changedAnswer(restore: Restore): StoredResponse {
  return {
    status: 204,
    headers: {
      etag: entityTagOf(restore.version),
      "x-restore-state": restore.state,
      "x-restore-state-id": String(stateId(restore.state)),
    },
    body: null,
  };
}

function changed(restore: Restore): Response {
  const { status, headers, body } = changedAnswer(restore);
  return new Response(body, { status, headers });
}

/** A created restore's details, as the create route answers and an idempotent retry replays. */
function createdAnswer(restore: Restore): StoredResponse {
  return {
    status: 200,
    headers: {
      "content-type": "application/json; charset=utf-8",
      etag: entityTagOf(restore.version),
    },
    body: v1JsonText(toRestoreDetails(restore)),
  };
}

/** An event as the events route shows it, page or stream: with its sequence number. */
function eventWire({ seq, event }: StoredEvent) {
  return { seq, type: event.type, data: event.data, metadata: event.metadata };
}

function eventsWire(events: readonly StoredEvent[]) {
  return { Events: events.map(eventWire) };
}

/**
 * The Cloud Backup v1.0 routes. Registration order matters: each path's
 * wrong-method answer comes right after its methods, so that
 * `GET .../restore/action-requested` is a 405 rather than a read of a
 * restore with the id "action-requested".
 */
export function v1Routes({
  service,
  authenticate,
  respond,
  bodyLimit,
  eventStream,
  idempotency,
}: V1RouteOptions) {
  const app = new Hono<RestoreAppEnv>();

  const actionPath = "/v1.0/:tenantId/restore/action-requested";
  app.post(actionPath, authenticate, (c) =>
    idempotency.change(c, {
      accepted: JSON_ONLY,
      input: (_, body) =>
        preconditionOf(c.req.header("if-match")).asyncAndThen((precondition) =>
          body()
            .andThen((text) => parseJsonBody(text).andThen(parseActionRequest))
            .map((request) => ({ request, precondition })),
        ),
      change: ({ request, precondition }, options) =>
        service.requestAction(contextOf(c, "tenantId"), request, precondition, options),
      render: changedAnswer,
    }),
  );
  app.all(actionPath, methodsOnly(["POST"], respond));

  const restoresPath = "/v1.0/:tenantId/restore";
  app.put(restoresPath, authenticate, (c) =>
    idempotency.change(c, {
      accepted: JSON_ONLY,
      input: (_, body) => body().andThen((text) => parseJsonBody(text).andThen(parseCreateRestore)),
      change: (input, options) => service.createRestore(contextOf(c, "tenantId"), input, options),
      render: createdAnswer,
    }),
  );
  app.post(restoresPath, authenticate, (c) =>
    respond.result(
      c,
      preconditionOf(c.req.header("if-match"))
        .asyncAndThen((precondition) =>
          jsonBodyOf(c, JSON_ONLY, bodyLimit, parseUpdateRestore).map((input) => ({
            input,
            precondition,
          })),
        )
        .andThen(({ input, precondition }) =>
          service.updateRestore(contextOf(c, "tenantId"), input, precondition),
        ),
      changed,
    ),
  );
  app.all(restoresPath, methodsOnly(["PUT", "POST"], respond));

  const reportPath = "/v1.0/:tenantId/restore/report/:restoreId";
  app.get(reportPath, authenticate, (c) =>
    respond.result(
      c,
      restoreIdOf(c, "restoreId").asyncAndThen((id) =>
        service.getReport(contextOf(c, "tenantId"), id),
      ),
      (restore) => v1Json(toRestoreReport(restore)),
    ),
  );
  app.all(reportPath, methodsOnly(["GET"], respond));

  const eventsPath = "/v1.0/:tenantId/restore/:restoreId/events";
  app.get(eventsPath, authenticate, (c) => {
    if (wantsEventStream(c)) {
      const context = contextOf(c, "tenantId");
      // Refusals (no such restore, another tenant's) are answered before the stream begins.
      return respond.result(
        c,
        restoreIdOf(c, "restoreId").asyncAndThen((id) => service.getRestore(context, id)),
        (restore) =>
          streamEvents(
            c,
            service,
            context,
            restore.restoreId,
            resumeAfter(c),
            eventWire,
            eventStream,
          ),
      );
    }
    const issues: Issue[] = [];
    const page = eventPageOf(c, issues);
    return respond.result(
      c,
      issuesResult(issues, page)
        .andThen((wanted) => restoreIdOf(c, "restoreId").map((id) => ({ id, wanted })))
        .asyncAndThen(({ id, wanted }) =>
          service
            .listEvents(contextOf(c, "tenantId"), id, {
              limit: wanted.limit,
              order: wanted.order,
              ...(wanted.marker === undefined
                ? {}
                : wanted.order === "asc"
                  ? { afterSeq: wanted.marker }
                  : { beforeSeq: wanted.marker }),
            })
            .map((events) => ({ events, wanted })),
        ),
      ({ events, wanted }) => {
        const last = events.at(-1);
        // A full page may have more after it; the next one starts past its last event.
        const next =
          last !== undefined && events.length === wanted.limit
            ? nextPageLink(c.req.url, last.seq, wanted)
            : null;
        return v1Json(eventsWire(events), next === null ? {} : { link: next });
      },
    );
  });
  app.all(eventsPath, methodsOnly(["GET"], respond));

  const restorePath = "/v1.0/:tenantId/restore/:restoreId";
  app.get(restorePath, authenticate, (c) =>
    respond.result(
      c,
      restoreIdOf(c, "restoreId").asyncAndThen((id) =>
        service.getRestore(contextOf(c, "tenantId"), id),
      ),
      (restore) => {
        const etag = entityTagOf(restore.version);
        // Unchanged since the client's copy: no body to send again.
        if (noneMatch(c.req.header("if-none-match"), restore.version)) {
          return new Response(null, { status: 304, headers: { etag } });
        }
        return v1Json(toRestoreDetails(restore), { etag });
      },
    ),
  );
  app.all(restorePath, methodsOnly(["GET"], respond));

  return app;
}
