import type { RestoreError } from "@restorekit/core";
import {
  BACKUP_MACHINE_ID,
  DEFAULT_TENANT,
  DESTINATION_MACHINE_ID,
  UNENCRYPTED_BACKUP_ID,
} from "@restorekit/testing";
import { restoreRepositoryContract } from "@restorekit/testing/contract";
import type { Result } from "neverthrow";
import type pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  agentRequests,
  fromPool,
  migrate,
  postgresRepository,
  type SqlClient,
} from "../src/index.js";
import {
  createRestores,
  expectNoLostUpdate,
  recordingClient,
  workload,
} from "./support/concurrent-clients.js";
import { dropSchema, freshSubject } from "./support/contract-subject.js";
import { backendKiller } from "./support/killer.js";
import { DATABASE_URL, serverIsUp, serverPool, uniqueSchema } from "./support/real-server.js";
import { serviceOn } from "./support/service.js";
import {
  type Backend,
  expectConsistent,
  migrateSuite,
  notifySuite,
  storageFailureSuite,
} from "./support/shared-suites.js";

/** The tests below that need a real server, named for the warning when there is none. */
const REAL_SERVER_TESTS = [
  "the repository contract suite on the real server",
  "32 concurrent clients on 5 restores: no lost update, row == fold, gap-free seq",
  "pg_terminate_backend mid-run: storage_unavailable, nothing half-written, the pool recovers",
  "migrate() from 4 concurrent clients on separate connections",
  "LISTEN/NOTIFY across connections, and a lost listener connection re-established",
  "pool exhaustion (connectionTimeoutMillis) as storage_unavailable",
  "two schemas sharing a 60-character prefix on one connection (prepared statement names)",
  "migrate errors naming the step and SQLSTATE: missing database, missing role, no CREATE privilege",
  "a broken table: internal_error to the caller, the driver's error to onError",
];

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// Asked once at collection time, so the file registers either the real tests or the warning.
const up = await serverIsUp();

if (!up) {
  it("reports the real-server tests it could not run", () => {
    console.warn(
      [
        "No Postgres server answered at DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test).",
        "These real-server tests were NOT run:",
        ...REAL_SERVER_TESTS.map((name) => `  - ${name}`),
        "The contract suite, migrate() and LISTEN/NOTIFY ran on PGlite instead (pglite.test.ts).",
      ].join("\n"),
    );
    expect(up).toBe(false);
  });
} else {
  const pools: pg.Pool[] = [];
  const poolOf = (options: pg.PoolConfig = {}): pg.Pool => {
    const pool = serverPool(options);
    pools.push(pool);
    return pool;
  };
  let shared: SqlClient;

  beforeAll(() => {
    shared = fromPool(poolOf({ max: 8 }));
  });

  afterAll(async () => {
    await Promise.all(pools.map((pool) => pool.end().catch(() => undefined)));
  });

  const server = (): Backend => {
    const own: pg.Pool[] = [];
    return {
      name: "server",
      clients: (count) =>
        Array.from({ length: count }, () => {
          const pool = serverPool({ max: 2 });
          own.push(pool);
          return fromPool(pool);
        }),
      release: async () => {
        await Promise.all(own.map((pool) => pool.end()));
      },
    };
  };

  restoreRepositoryContract("postgres repository on the real server", () =>
    freshSubject(shared, uniqueSchema("contract")),
  );

  // The append Citus is sent (one function call) must keep the same contract everywhere.
  restoreRepositoryContract(
    "postgres repository on the real server, appending with the function",
    () => freshSubject(shared, uniqueSchema("contract"), { appendWith: "function" }),
  );

  migrateSuite(server);
  notifySuite(server);
  storageFailureSuite(server);

  describe("concurrent clients", () => {
    it("32 clients on 5 restores: no lost update, row == fold, gap-free seq", {
      timeout: 60_000,
    }, async () => {
      await expectNoLostUpdate(shared, serverPool);
    });

    it("connections killed mid-run: storage_unavailable, nothing half-written, the pool recovers", {
      timeout: 60_000,
    }, async () => {
      const schema = uniqueSchema("killed");
      (await migrate(shared, { schema }))._unsafeUnwrap();
      const restoreIds = await createRestores(shared, schema, 5);
      const application = `rk_victim_${process.pid}`;
      // Connected before the load starts, so the killer never waits for a slot the victims hold.
      const killer = await backendKiller(application);
      const clients = Array.from({ length: 32 }, () =>
        recordingClient(poolOf({ max: 1, application_name: application }), schema),
      );
      let killed = 0;
      try {
        const stop = Date.now() + 3_000;
        const killing = (async () => {
          while (Date.now() < stop) {
            await pause(150);
            // A failed attempt counts 0; the next tick tries again.
            killed += await killer.kill();
          }
        })();

        const outcome = await workload(clients, restoreIds, 3_000, ["storage_unavailable"]);
        await killing;

        expect(killed).toBeGreaterThan(0);
        expect(outcome.unexpected).toEqual([]);
        expect(outcome.codes.storage_unavailable ?? 0).toBeGreaterThan(0);
        // Every client's pool serves again once the killing stops. pg_terminate_backend returns
        // before the backend exits, so a connection killed in the last tick may still fail one
        // call (storage_unavailable, and the pool drops it); the next must be served.
        for (const client of clients) {
          const restoreId = restoreIds[0] ?? 0;
          const first = await client.repository.load(DEFAULT_TENANT, restoreId);
          if (first.isErr()) expect(first.error.code).toBe("storage_unavailable");
          const loaded = first.isOk()
            ? first
            : await client.repository.load(DEFAULT_TENANT, restoreId);
          expect(loaded.isOk()).toBe(true);
        }
      } finally {
        await killer.close();
        await endPools(clients);
      }
      await expectConsistent(shared, schema, restoreIds);
      await dropSchema(shared, schema);
    });
  });

  describe("connections", () => {
    it("fails with storage_unavailable when the pool is exhausted, and serves once it frees", async () => {
      const schema = uniqueSchema("exhausted");
      (await migrate(shared, { schema }))._unsafeUnwrap();
      const pool = poolOf({ max: 1, connectionTimeoutMillis: 200 });
      const repository = postgresRepository(fromPool(pool), { schema });
      const held = await pool.connect();
      try {
        const result = await repository.load(DEFAULT_TENANT, 1);
        expect(result._unsafeUnwrapErr()).toEqual({
          code: "storage_unavailable",
          message: "The restore store is unavailable; retry shortly.",
        });
      } finally {
        held.release();
      }
      expect((await repository.load(DEFAULT_TENANT, 1))._unsafeUnwrap()).toBeNull();
      await dropSchema(shared, schema);
    });

    it("re-establishes a lost listener connection and misses no request made meanwhile", {
      timeout: 60_000,
    }, async () => {
      const schema = uniqueSchema("relisten");
      (await migrate(shared, { schema }))._unsafeUnwrap();
      const application = `rk_listener_${process.pid}`;
      const killer = await backendKiller(application);
      // Slow to reconnect, so the first requests below are surely sent while no one listens.
      const listener = fromPool(poolOf({ max: 2, application_name: application }), {
        reconnectDelayMs: 1_500,
      });
      const stream = (
        await agentRequests(listener, {
          schema,
          tenantId: DEFAULT_TENANT,
          agentId: DESTINATION_MACHINE_ID,
          includePending: false,
        })
      )._unsafeUnwrap();
      // The listener's connection must really be lost, or the test proves nothing.
      let killed = 0;
      for (let tick = 0; tick < 50 && killed === 0; tick += 1) {
        if (tick > 0) await pause(100);
        killed = await killer.kill();
      }
      await killer.close();
      expect(killed).toBeGreaterThan(0);

      // Three started while the listener is down, whose notifications no one hears: the poll it
      // runs once it listens again delivers them. Two more after it is back, heard as usual.
      const app = serviceOn(shared, schema);
      const started: number[] = [];
      for (let i = 0; i < 5; i += 1) {
        if (i === 3) await pause(2_500);
        started.push((await app.createStarted()).restoreId);
      }
      const heard = new Set<number>();
      for await (const request of stream) {
        expect(request).toMatchObject({ action: "start", agentId: DESTINATION_MACHINE_ID });
        heard.add(request.restoreId);
        if (started.every((id) => heard.has(id))) break;
      }
      expect([...heard].sort((x, y) => x - y)).toEqual(started);
      await stream.close();
      await dropSchema(shared, schema);
    });
  });

  describe("prepared statements", () => {
    it("keeps two schemas sharing a 60-character prefix apart on one connection", {
      timeout: 60_000,
    }, async () => {
      // Names a 63-byte cut once made equal: only the last 3 of their 63 characters differ.
      const prefix = `${uniqueSchema("long")}_`.padEnd(60, "x");
      const schemas = [`${prefix}ab1`, `${prefix}ab2`];
      for (const schema of schemas) (await migrate(shared, { schema }))._unsafeUnwrap();
      // One connection, so both schemas' statements are prepared side by side on it.
      const client = fromPool(poolOf({ max: 1 }));
      const sides = schemas.map((schema) => ({
        app: serviceOn(client, schema),
        repository: postgresRepository(client, { schema }),
      }));
      const failed: string[] = [];
      const check = <T>(what: string, result: Result<T, RestoreError>): T | null => {
        if (result.isErr()) failed.push(`${what}: ${result.error.code}`);
        return result.isOk() ? result.value : null;
      };
      for (let round = 0; round < 3; round += 1) {
        for (const [side, { app, repository }] of sides.entries()) {
          const at = `round ${round}, schema ${side}`;
          const created = check(
            `${at}: create`,
            await app.service.createRestore(app.user(), {
              backupId: UNENCRYPTED_BACKUP_ID,
              backupMachineId: BACKUP_MACHINE_ID,
              destinationMachineId: DESTINATION_MACHINE_ID,
              destinationPath: "/var/restore",
              overwriteFiles: false,
            }),
          );
          if (created === null) continue;
          const { restoreId } = created;
          check(
            `${at}: start`,
            await app.service.requestAction(app.user(), {
              action: "StartManual",
              restoreId,
              encryptedPassword: null,
            }),
          );
          check(`${at}: load`, await repository.load(DEFAULT_TENANT, restoreId));
          check(`${at}: readEvents`, await repository.readEvents(DEFAULT_TENANT, restoreId));
          check(
            `${at}: readSealedPassword`,
            await repository.readSealedPassword(DEFAULT_TENANT, restoreId),
          );
          check(
            `${at}: pending`,
            await repository.pendingAgentRequests(DEFAULT_TENANT, DESTINATION_MACHINE_ID),
          );
        }
      }
      expect(failed).toEqual([]);
      // Each schema saw only its own restores: the statements ran against the right one.
      for (const { repository } of sides) {
        const pending = (
          await repository.pendingAgentRequests(DEFAULT_TENANT, DESTINATION_MACHINE_ID)
        )._unsafeUnwrap();
        expect(pending).toHaveLength(3);
      }
      for (const schema of schemas) await dropSchema(shared, schema);
    });
  });

  describe("migrate failures", () => {
    const urlWith = (change: (url: URL) => void): string => {
      const url = new URL(DATABASE_URL);
      change(url);
      return url.toString();
    };

    it("names the connecting step and SQLSTATE 3D000 for a database that does not exist", async () => {
      const database = `rk_missing_${process.pid}`;
      const pool = poolOf({
        connectionString: urlWith((url) => {
          url.pathname = `/${database}`;
        }),
      });
      const error = (await migrate(fromPool(pool)))._unsafeUnwrapErr();
      expect(error).toMatchObject({ step: "connect", sqlState: "3D000", migration: null });
      expect(["internal_error", "storage_unavailable"]).toContain(error.code);
      expect(error.message).toContain("while connecting");
      expect(error.message).toContain("3D000");
      expect(error.message).toContain(database);
      expect(error.cause).toBeInstanceOf(Error);
      expect((error.cause as { code?: unknown }).code).toBe("3D000");
    });

    it("names the connecting step and SQLSTATE 28000 for a role that does not exist", async () => {
      const role = `rk_nobody_${process.pid}`;
      const pool = poolOf({
        connectionString: urlWith((url) => {
          url.username = role;
        }),
      });
      const error = (await migrate(fromPool(pool)))._unsafeUnwrapErr();
      expect(error).toMatchObject({ step: "connect", sqlState: "28000", migration: null });
      expect(error.message).toContain("while connecting");
      expect(error.message).toContain("28000");
      expect(error.message).toContain(role);
      expect((error.cause as { code?: unknown }).code).toBe("28000");
    });

    it("names the step creating the schema for a role that may not create one (42501)", async () => {
      const role = `rk_limited_${process.pid}`;
      await shared.query({ text: `DROP ROLE IF EXISTS ${role}` });
      await shared.query({ text: `CREATE ROLE ${role} LOGIN` });
      const pool = serverPool({
        connectionString: urlWith((url) => {
          url.username = role;
        }),
      });
      try {
        const schema = uniqueSchema("denied");
        const error = (await migrate(fromPool(pool), { schema }))._unsafeUnwrapErr();
        expect(error).toMatchObject({
          code: "internal_error",
          step: "create_schema",
          sqlState: "42501",
          migration: null,
        });
        expect(error.message).toContain("while creating the schema");
        expect(error.message).toContain("42501");
      } finally {
        await pool.end();
        await shared.query({ text: `DROP ROLE IF EXISTS ${role}` });
      }
    });
  });

  async function endPools(clients: readonly { pool: pg.Pool }[]): Promise<void> {
    await Promise.all(
      clients.map(({ pool }) => {
        const at = pools.indexOf(pool);
        if (at >= 0) pools.splice(at, 1);
        return pool.end().catch(() => undefined);
      }),
    );
  }
}
