import { performance } from "node:perf_hooks";
import { type RequestContext, type Restore, stateId } from "@restorekit/core";
import {
  BACKUP_MACHINE_ID,
  DEFAULT_TENANT,
  DESTINATION_MACHINE_ID,
  UNENCRYPTED_BACKUP_ID,
  userPrincipal,
} from "@restorekit/testing";
import type pg from "pg";
import { fromPool } from "../src/index.js";
import { benchService } from "./bench-service.js";
import { countingClient } from "./counting-client.js";
import type { ChangePath } from "./drive-changes.js";

const USER = userPrincipal();
let requests = 0;

/** Fresh restores in Creating, handed out once each, in id order. */
export interface FreshRestores {
  readonly schema: string;
  readonly restores: readonly Restore[];
  next: number;
}

function take(fresh: FreshRestores): Restore {
  const restore = fresh.restores[fresh.next];
  if (restore === undefined) throw new Error("out of fresh restores: raise the seed count");
  fresh.next += 1;
  return restore;
}

/** When each service call started and resolved, by restore id, and whether it was measured. */
export interface SentRequest {
  readonly start: number;
  readonly end: number;
  readonly measured: boolean;
}

export interface StartPath {
  readonly key: string;
  readonly label: string;
  readonly does: string;
}

export const START_PATHS: readonly StartPath[] = [
  {
    key: "s",
    label: "(s) service StartManual",
    does: "service.requestAction StartManual with default options over postgresRepository: checks, authorization, the password rule, a prepared read (the restore was not made by this instance, so it is not remembered), decide, the append, and the agent's notification",
  },
  {
    key: "sk",
    label: "(sk) service StartManual, restores it created",
    does: "the same call on restores this service instance created just before (through service.createRestore, knownRestores sized to hold them all): decided on the remembered restore, so no read; the append and the notification",
  },
  {
    key: "s1",
    label: "(s1) one prepared statement",
    does: "one named statement (CTE: version-checked UPDATE of state, version, password_sealed, updated_at + event INSERT) at the known version 1, no read; sends no notification and skips every check",
  },
];

/** (s): the service, one instance; records each call's start and end for the notification latency. */
export function serviceStarts(
  pool: pg.Pool,
  fresh: FreshRestores,
  sent: Map<number, SentRequest>,
  measuring: () => boolean,
): ChangePath {
  const client = countingClient(fromPool(pool));
  const service = benchService(client, fresh.schema);
  return {
    exhausted: () => fresh.next >= fresh.restores.length,
    statements: () => client.statements(),
    async change() {
      const { restoreId } = take(fresh);
      requests += 1;
      const context: RequestContext = {
        principal: USER,
        tenantId: DEFAULT_TENANT,
        requestId: `bench-start-${requests}`,
      };
      const start = performance.now();
      const started = await service.requestAction(context, {
        action: "StartManual",
        restoreId,
        encryptedPassword: null,
      });
      const end = performance.now();
      if (started.isErr()) throw new Error(`service: ${started.error.code}`);
      sent.set(restoreId, { start, end, measured: measuring() });
    },
  };
}

/**
 * (sk): a service that created `count` restores itself (all remembered), then
 * starts them: what a create followed by a start on the same instance costs.
 */
export async function rememberedStarts(
  pool: pg.Pool,
  schema: string,
  count: number,
  clients: number,
): Promise<{ readonly path: ChangePath; readonly fresh: FreshRestores }> {
  const client = countingClient(fromPool(pool));
  const service = benchService(client, schema, count);
  const restores: Restore[] = [];
  let claimed = 0;
  await Promise.all(
    Array.from({ length: clients }, async () => {
      // Exactly `count`: one more would push the first-made out of the memory, and each start
      // that then reads would push out the next one to start.
      while (claimed < count) {
        claimed += 1;
        requests += 1;
        const created = await service.createRestore(
          { principal: USER, tenantId: DEFAULT_TENANT, requestId: `bench-create-${requests}` },
          {
            backupId: UNENCRYPTED_BACKUP_ID,
            backupMachineId: BACKUP_MACHINE_ID,
            destinationMachineId: DESTINATION_MACHINE_ID,
            destinationPath: "/var/restore",
            overwriteFiles: false,
          },
        );
        if (created.isErr()) throw new Error(`create: ${created.error.code}`);
        restores.push(created.value);
      }
    }),
  );
  restores.sort((a, b) => a.restoreId - b.restoreId);
  const fresh: FreshRestores = { schema, restores, next: 0 };
  return {
    fresh,
    path: {
      exhausted: () => fresh.next >= fresh.restores.length,
      statements: () => client.statements(),
      async change() {
        const { restoreId } = take(fresh);
        requests += 1;
        const started = await service.requestAction(
          { principal: USER, tenantId: DEFAULT_TENANT, requestId: `bench-start-${requests}` },
          { action: "StartManual", restoreId, encryptedPassword: null },
        );
        if (started.isErr()) throw new Error(`service: ${started.error.code}`);
      },
    },
  };
}

/** (s1): the same durable change in one hand-written prepared statement. */
export function oneStatementStarts(pool: pg.Pool, fresh: FreshRestores): ChangePath {
  const s = `"${fresh.schema}"`;
  const text = `WITH updated AS (
      UPDATE ${s}.restores SET state_id = $3::smallint, version = $4::integer + 1,
        password_sealed = false, updated_at = $5::timestamptz
      WHERE tenant_id = $1::text AND restore_id = $2::bigint AND version = $4::integer
      RETURNING 1
    )
    INSERT INTO ${s}.restore_events (tenant_id, restore_id, seq, type, from_state_id,
      to_state_id, actor_type, actor_id, at, request_id, data)
    SELECT $1::text, $2::bigint, $4::integer + 1, 'RestoreStartRequested', $6::smallint,
      $3::smallint, 'user', $7::text, $5::timestamptz, $8::text, $9::text::json
    FROM updated`;
  const data = JSON.stringify({ passwordSealed: false });
  const started = stateId("StartRequested");
  const creating = stateId("Creating");
  let statements = 0;
  return {
    exhausted: () => fresh.next >= fresh.restores.length,
    statements: () => statements,
    async change() {
      const restore = take(fresh);
      requests += 1;
      const written = await pool.query({
        name: `${fresh.schema}_start`,
        text,
        values: [
          DEFAULT_TENANT,
          restore.restoreId,
          started,
          restore.version,
          new Date().toISOString(),
          creating,
          USER.type === "user" ? USER.userId : "",
          `bench-start-${requests}`,
          data,
        ],
      });
      statements += 1;
      if (written.rowCount !== 1) throw new Error("one statement: the version did not match");
    },
  };
}
