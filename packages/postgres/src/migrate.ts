import { readdir, readFile } from "node:fs/promises";
import { type RestoreError, RestoreErrors } from "@restorekit/core";
import { ok, ResultAsync, safeTry } from "neverthrow";
import { DEFAULT_SCHEMA, quoted, type SchemaName, validateSchemaName } from "./schema-name.js";
import type { SqlClient, SqlExecutor } from "./sql-client.js";
import { storageErrorOf } from "./storage-error.js";

export interface MigrateOptions {
  /** The schema to create and migrate; default `restorekit`. */
  readonly schema?: string;
}

export interface MigrationReport {
  readonly schema: string;
  /** The migrations this call applied, by file name; empty when the schema was up to date. */
  readonly applied: readonly string[];
}

interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

const MIGRATIONS = new URL("../migrations/", import.meta.url);
const FILE = /^(\d{4})_[a-z0-9_]+\.sql$/;
// Namespaces our advisory lock (the ASCII of "rkit"), so it cannot meet an app's own lock keys.
const LOCK_CLASS = 0x726b6974;

/**
 * Creates the schema if needed and applies the package's pending SQL
 * migrations (`migrations/NNNN_name.sql`) in order, in one transaction under
 * a Postgres advisory lock for that schema, so instances starting at once
 * apply each exactly once; applied versions are recorded in
 * `<schema>.schema_migrations`.
 *
 * @example
 * ```ts
 * const report = await migrate(fromPool(pool), { schema: "restorekit" });
 * if (report.isErr()) throw new Error(report.error.message);
 * ```
 */
export function migrate(
  client: SqlClient,
  options: MigrateOptions = {},
): ResultAsync<MigrationReport, RestoreError> {
  return safeTry(async function* () {
    const schema = yield* validateSchemaName(options.schema ?? DEFAULT_SCHEMA);
    const migrations = yield* readMigrations();
    const applied = yield* ResultAsync.fromThrowable(
      () => client.transaction((tx) => applyPending(tx, schema, migrations)),
      storageErrorOf,
    )();
    return ok({ schema, applied });
  });
}

const readMigrations = ResultAsync.fromThrowable(
  async (): Promise<Migration[]> => {
    const files = (await readdir(MIGRATIONS)).filter((name) => FILE.test(name)).sort();
    return Promise.all(
      files.map(async (name) => ({
        version: Number(FILE.exec(name)?.[1]),
        name,
        sql: await readFile(new URL(name, MIGRATIONS), "utf8"),
      })),
    );
  },
  // A package installed without its migrations folder is broken, not unavailable.
  (): RestoreError => RestoreErrors.internal(),
);

async function applyPending(
  tx: SqlExecutor,
  schema: SchemaName,
  migrations: readonly Migration[],
): Promise<string[]> {
  const name = quoted(schema);
  // Held until commit: a second instance waits here, then finds the work done.
  await tx.query({
    text: "SELECT pg_advisory_xact_lock($1::int, hashtext($2::text))",
    values: [LOCK_CLASS, `restorekit.migrate.${schema}`],
  });
  await tx.query({ text: `CREATE SCHEMA IF NOT EXISTS ${name}` });
  await tx.query({
    text: `CREATE TABLE IF NOT EXISTS ${name}.schema_migrations (
      version integer PRIMARY KEY,
      name text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`,
  });
  const done = await tx.query({ text: `SELECT version FROM ${name}.schema_migrations` });
  const versions = new Set(done.rows.map((row) => Number(row.version)));
  const applied: string[] = [];
  for (const migration of migrations) {
    if (versions.has(migration.version)) continue;
    // Local to the transaction: the migration's unqualified names land in the chosen schema.
    await tx.query({
      text: "SELECT set_config('search_path', $1::text, true)",
      values: [name],
    });
    await tx.query({ text: migration.sql });
    await tx.query({
      text: `INSERT INTO ${name}.schema_migrations (version, name) VALUES ($1, $2)`,
      values: [migration.version, migration.name],
    });
    applied.push(migration.name);
  }
  return applied;
}
