import type { AppendRequest } from "@restorekit/core";
import { stateId } from "@restorekit/core";
import { answerValues } from "./append-statement.js";
import { eventsDocument } from "./event-row.js";
import { RESTORE_PARAMETERS, restoreValues } from "./restore-row.js";
import { quoted, type SchemaName } from "./schema-name.js";
import type { SqlStatement } from "./sql-client.js";
import { statementName } from "./statement-name.js";

/** The argument types of `append_restore` (migration 0004), as `regprocedure` spells them. */
export const APPEND_FUNCTION_ARGUMENTS = "text,bigint,integer,json,json,bytea,json,text,text";

/**
 * The append as a call of the schema's `append_restore` function: the way
 * to reach Citus in one round trip, since a call distributed by its first
 * argument (the tenant) runs whole on the node holding that tenant's shard,
 * while the one-statement append's CTEs are split there into steps. The
 * call's text never changes, so it is prepared once per connection. It
 * answers one column, `changed`: false when the restore exists already (a
 * create) or is at another version (an update), and then nothing was
 * written.
 */
export function appendCalls(schema: SchemaName): (request: AppendRequest) => SqlStatement {
  const text = `SELECT ${quoted(schema)}.append_restore($1::text, $2::bigint, $3::integer,
  $4::text::json, $5::text::json, $6::bytea, $7::text::json, $8::text, $9::text) AS changed`;
  const name = statementName("append_call", text);
  return (request) => {
    const { restore, previous, events, expectedVersion } = request;
    const [response = null, principal = null, key = null] = answerValues(request);
    return {
      name,
      text,
      values: [
        restore.tenantId,
        restore.restoreId,
        expectedVersion,
        rowDocument(request),
        eventsDocument(events, previous === null ? null : stateId(previous.state)),
        restore.passwordSealed ? (request.sealedPassword ?? null) : null,
        response,
        principal,
        key,
      ],
    };
  };
}

/** The new row as one JSON object keyed by column name, which the function unpacks into its columns. */
function rowDocument({ restore }: AppendRequest): string {
  const values = restoreValues(restore);
  const row: Record<string, unknown> = {};
  RESTORE_PARAMETERS.forEach(([column], i) => {
    row[column] = values[i];
  });
  // As JSON, not the JSON text the statement's parameter carries.
  row.errors = restore.progress.errors;
  return JSON.stringify(row);
}
