import type { IdempotencyScope, StoredResponse } from "@restorekit/core";
import type { SqlClient } from "../../src/index.js";

/** A key's row read with SQL of its own, not through the port: what the key contract checks. */
export async function rawKeyRow(
  client: SqlClient,
  schema: string,
  scope: IdempotencyScope,
  key: string,
): Promise<{ fingerprint: string; response: StoredResponse | null } | null> {
  const { rows } = await client.query({
    text: `SELECT fingerprint, response::text AS response FROM "${schema}".idempotency_keys
           WHERE tenant_id = $1 AND principal = $2 AND key = $3`,
    values: [scope.tenantId, scope.principal, key],
  });
  const row = rows[0];
  if (row === undefined) return null;
  return {
    fingerprint: String(row.fingerprint),
    response: row.response === null ? null : (JSON.parse(String(row.response)) as StoredResponse),
  };
}
