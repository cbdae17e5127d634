import {
  evolve,
  initialState,
  type Restore,
  type RestoreAggregate,
  type RestoreStateName,
  stateId,
} from "@restorekit/core";
import { restoreEvents } from "@restorekit/testing";
import type pg from "pg";
import { restoreValues } from "../src/restore-row.js";

const BATCH = 1_000;

// The columns of the restores table (0001's, then 0002's), with the array type each is sent as.
const RESTORE_COLUMNS: readonly (readonly [string, string])[] = [
  ["tenant_id", "text[]"],
  ["restore_id", "bigint[]"],
  ["state_id", "smallint[]"],
  ["version", "integer[]"],
  ["backup_id", "bigint[]"],
  ["backup_machine_id", "bigint[]"],
  ["destination_machine_id", "bigint[]"],
  ["destination_path", "text[]"],
  ["overwrite_files", "boolean[]"],
  ["backup_configuration_id", "bigint[]"],
  ["backup_configuration_name", "text[]"],
  ["restore_point", "timestamptz[]"],
  ["backup_machine_name", "text[]"],
  ["backup_flavor", "text[]"],
  ["backup_data_center", "text[]"],
  ["destination_machine_name", "text[]"],
  ["is_encrypted", "boolean[]"],
  ["public_key_modulus_hex", "text[]"],
  ["public_key_exponent_hex", "text[]"],
  ["password_sealed", "boolean[]"],
  ["started_time", "timestamptz[]"],
  ["ended_time", "timestamptz[]"],
  ["files_restored", "bigint[]"],
  ["bytes_restored", "bigint[]"],
  ["errors", "text[]::json[]"],
  ["created_at", "timestamptz[]"],
  ["updated_at", "timestamptz[]"],
  ["total_bytes", "bigint[]"],
  ["bytes_remaining", "bigint[]"],
];

const EVENT_COLUMNS: readonly (readonly [string, string])[] = [
  ["tenant_id", "text[]"],
  ["restore_id", "bigint[]"],
  ["seq", "integer[]"],
  ["type", "text[]"],
  ["from_state_id", "smallint[]"],
  ["to_state_id", "smallint[]"],
  ["actor_type", "text[]"],
  ["actor_id", "text[]"],
  ["at", "timestamptz[]"],
  ["request_id", "text[]"],
  ["data", "text[]::json[]"],
];

function stateOf(aggregate: RestoreAggregate): number | null {
  return aggregate.type === "Existing" ? stateId(aggregate.restore.state) : null;
}

/** Column-wise arrays for `unnest`, one array per column. */
function columnsOf(rows: readonly unknown[][], width: number): unknown[][] {
  return Array.from({ length: width }, (_, column) => rows.map((row) => row[column]));
}

function unnestInsert(
  schema: string,
  table: string,
  columns: readonly (readonly [string, string])[],
): string {
  const names = columns.map(([name]) => name).join(", ");
  const arrays = columns.map(([, type], index) => `$${index + 1}::${type}`).join(", ");
  return `INSERT INTO "${schema}".${table} (${names}) SELECT * FROM unnest(${arrays})`;
}

/**
 * Restores 1..count of the default tenant, each taken to `state` the usual
 * way (the testing package's `restoreEvents(...).until(state)`, folded with
 * core's `evolve`), written with their events in multi-row inserts of
 * `BATCH` restores; the id sequence is moved past them. Returns the restores
 * as written, in id order.
 */
export async function seedRestores(
  pool: pg.Pool,
  schema: string,
  count: number,
  state: RestoreStateName,
): Promise<Restore[]> {
  const written: Restore[] = [];
  const insertRestores = unnestInsert(schema, "restores", RESTORE_COLUMNS);
  const insertEvents = unnestInsert(schema, "restore_events", EVENT_COLUMNS);
  for (let first = 1; first <= count; first += BATCH) {
    const restoreRows: unknown[][] = [];
    const eventRows: unknown[][] = [];
    for (let restoreId = first; restoreId < Math.min(first + BATCH, count + 1); restoreId += 1) {
      let aggregate: RestoreAggregate = initialState();
      restoreEvents({ restoreId })
        .until(state)
        .forEach((event, index) => {
          const from = stateOf(aggregate);
          aggregate = evolve(aggregate, event);
          const { actor, at, requestId } = event.metadata;
          eventRows.push([
            aggregate.type === "Existing" ? aggregate.restore.tenantId : "",
            restoreId,
            index + 1,
            event.type,
            from,
            stateOf(aggregate),
            actor.type,
            String(actor.id),
            at,
            requestId,
            JSON.stringify(event.data),
          ]);
        });
      if (aggregate.type !== "Existing") throw new Error("seed: the events made no restore");
      restoreRows.push(restoreValues(aggregate.restore));
      written.push(aggregate.restore);
    }
    await pool.query(insertRestores, columnsOf(restoreRows, RESTORE_COLUMNS.length));
    await pool.query(insertEvents, columnsOf(eventRows, EVENT_COLUMNS.length));
  }
  await pool.query(`SELECT setval('"${schema}".restore_ids', $1::bigint)`, [count]);
  await pool.query(`ANALYZE "${schema}".restores, "${schema}".restore_events`);
  return written;
}
