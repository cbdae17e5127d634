import {
  type AgentRequest,
  createRestoreService,
  DEFAULT_DEADLINES,
  type IdempotencyScope,
  stateId,
} from "@restorekit/core";
import {
  BACKUP_MACHINE_ID,
  DEFAULT_TENANT,
  DESTINATION_MACHINE_ID,
  fakeBackupCatalog,
  fixedClock,
  inMemoryPasswordVault,
  OTHER_TENANT,
  userPrincipal,
} from "@restorekit/testing";
import { idempotencyKeysContract, restoreRepositoryContract } from "@restorekit/testing/contract";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  fromPool,
  MIGRATIONS,
  migrate,
  postgresDueRestores,
  postgresIdempotencyKeys,
  postgresIdGenerator,
  postgresRepository,
  type SqlClient,
} from "../src/index.js";
import { citusAddress, citusBackend, citusCluster, citusPool } from "./support/citus.js";
import { expectNoLostUpdate } from "./support/concurrent-clients.js";
import { dropSchema, freshSubject } from "./support/contract-subject.js";
import { rawKeyRow } from "./support/raw-key-row.js";
import { uniqueSchema } from "./support/real-server.js";
import { oneLine, type RecordedStatement, recording } from "./support/recording.js";
import { routerWorkload } from "./support/router-workload.js";
import { serviceOn } from "./support/service.js";
import {
  appendFunctionPlacement,
  distinctStatements,
  type ShardPlan,
  type ShardVerdict,
  shardPlan,
  verdictOf,
} from "./support/shard-plans.js";
import { migrateSuite, notifySuite, storageFailureSuite } from "./support/shared-suites.js";
import { expectTenantFirst, tenantSession } from "./support/tenant-session.js";

/** What this file runs on a cluster, named for the warning when there is none. */
const CITUS_TESTS = [
  "the repository and idempotency key contract suites",
  "32 concurrent clients on 5 restores: no lost update, row == fold, gap-free seq",
  "migrate(): distribution by tenant_id, co-located; the migrate, notify and storage failure suites",
  "tenant isolation: statements tenant first, tenants on different shards see nothing of each other",
  "router plans: every statement of a session one router query or the append's call sent whole to one node; findDue and the key purge the only fan-outs",
  "restore ids unique across the cluster; the pending poll on the shard's partial index",
  "agent notifications heard on the coordinator",
];

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// Asked once at collection time, so the file registers either the cluster's tests or the warning.
const cluster = await citusCluster();

if (!cluster.up) {
  it("where the Citus suite runs: nowhere, no Citus coordinator answered", () => {
    console.warn(
      [
        `The Citus suite did not run: no Citus coordinator at ${citusAddress()} (RESTOREKIT_CITUS_URL): ${cluster.reason}.`,
        "These Citus tests were NOT run:",
        ...CITUS_TESTS.map((name) => `  - ${name}`),
      ].join("\n"),
    );
    expect(cluster.up).toBe(false);
  });
} else {
  const pool = citusPool({ max: 8 });
  const shared = fromPool(pool);

  afterAll(async () => {
    await pool.end().catch(() => undefined);
  });

  it(`where the Citus suite runs: the coordinator at ${citusAddress()}`, () => {
    console.info(`Citus suite on ${cluster.version}, ${cluster.workers} worker(s).`);
    expect(cluster.version).toMatch(/^Citus \d+\.\d+/);
    expect(cluster.workers).toBeGreaterThan(0);
  });

  restoreRepositoryContract("postgres repository on Citus", () =>
    freshSubject(shared, uniqueSchema("contract")),
  );

  idempotencyKeysContract("postgres idempotency keys on Citus", async () => {
    const schema = uniqueSchema("idem");
    (await migrate(shared, { schema }))._unsafeUnwrap();
    return {
      keys: postgresIdempotencyKeys(shared, { schema }),
      repository: postgresRepository(shared, { schema }),
      row: (scope: IdempotencyScope, key: string) => rawKeyRow(shared, schema, scope, key),
      close: () => dropSchema(shared, schema),
    };
  });

  migrateSuite(citusBackend);
  notifySuite(citusBackend);
  storageFailureSuite(citusBackend);

  describe("distribution by tenant", () => {
    it("distributes restores, events and keys by tenant_id, co-located; schema_migrations and the ids stay", async () => {
      const schema = uniqueSchema("placed");
      try {
        (await migrate(shared, { schema }))._unsafeUnwrap();
        expect(await distribution(shared, schema)).toEqual({
          tables: ["idempotency_keys", "restore_events", "restores"],
          columns: ["tenant_id"],
          colocations: 1,
        });
        expect(await appendFunctionPlacement(shared, schema)).toEqual({
          argument: 0,
          colocated: true,
        });
        // An up-to-date, distributed schema: nothing to apply, nothing to distribute again.
        expect((await migrate(shared, { schema }))._unsafeUnwrap().applied).toEqual([]);
        const local = await shared.query({
          text: `SELECT count(c.oid)::int AS found, count(p.logicalrelid)::int AS distributed
                 FROM unnest(ARRAY[to_regclass($1), to_regclass($2)]) AS c(oid)
                 LEFT JOIN pg_catalog.pg_dist_partition p ON p.logicalrelid = c.oid`,
          values: [`"${schema}".schema_migrations`, `"${schema}".restore_ids`],
        });
        expect(local.rows[0]).toEqual({ found: 2, distributed: 0 });
      } finally {
        await dropSchema(shared, schema);
      }
    });

    it("distributes the append function of a schema distributed before it existed", {
      timeout: 120_000,
    }, async () => {
      const schema = uniqueSchema("upgraded");
      try {
        const before = MIGRATIONS.filter(({ version }) => version < 4);
        (await migrate(shared, { schema, migrations: before }))._unsafeUnwrap();
        expect((await distribution(shared, schema)).tables).toHaveLength(3);
        expect(await appendFunctionPlacement(shared, schema)).toBeNull();
        expect((await migrate(shared, { schema }))._unsafeUnwrap().applied).toEqual([
          "0004_append_function.sql",
        ]);
        expect(await appendFunctionPlacement(shared, schema)).toEqual({
          argument: 0,
          colocated: true,
        });
        const app = serviceOn(shared, schema);
        expect((await app.createStarted()).state).toBe("StartRequested");
      } finally {
        await dropSchema(shared, schema);
      }
    });

    it("leaves the tables on the coordinator with distribute: false", async () => {
      const schema = uniqueSchema("undistributed");
      try {
        const report = (await migrate(shared, { schema, distribute: false }))._unsafeUnwrap();
        expect(report.applied).toEqual(MIGRATIONS.map((migration) => migration.name));
        expect(await distribution(shared, schema)).toEqual({
          tables: [],
          columns: [],
          colocations: 0,
        });
      } finally {
        await dropSchema(shared, schema);
      }
    });
  });

  describe("concurrent clients", () => {
    it("32 clients on 5 restores: no lost update, row == fold, gap-free seq", {
      timeout: 240_000,
    }, async () => {
      // As on one server, with more patience: 3 nodes share the machine's 2 cores.
      await expectNoLostUpdate(shared, citusPool, { patienceMs: 30_000 });
    });
  });

  describe("tenant isolation", () => {
    it("a whole session's statements name the tenant first, as on one server", {
      timeout: 180_000,
    }, async () => {
      const schema = uniqueSchema("tenant_first");
      try {
        (await migrate(shared, { schema }))._unsafeUnwrap();
        const { client, statements } = recording(shared);
        await tenantSession(client, schema);
        expectTenantFirst(statements.map(({ text }) => oneLine(text)));
      } finally {
        await dropSchema(shared, schema);
      }
    });

    it("two tenants on different shards see nothing of each other's restores", {
      timeout: 180_000,
    }, async () => {
      const schema = uniqueSchema("isolated");
      try {
        (await migrate(shared, { schema }))._unsafeUnwrap();
        const shards = await shardsOf(shared, schema, [DEFAULT_TENANT, OTHER_TENANT]);
        // Otherwise the isolation below would be that of one shard's rows only.
        expect(new Set(shards.map(({ shard }) => shard)).size).toBe(2);
        const repository = postgresRepository(shared, { schema });
        const app = serviceOn(shared, schema, repository);
        const mine = await app.createStarted();
        const theirs = await createFor(shared, schema, OTHER_TENANT);

        for (const [tenant, restore] of [
          [OTHER_TENANT, mine],
          [DEFAULT_TENANT, theirs],
        ] as const) {
          expect((await repository.load(tenant, restore.restoreId))._unsafeUnwrap()).toBeNull();
          expect((await repository.readEvents(tenant, restore.restoreId))._unsafeUnwrap()).toEqual(
            [],
          );
          expect(
            (await repository.readSealedPassword(tenant, restore.restoreId))._unsafeUnwrap(),
          ).toBeNull();
        }
        expect(
          (
            await repository.pendingAgentRequests(OTHER_TENANT, DESTINATION_MACHINE_ID)
          )._unsafeUnwrap(),
        ).toEqual([]);
        expect(
          (await repository.load(DEFAULT_TENANT, mine.restoreId))._unsafeUnwrap()?.restoreId,
        ).toBe(mine.restoreId);
        expect(
          (await repository.load(OTHER_TENANT, theirs.restoreId))._unsafeUnwrap()?.restoreId,
        ).toBe(theirs.restoreId);
      } finally {
        await dropSchema(shared, schema);
      }
    });
  });

  describe("router plans", () => {
    const schema = uniqueSchema("plans");
    let session: ShardPlan[] = [];

    beforeAll(async () => {
      (await migrate(shared, { schema }))._unsafeUnwrap();
      const { client, statements } = recording(shared);
      await routerWorkload(client, schema);
      session = await plansOf(shared, statements);
      console.info(
        [
          `How Citus plans the ${session.length} distinct statements of a session:`,
          ...session.map(
            ({ verdict, steps, statement }) =>
              `  ${verdict}, ${steps} step(s): ${statement.slice(0, 140)}`,
          ),
        ].join("\n"),
      );
    }, 240_000);

    afterAll(async () => {
      await dropSchema(shared, schema);
    });

    it("sends every statement of a session to one shard, or touches no distributed table", () => {
      const wrong = session.filter(({ verdict }) => !ONE_SHARD_OR_LOCAL.includes(verdict));
      expect(
        wrong.map(
          ({ verdict, taskCounts, statement, plan }) =>
            `${verdict} (Task Count ${taskCounts.join(", ")}): ${statement}\n${plan}`,
        ),
      ).toEqual([]);
    });

    it("runs every statement in one step, the append included: no subplan, nothing pulled", () => {
      expect(
        session
          .filter(({ steps }) => steps > 1)
          .map(({ steps, statement }) => `${steps} steps: ${statement}`),
      ).toEqual([]);
      // The one-statement append, whose CTEs Citus splits into steps, is never sent here.
      expect(
        session.filter(({ statement }) => /^WITH (?:inserted|updated) AS/.test(statement)),
      ).toEqual([]);
    });

    it("sends each append to the node of the tenant's shard as one command, in no cross-node transaction", {
      timeout: 120_000,
    }, async () => {
      // One connection, so the commands it logs are those of the appends below and nothing else.
      const watched = citusPool({ max: 1, options: "-c citus.log_remote_commands=on" });
      const remote: string[] = [];
      watched.on("connect", (connection) => {
        connection.on("notice", (notice) => remote.push(`${notice.message} ${notice.detail}`));
      });
      try {
        const client = fromPool(watched);
        const app = serviceOn(client, schema);
        // A create and a start: two appends.
        expect((await app.createStarted()).state).toBe("StartRequested");
        const appends = remote.filter((line) => line.includes(".append_restore("));
        expect(appends).toHaveLength(2);
        // Each went whole to the worker holding the tenant's shard, not through the coordinator.
        const [placed] = await shardsOf(shared, schema, [DEFAULT_TENANT]);
        const port = placed?.node.split(":").at(-1);
        expect(port).toMatch(/^\d+$/);
        for (const line of appends) {
          expect(line).toMatch(/^issuing SELECT \S+\.append_restore\('/);
          expect(line).toMatch(new RegExp(`:${port} connectionId`));
        }
        // No other command went out for them: no transaction block, no two-phase commit.
        const others = remote.filter(
          (line) => line.startsWith("issuing") && !line.includes(".append_restore("),
        );
        expect(others.filter((line) => /BEGIN|PREPARE TRANSACTION|COMMIT/.test(line))).toEqual([]);
      } finally {
        await watched.end().catch(() => undefined);
      }
    });

    it("planned every kind of statement the repository, ids and keys send", () => {
      const routed = session.filter(
        ({ verdict }) => verdict === "one shard" || verdict === "delegated to one shard",
      );
      const local = session.filter(({ verdict }) => verdict === "no distributed table");
      const missing = ROUTED_KINDS.filter(
        ([, pattern]) => !routed.some(({ statement }) => pattern.test(statement)),
      ).map(([kind]) => kind);
      expect(missing).toEqual([]);
      // None names a distributed table: the sequence, the notify and the repository's one
      // question whether Citus is there run on the coordinator.
      expect(local.map(({ statement }) => localKind(statement)).sort()).toEqual([
        "citus check",
        "nextval",
        "pg_notify",
      ]);
    });

    it("finds due restores and purges keys across every shard, the only two statements that do", async () => {
      const { client, statements } = recording(shared);
      const due = (
        await postgresDueRestores(client, { schema }).findDue({
          now: new Date(Date.now() + 86_400_000).toISOString(),
          deadlines: DEFAULT_DEADLINES,
          limit: 100,
        })
      )._unsafeUnwrap();
      // Past every retention: every key the session kept goes, whichever shard holds it.
      const purged = (
        await postgresIdempotencyKeys(client, { schema }).purgeExpired(
          new Date(Date.now() + 7 * 86_400_000),
          100,
        )
      )._unsafeUnwrap();
      expect(due.length).toBeGreaterThan(0);
      expect(due.every(({ tenantId }) => tenantId === DEFAULT_TENANT)).toBe(true);
      expect(purged).toBe(4);

      // findDue: the sweeper looks for silent agents of every tenant, once per sweep interval.
      // The purge: keys past their retention, of every tenant, once per purge interval.
      const sweeps = await plansOf(shared, statements);
      expect(sweeps.map(({ statement }) => sweepKind(statement))).toEqual(["findDue", "purge"]);
      const shardCount = await shardCountOf(shared, schema);
      for (const { verdict, taskCounts } of sweeps) {
        expect(verdict).toBe("several shards");
        expect(Math.max(...taskCounts)).toBe(shardCount);
      }
      const fanning = [...session, ...sweeps].filter(
        ({ verdict }) => !ONE_SHARD_OR_LOCAL.includes(verdict),
      );
      expect(fanning.map(({ statement }) => statement)).toEqual(
        sweeps.map(({ statement }) => statement),
      );
    });

    it("tells the plans it cannot vouch for from one-shard and local ones", () => {
      const routed = "Custom Scan (Citus Adaptive)\n  Task Count: 1";
      const pulled = `${routed}\n  ->  Distributed Subplan 1_1\n  INSERT/SELECT method: pull to coordinator`;
      const into = (first: string) =>
        `WITH u AS (UPDATE "s".restores SET version = 2 WHERE tenant_id = $1::text RETURNING 1)
         INSERT INTO "s".restore_events (tenant_id, seq) SELECT ${first}, 1 FROM u`;
      expect(verdictOf('SELECT 1 FROM "s".restores', "Seq Scan on restores", 0).verdict).toBe(
        "unexplained",
      );
      expect(verdictOf("SELECT nextval('\"s\".restore_ids')", "Result", 0).verdict).toBe(
        "no distributed table",
      );
      expect(verdictOf('SELECT 1 FROM "s".restores', routed, 1).verdict).toBe("one shard");
      expect(verdictOf('SELECT 1 FROM "s".restores', `${routed}\n  Task Count: 2`, 1).verdict).toBe(
        "several shards",
      );
      expect(verdictOf('SELECT 1 FROM "s".restores', routed, 2).verdict).toBe("several shards");
      expect(verdictOf(into("$1::text"), pulled, 1)).toMatchObject({
        verdict: "one shard",
        steps: 2,
      });
      expect(verdictOf(into("$4::text"), pulled, 1).verdict).toBe("unexplained");
    });
  });

  describe("restore ids and the pending poll", () => {
    it("hands out ids unique across the cluster to concurrent creates of many tenants", {
      timeout: 240_000,
    }, async () => {
      const schema = uniqueSchema("ids");
      const tenants = Array.from({ length: 8 }, (_, i) => `tenant-${i + 1}`);
      const pools = Array.from({ length: 4 }, () => citusPool({ max: 3 }));
      try {
        (await migrate(shared, { schema }))._unsafeUnwrap();
        const placed = await shardsOf(shared, schema, tenants);
        // Spread over shards and workers, or "unique across the cluster" would not be tested.
        expect(new Set(placed.map(({ shard }) => shard)).size).toBeGreaterThan(1);
        expect(new Set(placed.map(({ node }) => node)).size).toBeGreaterThanOrEqual(
          Math.min(2, cluster.workers),
        );

        const creators = pools.map((one) => creatorFor(fromPool(one), schema, tenants));
        const created = await Promise.all(
          Array.from({ length: 160 }, (_, i) =>
            creators[i % creators.length]?.(tenants[i % tenants.length] ?? DEFAULT_TENANT),
          ),
        );
        const ids = created.map((id) => id ?? 0);
        expect(ids.every((id) => id > 0)).toBe(true);
        expect(new Set(ids).size).toBe(ids.length);

        const stored = await shared.query({
          text: `SELECT count(*)::int AS n, count(DISTINCT restore_id)::int AS ids,
                   count(DISTINCT tenant_id)::int AS tenants FROM "${schema}".restores`,
        });
        expect(stored.rows[0]).toEqual({ n: 160, ids: 160, tenants: tenants.length });
      } finally {
        await Promise.all(pools.map((one) => one.end().catch(() => undefined)));
        await dropSchema(shared, schema);
      }
    });

    it("answers the pending poll from the shard's restores_pending_by_agent index", {
      timeout: 180_000,
    }, async () => {
      const schema = uniqueSchema("pending_index");
      try {
        (await migrate(shared, { schema }))._unsafeUnwrap();
        const app = serviceOn(shared, schema);
        const waiting = [await app.createStarted(), await app.createStarted()];
        // A busy tenant: thousands of finished restores for the same agent, and two waiting.
        await shared.query({
          text: `INSERT INTO "${schema}".restores
                 SELECT (jsonb_populate_record(r, jsonb_build_object(
                   'restore_id', r.restore_id + 1000000 + g, 'state_id', $3::int))).*
                 FROM "${schema}".restores r CROSS JOIN generate_series(1, 5000) AS g
                 WHERE r.tenant_id = $1 AND r.restore_id = $2`,
          values: [DEFAULT_TENANT, waiting[0]?.restoreId, stateId("Completed")],
        });
        await shared.query({ text: `ANALYZE "${schema}".restores` });

        const { client, statements } = recording(shared);
        const pending = (
          await postgresRepository(client, { schema }).pendingAgentRequests(
            DEFAULT_TENANT,
            DESTINATION_MACHINE_ID,
          )
        )._unsafeUnwrap();
        expect(pending.map(({ restoreId }) => restoreId)).toEqual(
          waiting.map(({ restoreId }) => restoreId),
        );
        const [poll] = statements;
        if (poll === undefined) throw new Error("the poll sent no statement");
        const { verdict, plan } = await shardPlan(shared, poll);
        expect(verdict).toBe("one shard");
        expect(plan).toMatch(
          /(?:Index Scan|Index Only Scan) using restores_pending_by_agent_\d+|Bitmap Index Scan on restores_pending_by_agent_\d+/,
        );
        expect(plan).not.toMatch(/Seq Scan/);
      } finally {
        await dropSchema(shared, schema);
      }
    });
  });

  describe("agent notifications on the coordinator", () => {
    it("a subscription on one connection hears a start appended on another", {
      timeout: 120_000,
    }, async () => {
      const schema = uniqueSchema("heard");
      const listening = citusPool({ max: 2 });
      const writing = citusPool({ max: 2 });
      try {
        (await migrate(shared, { schema }))._unsafeUnwrap();
        const heard: AgentRequest[] = [];
        // No poll: only the notification can bring it.
        const subscription = (
          await postgresRepository(fromPool(listening), {
            schema,
            pollIntervalMs: 0,
          }).subscribeAgentRequests(DEFAULT_TENANT, DESTINATION_MACHINE_ID, (request) =>
            heard.push(request),
          )
        )._unsafeUnwrap();
        const started = await serviceOn(fromPool(writing), schema).createStarted();
        const deadline = Date.now() + 60_000;
        while (heard.length === 0 && Date.now() < deadline) await pause(50);
        await subscription.close();
        expect(heard).toEqual([
          {
            tenantId: DEFAULT_TENANT,
            restoreId: started.restoreId,
            agentId: DESTINATION_MACHINE_ID,
            action: "start",
            version: started.version,
          },
        ]);
      } finally {
        await Promise.all([listening.end(), writing.end()].map((p) => p.catch(() => undefined)));
        await dropSchema(shared, schema);
      }
    });
  });
}

const ONE_SHARD_OR_LOCAL: readonly ShardVerdict[] = [
  "one shard",
  "delegated to one shard",
  "no distributed table",
];

/** Each kind of statement the session must have sent to one shard, and how to know it. */
const ROUTED_KINDS: readonly (readonly [string, RegExp])[] = [
  ["load", /to_json\(r\) AS restore FROM/],
  ["events, oldest first", /restore_events WHERE .* ORDER BY seq LIMIT/],
  ["events, newest first", /restore_events WHERE .* ORDER BY seq DESC LIMIT/],
  ["sealed password", /^SELECT sealed_password FROM/],
  ["pending poll", /destination_machine_id = \$2::bigint AND state_id IN/],
  // Every append (create or update, one event or several, under a key, sealing or erasing the
  // password) is this one call; the session's own checks show each kind did what it should.
  ["append", /^SELECT "[^"]+"\.append_restore\(\$1::text, /],
  ["key claim", /^INSERT INTO "[^"]+"\.idempotency_keys AS k/],
  ["key read", /^SELECT fingerprint, response, locked_until, expires_at FROM/],
  ["key complete", /^UPDATE "[^"]+"\.idempotency_keys SET response/],
  ["key release", /^DELETE FROM "[^"]+"\.idempotency_keys WHERE tenant_id/],
];

function localKind(statement: string): string {
  if (/^SELECT nextval\(/.test(statement)) return "nextval";
  if (/^SELECT pg_notify\(/.test(statement)) return "pg_notify";
  if (
    /^SELECT EXISTS \(SELECT 1 FROM pg_catalog\.pg_extension WHERE extname = 'citus'\)/.test(
      statement,
    )
  )
    return "citus check";
  return `unknown: ${statement}`;
}

function sweepKind(statement: string): string {
  if (/^SELECT tenant_id, restore_id FROM .* ORDER BY updated_at/.test(statement)) return "findDue";
  if (
    /^DELETE FROM "[^"]+"\.idempotency_keys WHERE \(tenant_id, principal, key\) IN/.test(statement)
  )
    return "purge";
  return `unknown: ${statement}`;
}

async function plansOf(
  client: SqlClient,
  statements: readonly RecordedStatement[],
): Promise<ShardPlan[]> {
  const plans: ShardPlan[] = [];
  for (const statement of distinctStatements(statements)) {
    plans.push(await shardPlan(client, statement));
  }
  return plans;
}

/** Which of the schema's tables Citus distributes, on which columns, in how many co-location groups. */
async function distribution(client: SqlClient, schema: string) {
  const { rows } = await client.query({
    text: `SELECT c.relname AS table_name, column_to_column_name(p.logicalrelid, p.partkey) AS column_name,
             p.colocationid
           FROM pg_catalog.pg_dist_partition p
           JOIN pg_catalog.pg_class c ON c.oid = p.logicalrelid
           JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
           WHERE n.nspname = $1 AND p.partmethod = 'h'
           ORDER BY c.relname`,
    values: [schema],
  });
  return {
    tables: rows.map((row) => String(row.table_name)),
    columns: [...new Set(rows.map((row) => String(row.column_name)))],
    colocations: new Set(rows.map((row) => Number(row.colocationid))).size,
  };
}

/** The shard of `restores` each tenant's rows live in, and the node holding it. */
async function shardsOf(client: SqlClient, schema: string, tenants: readonly string[]) {
  const { rows } = await client.query({
    text: `SELECT t.tenant, s.shard, n.nodename || ':' || n.nodeport AS node
           FROM unnest($1::text[]) AS t(tenant)
           CROSS JOIN LATERAL (SELECT get_shard_id_for_distribution_column($2::regclass, t.tenant)
             AS shard) AS s
           JOIN pg_catalog.pg_dist_placement pl ON pl.shardid = s.shard
           JOIN pg_catalog.pg_dist_node n ON n.groupid = pl.groupid`,
    values: [tenants, `"${schema}".restores`],
  });
  return rows.map((row) => ({
    tenant: String(row.tenant),
    shard: String(row.shard),
    node: String(row.node),
  }));
}

async function shardCountOf(client: SqlClient, schema: string): Promise<number> {
  const { rows } = await client.query({
    text: "SELECT count(*)::int AS n FROM pg_catalog.pg_dist_shard WHERE logicalrelid = $1::regclass",
    values: [`"${schema}".restores`],
  });
  return Number(rows[0]?.n);
}

/** Creates a restore of `tenantId` (one the fake catalog holds) through the service. */
async function createFor(client: SqlClient, schema: string, tenantId: string) {
  const create = creatorFor(client, schema, [tenantId]);
  const restoreId = await create(tenantId);
  const loaded = await postgresRepository(client, { schema }).load(tenantId, restoreId);
  const restore = loaded._unsafeUnwrap();
  if (restore === null) throw new Error(`restore ${restoreId} of ${tenantId} was not stored`);
  return restore;
}

let request = 0;

/**
 * Creates restores for any of `tenants` through core's service on
 * `client`, with ids from `postgresIdGenerator`: each tenant gets a backup
 * and machines of its own in the fake catalog.
 */
function creatorFor(
  client: SqlClient,
  schema: string,
  tenants: readonly string[],
): (tenantId: string) => Promise<number> {
  const catalog = fakeBackupCatalog();
  const backupId = 9_001;
  const destination = 9_002;
  for (const tenantId of tenants) {
    if (tenantId === DEFAULT_TENANT) continue;
    catalog.addMachine(tenantId, { machineId: BACKUP_MACHINE_ID, name: "SOURCE", publicKey: null });
    catalog.addMachine(tenantId, { machineId: destination, name: "DESTINATION", publicKey: null });
    catalog.addBackup(tenantId, {
      backupId,
      machineId: BACKUP_MACHINE_ID,
      configurationId: 1,
      configurationName: "Nightly",
      restorePoint: "2026-01-01T00:00:00.000Z",
      flavor: "RaxCloudServer",
      dataCenter: "DFW",
      isEncrypted: false,
    });
  }
  const service = createRestoreService({
    repository: postgresRepository(client, { schema }),
    ids: postgresIdGenerator(client, { schema }),
    catalog,
    vault: inMemoryPasswordVault(),
    clock: fixedClock(),
  });
  return async (tenantId) => {
    request += 1;
    const created = await service.createRestore(
      { principal: userPrincipal({ tenantId }), tenantId, requestId: `citus-${request}` },
      {
        backupId,
        backupMachineId: BACKUP_MACHINE_ID,
        destinationMachineId: destination,
        destinationPath: "/var/restore",
        overwriteFiles: false,
      },
    );
    return created._unsafeUnwrap().restoreId;
  };
}
