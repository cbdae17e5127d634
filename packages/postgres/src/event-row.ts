import {
  type Actor,
  RESTORE_EVENT_TYPES,
  type RestoreError,
  RestoreErrors,
  type RestoreEvent,
  type RestoreStateName,
  type StoredEvent,
  stateId,
} from "@restorekit/core";
import { err, ok, type Result } from "neverthrow";
import { jsonValue } from "./json-column.js";
import { epochMs, isoOf } from "./restore-row.js";

/** The columns `storedEventOf` reads, in SELECT form. */
export const EVENT_COLUMNS = [
  "seq",
  "type",
  "actor_type",
  "actor_id",
  epochMs("at"),
  "request_id",
  "data",
].join(", ");

/**
 * The state an event leaves the restore in, or `null` for an event that
 * keeps whatever state the restore was in.
 */
function stateAfter(event: RestoreEvent): RestoreStateName | null {
  switch (event.type) {
    case "RestoreCreated":
      return "Creating";
    case "RestoreStartRequested":
      return "StartRequested";
    case "RestoreCancelled":
    case "RestoreStopped":
      return "Stopped";
    case "RestoreStopRequested":
      return "StopRequested";
    case "RestoreProgressed":
    case "RestoreFinished":
    case "RestoreExpired":
      return event.data.state;
    case "RestoreConfigUpdated":
    case "RestoreProgressReported":
    case "RestoreHeartbeatReceived":
      return null;
    default:
      return null;
  }
}

/** One event as the append writes it: `from` and `to` are state ids. */
export interface EventRow {
  readonly type: string;
  readonly from: number | null;
  readonly to: number | null;
  readonly actorType: string;
  readonly actorId: string;
  readonly at: string;
  readonly requestId: string;
  readonly data: unknown;
}

/**
 * The events of one append as rows, `from` and `to` counted on from
 * `fromStateId`, the state of the row the events were decided on (`null`
 * for a create).
 */
export function eventRows(events: readonly RestoreEvent[], fromStateId: number | null): EventRow[] {
  let previous = fromStateId;
  return events.map((event) => {
    const after = stateAfter(event);
    const to = after === null ? previous : stateId(after);
    const row: EventRow = {
      type: event.type,
      from: previous,
      to,
      actorType: event.metadata.actor.type,
      actorId: String(event.metadata.actor.id),
      at: event.metadata.at,
      requestId: event.metadata.requestId,
      data: event.data,
    };
    previous = to;
    return row;
  });
}

/** Several events as the JSON document the append statement unpacks. */
export function eventsDocument(
  events: readonly RestoreEvent[],
  fromStateId: number | null,
): string {
  return JSON.stringify(eventRows(events, fromStateId));
}

type Row = Readonly<Record<string, unknown>>;

/** An event row back to the event that was appended; a row it cannot read is an internal error. */
export function storedEventOf(row: Row): Result<StoredEvent, RestoreError> {
  const type = String(row.type);
  const actor = actorOf(String(row.actor_type), String(row.actor_id));
  const data = jsonValue(row.data);
  const at = isoOf(row.at);
  if (
    !(RESTORE_EVENT_TYPES as readonly string[]).includes(type) ||
    actor === null ||
    at === null ||
    typeof data !== "object" ||
    data === null
  ) {
    return err(RestoreErrors.internal());
  }
  return ok({
    seq: Number(row.seq),
    event: {
      type,
      data,
      metadata: { actor, at, requestId: String(row.request_id) },
    } as RestoreEvent,
  });
}

function actorOf(type: string, id: string): Actor | null {
  switch (type) {
    case "agent":
      return { type, id: Number(id) };
    case "user":
    case "system":
      return { type, id };
    default:
      return null;
  }
}
