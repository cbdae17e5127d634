import type { Issue } from "@restorekit/core";
import { err, errAsync, ok, okAsync, type Result, ResultAsync } from "neverthrow";
import { APPEND_FUNCTION_ARGUMENTS } from "./append-call.js";
import { failedAt, type MigrateError, type MigrateStep, refusedOptions } from "./migrate-error.js";
import { MIGRATIONS, type Migration } from "./migrations/index.js";
import { DEFAULT_SCHEMA, quoted, type SchemaName, validateSchemaName } from "./schema-name.js";
import type { SqlClient, SqlExecutor } from "./sql-client.js";

export interface MigrateOptions {
  /** The schema to create and migrate; default `restorekit`. */
  readonly schema?: string;
  /**
   * The migrations to apply, in any order; default the package's own
   * (`MIGRATIONS`). Pass `[...MIGRATIONS, ...yours]` to ship an app's own
   * tables in the same schema and run; versions and names must be unique.
   */
  readonly migrations?: readonly Migration[];
  /**
   * On a database where the `citus` extension exists, distribute the
   * package's tables by `tenant_id`, co-located, and its append function
   * by its tenant argument, so everything the repository sends for a
   * tenant goes to that tenant's shard. Default true; false for a deployment
   * that distributes them itself. Without Citus it does nothing.
   */
  readonly distribute?: boolean;
}

export interface MigrationReport {
  readonly schema: string;
  /** The migrations this call applied, by name; empty when the schema was up to date. */
  readonly applied: readonly string[];
}

/**
 * The package's tables Citus spreads by tenant, in the order they must be
 * distributed: the first one anchors the co-location group, so a restore, its
 * events and its idempotency keys always live on the same shard.
 * `schema_migrations` and the `restore_ids` sequence stay on the coordinator.
 */
const DISTRIBUTED_TABLES = ["restores", "restore_events", "idempotency_keys"] as const;

/**
 * The append function (migration 0004), distributed by its first argument,
 * the tenant, and co-located with `restores`, so Citus runs each call on
 * the node holding that tenant's shard.
 */
const APPEND_FUNCTION = `append_restore(${APPEND_FUNCTION_ARGUMENTS})`;

// Namespaces our advisory lock (the ASCII of "rkit"), so it cannot meet an app's own lock keys.
const LOCK_CLASS = 0x726b6974;

/** Where a run is, so a failure can say which step it was: the driver's error does not. */
interface Progress {
  step: MigrateStep;
  migration: string | null;
}

/**
 * Creates the schema if needed and applies the pending migrations (the
 * package's `MIGRATIONS` unless `migrations` says otherwise) in version
 * order, in one transaction under a Postgres advisory lock for that schema,
 * so instances starting at once apply each exactly once; applied versions are
 * recorded in `<schema>.schema_migrations`. A schema that has them all is
 * found so with one read, without the transaction or the lock. A failure is a `MigrateError`
 * naming the step, the SQLSTATE and the driver's message, and nothing of
 * that run is kept.
 *
 * @example
 * ```ts
 * const migrated = await migrate(fromPool(pool), { schema: "restorekit" });
 * if (migrated.isErr()) throw new Error(migrated.error.message, { cause: migrated.error.cause });
 * console.log(migrated.value.applied); // ["0001_restores.sql"] the first time, then []
 * ```
 */
export function migrate(
  client: SqlClient,
  options: MigrateOptions = {},
): ResultAsync<MigrationReport, MigrateError> {
  const checked = checkedOptions(options);
  if (checked.isErr()) return errAsync(checked.error);
  const { schema, migrations } = checked.value;
  const distribute = options.distribute !== false;
  // Until the work starts, a failure is the connection's (or its BEGIN's).
  const progress: Progress = { step: "connect", migration: null };
  const applyUnderLock = ResultAsync.fromThrowable(
    () =>
      client.transaction(async (tx) => {
        const applied = await applyPending(tx, schema, migrations, progress);
        if (distribute) await distributeOnCitus(tx, schema, progress);
        progress.step = "commit";
        progress.migration = null;
        return applied;
      }),
    (cause) => failedAt(progress.step, progress.migration, cause),
  );
  return allApplied(client, schema, migrations)
    .andThen(({ applied, citus }) =>
      // Only on Citus a second read: whether every table is distributed already.
      applied && citus && distribute ? allDistributed(client, schema) : okAsync(applied),
    )
    .andThen((done) => (done ? okAsync([]) : applyUnderLock()))
    .map((applied) => ({ schema, applied }));
}

/**
 * Whether every migration is already recorded: one read, no transaction and
 * no lock, which is all a start on an up-to-date schema needs. A version is
 * recorded in the transaction that applied its migration, so a recorded one
 * is complete. Any failure here (no schema or table yet, no connection) says
 * "not known to be applied", and the locked path does the work or names the
 * failure at its own step.
 */
function allApplied(
  client: SqlClient,
  schema: SchemaName,
  migrations: readonly Migration[],
): ResultAsync<{ applied: boolean; citus: boolean }, never> {
  return ResultAsync.fromThrowable(
    () =>
      client.query({
        text: `SELECT version, EXISTS (SELECT 1 FROM pg_catalog.pg_extension WHERE extname = 'citus') AS citus
               FROM ${quoted(schema)}.schema_migrations`,
      }),
    () => null,
  )()
    .map((done) => {
      const versions = new Set(done.rows.map((row) => Number(row.version)));
      return {
        applied: migrations.every((migration) => versions.has(migration.version)),
        citus: done.rows.some((row) => row.citus === true),
      };
    })
    .orElse(() => okAsync({ applied: false, citus: false }));
}

/**
 * Whether nothing of the package is left to distribute: true without
 * Citus. Like `allApplied`, any failure means "not known", and the locked
 * path does the work.
 */
function allDistributed(client: SqlClient, schema: SchemaName): ResultAsync<boolean, never> {
  return ResultAsync.fromThrowable(
    () => undistributed(client, schema),
    () => null,
  )()
    .map((tables) => tables.length === 0)
    .orElse(() => okAsync(false));
}

/**
 * The package's tables in `schema` that Citus does not distribute yet, then
 * its append function when that is not distributed yet; none without Citus.
 */
async function undistributed(client: SqlExecutor, schema: SchemaName): Promise<string[]> {
  const citus = await client.query({
    text: "SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_extension WHERE extname = 'citus') AS citus",
  });
  if (citus.rows[0]?.citus !== true) return [];
  // Only now: pg_dist_partition and pg_dist_object exist only where Citus does.
  const left = await client.query({
    text: `SELECT name FROM (
             SELECT t.name, t.n FROM unnest($1::text[]) WITH ORDINALITY AS t(name, n)
             WHERE to_regclass(format('%I.%I', $2::text, t.name)) IS NOT NULL
               AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_dist_partition p
                               WHERE p.logicalrelid = to_regclass(format('%I.%I', $2::text, t.name)))
             UNION ALL
             SELECT $3::text, 2147483647 WHERE to_regprocedure($4::text) IS NOT NULL
               AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_dist_object o
                               WHERE o.classid = 'pg_catalog.pg_proc'::regclass
                                 AND o.objid = to_regprocedure($4::text)
                                 AND o.distribution_argument_index = 0)
           ) AS pending ORDER BY n`,
    values: [DISTRIBUTED_TABLES, schema, APPEND_FUNCTION, `${quoted(schema)}.${APPEND_FUNCTION}`],
  });
  return left.rows.map((row) => String(row.name));
}

/**
 * Distributes what is left of the package's tables, in the migration's
 * transaction and under its lock, so instances starting at once do it once.
 * Each is co-located with `restores`: a restore's rows, its events and its
 * keys share a shard, and the append function, distributed by its tenant
 * argument in the same group, runs on the node holding it, which is what
 * makes the append (all three tables) one round trip to one shard.
 */
async function distributeOnCitus(
  tx: SqlExecutor,
  schema: SchemaName,
  progress: Progress,
): Promise<void> {
  progress.step = "distribute";
  const left = await undistributed(tx, schema);
  const anchor = `${quoted(schema)}.restores`;
  for (const name of left) {
    if (name === APPEND_FUNCTION) {
      await tx.query({
        text: "SELECT create_distributed_function($1::regprocedure, 'p_tenant_id', colocate_with => $2::text)",
        values: [`${quoted(schema)}.${APPEND_FUNCTION}`, anchor],
      });
      continue;
    }
    await tx.query({
      text: "SELECT create_distributed_table($1::regclass, 'tenant_id', colocate_with => $2::text)",
      // The table names are the package's constants, never input: quoted as they are.
      values: [`${quoted(schema)}."${name}"`, name === "restores" ? "default" : anchor],
    });
  }
}

function checkedOptions(
  options: MigrateOptions,
): Result<{ schema: SchemaName; migrations: readonly Migration[] }, MigrateError> {
  const schema = validateSchemaName(options.schema ?? DEFAULT_SCHEMA);
  if (schema.isErr()) {
    const { error } = schema;
    return err(refusedOptions(error.code === "invalid_request" ? error.issues : []));
  }
  const migrations = options.migrations ?? MIGRATIONS;
  const issues = migrationIssues(migrations);
  if (issues.length > 0) return err(refusedOptions(issues));
  return ok({
    schema: schema.value,
    migrations: [...migrations].sort((a, b) => a.version - b.version),
  });
}

/** A version or name used twice would apply one migration and skip the other for good. */
function migrationIssues(migrations: readonly Migration[]): Issue[] {
  if (!Array.isArray(migrations)) return [{ path: "migrations", message: "must be an array" }];
  const issues: Issue[] = [];
  const versions = new Set<number>();
  const names = new Set<string>();
  migrations.forEach((migration: Partial<Migration> | null, i) => {
    const { version, name, sql } = migration ?? {};
    if (!isVersion(version)) {
      issues.push({
        path: `migrations.${i}.version`,
        message:
          "must be an integer from 1 to 2147483647 (schema_migrations.version is an integer)",
      });
    } else if (versions.has(version)) {
      issues.push({ path: `migrations.${i}.version`, message: "is used by another migration" });
    } else versions.add(version);
    if (typeof name !== "string" || name.length === 0) {
      issues.push({ path: `migrations.${i}.name`, message: "must be a non-empty string" });
    } else if (names.has(name)) {
      issues.push({ path: `migrations.${i}.name`, message: "is used by another migration" });
    } else names.add(name);
    if (typeof sql !== "string") {
      issues.push({ path: `migrations.${i}.sql`, message: "must be a string" });
    }
  });
  return issues;
}

function isVersion(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) >= 1 && (value as number) <= 2 ** 31 - 1;
}

async function applyPending(
  tx: SqlExecutor,
  schema: SchemaName,
  migrations: readonly Migration[],
  progress: Progress,
): Promise<string[]> {
  const name = quoted(schema);
  progress.step = "lock";
  // A pool's statement timeout is meant for requests: a migration waits for another instance's
  // as long as that one takes, and a long migration is not cancelled halfway through.
  await tx.query({
    text: "SELECT set_config('statement_timeout', '0', true), set_config('lock_timeout', '0', true)",
  });
  // Held until commit: a second instance waits here, then finds the work done.
  await tx.query({
    text: "SELECT pg_advisory_xact_lock($1::int, hashtext($2::text))",
    values: [LOCK_CLASS, `restorekit.migrate.${schema}`],
  });
  progress.step = "create_schema";
  await tx.query({ text: `CREATE SCHEMA IF NOT EXISTS ${name}` });
  progress.step = "create_migrations_table";
  await tx.query({
    text: `CREATE TABLE IF NOT EXISTS ${name}.schema_migrations (
      version integer PRIMARY KEY,
      name text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`,
  });
  progress.step = "read_applied";
  const done = await tx.query({ text: `SELECT version FROM ${name}.schema_migrations` });
  const versions = new Set(done.rows.map((row) => Number(row.version)));
  const applied: string[] = [];
  for (const migration of migrations) {
    if (versions.has(migration.version)) continue;
    progress.step = "apply";
    progress.migration = migration.name;
    // Local to the transaction: the migration's unqualified names land in the chosen schema.
    await tx.query({
      text: "SELECT set_config('search_path', $1::text, true)",
      values: [name],
    });
    await tx.query({ text: migration.sql });
    progress.step = "record";
    await tx.query({
      text: `INSERT INTO ${name}.schema_migrations (version, name) VALUES ($1, $2)`,
      values: [migration.version, migration.name],
    });
    applied.push(migration.name);
    progress.migration = null;
  }
  return applied;
}
