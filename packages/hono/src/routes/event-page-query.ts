import { type Issue, LIMITS } from "@restorekit/core";
import type { Context } from "hono";
import type { RestoreAppEnv } from "../http/app-env.js";
import { countQuery } from "./route-inputs.js";

// The events route's paging, as the v2 API pages its lists: marker, limit, sort_dir, and a Link
// to the next page.

/** Events a page holds when the client names no limit; `LIMITS.eventsPerPage` is the most. */
export const EVENTS_PAGE_DEFAULT = 100;

export interface EventsQuery {
  /** The last `seq` the client has, in the page's order: the next page starts past it. */
  readonly marker: number | undefined;
  readonly limit: number;
  readonly order: "asc" | "desc";
}

/**
 * `marker` (or `after`, its earlier name, for oldest first), `limit` and
 * `sort_dir` as the v2 API pages its lists.
 */
export function eventPageOf(c: Context<RestoreAppEnv>, issues: Issue[]): EventsQuery {
  const marker = countQuery(c, "marker", issues);
  const after = countQuery(c, "after", issues);
  const limit = countQuery(c, "limit", issues);
  const sortDir = c.req.query("sort_dir") ?? "asc";
  if (sortDir !== "asc" && sortDir !== "desc") {
    issues.push({ path: "sort_dir", message: "sort_dir must be asc or desc" });
  }
  const order = sortDir === "desc" ? "desc" : "asc";
  if (after !== undefined && (marker !== undefined || order === "desc")) {
    issues.push({
      path: "after",
      message: "after is marker's earlier name for oldest first: send marker alone",
    });
  }
  return {
    marker: marker ?? after,
    limit: Math.min(limit ?? EVENTS_PAGE_DEFAULT, LIMITS.eventsPerPage),
    order,
  };
}

/** The `Link` header to the page after one ending at `seq`. */
export function nextPageLink(url: string, seq: number, query: EventsQuery): string {
  const next = new URL(url);
  next.searchParams.delete("after");
  next.searchParams.set("marker", String(seq));
  next.searchParams.set("limit", String(query.limit));
  next.searchParams.set("sort_dir", query.order);
  return `<${next.pathname}${next.search}>; rel="next"`;
}
