import { RestoreErrors } from "@restorekit/core";
import fc from "fast-check";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import {
  agentChannel,
  fromPool,
  migrate,
  postgresIdGenerator,
  postgresRepository,
  type StorageFailure,
  storageErrorOf,
  validateSchemaName,
} from "../src/index.js";
import { failedAt } from "../src/migrate-error.js";
import { agentRequestOf } from "../src/postgres-repository.js";

const UNAVAILABLE = RestoreErrors.storageUnavailable();
const INTERNAL = RestoreErrors.internal();

describe("storageErrorOf", () => {
  const serverError = (code: string, message: string) =>
    Object.assign(new Error(message), { code, severity: "ERROR" });

  it("says unavailable for connection, resource, shutdown, timeout and rollback SQLSTATEs", () => {
    for (const code of [
      "08006",
      "08001",
      "57P01",
      "57P03",
      "57014",
      "53300",
      "40001",
      "40P01",
      "55P03",
    ]) {
      expect(storageErrorOf(serverError(code, "x"))).toEqual(UNAVAILABLE);
    }
  });

  it("says internal for a statement the server rejects for what it is", () => {
    for (const code of ["42P01", "42703", "22P02", "23505", "0A000", "XX000"]) {
      expect(storageErrorOf(serverError(code, "x"))).toEqual(INTERNAL);
    }
  });

  it("says unavailable for anything that is not a server error (sockets, timeouts, a closed PGlite)", () => {
    fc.assert(
      fc.property(fc.anything(), (cause) => {
        const looksLikeServerError =
          typeof cause === "object" &&
          cause !== null &&
          typeof (cause as { severity?: unknown }).severity === "string";
        fc.pre(!looksLikeServerError);
        expect(storageErrorOf(cause)).toEqual(UNAVAILABLE);
      }),
    );
    const refused = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:1"), {
      code: "ECONNREFUSED",
    });
    expect(storageErrorOf(refused)).toEqual(UNAVAILABLE);
  });

  it("never carries anything of the driver's message", () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^[0-9A-Z]{5}$/),
        fc.string({ minLength: 8 }),
        (code, message) => {
          const error = storageErrorOf(serverError(code, `SELECT secret ${message}`));
          expect([UNAVAILABLE, INTERNAL]).toContainEqual(error);
        },
      ),
    );
  });
});

describe("migrate's error", () => {
  it("keeps the driver's words when they come as an AggregateError without a message", () => {
    const refused = (address: string) =>
      Object.assign(new Error(`connect ECONNREFUSED ${address}`), { code: "ECONNREFUSED" });
    const cause = new AggregateError([refused("::1:5432"), refused("127.0.0.1:5432")], "");
    const error = failedAt("connect", null, cause);
    expect(error).toMatchObject({ code: "storage_unavailable", step: "connect", sqlState: null });
    expect(error.message).toBe(
      "migrate failed while connecting: connect ECONNREFUSED ::1:5432; connect ECONNREFUSED 127.0.0.1:5432",
    );
    expect(error.cause).toBe(cause);
  });

  it("names the step, the migration and the SQLSTATE of a server error", () => {
    const cause = Object.assign(new Error('relation "restores" already exists'), {
      code: "42P07",
      severity: "ERROR",
    });
    expect(failedAt("apply", "0001_restores.sql", cause)).toEqual({
      code: "internal_error",
      message:
        'migrate failed while applying 0001_restores.sql: relation "restores" already exists (SQLSTATE 42P07)',
      step: "apply",
      migration: "0001_restores.sql",
      sqlState: "42P07",
      issues: [],
      cause,
    });
  });
});

describe("validateSchemaName", () => {
  it("accepts every lower-case identifier up to 63 characters that does not start with pg_", () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[a-z_][a-z0-9_]{0,62}$/), (name) => {
        fc.pre(!name.startsWith("pg_"));
        expect(validateSchemaName(name)._unsafeUnwrap()).toBe(name);
      }),
    );
  });

  it("refuses any name with a character outside [a-z0-9_], and says which argument", () => {
    fc.assert(
      fc.property(
        fc.string(),
        fc.string({ minLength: 1 }).filter((s) => /[^a-z0-9_]/.test(s)),
        (a, bad) => {
          const result = validateSchemaName(`${a}${bad}`);
          expect(result._unsafeUnwrapErr().code).toBe("invalid_request");
          if (result.isErr() && result.error.code === "invalid_request") {
            expect(result.error.issues.map((issue) => issue.path)).toEqual(["schema"]);
          }
        },
      ),
    );
  });

  it("refuses names too long, starting with a digit, or reserved by Postgres", () => {
    for (const name of ["a".repeat(64), "1abc", "pg_temp", "", 'restorekit"; --']) {
      expect(validateSchemaName(name).isErr()).toBe(true);
    }
  });

  it("makes the factories throw at construction for a bad name", () => {
    const client = fromPool(new pg.Pool());
    expect(() => postgresRepository(client, { schema: "Robert'); DROP" })).toThrow(RangeError);
    expect(() => postgresIdGenerator(client, { schema: "a b" })).toThrow(RangeError);
  });

  it("makes the repository throw at construction for an appendWith it does not know", () => {
    const client = fromPool(new pg.Pool());
    const appendWith = "functions" as unknown as "function";
    expect(() => postgresRepository(client, { appendWith })).toThrow(
      /appendWith must be "statement", "function" or left out/,
    );
    expect(() => postgresRepository(client, { appendWith: "function" })).not.toThrow();
  });
});

describe("agent channels and payloads", () => {
  it("name a channel LISTEN accepts, different per schema, tenant and agent", () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), fc.nat(), (schema, tenantId, agentId) => {
        const channel = agentChannel(schema, tenantId, agentId);
        expect(channel).toMatch(/^rk_[0-9a-f]{32}$/);
        expect(channel).not.toBe(agentChannel(schema, tenantId, agentId + 1));
      }),
    );
  });

  it("read back every request they carry, and nothing else", () => {
    const request = fc.record({
      tenantId: fc.string(),
      restoreId: fc.nat(),
      agentId: fc.nat(),
      action: fc.constantFrom("start" as const, "stop" as const),
      version: fc.nat(),
    });
    fc.assert(
      fc.property(request, (sent) => {
        expect(agentRequestOf(JSON.stringify(sent))).toEqual(sent);
      }),
    );
    fc.assert(
      fc.property(fc.string(), (garbage) => {
        const read = agentRequestOf(garbage);
        expect(read === null || typeof read.tenantId === "string").toBe(true);
      }),
    );
    expect(
      agentRequestOf('{"tenantId":"1","restoreId":1,"agentId":1,"action":"drop","version":1}'),
    ).toBeNull();
  });
});

describe("a server that cannot be reached", () => {
  // Port 1 on the loopback refuses at once: no server is needed for this.
  const pool = new pg.Pool({ host: "127.0.0.1", port: 1, connectionTimeoutMillis: 1_000 });
  pool.on("error", () => undefined);
  const client = fromPool(pool);

  afterAll(async () => {
    await pool.end();
  });

  it("makes every method fail with storage_unavailable, never not-found or a throw", async () => {
    const told: StorageFailure[] = [];
    const onError = (failure: StorageFailure) => told.push(failure);
    const repository = postgresRepository(client, { onError });
    const results = await Promise.all([
      repository.load("123456", 13689),
      repository.readEvents("123456", 13689),
      repository.readSealedPassword("123456", 13689),
      repository.pendingAgentRequests("123456", 156751),
      repository.subscribeAgentRequests("123456", 156751, () => undefined),
      postgresIdGenerator(client, { onError }).nextRestoreId(),
    ]);
    expect(results.map((result) => (result.isErr() ? result.error : "ok"))).toEqual(
      Array(6).fill(UNAVAILABLE),
    );
    // Each failure reaches onError with the socket's error, which the caller's error leaves out.
    expect(told.map(({ operation }) => operation).sort()).toEqual(
      [
        "load",
        "readEvents",
        "readSealedPassword",
        "pendingAgentRequests",
        "subscribeAgentRequests",
        "nextRestoreId",
      ].sort(),
    );
    for (const failure of told) {
      expect(failure.error).toEqual(UNAVAILABLE);
      expect(failure.cause).toMatchObject({ code: "ECONNREFUSED" });
    }
  });

  it("makes migrate say it failed connecting, with the driver's reason and no SQLSTATE", async () => {
    const error = (await migrate(client))._unsafeUnwrapErr();
    expect(error).toMatchObject({
      code: "storage_unavailable",
      step: "connect",
      sqlState: null,
      migration: null,
    });
    expect(error.message).toMatch(/^migrate failed while connecting: .*ECONNREFUSED/);
    expect(error.cause).toMatchObject({ code: "ECONNREFUSED" });
  });
});
