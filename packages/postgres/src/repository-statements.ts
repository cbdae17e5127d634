import { stateId } from "@restorekit/core";
import { EVENT_COLUMNS } from "./event-row.js";
import { RESTORE_COLUMNS, RESTORE_PARAMETERS } from "./restore-row.js";
import { quoted, type SchemaName } from "./schema-name.js";
import { statementName } from "./statement-name.js";

/** A statement's name and text, built once per schema; the values come per call. */
export interface PreparedText {
  readonly name: string;
  readonly text: string;
}

export interface RepositoryStatements {
  readonly load: PreparedText;
  readonly append: PreparedText;
  readonly readEvents: PreparedText;
  readonly readSealedPassword: PreparedText;
  readonly pending: PreparedText;
  readonly nextRestoreId: PreparedText;
}

/**
 * The repository's SQL for one schema. The schema is the only thing spliced
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
  const columns = RESTORE_PARAMETERS.map(([column]) => column).join(", ");
  const parameters = RESTORE_PARAMETERS.map(([, parameter]) => parameter).join(", ");
  const assignments = RESTORE_PARAMETERS.filter(
    ([column]) => column !== "tenant_id" && column !== "restore_id",
  )
    .map(([column, parameter]) => `${column} = ${parameter}`)
    .join(", ");

  // One round trip for the whole write. $1..$27 are the new row (restoreValues),
  // $28 the expected version, $29 the sealed password, $30 the events and $31
  // the notifications as JSON. The version check and the insert-if-absent
  // decide whether the row changed; the events and notifications follow only
  // if it did. NOTIFY is delivered at commit, so a request is never heard of
  // before its change is visible.
  //
  // `before` is the row as the statement's snapshot saw it, for the state the
  // first event leaves. When the update succeeds it is the version the caller
  // read: a writer that committed after the snapshot moved the version past
  // what the caller could have read, so the version check fails instead.
  // (Cheaper than SELECT ... FOR UPDATE, which writes a lock to the row.)
  const append = `
WITH updated AS (
  UPDATE ${s}.restores AS r
  SET ${assignments},
    sealed_password = CASE WHEN $20::boolean THEN coalesce($29::bytea, r.sealed_password) END
  FROM ${s}.restores AS before
  WHERE r.tenant_id = $1::text AND r.restore_id = $2::bigint AND r.version = $28::integer
    AND $28::integer > 0
    AND before.tenant_id = r.tenant_id AND before.restore_id = r.restore_id
  RETURNING before.state_id AS from_state_id
),
inserted AS (
  INSERT INTO ${s}.restores (${columns}, sealed_password)
  SELECT ${parameters}, CASE WHEN $20::boolean THEN $29::bytea END
  WHERE $28::integer = 0
  ON CONFLICT (tenant_id, restore_id) DO NOTHING
  RETURNING NULL::smallint AS from_state_id
),
changed AS (
  SELECT from_state_id FROM updated
  UNION ALL
  SELECT from_state_id FROM inserted
),
appended AS (
  INSERT INTO ${s}.restore_events
    (tenant_id, restore_id, seq, type, from_state_id, to_state_id,
     actor_type, actor_id, at, request_id, data)
  SELECT $1::text, $2::bigint, $28::integer + e.n::integer, e.doc->>'type',
    coalesce((e.doc->>'from')::smallint, c.from_state_id),
    coalesce((e.doc->>'to')::smallint, c.from_state_id),
    e.doc->>'actorType', e.doc->>'actorId', (e.doc->>'at')::timestamptz,
    e.doc->>'requestId', e.doc->'data'
  FROM changed AS c
  CROSS JOIN json_array_elements($30::text::json) WITH ORDINALITY AS e(doc, n)
  RETURNING seq
),
notified AS (
  SELECT pg_notify(n->>'channel', n->>'payload')
  FROM changed CROSS JOIN json_array_elements($31::text::json) AS n
)
SELECT (SELECT count(*) FROM changed)::integer AS changed,
  (SELECT count(*) FROM appended)::integer AS appended,
  (SELECT count(*) FROM notified)::integer AS notified`;

  // Literal state ids (core's constants, not values), so the planner can use the partial index.
  const waiting = `${stateId("StartRequested")}, ${stateId("StopRequested")}`;

  return {
    load: named("load", `SELECT ${RESTORE_COLUMNS} FROM ${s}.restores WHERE ${byKey}`),
    append: named("append", append),
    readEvents: named(
      "read_events",
      `SELECT ${EVENT_COLUMNS} FROM ${s}.restore_events
       WHERE ${byKey} AND seq > $3::integer
       ORDER BY seq LIMIT $4::integer`,
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
