import { isAbsolute, resolve } from "node:path";
import { DEFAULT_DEADLINES, type Deadlines } from "@restorekit/core";
import {
  type KeyringFromEnv,
  keyringFromEnv,
  SEALING_KEY_CURRENT_ENV,
  SEALING_KEYS_ENV,
} from "@restorekit/crypto";
import { DEFAULT_SCHEMA, validateSchemaName } from "@restorekit/postgres";
import { err, ok, type Result } from "neverthrow";
import { type ConfigError, type ConfigIssue, StartErrors } from "./start-error.js";

/** The environment as `process.env` holds it. */
export type Env = Readonly<Record<string, string | undefined>>;

/** Where restores are kept. */
export type StorageConfig =
  | { readonly kind: "pglite"; readonly dataDir: string }
  | { readonly kind: "pglite-memory" }
  | {
      readonly kind: "postgres";
      readonly url: string;
      /** The most connections the server opens (its notification listener included). */
      readonly poolSize: number;
      /**
       * The longest a request waits on the database at each step: for a
       * connection from the pool, and for each statement (lock waits
       * included; the server cancels it). Past it the request answers 503.
       */
      readonly timeoutMs: number;
    };

export type LogLevel = "fatal" | "error" | "warn" | "info" | "debug" | "trace" | "silent";

/** How tokens that are JWTs are checked; claim names default to the verifier's own. */
export interface JwtConfig {
  readonly secret: string | null;
  readonly jwksUrl: string | null;
  readonly algorithms: readonly string[] | null;
  readonly issuer: string | null;
  readonly audience: string | null;
  readonly claims: {
    readonly tenant: string | null;
    readonly roles: string | null;
    readonly agentId: string | null;
    readonly user: string | null;
  };
}

/** Everything the server reads from its environment, checked. */
export interface ServerConfig {
  readonly port: number;
  readonly host: string;
  readonly storage: StorageConfig;
  /** Where files of the server live (the demo agent's key); `null` in memory mode. */
  readonly dataDir: string | null;
  readonly schema: string;
  readonly demo: boolean;
  readonly simulatedAgent: boolean;
  /** How long the simulated agent waits between two reports. */
  readonly agentStepMs: number;
  readonly tokensFile: string | null;
  readonly catalogFile: string | null;
  readonly jwt: JwtConfig | null;
  readonly logLevel: LogLevel;
  /** How long a shutdown waits for requests in flight before it closes their connections. */
  readonly shutdownTimeoutMs: number;
  readonly sealing: KeyringFromEnv;
  /** How long a restore waits on its agent before the sweeper gives it up. */
  readonly deadlines: Deadlines;
  /** Said at start, not fatal: e.g. a `RESTOREKIT_` variable nobody reads (a typo?). */
  readonly warnings: readonly string[];
}

export const DEFAULT_PORT = 8080;
export const DEFAULT_HOST = "127.0.0.1";
export const DEFAULT_DATA_DIR = ".restorekit";
/** The `DATA_DIR` value that keeps everything in memory. */
export const MEMORY_DATA_DIR = "memory://";
export const DEFAULT_AGENT_STEP_MS = 1000;
export const DEFAULT_SHUTDOWN_TIMEOUT_MS = 10_000;
export const DEFAULT_DB_POOL_SIZE = 10;
export const DEFAULT_DB_TIMEOUT_MS = 5_000;

const LOG_LEVELS: readonly LogLevel[] = [
  "fatal",
  "error",
  "warn",
  "info",
  "debug",
  "trace",
  "silent",
];
const TRUE = new Set(["1", "true", "yes", "on"]);
const FALSE = new Set(["0", "false", "no", "off"]);

/** The JWT settings that refine a secret or key set, and mean nothing without one. */
const JWT_OPTIONAL = [
  "RESTOREKIT_JWT_ALGORITHMS",
  "RESTOREKIT_JWT_ISSUER",
  "RESTOREKIT_JWT_AUDIENCE",
  "RESTOREKIT_JWT_TENANT_CLAIM",
  "RESTOREKIT_JWT_ROLES_CLAIM",
  "RESTOREKIT_JWT_AGENT_CLAIM",
  "RESTOREKIT_JWT_USER_CLAIM",
] as const;

/** Every `RESTOREKIT_` variable something in restorekit reads; any other one is reported. */
export const KNOWN_RESTOREKIT_VARIABLES: ReadonlySet<string> = new Set([
  "RESTOREKIT_DEMO",
  "RESTOREKIT_SIMULATED_AGENT",
  "RESTOREKIT_AGENT_STEP_MS",
  "RESTOREKIT_SCHEMA",
  "RESTOREKIT_TOKENS_FILE",
  "RESTOREKIT_CATALOG_FILE",
  "RESTOREKIT_JWT_SECRET",
  "RESTOREKIT_JWT_JWKS_URL",
  ...JWT_OPTIONAL,
  "RESTOREKIT_SHUTDOWN_TIMEOUT_MS",
  "RESTOREKIT_DB_POOL_SIZE",
  "RESTOREKIT_DB_TIMEOUT_MS",
  "RESTOREKIT_PICKUP_TIMEOUT",
  "RESTOREKIT_HEARTBEAT_TIMEOUT",
  "RESTOREKIT_STOP_TIMEOUT",
  SEALING_KEYS_ENV,
  SEALING_KEY_CURRENT_ENV,
  // Read by the command line tool, not the server.
  "RESTOREKIT_URL",
  "RESTOREKIT_TOKEN",
]);

/**
 * Reads and checks the server's environment. Every bad value is reported,
 * all at once, naming the variable; a secret's value (a URL's password, a
 * JWT secret, a sealing key) is never quoted. Relative paths are resolved
 * against `cwd`.
 *
 * @example
 * ```ts
 * const config = readConfig({ PORT: "0", DATA_DIR: "memory://" });
 * if (config.isOk()) console.log(config.value.storage.kind); // "pglite-memory"
 * ```
 */
export function readConfig(
  env: Env,
  cwd: string = process.cwd(),
): Result<ServerConfig, ConfigError> {
  const issues: ConfigIssue[] = [];
  const port = readInteger(issues, env, "PORT", DEFAULT_PORT, 0, 65_535);
  const host = readHost(issues, env);
  const dataDir = readDataDir(issues, env, cwd);
  const databaseUrl = readDatabaseUrl(issues, env);
  const schema = readSchema(issues, env);
  const demo = readBoolean(issues, env, "RESTOREKIT_DEMO", true);
  const simulatedAgent = readBoolean(issues, env, "RESTOREKIT_SIMULATED_AGENT", demo);
  if (simulatedAgent && !demo && isSet(env, "RESTOREKIT_SIMULATED_AGENT")) {
    issues.push({
      variable: "RESTOREKIT_SIMULATED_AGENT",
      message:
        "the simulated agent plays the demo agent, so it needs demo mode (RESTOREKIT_DEMO is off)",
    });
  }
  const agentStepMs = readInteger(
    issues,
    env,
    "RESTOREKIT_AGENT_STEP_MS",
    DEFAULT_AGENT_STEP_MS,
    0,
    60_000,
  );
  const shutdownTimeoutMs = readInteger(
    issues,
    env,
    "RESTOREKIT_SHUTDOWN_TIMEOUT_MS",
    DEFAULT_SHUTDOWN_TIMEOUT_MS,
    0,
    600_000,
  );
  const poolSize = readInteger(
    issues,
    env,
    "RESTOREKIT_DB_POOL_SIZE",
    DEFAULT_DB_POOL_SIZE,
    2,
    1_000,
  );
  const timeoutMs = readInteger(
    issues,
    env,
    "RESTOREKIT_DB_TIMEOUT_MS",
    DEFAULT_DB_TIMEOUT_MS,
    100,
    600_000,
  );
  const deadlines: Deadlines = {
    pickupMs: readDuration(issues, env, "RESTOREKIT_PICKUP_TIMEOUT", DEFAULT_DEADLINES.pickupMs),
    heartbeatMs: readDuration(
      issues,
      env,
      "RESTOREKIT_HEARTBEAT_TIMEOUT",
      DEFAULT_DEADLINES.heartbeatMs,
    ),
    stopMs: readDuration(issues, env, "RESTOREKIT_STOP_TIMEOUT", DEFAULT_DEADLINES.stopMs),
  };
  const tokensFile = readPath(issues, env, "RESTOREKIT_TOKENS_FILE", cwd);
  const catalogFile = readPath(issues, env, "RESTOREKIT_CATALOG_FILE", cwd);
  const jwt = readJwt(issues, env);
  const logLevel = readLogLevel(issues, env);
  const sealing = keyringFromEnv(env);
  if (sealing.isErr()) {
    issues.push({ variable: SEALING_KEYS_ENV, message: sealing.error.message });
  }

  if (issues.length > 0 || sealing.isErr()) return err(StartErrors.invalidConfig(issues));
  const storage: StorageConfig =
    databaseUrl !== null
      ? { kind: "postgres", url: databaseUrl, poolSize, timeoutMs }
      : dataDir === null
        ? { kind: "pglite-memory" }
        : { kind: "pglite", dataDir };
  return ok({
    port,
    host,
    storage,
    dataDir,
    schema,
    demo,
    simulatedAgent: simulatedAgent && demo,
    agentStepMs,
    tokensFile,
    catalogFile,
    jwt,
    logLevel,
    shutdownTimeoutMs,
    sealing: sealing.value,
    deadlines,
    warnings: [...unknownVariables(env), ...postgresOnly(env, databaseUrl)],
  });
}

/** Unset and empty are the same: `FOO= pnpm start` means the default. */
function settingOf(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === "" ? undefined : value;
}

function isSet(env: Env, name: string): boolean {
  return settingOf(env, name) !== undefined;
}

/** A value as it may be shown: short, and never a secret (only non-secret variables call this). */
function shown(value: string): string {
  return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
}

function readInteger(
  issues: ConfigIssue[],
  env: Env,
  name: string,
  fallback: number,
  min: number,
  max: number,
): number {
  const value = settingOf(env, name);
  if (value === undefined) return fallback;
  const number = /^\d{1,9}$/.test(value) ? Number(value) : Number.NaN;
  if (!(number >= min && number <= max)) {
    issues.push({
      variable: name,
      message: `must be a whole number from ${min} to ${max}, not ${shown(value)}`,
    });
    return fallback;
  }
  return number;
}

const DURATION_UNITS: Readonly<Record<string, number>> = {
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};
const MAX_DURATION_MS = 365 * 86_400_000;

/** A duration such as `500ms`, `2s`, `10m`, `1h` or `1d`: a whole number and a unit. */
function readDuration(issues: ConfigIssue[], env: Env, name: string, fallback: number): number {
  const value = settingOf(env, name);
  if (value === undefined) return fallback;
  const match = /^(\d{1,12})\s*(ms|s|m|h|d)$/.exec(value);
  const ms =
    match === null ? Number.NaN : Number(match[1]) * (DURATION_UNITS[match[2] as string] as number);
  if (!(ms >= 1 && ms <= MAX_DURATION_MS)) {
    issues.push({
      variable: name,
      message: `must be a duration from 1ms to 365d such as 500ms, 30s, 10m, 2h or 1d, not ${shown(value)}`,
    });
    return fallback;
  }
  return ms;
}

function readBoolean(issues: ConfigIssue[], env: Env, name: string, fallback: boolean): boolean {
  const value = settingOf(env, name)?.toLowerCase();
  if (value === undefined) return fallback;
  if (TRUE.has(value)) return true;
  if (FALSE.has(value)) return false;
  issues.push({
    variable: name,
    message: `must be 1 or 0 (also true/false, yes/no, on/off), not ${shown(value)}`,
  });
  return fallback;
}

function readHost(issues: ConfigIssue[], env: Env): string {
  const value = settingOf(env, "HOST");
  if (value === undefined) return DEFAULT_HOST;
  if (!/^[A-Za-z0-9.:_[\]-]{1,253}$/.test(value)) {
    issues.push({
      variable: "HOST",
      message: `must be a host name or an IP address such as 127.0.0.1 or 0.0.0.0, not ${shown(value)}`,
    });
    return DEFAULT_HOST;
  }
  return value;
}

function hasControlCharacter(value: string): boolean {
  for (const char of value) {
    const code = char.charCodeAt(0);
    if (code < 0x20 || code === 0x7f) return true;
  }
  return false;
}

function readDataDir(issues: ConfigIssue[], env: Env, cwd: string): string | null {
  const value = settingOf(env, "DATA_DIR");
  if (value === MEMORY_DATA_DIR) return null;
  if (value !== undefined && /^[a-z][a-z0-9+.-]*:\/\//i.test(value)) {
    issues.push({
      variable: "DATA_DIR",
      message: `must be a directory or ${MEMORY_DATA_DIR} (to keep everything in memory), not ${shown(value)}`,
    });
    return null;
  }
  if (value !== undefined && hasControlCharacter(value)) {
    issues.push({ variable: "DATA_DIR", message: "must not hold control characters" });
    return null;
  }
  const dir = value ?? DEFAULT_DATA_DIR;
  return isAbsolute(dir) ? dir : resolve(cwd, dir);
}

function readPath(issues: ConfigIssue[], env: Env, name: string, cwd: string): string | null {
  const value = settingOf(env, name);
  if (value === undefined) return null;
  if (hasControlCharacter(value)) {
    issues.push({ variable: name, message: "must be a file path without control characters" });
    return null;
  }
  return isAbsolute(value) ? value : resolve(cwd, value);
}

function readDatabaseUrl(issues: ConfigIssue[], env: Env): string | null {
  const value = settingOf(env, "DATABASE_URL");
  if (value === undefined) return null;
  // The URL may hold a password: the messages describe it, never quote it.
  const url = URL.canParse(value) ? new URL(value) : null;
  if (url === null) {
    issues.push({
      variable: "DATABASE_URL",
      message: "must be a URL such as postgres://user:password@host:5432/database",
    });
    return null;
  }
  if (url.protocol !== "postgres:" && url.protocol !== "postgresql:") {
    issues.push({
      variable: "DATABASE_URL",
      message: `must start with postgres:// or postgresql://, not ${url.protocol}//`,
    });
    return null;
  }
  return value;
}

function readSchema(issues: ConfigIssue[], env: Env): string {
  const value = settingOf(env, "RESTOREKIT_SCHEMA");
  if (value === undefined) return DEFAULT_SCHEMA;
  const checked = validateSchemaName(value);
  if (checked.isErr()) {
    issues.push({
      variable: "RESTOREKIT_SCHEMA",
      message: `must be a lower-case identifier of at most 63 characters (letters, digits and _, not starting with a digit or pg_), not ${shown(value)}`,
    });
    return DEFAULT_SCHEMA;
  }
  return checked.value;
}

function readLogLevel(issues: ConfigIssue[], env: Env): LogLevel {
  const value = settingOf(env, "LOG_LEVEL")?.toLowerCase();
  if (value === undefined) return "info";
  const level = LOG_LEVELS.find((known) => known === value);
  if (level === undefined) {
    issues.push({
      variable: "LOG_LEVEL",
      message: `must be one of ${LOG_LEVELS.join(", ")}, not ${shown(value)}`,
    });
    return "info";
  }
  return level;
}

function readJwt(issues: ConfigIssue[], env: Env): JwtConfig | null {
  const secret = settingOf(env, "RESTOREKIT_JWT_SECRET") ?? null;
  const jwksUrl = settingOf(env, "RESTOREKIT_JWT_JWKS_URL") ?? null;
  if (secret === null && jwksUrl === null) {
    const stray = JWT_OPTIONAL.filter((name) => isSet(env, name));
    for (const name of stray) {
      issues.push({
        variable: name,
        message:
          "is set, but JWTs are off: set RESTOREKIT_JWT_SECRET or RESTOREKIT_JWT_JWKS_URL to turn them on",
      });
    }
    return null;
  }
  if (secret !== null && jwksUrl !== null) {
    issues.push({
      variable: "RESTOREKIT_JWT_JWKS_URL",
      message: "set either RESTOREKIT_JWT_SECRET (HMAC) or RESTOREKIT_JWT_JWKS_URL, not both",
    });
  }
  if (jwksUrl !== null) {
    const url = URL.canParse(jwksUrl) ? new URL(jwksUrl) : null;
    if (url === null || (url.protocol !== "https:" && url.protocol !== "http:")) {
      issues.push({
        variable: "RESTOREKIT_JWT_JWKS_URL",
        message: "must be an https:// (or http://) URL of a JSON Web Key Set",
      });
    }
  }
  const algorithmsText = settingOf(env, "RESTOREKIT_JWT_ALGORITHMS");
  const algorithms =
    algorithmsText === undefined
      ? null
      : algorithmsText
          .split(",")
          .map((name) => name.trim())
          .filter((name) => name !== "");
  if (algorithms !== null && !algorithms.every((name) => /^[A-Z][A-Za-z0-9]{1,15}$/.test(name))) {
    issues.push({
      variable: "RESTOREKIT_JWT_ALGORITHMS",
      message: `must be a comma-separated list of JWS algorithms such as HS256,RS256, not ${shown(algorithmsText ?? "")}`,
    });
  }
  const claim = (name: string): string | null => {
    const value = settingOf(env, name) ?? null;
    if (value !== null && !/^[A-Za-z0-9_:./-]{1,128}$/.test(value)) {
      issues.push({
        variable: name,
        message: `must be a claim name (letters, digits and _ : . / -), not ${shown(value)}`,
      });
    }
    return value;
  };
  return {
    secret,
    jwksUrl,
    algorithms,
    issuer: settingOf(env, "RESTOREKIT_JWT_ISSUER") ?? null,
    audience: settingOf(env, "RESTOREKIT_JWT_AUDIENCE") ?? null,
    claims: {
      tenant: claim("RESTOREKIT_JWT_TENANT_CLAIM"),
      roles: claim("RESTOREKIT_JWT_ROLES_CLAIM"),
      agentId: claim("RESTOREKIT_JWT_AGENT_CLAIM"),
      user: claim("RESTOREKIT_JWT_USER_CLAIM"),
    },
  };
}

/** Settings of the Postgres pool mean nothing on the embedded database: said, not fatal. */
function postgresOnly(env: Env, databaseUrl: string | null): string[] {
  if (databaseUrl !== null) return [];
  return ["RESTOREKIT_DB_POOL_SIZE", "RESTOREKIT_DB_TIMEOUT_MS"]
    .filter((name) => isSet(env, name))
    .map((name) => `${name} is set, but it applies only with DATABASE_URL (a Postgres server)`);
}

function unknownVariables(env: Env): string[] {
  return Object.keys(env)
    .filter((name) => name.startsWith("RESTOREKIT_") && !KNOWN_RESTOREKIT_VARIABLES.has(name))
    .sort()
    .map((name) => `${name} is set, but nothing in restorekit reads it (a typo?)`);
}
