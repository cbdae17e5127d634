import type { PGlite } from "@electric-sql/pglite";
import {
  type AgentReport,
  createSweeper,
  type Deadlines,
  existing,
  fold,
  heartbeatRefreshMs,
  isExpired,
  type Restore,
  type RestoreStateName,
} from "@restorekit/core";
import {
  agentPrincipal,
  BACKUP_MACHINE_ID,
  DEFAULT_TENANT,
  DESTINATION_MACHINE_ID,
  encryptForAgent,
  inMemoryRepository,
  OTHER_TENANT,
  testEnvironment,
  UNENCRYPTED_BACKUP_ID,
} from "@restorekit/testing";
import fc from "fast-check";
import type pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  fromPGlite,
  fromPool,
  migrate,
  postgresDueRestores,
  postgresIdGenerator,
  postgresRepository,
  type SqlClient,
  type SqlStatement,
} from "../src/index.js";
import { dropSchema } from "./support/contract-subject.js";
import { filePGlite } from "./support/pglite.js";
import { serverIsUp, serverPool, uniqueSchema } from "./support/real-server.js";

/** Long property runs get their own timeout, so a loaded 2-core machine cannot fail them. */
const PROPERTY_TIMEOUT_MS = 120_000;

const DEADLINES: Deadlines = { pickupMs: 60_000, heartbeatMs: 30_000, stopMs: 20_000 };

/** Each tenant's plain backup, its source machine and its destination agent in the fake catalog. */
const REFERENCES: Readonly<Record<string, readonly [number, number, number]>> = {
  [DEFAULT_TENANT]: [UNENCRYPTED_BACKUP_ID, BACKUP_MACHINE_ID, DESTINATION_MACHINE_ID],
  [OTHER_TENANT]: [233599, 256953, 256751],
};

/** The states a restore is driven to, and the agent reports that take it there from StartRequested. */
const ROUTES: Readonly<Record<string, readonly AgentReport["state"][]>> = {
  Creating: [],
  StartRequested: [],
  Queued: ["Queued"],
  Preparing: ["Queued", "Preparing"],
  InProgress: ["Queued", "Preparing", "InProgress"],
  StopRequested: ["Queued", "StopRequested"],
  Completed: ["Queued", "Completed"],
  Stopped: ["Queued", "Stopped"],
};

const plan = fc.array(
  fc.record({
    state: fc.constantFrom(...Object.keys(ROUTES)),
    tenant: fc.constantFrom(DEFAULT_TENANT, OTHER_TENANT),
    quietMs: fc.nat({ max: 120_000 }),
  }),
  { minLength: 1, maxLength: 12 },
);

/** Records what a client is asked, so the test can EXPLAIN the very statement the store runs. */
function recording(client: SqlClient): { client: SqlClient; seen: SqlStatement[] } {
  const seen: SqlStatement[] = [];
  return {
    seen,
    client: {
      ...client,
      query: (statement) => {
        seen.push(statement);
        return client.query(statement);
      },
    },
  };
}

function dueSuite(backend: string, clientOf: () => SqlClient): void {
  describe(`findDue on ${backend}`, () => {
    it(
      "names exactly the restores past their deadline, across tenants, the longest silent first, as the in-memory store does",
      async () => {
        const client = clientOf();
        await fc.assert(
          fc.asyncProperty(plan, fc.nat({ max: 150_000 }), async (restores, later) => {
            const schema = uniqueSchema("due");
            (await migrate(client, { schema }))._unsafeUnwrap();
            try {
              const repository = postgresRepository(client, { schema });
              const memory = inMemoryRepository();
              const postgresEnv = testEnvironment({
                repository,
                ids: postgresIdGenerator(client, { schema }),
                deadlines: DEADLINES,
              });
              const made: Restore[] = [];
              for (const { state, tenant, quietMs } of restores) {
                postgresEnv.clock.advance(quietMs);
                made.push(await driveTo(postgresEnv, tenant, state));
              }
              postgresEnv.clock.advance(later);
              const now = postgresEnv.clock.now().toISOString();
              // The same rows in memory: the reference for what is due.
              for (const restore of made) {
                const events = (
                  await repository.readEvents(restore.tenantId, restore.restoreId)
                )._unsafeUnwrap();
                (
                  await memory.append({
                    tenantId: restore.tenantId,
                    restoreId: restore.restoreId,
                    expectedVersion: 0,
                    previous: null,
                    events: events.map(({ event }) => event),
                    restore,
                  })
                )._unsafeUnwrap();
              }
              const query = { now, deadlines: DEADLINES, limit: 100 };
              const found = (
                await postgresDueRestores(client, { schema }).findDue(query)
              )._unsafeUnwrap();
              const expected = (await memory.findDue(query))._unsafeUnwrap();
              const key = (r: { tenantId: string; restoreId: number }) =>
                `${r.tenantId}/${r.restoreId}`;
              expect(new Set(found.map(key))).toEqual(new Set(expected.map(key)));
              expect(found.map(key).sort()).toEqual(
                made
                  .filter((r) => isExpired(r, DEADLINES, now))
                  .map(key)
                  .sort(),
              );
              // Longest silent first: updated_at never decreases along the answer.
              const updated = new Map(made.map((r) => [key(r), Date.parse(r.updatedAt)]));
              const times = found.map((r) => updated.get(key(r)) as number);
              expect(times).toEqual([...times].sort((a, b) => a - b));
              const limited = (
                await postgresDueRestores(client, { schema }).findDue({ ...query, limit: 1 })
              )._unsafeUnwrap();
              expect(limited).toEqual(found.slice(0, 1));
            } finally {
              await dropSchema(client, schema);
            }
          }),
          { numRuns: 12 },
        );
      },
      PROPERTY_TIMEOUT_MS,
    );

    it("names a restore a millisecond after its deadline and the refresh, not at them", async () => {
      const client = clientOf();
      const schema = uniqueSchema("due_edge");
      (await migrate(client, { schema }))._unsafeUnwrap();
      try {
        const env = testEnvironment({
          repository: postgresRepository(client, { schema }),
          ids: postgresIdGenerator(client, { schema }),
          deadlines: DEADLINES,
        });
        const made = new Map<string, number>();
        for (const state of ["StartRequested", "InProgress", "StopRequested"]) {
          made.set(state, (await driveTo(env, DEFAULT_TENANT, state)).restoreId);
        }
        const start = env.clock.now().getTime();
        const due = postgresDueRestores(client, { schema });
        for (const [state, deadline] of [
          ["StartRequested", DEADLINES.pickupMs],
          ["InProgress", DEADLINES.heartbeatMs],
          ["StopRequested", DEADLINES.stopMs],
        ] as const) {
          const edge = start + deadline + heartbeatRefreshMs(deadline);
          const at = async (ms: number) =>
            (
              await due.findDue({
                now: new Date(ms).toISOString(),
                deadlines: DEADLINES,
                limit: 10,
              })
            )
              ._unsafeUnwrap()
              .map((r) => r.restoreId);
          expect(await at(edge)).not.toContain(made.get(state));
          expect(await at(edge + 1)).toContain(made.get(state));
        }
      } finally {
        await dropSchema(client, schema);
      }
    });

    it("lets a sweeper expire them in the store: the row is its log's fold, the sealed password gone", async () => {
      const client = clientOf();
      const schema = uniqueSchema("due_sweep");
      (await migrate(client, { schema }))._unsafeUnwrap();
      try {
        const repository = postgresRepository(client, { schema });
        const env = testEnvironment({
          repository,
          ids: postgresIdGenerator(client, { schema }),
          deadlines: DEADLINES,
        });
        const created = (await env.createRestore({ encrypted: true }))._unsafeUnwrap();
        (
          await env.service.requestAction(env.context(), {
            action: "StartManual",
            restoreId: created.restoreId,
            encryptedPassword: encryptForAgent("vault passphrase", env.keys.publicKey),
          })
        )._unsafeUnwrap();
        const sealed = async () =>
          (
            await client.query({
              text: `SELECT sealed_password IS NOT NULL AS held FROM "${schema}".restores WHERE restore_id = $1`,
              values: [created.restoreId],
            })
          ).rows[0]?.held;
        expect(await sealed()).toBe(true);
        env.clock.advance(DEADLINES.pickupMs + heartbeatRefreshMs(DEADLINES.pickupMs) + 1);
        const sweeper = createSweeper({
          service: env.service,
          due: postgresDueRestores(client, { schema }),
          clock: env.clock,
          deadlines: DEADLINES,
        });
        expect((await sweeper.sweep())._unsafeUnwrap()).toEqual({
          found: 1,
          expired: 1,
          unchanged: 0,
          failed: 0,
        });
        const row = (await repository.load(DEFAULT_TENANT, created.restoreId))._unsafeUnwrap();
        const events = (
          await repository.readEvents(DEFAULT_TENANT, created.restoreId)
        )._unsafeUnwrap();
        expect(events.map(({ event }) => event.type)).toEqual([
          "RestoreCreated",
          "RestoreStartRequested",
          "RestoreExpired",
        ]);
        expect(fold(events.map(({ event }) => event))).toEqual(existing(row as Restore));
        expect(row).toMatchObject({ state: "Failed", passwordSealed: false });
        expect(await sealed()).toBe(false);
        expect((await sweeper.sweep())._unsafeUnwrap().found).toBe(0);
      } finally {
        await dropSchema(client, schema);
      }
    });

    it("finds them through the partial index, not by reading every restore ever made", async () => {
      const client = clientOf();
      const schema = uniqueSchema("due_plan");
      (await migrate(client, { schema }))._unsafeUnwrap();
      try {
        // 20 000 finished restores (Completed, 3) and 20 waiting on their agent (InProgress, 2).
        await client.query({
          text: `INSERT INTO "${schema}".restores
            (tenant_id, restore_id, state_id, version, backup_id, backup_machine_id,
             destination_machine_id, destination_path, overwrite_files, backup_configuration_id,
             backup_configuration_name, restore_point, backup_machine_name, backup_flavor,
             backup_data_center, destination_machine_name, is_encrypted, password_sealed,
             created_at, updated_at)
            SELECT 't' || (g % 50), g, CASE WHEN g % 1000 = 0 THEN 2 ELSE 3 END, 4, 1, 2, 3,
              'C:\\', false, 4, 'b', now(), 'm', 'f', 'DFW', 'd', false, false,
              now() - interval '1 day', now() - (g || ' seconds')::interval
            FROM generate_series(1, 20000) AS g`,
        });
        await client.query({ text: `ANALYZE "${schema}".restores` });
        const watched = recording(client);
        (
          await postgresDueRestores(watched.client, { schema }).findDue({
            now: new Date().toISOString(),
            deadlines: DEADLINES,
            limit: 100,
          })
        )._unsafeUnwrap();
        const [statement] = watched.seen;
        if (statement === undefined) throw new Error("findDue ran no statement");
        const explained = await client.query({
          text: `EXPLAIN (FORMAT JSON) ${statement.text}`,
          values: statement.values ?? [],
        });
        const plan = JSON.stringify(explained.rows[0]);
        expect(plan).toContain("restores_waiting_on_agent");
        expect(plan).not.toContain('"Seq Scan"');
      } finally {
        await dropSchema(client, schema);
      }
    });
  });
}

async function driveTo(
  env: ReturnType<typeof testEnvironment>,
  tenantId: string,
  state: string,
): Promise<Restore> {
  const [backupId, backupMachineId, destinationMachineId] = REFERENCES[tenantId] as [
    number,
    number,
    number,
  ];
  const admin = env.context({ type: "user", userId: "u", tenantId, roles: ["admin"] });
  const created = (
    await env.service.createRestore(admin, {
      backupId,
      backupMachineId,
      destinationMachineId,
      destinationPath: "C:\\",
      overwriteFiles: false,
    })
  )._unsafeUnwrap();
  let restore = created;
  if (state === "Creating") return restore;
  restore = (
    await env.service.requestAction(
      env.context({ type: "user", userId: "u", tenantId, roles: ["admin"] }),
      { action: "StartManual", restoreId: created.restoreId, encryptedPassword: null },
    )
  )._unsafeUnwrap();
  for (const reported of ROUTES[state] ?? []) {
    restore = (
      await env.service.agentReport(
        env.context(agentPrincipal({ agentId: destinationMachineId, tenantId })),
        created.restoreId,
        { state: reported, report: {} },
      )
    )._unsafeUnwrap();
  }
  expect(restore.state).toBe(state as RestoreStateName);
  return restore;
}

let pglite: PGlite;
beforeAll(async () => {
  pglite = await filePGlite();
});
afterAll(async () => {
  await pglite.close();
});
dueSuite("PGlite", () => fromPGlite(pglite));

const up = await serverIsUp();
if (!up) {
  it("says the real-server findDue tests did not run", () => {
    console.warn(
      "No Postgres server answered at DATABASE_URL: findDue was checked on PGlite only, NOT on a real server.",
    );
    expect(up).toBe(false);
  });
} else {
  let pool: pg.Pool;
  beforeAll(() => {
    pool = serverPool({ max: 4 });
  });
  afterAll(async () => {
    await pool.end();
  });
  dueSuite("the real server", () => fromPool(pool));
}
