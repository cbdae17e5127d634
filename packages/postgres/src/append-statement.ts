import type { AppendRequest } from "@restorekit/core";
import { stateId } from "@restorekit/core";
import { type EventRow, eventRows, eventsDocument } from "./event-row.js";
import type { PreparedText } from "./repository-statements.js";
import { RESTORE_COLUMNS, RESTORE_PARAMETERS, restoreValues } from "./restore-row.js";
import { quoted, type SchemaName } from "./schema-name.js";
import type { SqlStatement } from "./sql-client.js";
import { statementName } from "./statement-name.js";

/** What happens to `sealed_password` in an update: nothing, the new value, or erased. */
type SealedChange = "keep" | "set" | "erase";

/** The 0-based indexes of `RESTORE_PARAMETERS` that are the key, never rewritten. */
const KEY_COLUMNS = 2;
const VERSION_COLUMN = 3;

/**
 * The append as one statement, shaped by what the change touches. A create
 * inserts the whole row; an update writes only the columns whose values
 * differ from `previous`, which the version check proves is the stored row,
 * so nothing needs reading back. Both insert the events in the same
 * statement, and the row, events and sealed password commit together or not
 * at all. The texts are built once per shape (a handful per command kind)
 * and prepared under names derived from them.
 *
 * An update that finds another version answers with the row as its snapshot
 * saw it (as one JSON column, so a success carries three columns, not 30),
 * so the caller can decide again without a separate read. No
 * notification is sent from here: a notifying transaction takes a lock that
 * serialises the commits of every notifying transaction, so agents are told
 * after the commit (see `agentNotifier`).
 *
 * Parameters: $1 tenant, $2 restore id, $3 expected version, then the
 * event's eight fields ($4-$11) or, for several events, all of them as one
 * JSON array ($4), then the written columns in `RESTORE_PARAMETERS` order,
 * the sealed password, and, for a change made under an `Idempotency-Key`,
 * the response, principal and key, which the statement writes into the
 * claimed key's row only when the restore's row changed.
 */
export function appendStatements(schema: SchemaName): (request: AppendRequest) => SqlStatement {
  const s = quoted(schema);
  const texts = new Map<string, PreparedText>();

  // One event (nearly every change) goes in as parameters; several as a JSON array.
  const eventsInsert = (source: string, single: boolean) => `
appended AS (
  INSERT INTO ${s}.restore_events
    (tenant_id, restore_id, seq, type, from_state_id, to_state_id,
     actor_type, actor_id, at, request_id, data)
  ${
    single
      ? `SELECT $1::text, $2::bigint, $3::integer + 1, $4::text, $5::smallint, $6::smallint,
    $7::text, $8::text, $9::timestamptz, $10::text, $11::text::json
  FROM ${source}`
      : `SELECT $1::text, $2::bigint, $3::integer + e.n::integer, e.doc->>'type',
    (e.doc->>'from')::smallint, (e.doc->>'to')::smallint,
    e.doc->>'actorType', e.doc->>'actorId', (e.doc->>'at')::timestamptz,
    e.doc->>'requestId', e.doc->'data'
  FROM ${source} CROSS JOIN json_array_elements($4::text::json) WITH ORDINALITY AS e(doc, n)`
  }
  RETURNING seq
)`;

  // The claimed key's response, from parameters $n (response), $n+1 (principal), $n+2 (key):
  // joined to the restore's change, so it is written only when that is.
  const answer = (source: string, n: number) => `,
answered AS (
  UPDATE ${s}.idempotency_keys SET response = $${n}::text::json, locked_until = NULL
  FROM ${source}
  WHERE tenant_id = $1::text AND principal = $${n + 1}::text AND key = $${n + 2}::text
    AND response IS NULL
  RETURNING 1
)`;

  function createText(single: boolean, answered: boolean): PreparedText {
    const first = firstColumnParameter(single);
    const columns = RESTORE_PARAMETERS.map(([column]) => column).join(", ");
    const parameters = RESTORE_PARAMETERS.map(([, parameter], i) => retyped(parameter, first + i));
    const sealed = `$${first + RESTORE_PARAMETERS.length}::bytea`;
    const answering = answered ? answer("inserted", first + RESTORE_PARAMETERS.length + 1) : "";
    const text = `
WITH inserted AS (
  INSERT INTO ${s}.restores (${columns}, sealed_password)
  VALUES (${parameters.join(", ")}, ${sealed})
  ON CONFLICT (tenant_id, restore_id) DO NOTHING
  RETURNING 1
),${eventsInsert("inserted", single)}${answering}
SELECT (SELECT count(*) FROM inserted)::integer AS changed,
  (SELECT count(*) FROM appended)::integer AS appended`;
    return { name: statementName("create", text), text };
  }

  function updateText(
    written: readonly number[],
    sealed: SealedChange,
    single: boolean,
    answered: boolean,
  ): PreparedText {
    const first = firstColumnParameter(single);
    const assignments = written.map((index, i) => {
      const [column, parameter] = RESTORE_PARAMETERS[index] as readonly [string, string];
      return `${column} = ${retyped(parameter, first + i)}`;
    });
    if (sealed === "set") assignments.push(`sealed_password = $${first + written.length}::bytea`);
    if (sealed === "erase") assignments.push("sealed_password = NULL");
    const next = first + written.length + (sealed === "set" ? 1 : 0);
    const answering = answered ? answer("updated", next) : "";
    const text = `
WITH updated AS (
  UPDATE ${s}.restores SET ${assignments.join(", ")}
  WHERE tenant_id = $1::text AND restore_id = $2::bigint AND version = $3::integer
  RETURNING 1
),${eventsInsert("updated", single)}${answering}
SELECT (SELECT count(*) FROM updated)::integer AS changed,
  (SELECT count(*) FROM appended)::integer AS appended,
  (SELECT to_json(found) FROM (
    SELECT ${RESTORE_COLUMNS} FROM ${s}.restores
    WHERE tenant_id = $1::text AND restore_id = $2::bigint
      AND NOT EXISTS (SELECT 1 FROM updated)
  ) AS found) AS found`;
    return { name: statementName("update", text), text };
  }

  function cached(key: string, build: () => PreparedText): PreparedText {
    let prepared = texts.get(key);
    if (prepared === undefined) {
      prepared = build();
      texts.set(key, prepared);
    }
    return prepared;
  }

  return (request) => {
    const { restore, previous, events, expectedVersion } = request;
    const values = restoreValues(restore);
    const sealedPassword = request.sealedPassword ?? null;
    const fromStateId = previous === null ? null : stateId(previous.state);
    const single = events.length === 1;
    const head = [
      restore.tenantId,
      restore.restoreId,
      expectedVersion,
      ...eventValues(events, fromStateId),
    ];
    const answered = request.idempotency !== undefined;
    const shape = `${single ? "one" : "many"}${answered ? "/answered" : ""}`;
    const answerParameters = answerValues(request);
    if (previous === null) {
      const { name, text } = cached(`create/${shape}`, () => createText(single, answered));
      return {
        name,
        text,
        values: [
          ...head,
          ...values,
          restore.passwordSealed ? sealedPassword : null,
          ...answerParameters,
        ],
      };
    }
    const before = restoreValues(previous);
    const written: number[] = [];
    for (let i = KEY_COLUMNS; i < values.length; i += 1) {
      if (i === VERSION_COLUMN || values[i] !== before[i]) written.push(i);
    }
    const sealed: SealedChange = !restore.passwordSealed
      ? previous.passwordSealed
        ? "erase"
        : "keep"
      : sealedPassword !== null
        ? "set"
        : "keep";
    const { name, text } = cached(`${written.join(",")}/${sealed}/${shape}`, () =>
      updateText(written, sealed, single, answered),
    );
    const parameters = [...head, ...written.map((i) => values[i])];
    if (sealed === "set") parameters.push(sealedPassword);
    parameters.push(...answerParameters);
    return { name, text, values: parameters };
  };
}

/** The claimed key's response, principal and key, last; nothing without a key. */
export function answerValues({ idempotency }: AppendRequest): unknown[] {
  if (idempotency === undefined) return [];
  return [JSON.stringify(idempotency.response), idempotency.scope.principal, idempotency.key];
}

/** The parameters after the key and version: one event's fields, or all events as JSON. */
function eventValues(events: AppendRequest["events"], fromStateId: number | null): unknown[] {
  if (events.length !== 1) return [eventsDocument(events, fromStateId)];
  const [row] = eventRows(events, fromStateId) as [EventRow];
  return [
    row.type,
    row.from,
    row.to,
    row.actorType,
    row.actorId,
    row.at,
    row.requestId,
    JSON.stringify(row.data),
  ];
}

/** The first parameter after $1 tenant, $2 restore id, $3 version and the events' ones. */
function firstColumnParameter(single: boolean): number {
  return single ? 12 : 5;
}

/** `$7::bigint` renumbered to `$n::bigint`, keeping the cast. */
function retyped(parameter: string, n: number): string {
  return parameter.replace(/^\$\d+/, `$${n}`);
}
