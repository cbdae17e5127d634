import {
  type Issue,
  parseActionRequest,
  parseCreateRestore,
  parseUpdateRestore,
  type RestoreService,
  type StoredEvent,
  toRestoreDetails,
  toRestoreReport,
} from "@restorekit/core";
import { Hono, type MiddlewareHandler } from "hono";
import { v1JsonText } from "../errors/error-response.js";
import type { RestoreAppEnv } from "../http/app-env.js";
import type { Responder } from "../http/respond.js";
import { methodsOnly } from "./methods-only.js";
import { contextOf, countQuery, issuesResult, jsonBodyOf, restoreIdOf } from "./route-inputs.js";

const JSON_ONLY = ["application/json"] as const;

export interface V1RouteOptions {
  readonly service: RestoreService;
  readonly authenticate: MiddlewareHandler<RestoreAppEnv>;
  readonly respond: Responder;
  readonly bodyLimit: number;
}

function v1Json(value: unknown, status = 200): Response {
  return new Response(v1JsonText(value), {
    status,
    headers: { "content-type": "application/json; charset=utf-8" },
  });
}

const noContent = (): Response => new Response(null, { status: 204 });

/** The event log as the events route shows it: each event with its sequence number. */
function eventsWire(events: readonly StoredEvent[]) {
  return {
    Events: events.map(({ seq, event }) => ({
      seq,
      type: event.type,
      data: event.data,
      metadata: event.metadata,
    })),
  };
}

/**
 * The Cloud Backup v1.0 routes. Registration order matters: each path's
 * wrong-method answer comes right after its methods, so that
 * `GET .../restore/action-requested` is a 405 rather than a read of a
 * restore with the id "action-requested".
 */
export function v1Routes({ service, authenticate, respond, bodyLimit }: V1RouteOptions) {
  const app = new Hono<RestoreAppEnv>();

  const actionPath = "/v1.0/:tenantId/restore/action-requested";
  app.post(actionPath, authenticate, (c) =>
    respond.result(
      c,
      jsonBodyOf(c, JSON_ONLY, bodyLimit, parseActionRequest).andThen((request) =>
        service.requestAction(contextOf(c, "tenantId"), request),
      ),
      noContent,
    ),
  );
  app.all(actionPath, methodsOnly(["POST"], respond));

  const restoresPath = "/v1.0/:tenantId/restore";
  app.put(restoresPath, authenticate, (c) =>
    respond.result(
      c,
      jsonBodyOf(c, JSON_ONLY, bodyLimit, parseCreateRestore).andThen((input) =>
        service.createRestore(contextOf(c, "tenantId"), input),
      ),
      (restore) => v1Json(toRestoreDetails(restore)),
    ),
  );
  app.post(restoresPath, authenticate, (c) =>
    respond.result(
      c,
      jsonBodyOf(c, JSON_ONLY, bodyLimit, parseUpdateRestore).andThen((input) =>
        service.updateRestore(contextOf(c, "tenantId"), input),
      ),
      noContent,
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
    const issues: Issue[] = [];
    const afterSeq = countQuery(c, "after", issues);
    const limit = countQuery(c, "limit", issues);
    return respond.result(
      c,
      issuesResult(issues, { afterSeq, limit })
        .andThen((page) => restoreIdOf(c, "restoreId").map((id) => ({ id, page })))
        .asyncAndThen(({ id, page }) =>
          service.listEvents(contextOf(c, "tenantId"), id, {
            ...(page.afterSeq === undefined ? {} : { afterSeq: page.afterSeq }),
            ...(page.limit === undefined ? {} : { limit: page.limit }),
          }),
        ),
      (events) => v1Json(eventsWire(events)),
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
      (restore) => v1Json(toRestoreDetails(restore)),
    ),
  );
  app.all(restorePath, methodsOnly(["GET"], respond));

  return app;
}
