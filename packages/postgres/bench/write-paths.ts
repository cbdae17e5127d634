import { type RequestContext, stateId } from "@restorekit/core";
import { agentPrincipal, DEFAULT_TENANT, DESTINATION_MACHINE_ID } from "@restorekit/testing";
import type pg from "pg";
import { fromPool } from "../src/index.js";
import { benchService } from "./bench-service.js";
import { countingClient } from "./counting-client.js";
import type { ChangePath } from "./drive-changes.js";

/** One schema of restores in progress, and the files count each was last told (the agent's truth). */
export interface ProgressSchema {
  readonly schema: string;
  readonly restores: number;
  readonly files: Float64Array;
}

/** What a path is built over for one config: a pool per instance, all warm. */
export interface PathContext {
  readonly target: ProgressSchema;
  readonly pools: readonly pg.Pool[];
  readonly knownRestores: number;
}

export interface WritePath {
  readonly key: string;
  readonly label: string;
  /** What it does per change and what it skips, printed with the tables. */
  readonly does: string;
  make(context: PathContext): Promise<ChangePath>;
}

const AGENT = agentPrincipal();
const AGENT_ID = String(DESTINATION_MACHINE_ID);
const IN_PROGRESS = stateId("InProgress");
let requests = 0;
const nextRequestId = () => {
  requests += 1;
  return `bench-${requests}`;
};

interface Rest {
  readonly startedTime: string | null;
  readonly endedTime: string | null;
  readonly bytesRestored: number | null;
  readonly errors: unknown;
}

const isoOrNull = (value: unknown) =>
  value === null || value === undefined ? null : new Date(value as string).toISOString();
const numberOrNull = (value: unknown) =>
  value === null || value === undefined ? null : Number(value);

function restOf(row: Record<string, unknown>): Rest {
  return {
    startedTime: isoOrNull(row.started_time),
    endedTime: isoOrNull(row.ended_time),
    bytesRestored: numberOrNull(row.bytes_restored),
    errors: row.errors ?? null,
  };
}

/** The event's data, key for key what core's `decide` writes for a files count. */
function progressData(rest: Rest, files: number): string {
  return JSON.stringify({
    progress: {
      startedTime: rest.startedTime,
      endedTime: rest.endedTime,
      filesRestored: files,
      bytesRestored: rest.bytesRestored,
      errors: rest.errors,
    },
  });
}

function nextFiles(target: ProgressSchema, index: number): number {
  const files = (target.files[index] ?? 0) + 1;
  target.files[index] = files;
  return files;
}

function statementsOf(s: string) {
  return {
    read: `SELECT version, state_id, started_time, ended_time, bytes_restored, errors
      FROM ${s}.restores WHERE tenant_id = $1 AND restore_id = $2`,
    update: `UPDATE ${s}.restores SET files_restored = $3, version = $4, updated_at = $5
      WHERE tenant_id = $1 AND restore_id = $2 AND version = $6`,
    insert: `INSERT INTO ${s}.restore_events (tenant_id, restore_id, seq, type, from_state_id,
        to_state_id, actor_type, actor_id, at, request_id, data)
      VALUES ($1, $2, $3, 'RestoreProgressReported', $4, $4, 'agent', $5, $6, $7, $8)`,
    // The floor: the version-checked UPDATE and the event INSERT in one statement, no read.
    oneStatement: `WITH updated AS (
        UPDATE ${s}.restores SET files_restored = $3::bigint, version = $4::integer + 1,
          updated_at = $5::timestamptz
        WHERE tenant_id = $1::text AND restore_id = $2::bigint AND version = $4::integer
        RETURNING 1
      )
      INSERT INTO ${s}.restore_events (tenant_id, restore_id, seq, type, from_state_id,
        to_state_id, actor_type, actor_id, at, request_id, data)
      SELECT $1::text, $2::bigint, $4::integer + 1, 'RestoreProgressReported', $9::smallint,
        $9::smallint, 'agent', $6::text, $5::timestamptz, $7::text, $8::text::json
      FROM updated`,
  };
}

/** (a) and (ap): read, BEGIN, version-checked UPDATE, INSERT, COMMIT. */
function readThenTransaction(prepared: boolean): WritePath["make"] {
  return async ({ target, pools }) => {
    const s = `"${target.schema}"`;
    const sql = statementsOf(s);
    const name = (kind: string) => (prepared ? { name: `${target.schema}_${kind}` } : {});
    let statements = 0;
    return {
      statements: () => statements,
      async change(index, instance) {
        const pool = pools[instance] as pg.Pool;
        const restoreId = index + 1;
        const files = nextFiles(target, index);
        for (;;) {
          // (ap) holds one connection for all five; (a) reads through the pool, then checks out again.
          const client = prepared ? await pool.connect() : null;
          let inTransaction = false;
          try {
            const read = await (client ?? pool).query({
              ...name("read"),
              text: sql.read,
              values: [DEFAULT_TENANT, restoreId],
            });
            statements += 1;
            const row = read.rows[0] as Record<string, unknown>;
            const version = Number(row.version);
            const at = new Date().toISOString();
            const data = progressData(restOf(row), files);
            const writer = client ?? (await pool.connect());
            try {
              await writer.query("BEGIN");
              inTransaction = true;
              const updated = await writer.query({
                ...name("update"),
                text: sql.update,
                values: [DEFAULT_TENANT, restoreId, files, version + 1, at, version],
              });
              statements += 2;
              if (updated.rowCount === 0) {
                await writer.query("ROLLBACK");
                inTransaction = false;
                statements += 1;
                continue;
              }
              await writer.query({
                ...name("insert"),
                text: sql.insert,
                values: [
                  DEFAULT_TENANT,
                  restoreId,
                  version + 1,
                  Number(row.state_id),
                  AGENT_ID,
                  at,
                  nextRequestId(),
                  data,
                ],
              });
              await writer.query("COMMIT");
              inTransaction = false;
              statements += 2;
              return;
            } catch (error) {
              if (inTransaction) await writer.query("ROLLBACK").catch(() => undefined);
              throw error;
            } finally {
              if (client === null) writer.release();
            }
          } finally {
            client?.release();
          }
        }
      },
    };
  };
}

/**
 * (a1): one prepared statement, no read. Each instance keeps the version and
 * progress it last wrote or read of every restore (loaded before the config
 * runs, as if it had made the previous change); when the other instance
 * moved the row on, the statement changes nothing and the row is read again.
 */
const oneStatement: WritePath["make"] = async ({ target, pools }) => {
  const s = `"${target.schema}"`;
  const sql = statementsOf(s);
  const { rows } = await (pools[0] as pg.Pool).query(
    `SELECT restore_id, version, started_time, ended_time, bytes_restored, errors
     FROM ${s}.restores WHERE tenant_id = $1`,
    [DEFAULT_TENANT],
  );
  const memories = pools.map(() => ({
    versions: new Int32Array(target.restores),
    rests: new Array<Rest>(target.restores),
  }));
  for (const row of rows) {
    for (const memory of memories) {
      const index = Number(row.restore_id) - 1;
      memory.versions[index] = Number(row.version);
      memory.rests[index] = restOf(row);
    }
  }
  let statements = 0;
  return {
    statements: () => statements,
    async change(index, instance) {
      const pool = pools[instance] as pg.Pool;
      const memory = memories[instance] as (typeof memories)[number];
      const restoreId = index + 1;
      const files = nextFiles(target, index);
      for (;;) {
        const version = memory.versions[index] ?? 0;
        const rest = memory.rests[index] as Rest;
        const written = await pool.query({
          name: `${target.schema}_one`,
          text: sql.oneStatement,
          values: [
            DEFAULT_TENANT,
            restoreId,
            files,
            version,
            new Date().toISOString(),
            AGENT_ID,
            nextRequestId(),
            progressData(rest, files),
            IN_PROGRESS,
          ],
        });
        statements += 1;
        if (written.rowCount === 1) {
          memory.versions[index] = version + 1;
          return;
        }
        const read = await pool.query({
          name: `${target.schema}_read`,
          text: sql.read,
          values: [DEFAULT_TENANT, restoreId],
        });
        statements += 1;
        const row = read.rows[0] as Record<string, unknown>;
        memory.versions[index] = Number(row.version);
        memory.rests[index] = restOf(row);
      }
    },
  };
};

/** (b), (b0), (bk): core's service over postgresRepository, one service per instance. */
function throughService(knownRestores: (context: PathContext) => number | undefined) {
  return async (context: PathContext): Promise<ChangePath> => {
    const { target, pools } = context;
    const known = knownRestores(context);
    const clients = pools.map((pool) => countingClient(fromPool(pool)));
    const services = clients.map((client) => benchService(client, target.schema, known));
    return {
      statements: () => clients.reduce((sum, client) => sum + client.statements(), 0),
      async change(index, instance) {
        const service = services[instance];
        if (service === undefined) throw new Error(`no instance ${instance}`);
        const context: RequestContext = {
          principal: AGENT,
          tenantId: DEFAULT_TENANT,
          requestId: nextRequestId(),
        };
        const reported = await service.agentReport(context, index + 1, {
          state: null,
          report: { filesRestored: nextFiles(target, index) },
        });
        if (reported.isErr()) throw new Error(`service: ${reported.error.code}`);
      },
    };
  };
}

export const WRITE_PATHS: readonly WritePath[] = [
  {
    key: "a",
    label: "(a) naive pg, unprepared",
    does: "reads the row (pool.query), checks out a connection, BEGIN, version-checked UPDATE of 3 columns, INSERT of the event, COMMIT: 5 round trips, 2 checkouts, unnamed statements (parsed and planned every call); skips authorization, input checks, the domain's decision and notifications",
    make: readThenTransaction(false),
  },
  {
    key: "ap",
    label: "(ap) pg, prepared, one checkout",
    does: "the same 5 round trips as (a) on one checked-out connection, with named (prepared) statements; skips the same",
    make: readThenTransaction(true),
  },
  {
    key: "a1",
    label: "(a1) one prepared statement",
    does: "one named statement (CTE: version-checked UPDATE of 3 columns + event INSERT) with the version the instance last wrote, no read; with two instances a stale version changes nothing and costs a read and a retry; skips everything (a) skips: the floor",
    make: oneStatement,
  },
  {
    key: "b",
    label: "(b) service as shipped",
    does: "service.agentReport with default options over postgresRepository: input and context checks, authorization, decide on the remembered restore (else a prepared read first), the repository's append",
    make: throughService(() => undefined),
  },
  {
    key: "b0",
    label: "(b0) service, knownRestores: 0",
    does: "(b) remembering nothing: a prepared read, then the append",
    make: throughService(() => 0),
  },
  {
    key: "bk",
    label: "(bk) service, knownRestores on",
    does: "(b) with knownRestores set to BENCH_KNOWN_RESTORES (run by default only when the shipped default remembers nothing)",
    make: throughService((context) => context.knownRestores),
  },
];
