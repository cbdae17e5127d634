import {
  type Deadlines,
  type DueRestores,
  deadlineOf,
  heartbeatRefreshMs,
  RestoreErrors,
  type RestoreStateName,
  stateId,
} from "@restorekit/core";
import { err, ok, okAsync } from "neverthrow";
import { sqlQuery } from "./postgres-repository.js";
import { quoted, schemaOrThrow } from "./schema-name.js";
import type { SqlClient } from "./sql-client.js";
import { statementName } from "./statement-name.js";
import { type OnStorageError, reporterFor } from "./storage-failure.js";

export interface PostgresDueRestoresOptions {
  /** The schema `migrate` created; default `restorekit`. */
  readonly schema?: string;
  /** Told of every failure, with the driver's error as `cause`. */
  readonly onError?: OnStorageError;
}

const PICKUP: readonly RestoreStateName[] = ["StartRequested"];
const HEARTBEAT: readonly RestoreStateName[] = ["Queued", "Preparing", "InProgress"];
const STOP: readonly RestoreStateName[] = ["StopRequested"];

/** Literal state ids (core's constants, not values), so the planner can match the partial index. */
function ids(states: readonly RestoreStateName[]): string {
  return states.map(stateId).join(", ");
}

/** The instant before which a restore in a state with this deadline is due. */
function cutoff(now: string, deadlineMs: number): string {
  return new Date(Date.parse(now) - deadlineMs - heartbeatRefreshMs(deadlineMs)).toISOString();
}

function deadlineFor(states: readonly RestoreStateName[], deadlines: Deadlines): number {
  // Each group shares one deadline; the first state names it.
  return deadlineOf(states[0] as RestoreStateName, deadlines) as number;
}

/**
 * Core's `DueRestores` on Postgres: the restores, across tenants, whose
 * agent has been silent past their state's deadline, found through the
 * partial index `restores_waiting_on_agent` (state, last change) that
 * migration 0002 creates: one index range per deadline, whatever the number
 * of restores that have finished.
 *
 * @example
 * ```ts
 * const sweeper = createSweeper({ service, due: postgresDueRestores(client), clock });
 * ```
 */
export function postgresDueRestores(
  client: SqlClient,
  options: PostgresDueRestoresOptions = {},
): DueRestores {
  const s = quoted(schemaOrThrow(options.schema));
  const report = reporterFor(options.onError);
  const query = sqlQuery(client, report);
  const text = `SELECT tenant_id, restore_id FROM ${s}.restores
WHERE (state_id IN (${ids(PICKUP)}) AND updated_at < $1::timestamptz)
   OR (state_id IN (${ids(HEARTBEAT)}) AND updated_at < $2::timestamptz)
   OR (state_id IN (${ids(STOP)}) AND updated_at < $3::timestamptz)
ORDER BY updated_at
LIMIT $4::integer`;
  const statement = { name: statementName("find_due", text), text };

  return {
    findDue({ now, deadlines, limit }) {
      const at = Date.parse(now);
      const count = Math.min(Math.max(0, Math.floor(limit)) || 0, 2 ** 31 - 1);
      if (!Number.isFinite(at) || count === 0) return okAsync([]);
      return query(
        "findDueRestores",
        {
          ...statement,
          values: [
            cutoff(now, deadlineFor(PICKUP, deadlines)),
            cutoff(now, deadlineFor(HEARTBEAT, deadlines)),
            cutoff(now, deadlineFor(STOP, deadlines)),
            count,
          ],
        },
        ({ rows }) => {
          const found = rows.map((row) => ({
            tenantId: String(row.tenant_id),
            restoreId: Number(row.restore_id),
          }));
          return found.every((row) => Number.isSafeInteger(row.restoreId) && row.restoreId > 0)
            ? ok(found)
            : err(
                report(
                  "findDueRestores",
                  RestoreErrors.internal(),
                  new Error("restores held a restore_id that is not a positive safe integer"),
                ),
              );
        },
      );
    },
  };
}
