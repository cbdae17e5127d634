import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type Env, readConfig } from "../src/config.js";

const KEY = Buffer.alloc(32, 7).toString("base64");

function issuesOf(env: Env): string[] {
  const config = readConfig(env, "/srv/app");
  if (config.isOk()) return [];
  return config.error.issues.map((issue) => `${issue.variable}: ${issue.message}`);
}

describe("readConfig", () => {
  it("defaults to demo mode on 127.0.0.1:8080 with PGlite in ./.restorekit", () => {
    const config = readConfig({}, "/srv/app")._unsafeUnwrap();
    expect(config).toMatchObject({
      port: 8080,
      host: "127.0.0.1",
      storage: { kind: "pglite", dataDir: "/srv/app/.restorekit" },
      dataDir: "/srv/app/.restorekit",
      schema: "restorekit",
      demo: true,
      simulatedAgent: true,
      agentStepMs: 1000,
      tokensFile: null,
      catalogFile: null,
      jwt: null,
      logLevel: "info",
      shutdownTimeoutMs: 10_000,
      warnings: [],
    });
    expect(config.sealing.ephemeral).toBe(true);
  });

  it("keeps everything in memory with DATA_DIR=memory://, and uses Postgres with DATABASE_URL", () => {
    expect(readConfig({ DATA_DIR: "memory://" })._unsafeUnwrap()).toMatchObject({
      storage: { kind: "pglite-memory" },
      dataDir: null,
    });
    const url = "postgres://app:pw@db:5432/app";
    expect(
      readConfig({ DATABASE_URL: url, DATA_DIR: "/var/lib/rk" })._unsafeUnwrap(),
    ).toMatchObject({
      storage: { kind: "postgres", url, poolSize: 10, timeoutMs: 5_000 },
      dataDir: "/var/lib/rk",
    });
  });

  it("sizes the Postgres pool and bounds its waits, and says when those settings mean nothing", () => {
    const url = "postgres://app@db:5432/app";
    const config = readConfig({
      DATABASE_URL: url,
      RESTOREKIT_DB_POOL_SIZE: "4",
      RESTOREKIT_DB_TIMEOUT_MS: "250",
    })._unsafeUnwrap();
    expect(config.storage).toEqual({ kind: "postgres", url, poolSize: 4, timeoutMs: 250 });
    expect(config.warnings).toEqual([]);
    expect(
      readConfig({ DATA_DIR: "memory://", RESTOREKIT_DB_TIMEOUT_MS: "250" })._unsafeUnwrap()
        .warnings,
    ).toEqual([
      "RESTOREKIT_DB_TIMEOUT_MS is set, but it applies only with DATABASE_URL (a Postgres server)",
    ]);
    expect(
      issuesOf({ DATABASE_URL: url, RESTOREKIT_DB_POOL_SIZE: "1", RESTOREKIT_DB_TIMEOUT_MS: "5s" }),
    ).toEqual([
      'RESTOREKIT_DB_POOL_SIZE: must be a whole number from 2 to 1000, not "1"',
      'RESTOREKIT_DB_TIMEOUT_MS: must be a whole number from 100 to 600000, not "5s"',
    ]);
  });

  it("reads the agent deadlines as durations, defaulting to 15m, 5m and 5m", () => {
    expect(readConfig({}, "/srv/app")._unsafeUnwrap().deadlines).toEqual({
      pickupMs: 900_000,
      heartbeatMs: 300_000,
      stopMs: 300_000,
    });
    expect(
      readConfig({
        RESTOREKIT_PICKUP_TIMEOUT: "2h",
        RESTOREKIT_HEARTBEAT_TIMEOUT: "90s",
        RESTOREKIT_STOP_TIMEOUT: "750ms",
      })._unsafeUnwrap().deadlines,
    ).toEqual({ pickupMs: 7_200_000, heartbeatMs: 90_000, stopMs: 750 });
    expect(readConfig({ RESTOREKIT_STOP_TIMEOUT: "1d" })._unsafeUnwrap().deadlines.stopMs).toBe(
      86_400_000,
    );
    const refused = "must be a duration from 1ms to 365d such as 500ms, 30s, 10m, 2h or 1d, not";
    expect(
      issuesOf({
        RESTOREKIT_PICKUP_TIMEOUT: "10",
        RESTOREKIT_HEARTBEAT_TIMEOUT: "0s",
        RESTOREKIT_STOP_TIMEOUT: "366d",
      }),
    ).toEqual([
      `RESTOREKIT_PICKUP_TIMEOUT: ${refused} "10"`,
      `RESTOREKIT_HEARTBEAT_TIMEOUT: ${refused} "0s"`,
      `RESTOREKIT_STOP_TIMEOUT: ${refused} "366d"`,
    ]);
  });

  it("reads every setting it is given", () => {
    const config = readConfig(
      {
        PORT: "0",
        HOST: "0.0.0.0",
        DATA_DIR: "data",
        RESTOREKIT_SCHEMA: "rk_prod",
        RESTOREKIT_DEMO: "off",
        RESTOREKIT_AGENT_STEP_MS: "250",
        RESTOREKIT_TOKENS_FILE: "tokens.json",
        RESTOREKIT_CATALOG_FILE: "/etc/rk/catalog.json",
        RESTOREKIT_JWT_SECRET: "s".repeat(40),
        RESTOREKIT_JWT_ALGORITHMS: "HS256, HS512",
        RESTOREKIT_JWT_ISSUER: "https://id.example",
        RESTOREKIT_JWT_AUDIENCE: "restorekit",
        RESTOREKIT_JWT_TENANT_CLAIM: "tid",
        RESTOREKIT_SHUTDOWN_TIMEOUT_MS: "0",
        RESTOREKIT_SEALING_KEYS: `k1:${KEY}`,
        LOG_LEVEL: "WARN",
      },
      "/srv/app",
    )._unsafeUnwrap();
    expect(config).toMatchObject({
      port: 0,
      host: "0.0.0.0",
      storage: { kind: "pglite", dataDir: "/srv/app/data" },
      schema: "rk_prod",
      demo: false,
      simulatedAgent: false,
      agentStepMs: 250,
      tokensFile: "/srv/app/tokens.json",
      catalogFile: "/etc/rk/catalog.json",
      jwt: {
        secret: "s".repeat(40),
        jwksUrl: null,
        algorithms: ["HS256", "HS512"],
        issuer: "https://id.example",
        audience: "restorekit",
        claims: { tenant: "tid", roles: null, agentId: null, user: null },
      },
      logLevel: "warn",
      shutdownTimeoutMs: 0,
    });
    expect(config.sealing).toMatchObject({ ephemeral: false, keyring: { currentKeyId: "k1" } });
  });

  it("treats an empty value as unset", () => {
    expect(
      readConfig({ PORT: "", RESTOREKIT_DEMO: " ", DATABASE_URL: "" })._unsafeUnwrap(),
    ).toMatchObject({
      port: 8080,
      demo: true,
      storage: { kind: "pglite" },
    });
  });

  it("reports every bad value at once, naming the variable", () => {
    expect(
      issuesOf({
        PORT: "65536",
        HOST: "my host",
        DATA_DIR: "s3://bucket",
        RESTOREKIT_SCHEMA: "Bad-Name",
        RESTOREKIT_DEMO: "maybe",
        RESTOREKIT_AGENT_STEP_MS: "-1",
        LOG_LEVEL: "loud",
      }),
    ).toEqual([
      'PORT: must be a whole number from 0 to 65535, not "65536"',
      'HOST: must be a host name or an IP address such as 127.0.0.1 or 0.0.0.0, not "my host"',
      'DATA_DIR: must be a directory or memory:// (to keep everything in memory), not "s3://bucket"',
      'RESTOREKIT_SCHEMA: must be a lower-case identifier of at most 63 characters (letters, digits and _, not starting with a digit or pg_), not "Bad-Name"',
      'RESTOREKIT_DEMO: must be 1 or 0 (also true/false, yes/no, on/off), not "maybe"',
      'RESTOREKIT_AGENT_STEP_MS: must be a whole number from 0 to 60000, not "-1"',
      'LOG_LEVEL: must be one of fatal, error, warn, info, debug, trace, silent, not "loud"',
    ]);
    const config = readConfig({ PORT: "x" });
    expect(config._unsafeUnwrapErr().message).toBe(
      'The configuration is invalid:\n  PORT: must be a whole number from 0 to 65535, not "x"',
    );
  });

  it("never quotes a secret: the database URL, the JWT secret, the sealing keys", () => {
    const issues = issuesOf({
      DATABASE_URL: "mysql://app:hunter2@db/app",
      RESTOREKIT_JWT_SECRET: "topsecret-value",
      RESTOREKIT_JWT_JWKS_URL: "ftp://topsecret-host/keys",
      RESTOREKIT_SEALING_KEYS: "k1:topsecret!!",
    });
    expect(issues.map((issue) => issue.split(":")[0])).toEqual([
      "DATABASE_URL",
      "RESTOREKIT_JWT_JWKS_URL",
      "RESTOREKIT_JWT_JWKS_URL",
      "RESTOREKIT_SEALING_KEYS",
    ]);
    expect(issues.join("\n")).not.toMatch(/hunter2|topsecret/);
    expect(issuesOf({ DATABASE_URL: "not a url with p4ss" })).toEqual([
      "DATABASE_URL: must be a URL such as postgres://user:password@host:5432/database",
    ]);
  });

  it("refuses a simulated agent without demo mode, and JWT settings without a key source", () => {
    expect(issuesOf({ RESTOREKIT_DEMO: "0", RESTOREKIT_SIMULATED_AGENT: "1" })).toEqual([
      "RESTOREKIT_SIMULATED_AGENT: the simulated agent plays the demo agent, so it needs demo mode (RESTOREKIT_DEMO is off)",
    ]);
    expect(issuesOf({ RESTOREKIT_JWT_ISSUER: "https://id.example" })).toEqual([
      "RESTOREKIT_JWT_ISSUER: is set, but JWTs are off: set RESTOREKIT_JWT_SECRET or RESTOREKIT_JWT_JWKS_URL to turn them on",
    ]);
    expect(
      issuesOf({ RESTOREKIT_JWT_SECRET: "x".repeat(32), RESTOREKIT_JWT_ALGORITHMS: "hs256;rs256" }),
    ).toEqual([
      'RESTOREKIT_JWT_ALGORITHMS: must be a comma-separated list of JWS algorithms such as HS256,RS256, not "hs256;rs256"',
    ]);
  });

  it("warns of a RESTOREKIT_ variable nothing reads", () => {
    const config = readConfig({ RESTOREKIT_DEMOO: "0", RESTOREKIT_TOKEN: "t" })._unsafeUnwrap();
    expect(config.warnings).toEqual([
      "RESTOREKIT_DEMOO is set, but nothing in restorekit reads it (a typo?)",
    ]);
  });

  it("takes exactly the ports 0 to 65535, written in digits", { timeout: 30_000 }, () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 65_535 }), (port) => {
        expect(readConfig({ PORT: String(port) })._unsafeUnwrap().port).toBe(port);
      }),
      { numRuns: 200 },
    );
    fc.assert(
      fc.property(
        fc.oneof(
          fc.integer({ min: 65_536 }).map(String),
          fc.integer({ max: -1 }).map(String),
          fc.string().filter((s) => s.trim() !== "" && !/^\s*\d+\s*$/.test(s)),
        ),
        (port) => {
          expect(issuesOf({ PORT: port })).toHaveLength(1);
        },
      ),
      { numRuns: 200 },
    );
  });

  it("reads a boolean in any case and spelling it lists, and nothing else", {
    timeout: 30_000,
  }, () => {
    fc.assert(
      fc.property(
        fc.constantFrom("1", "true", "yes", "on", "0", "false", "no", "off"),
        fc.boolean(),
        (word, upper) => {
          const value = upper ? word.toUpperCase() : word;
          const demo = readConfig({ RESTOREKIT_DEMO: value })._unsafeUnwrap().demo;
          expect(demo).toBe(["1", "true", "yes", "on"].includes(word));
        },
      ),
      { numRuns: 50 },
    );
    fc.assert(
      fc.property(
        fc.string().filter((s) => !/^(1|0|true|false|yes|no|on|off|\s*)$/i.test(s.trim())),
        (value) => {
          expect(issuesOf({ RESTOREKIT_DEMO: value })[0]).toMatch(
            /^RESTOREKIT_DEMO: must be 1 or 0/,
          );
        },
      ),
      { numRuns: 200 },
    );
  });
});
