import {
  type ClaimOutcome,
  type IdempotencyKeys,
  isStoredResponse,
  type RestoreError,
  RestoreErrors,
} from "@restorekit/core";
import { err, ok, type Result, ResultAsync } from "neverthrow";
import { jsonValue } from "./json-column.js";
import { sqlQuery } from "./postgres-repository.js";
import type { PreparedText } from "./repository-statements.js";
import { quoted, schemaOrThrow } from "./schema-name.js";
import type { SqlClient, SqlRows } from "./sql-client.js";
import { statementName } from "./statement-name.js";
import { type OnStorageError, reporterFor } from "./storage-failure.js";

export interface PostgresIdempotencyKeysOptions {
  /** The schema `migrate` created; default `restorekit`. */
  readonly schema?: string;
  /** Told of every failed call, with the driver's error as `cause` (see `postgresRepository`). */
  readonly onError?: OnStorageError;
}

/**
 * A claim that found the key taken reads it to say why; when the row moved
 * on in between (released, purged, its claim lapsed), the claim is tried
 * again, this many times in all, before answering `in_use`.
 */
const CLAIM_ATTEMPTS = 3;

/**
 * Core's `IdempotencyKeys` in the `idempotency_keys` table (migration 0003)
 * of the schema `migrate` prepared; `postgresRepository` on the same schema
 * writes a change's response into the claimed row in the statement that
 * appends the change.
 *
 * - `claim` is one `INSERT ... ON CONFLICT DO UPDATE` that takes the key
 *   when it is new, past `expires_at`, or held by a lapsed claim of the same
 *   request; Postgres lets one of two racing claims take it. When it is not
 *   taken, one read says whether to replay, refuse as in use, or refuse as
 *   reused.
 * - `complete` and `release` touch only a row still unanswered, so the
 *   first response stays.
 * - `purgeExpired` deletes the oldest keys past their retention, at most
 *   `limit` per call. A purge running at the same time may wait for this
 *   one's statement and then find those keys gone: it deletes fewer.
 *
 * @throws RangeError at construction when `schema` is not a valid schema name.
 * @example
 * ```ts
 * const keys = postgresIdempotencyKeys(client, { schema: "restorekit" });
 * const purged = await keys.purgeExpired(new Date(), 1000); // ok(number of keys deleted)
 * ```
 */
export function postgresIdempotencyKeys(
  client: SqlClient,
  options: PostgresIdempotencyKeysOptions = {},
): IdempotencyKeys {
  const table = `${quoted(schemaOrThrow(options.schema))}.idempotency_keys`;
  const report = reporterFor(options.onError);
  const query = sqlQuery(client, report);
  const named = (kind: string, text: string): PreparedText => ({
    name: statementName(kind, text),
    text,
  });
  const byKey = "tenant_id = $1::text AND principal = $2::text AND key = $3::text";
  const statements = {
    // $5 is now: a row past expires_at, or unanswered with a lapsed claim of the same request,
    // is taken again as if new.
    claim: named(
      "idem_claim",
      `INSERT INTO ${table} AS k
         (tenant_id, principal, key, fingerprint, response, locked_until, created_at, expires_at)
       VALUES ($1::text, $2::text, $3::text, $4::text, NULL, $6::timestamptz, $5::timestamptz,
         $7::timestamptz)
       ON CONFLICT (tenant_id, principal, key) DO UPDATE
         SET fingerprint = EXCLUDED.fingerprint, response = NULL,
           locked_until = EXCLUDED.locked_until, created_at = EXCLUDED.created_at,
           expires_at = EXCLUDED.expires_at
         WHERE k.expires_at <= EXCLUDED.created_at
           OR (k.response IS NULL AND k.fingerprint = EXCLUDED.fingerprint
             AND k.locked_until <= EXCLUDED.created_at)
       RETURNING 1`,
    ),
    read: named(
      "idem_read",
      `SELECT fingerprint, response, locked_until, expires_at FROM ${table} WHERE ${byKey}`,
    ),
    complete: named(
      "idem_complete",
      `UPDATE ${table} SET response = $4::text::json, locked_until = NULL
       WHERE ${byKey} AND response IS NULL`,
    ),
    release: named("idem_release", `DELETE FROM ${table} WHERE ${byKey} AND response IS NULL`),
    // No FOR UPDATE SKIP LOCKED: Citus refuses it in a query across shards, which a purge of
    // every tenant's keys is, and without it a concurrent purge only waits, then deletes fewer.
    purge: named(
      "idem_purge",
      `DELETE FROM ${table} WHERE (tenant_id, principal, key) IN (
         SELECT tenant_id, principal, key FROM ${table}
         WHERE expires_at <= $1::timestamptz
         ORDER BY expires_at LIMIT $2::integer)`,
    ),
  };

  const unreadable = (error: RestoreError) =>
    report("claimIdempotencyKey", error, new Error("a row of idempotency_keys could not be read"));

  /** Why a key that could not be taken was not: null when it may be taken now. */
  function outcomeOf(
    rows: SqlRows,
    fingerprint: string,
    now: Date,
  ): Result<ClaimOutcome | null, RestoreError> {
    const row = rows.rows[0];
    if (row === undefined) return ok(null);
    const expiresAt = dateOf(row.expires_at);
    if (expiresAt === null) return err(unreadable(RestoreErrors.internal()));
    if (expiresAt <= now.getTime()) return ok(null);
    if (row.fingerprint !== fingerprint) return ok({ kind: "reused" });
    if (row.response !== null && row.response !== undefined) {
      const response = jsonValue(row.response);
      return isStoredResponse(response)
        ? ok({ kind: "replay", response })
        : err(unreadable(RestoreErrors.internal()));
    }
    const lockedUntil = dateOf(row.locked_until);
    return lockedUntil !== null && lockedUntil > now.getTime() ? ok({ kind: "in_use" }) : ok(null);
  }

  return {
    claim({ scope, key, fingerprint, now, lockMs, keepMs }) {
      const at = now.getTime();
      const claimValues = [
        scope.tenantId,
        scope.principal,
        key,
        fingerprint,
        now.toISOString(),
        new Date(at + lockMs).toISOString(),
        new Date(at + keepMs).toISOString(),
      ];
      const keyValues = [scope.tenantId, scope.principal, key];
      // Native async rather than a chain: the loop needs the previous answer.
      async function attempt(): Promise<Result<ClaimOutcome, RestoreError>> {
        for (let i = 0; i < CLAIM_ATTEMPTS; i += 1) {
          const claimed = await query("claimIdempotencyKey", {
            ...statements.claim,
            values: claimValues,
          });
          if (claimed.isErr()) return err(claimed.error);
          if (claimed.value.rows.length === 1) return ok({ kind: "claimed" });
          const found = await query(
            "claimIdempotencyKey",
            { ...statements.read, values: keyValues },
            (rows) => outcomeOf(rows, fingerprint, now),
          );
          if (found.isErr()) return err(found.error);
          if (found.value !== null) return ok(found.value);
        }
        return ok({ kind: "in_use" });
      }
      return new ResultAsync(attempt());
    },

    complete(scope, key, response) {
      return query("completeIdempotencyKey", {
        ...statements.complete,
        values: [scope.tenantId, scope.principal, key, JSON.stringify(response)],
      }).map(() => undefined);
    },

    release(scope, key) {
      return query("releaseIdempotencyKey", {
        ...statements.release,
        values: [scope.tenantId, scope.principal, key],
      }).map(() => undefined);
    },

    purgeExpired(now, limit) {
      const count = Math.min(Math.max(0, Math.floor(limit)) || 0, 2 ** 31 - 1);
      return query("purgeIdempotencyKeys", {
        ...statements.purge,
        values: [now.toISOString(), count],
      }).map(({ rowCount }) => rowCount);
    },
  };
}

/** A timestamptz as the drivers hand it over (a Date), or as text from a client that does not. */
function dateOf(value: unknown): number | null {
  const time =
    value instanceof Date ? value.getTime() : typeof value === "string" ? Date.parse(value) : NaN;
  return Number.isFinite(time) ? time : null;
}
