import { RESTORE_EVENT_TYPES } from "@restorekit/core";
import { z } from "zod";

const actorSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("user"), id: z.string() }),
  z.object({ type: z.literal("agent"), id: z.number() }),
  z.object({ type: z.literal("system"), id: z.string() }),
]);

/** One entry of a restore's event log, as `GET .../restore/{id}/events` shows it. */
export const restoreEventSchema = z.object({
  seq: z.number().int().min(1),
  type: z.enum(RESTORE_EVENT_TYPES),
  data: z.record(z.string(), z.unknown()),
  metadata: z.object({ actor: actorSchema, at: z.string(), requestId: z.string() }),
});

/** The body of one page of the event log: `{"Events": [...]}`. */
export const restoreEventsSchema = z.object({ Events: z.array(restoreEventSchema) });

export type RestoreEventWire = z.output<typeof restoreEventSchema>;

/** One page of a restore's event log, and where the next one is. */
export interface EventsPage {
  readonly events: readonly RestoreEventWire[];
  /** The absolute URL of the next page, from the `Link rel="next"` header; `null` on the last. */
  readonly next: string | null;
}

/**
 * The target of a `Link` header's `rel="next"`, resolved against the URL of
 * the page it came on; `null` when there is none.
 *
 * @example
 * ```ts
 * nextLink('</v1.0/1/restore/2/events?marker=100>; rel="next"', "http://h/v1.0/1/restore/2/events");
 * // "http://h/v1.0/1/restore/2/events?marker=100"
 * ```
 */
export function nextLink(header: string | null, base: string): string | null {
  if (header === null) return null;
  for (const link of header.split(/,(?=\s*<)/)) {
    const match = /^\s*<([^>]*)>(.*)$/s.exec(link);
    if (match === null) continue;
    const rels = /;\s*rel\s*=\s*(?:"([^"]*)"|([^\s;,]+))/i.exec(match[2] ?? "");
    const names = (rels?.[1] ?? rels?.[2] ?? "").toLowerCase().split(/\s+/);
    if (names.includes("next"))
      return URL.canParse(match[1] ?? "", base) ? new URL(match[1] ?? "", base).href : null;
  }
  return null;
}
