import { stateId } from "@restorekit/core";
import { EVENT_COLUMNS } from "./event-row.js";
import { RESTORE_COLUMNS } from "./restore-row.js";
import { quoted, type SchemaName } from "./schema-name.js";
import { statementName } from "./statement-name.js";

/** A statement's name and text, built once per schema; the values come per call. */
export interface PreparedText {
  readonly name: string;
  readonly text: string;
}

export interface RepositoryStatements {
  readonly load: PreparedText;
  readonly readEvents: PreparedText;
  readonly readEventsNewestFirst: PreparedText;
  readonly readSealedPassword: PreparedText;
  readonly pending: PreparedText;
  readonly nextRestoreId: PreparedText;
}

/**
 * The repository's SQL for one schema, but for the append, whose text
 * follows what it writes (`appendStatements`). The schema is the only thing spliced
 * into the text (validated and quoted); every value is a parameter. Names
 * follow from the text (`statementName`), since a prepared name is bound to
 * one text per connection.
 */
export function repositoryStatements(schema: SchemaName): RepositoryStatements {
  const s = quoted(schema);
  const named = (kind: string, text: string): PreparedText => ({
    name: statementName(kind, text),
    text,
  });
  const byKey = "tenant_id = $1::text AND restore_id = $2::bigint";

  // Literal state ids (core's constants, not values), so the planner can use the partial index.
  const waiting = `${stateId("StartRequested")}, ${stateId("StopRequested")}`;

  return {
    // A restore comes back as one JSON column: the driver then describes one field per call
    // instead of 27, which halved the client's CPU per load.
    load: named(
      "load",
      `SELECT to_json(r) AS restore FROM (SELECT ${RESTORE_COLUMNS} FROM ${s}.restores WHERE ${byKey}) AS r`,
    ),
    // No upper bound is 2^31, past every integer seq; a bigint bound still uses the key's index.
    readEvents: named(
      "read_events",
      `SELECT ${EVENT_COLUMNS} FROM ${s}.restore_events
       WHERE ${byKey} AND seq > $3::integer AND seq < coalesce($5::bigint, 2147483648)
       ORDER BY seq LIMIT $4::integer`,
    ),
    readEventsNewestFirst: named(
      "read_events_desc",
      `SELECT ${EVENT_COLUMNS} FROM ${s}.restore_events
       WHERE ${byKey} AND seq > $3::integer AND seq < coalesce($5::bigint, 2147483648)
       ORDER BY seq DESC LIMIT $4::integer`,
    ),
    readSealedPassword: named(
      "read_sealed_password",
      `SELECT sealed_password FROM ${s}.restores WHERE ${byKey}`,
    ),
    pending: named(
      "pending",
      `SELECT ${RESTORE_COLUMNS} FROM ${s}.restores
       WHERE tenant_id = $1::text AND destination_machine_id = $2::bigint
         AND state_id IN (${waiting})
       ORDER BY restore_id`,
    ),
    nextRestoreId: named("next_restore_id", `SELECT nextval('${s}.restore_ids') AS id`),
  };
}
