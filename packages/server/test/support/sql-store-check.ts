import { fold, type Restore } from "@restorekit/core";
import { postgresRepository, type SqlClient } from "@restorekit/postgres";
import { type Op, type Outcome, REPORTED_STATE_IDS } from "./load.js";

// What a database holds after a test's load, checked on any `SqlClient`: a Postgres pool
// (`fromPool`, see store-check.ts) or an embedded database opened after its server is gone
// (`fromPGlite`). Plain SQL for the log's shape, and core's fold over the log the repository
// reads (the repository's reads are checked against raw SQL by the postgres package's contract
// suite). Values are read with Number(), as pg gives bigints as strings and PGlite as
// bigints.

const WRITES: ReadonlySet<Op> = new Set<Op>(["create", "start", "stop", "report"]);

/** Active states (StartRequested 6, Queued 1, Preparing 9, InProgress 2, StopRequested 7). */
const ACTIVE = [6, 1, 9, 2, 7];

export interface StoreReport {
  readonly restores: number;
  readonly events: number;
  /** Every broken rule, one line each: empty when the store is sound. */
  readonly problems: readonly string[];
}

/**
 * Every restore of the schema: its row equals the fold of its log, the log
 * counts 1, 2, ... without a gap and its version is that count, each event
 * leaves the state the one before reached, and a sealed password exists
 * only on an encrypted restore in an active state.
 */
export async function checkStoreOn(client: SqlClient, schema: string): Promise<StoreReport> {
  const s = `"${schema}"`;
  const problems: string[] = [];
  const rows = async (text: string, values: readonly unknown[] = []) =>
    (await client.query({ text, values })).rows;

  for (const row of await rows(`
      SELECT r.tenant_id, r.restore_id, r.version, count(e.seq)::int AS n,
             coalesce(min(e.seq), 0) AS first, coalesce(max(e.seq), 0) AS last
      FROM ${s}.restores r LEFT JOIN ${s}.restore_events e USING (tenant_id, restore_id)
      GROUP BY r.tenant_id, r.restore_id, r.version
      HAVING count(e.seq) <> r.version OR coalesce(min(e.seq), 0) <> 1 OR coalesce(max(e.seq), 0) <> r.version`)) {
    problems.push(
      `restore ${row.restore_id}: version ${row.version} but ${row.n} events numbered ${row.first}..${row.last}`,
    );
  }
  for (const row of await rows(`
      SELECT tenant_id, restore_id, seq, from_state_id, previous FROM (
        SELECT tenant_id, restore_id, seq, from_state_id,
               lag(to_state_id) OVER (PARTITION BY tenant_id, restore_id ORDER BY seq) AS previous
        FROM ${s}.restore_events) chained
      WHERE from_state_id IS DISTINCT FROM previous`)) {
    problems.push(
      `restore ${row.restore_id} event ${row.seq}: leaves state ${row.from_state_id}, but the log was in ${row.previous}`,
    );
  }
  for (const row of await rows(
    `SELECT restore_id, state_id, is_encrypted FROM ${s}.restores
     WHERE sealed_password IS NOT NULL AND NOT (is_encrypted AND state_id = ANY($1::smallint[]))`,
    [ACTIVE],
  )) {
    problems.push(
      `restore ${row.restore_id}: a sealed password in state ${row.state_id} (encrypted: ${row.is_encrypted})`,
    );
  }
  for (const row of await rows(
    `SELECT restore_id FROM ${s}.restores WHERE password_sealed AND sealed_password IS NULL`,
  )) {
    problems.push(`restore ${row.restore_id}: says a password is sealed, but none is stored`);
  }

  const repository = postgresRepository(client, { schema });
  const keys = await rows(
    `SELECT tenant_id, restore_id FROM ${s}.restores ORDER BY tenant_id, restore_id`,
  );
  let events = 0;
  for (const { tenant_id: tenantId, restore_id: rawId } of keys) {
    const restoreId = Number(rawId);
    // One at a time: PGlite is one session, and a pool gains little here.
    const row = await repository.load(String(tenantId), restoreId);
    const log = await repository.readEvents(String(tenantId), restoreId);
    if (row.isErr() || log.isErr()) {
      problems.push(`restore ${restoreId}: could not be read back`);
      continue;
    }
    events += log.value.length;
    const folded = fold(log.value.map((stored) => stored.event));
    const expected: Restore | null = folded.type === "Existing" ? folded.restore : null;
    if (JSON.stringify(expected) !== JSON.stringify(row.value)) {
      problems.push(
        `restore ${restoreId}: the row is not the fold of its log:\n  row  ${JSON.stringify(row.value)}\n  fold ${JSON.stringify(expected)}`,
      );
    }
  }
  return { restores: keys.length, events, problems };
}

/**
 * The acknowledgements the database does not bear out. A 200 to a create
 * means the restore exists; a 204 to a start means its log holds a start
 * request (a start is a no-op only on a restore started before); a 204 to
 * a stop, a stop request or a stop; a 204 to an agent report of a state, an
 * event that reached it (a report is a no-op only in the state reported).
 */
export async function unbackedAcknowledgementsOn(
  client: SqlClient,
  schema: string,
  tenant: string,
  outcomes: readonly Outcome[],
): Promise<string[]> {
  const { rows } = await client.query({
    text: `SELECT r.restore_id, array_remove(array_agg(DISTINCT e.to_state_id::int), NULL) AS reached
       FROM "${schema}".restores r LEFT JOIN "${schema}".restore_events e USING (tenant_id, restore_id)
       WHERE r.tenant_id = $1 GROUP BY r.restore_id`,
    values: [tenant],
  });
  const reached = new Map<number, Set<number>>(
    rows.map((row) => [
      Number(row.restore_id),
      new Set((row.reached as readonly unknown[]).map(Number)),
    ]),
  );
  const missing: string[] = [];
  for (const outcome of outcomes) {
    if (typeof outcome.status !== "number" || outcome.status >= 300) continue;
    // Only a write acknowledges something the log must hold; reads (a restore, a password) do not.
    if (!WRITES.has(outcome.op) || outcome.restoreId === null) continue;
    const states = reached.get(outcome.restoreId);
    const needs =
      outcome.op === "create"
        ? []
        : outcome.op === "start"
          ? [6]
          : outcome.op === "stop"
            ? [7, 4]
            : [REPORTED_STATE_IDS[outcome.reported ?? "queued"]];
    if (states === undefined) {
      missing.push(
        `${outcome.op} ${outcome.status} on restore ${outcome.restoreId}: no such restore`,
      );
    } else if (needs.length > 0 && !needs.some((state) => states.has(state))) {
      missing.push(
        `${outcome.op}${outcome.reported === undefined ? "" : ` ${outcome.reported}`} ${outcome.status} on restore ${outcome.restoreId}: its log never reached ${needs.join(" or ")}`,
      );
    }
  }
  return missing;
}
