import { RESTORE_EVENT_TYPES } from "@restorekit/core";
import { z } from "zod";

const actorSchema = z.union([
  z.strictObject({ type: z.literal("user"), id: z.string() }),
  z.strictObject({ type: z.literal("agent"), id: z.number().int().min(1) }),
  z.strictObject({ type: z.literal("system"), id: z.string() }),
]);

/** One entry of a restore's event log as the events route shows it. */
export const storedEventSchema = z.strictObject({
  seq: z.number().int().min(1).describe("The event's number in its restore's log, from 1."),
  type: z.enum(RESTORE_EVENT_TYPES),
  data: z.record(z.string(), z.unknown()).describe("What changed; its fields depend on `type`."),
  metadata: z.strictObject({
    actor: actorSchema.describe("Who caused the event: identifiers only."),
    at: z.iso.datetime().describe("When the change was made."),
    requestId: z.string().describe("The X-Request-Id of the request that made it."),
  }),
});

/**
 * The body of `GET /v1.0/{tenant_id}/restore/{restoreId}/events`:
 * `{"Events": [...]}`, oldest first.
 *
 * @example
 * ```ts
 * restoreEventsSchema.parse(await response.json()).Events[0]?.type; // "RestoreCreated"
 * ```
 */
export const restoreEventsSchema = z.strictObject({ Events: z.array(storedEventSchema) });
