import { APPEND_FUNCTION_ARGUMENTS } from "../../src/append-call.js";
import type { SqlClient } from "../../src/index.js";
import { oneLine, type RecordedStatement } from "./recording.js";

/** The package's tables `migrate` distributes on Citus. */
export const DISTRIBUTED_TABLES = ["restores", "restore_events", "idempotency_keys"] as const;

/**
 * How Citus plans one statement:
 * - `one shard`: it touches distributed tables, every task list it builds
 *   (`Task Count`) has one task, and every shard it names is in one
 *   co-located group (a tenant's restores, events and keys);
 * - `no distributed table`: no Citus scan, and its text names none (the id
 *   sequence, the notify statement);
 * - `several shards`: some step fans out to more than one shard (or to
 *   none), or its shards are in several groups;
 * - `delegated to one shard`: a call of the append function, which Citus
 *   distributes by its first argument (the tenant) in the tables' group:
 *   the call is sent whole to the node holding that tenant's shard, and
 *   every statement in it names the tenant. `EXPLAIN` shows only a `Result`
 *   for a call, so the verdict comes from `pg_dist_object`;
 * - `unexplained`: its text names a distributed table yet the plan has no
 *   Citus scan, or it pulls rows through the coordinator into a table
 *   without its text pinning their tenant to `$1`, or it calls a function
 *   Citus does not send to one shard: this check cannot vouch for any.
 */
export type ShardVerdict =
  | "one shard"
  | "delegated to one shard"
  | "no distributed table"
  | "several shards"
  | "unexplained";

export interface ShardPlan {
  /** The statement on one line. */
  readonly statement: string;
  readonly verdict: ShardVerdict;
  /** Every `Task Count` of the plan, in order. */
  readonly taskCounts: readonly number[];
  /**
   * The distributed steps Citus runs it in, one after the other: 1 for a
   * router query, one more per subplan it split out (a CTE it could not
   * send along with the rest). 0 without a Citus scan.
   */
  readonly steps: number;
  readonly plan: string;
}

const TABLES = DISTRIBUTED_TABLES.join("|");

/** Whether a text names one of the distributed tables, schema-qualified as the package writes them. */
export function namesDistributedTable(text: string): boolean {
  return new RegExp(`"[^"]+"\\.(?:${TABLES})\\b`).test(text);
}

/** The shard ids a plan names (`restores_102008`, ...). */
export function shardIdsOf(plan: string): string[] {
  const named = plan.matchAll(new RegExp(`\\b(?:${TABLES})_(\\d+)\\b`, "g"));
  return [...new Set([...named].map((match) => match[1] as string))];
}

/**
 * The verdict of a plan for a statement's text, given how many co-located
 * shard groups the plan's shards fall in (see `shardPlan`).
 */
export function verdictOf(
  text: string,
  plan: string,
  shardGroups: number,
): { verdict: ShardVerdict; counts: number[]; steps: number } {
  const counts = [...plan.matchAll(/Task Count: (\d+)/g)].map((match) => Number(match[1]));
  const citus = /Custom Scan \(Citus /.test(plan);
  if (!citus && counts.length === 0) {
    const verdict = namesDistributedTable(text) ? "unexplained" : "no distributed table";
    return { verdict, counts, steps: 0 };
  }
  const steps = 1 + [...plan.matchAll(/Distributed Subplan /g)].length;
  if (counts.some((n) => n !== 1) || shardGroups > 1) {
    return { verdict: "several shards", counts, steps };
  }
  // A pulled INSERT ... SELECT names no target shard: the text must pin each such insert to $1.
  const pulled = [...plan.matchAll(/INSERT\/SELECT method: /g)].length;
  const pinned = [
    ...text.matchAll(
      new RegExp(
        `INSERT INTO "[^"]+"\\.(?:${TABLES})\\s*\\(\\s*tenant_id\\b[^)]*\\)\\s*SELECT \\$1::text\\b`,
        "g",
      ),
    ),
  ].length;
  if (counts.length === 0 || pulled > pinned) return { verdict: "unexplained", counts, steps };
  return { verdict: "one shard", counts, steps };
}

/**
 * Asks the coordinator how it plans `statement` with its recorded values
 * (plain `EXPLAIN`: nothing runs, nothing is written or notified), and
 * in how many co-located shard groups the shards it names lie.
 */
export async function shardPlan(
  client: SqlClient,
  statement: RecordedStatement,
): Promise<ShardPlan> {
  const call = APPEND_CALL.exec(statement.text);
  if (call !== null) return callPlan(client, statement, call[1] as string);
  const { rows } = await client.query({
    text: `EXPLAIN ${statement.text}`,
    values: statement.values,
  });
  const plan = rows.map((row) => String(row["QUERY PLAN"])).join("\n");
  const shards = shardIdsOf(plan);
  const groups =
    shards.length === 0
      ? 0
      : Number(
          (
            await client.query({
              text: `SELECT count(DISTINCT (p.colocationid, s.shardminvalue))::int AS n
                     FROM pg_catalog.pg_dist_shard s
                     JOIN pg_catalog.pg_dist_partition p USING (logicalrelid)
                     WHERE s.shardid = ANY($1::bigint[])`,
              values: [shards],
            })
          ).rows[0]?.n,
        );
  const { verdict, counts, steps } = verdictOf(statement.text, plan, groups);
  return { statement: oneLine(statement.text), verdict, taskCounts: counts, steps, plan };
}

/** A call of a schema's append function, with the schema's name. */
const APPEND_CALL = /^\s*SELECT "([^"]+)"\.append_restore\(/;

/** How Citus places a schema's append function, or null when it does not distribute it. */
export async function appendFunctionPlacement(
  client: SqlClient,
  schema: string,
): Promise<{ argument: unknown; colocated: unknown } | null> {
  const { rows } = await client.query({
    text: `SELECT o.distribution_argument_index AS argument, o.colocationid = p.colocationid AS colocated
           FROM pg_catalog.pg_dist_object o, pg_catalog.pg_dist_partition p
           WHERE o.classid = 'pg_catalog.pg_proc'::regclass
             AND o.objid = to_regprocedure($1)
             AND p.logicalrelid = to_regclass($2)`,
    values: [`"${schema}".append_restore(${APPEND_FUNCTION_ARGUMENTS})`, `"${schema}".restores`],
  });
  const [row] = rows;
  return row === undefined ? null : { argument: row.argument, colocated: row.colocated };
}

/** The append function call's verdict: distributed by its tenant argument, with the tables? */
async function callPlan(
  client: SqlClient,
  statement: RecordedStatement,
  schema: string,
): Promise<ShardPlan> {
  const placed = await appendFunctionPlacement(client, schema);
  const delegated = placed?.argument === 0 && placed.colocated === true;
  return {
    statement: oneLine(statement.text),
    verdict: delegated ? "delegated to one shard" : "unexplained",
    taskCounts: [],
    steps: delegated ? 1 : 0,
    plan: `append_restore distributed on argument ${String(placed?.argument ?? "none")}, co-located with restores: ${String(placed?.colocated ?? false)}`,
  };
}

/** Each distinct text once, with the values it was first run with. */
export function distinctStatements(statements: readonly RecordedStatement[]): RecordedStatement[] {
  const seen = new Map<string, RecordedStatement>();
  for (const statement of statements) {
    if (!seen.has(statement.text)) seen.set(statement.text, statement);
  }
  return [...seen.values()];
}
