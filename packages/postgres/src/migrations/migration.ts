/**
 * One schema change `migrate` applies: `version` orders the changes and is
 * the key `<schema>.schema_migrations` records, with `name` beside it. The
 * SQL names no schema: `migrate` runs it with `search_path` set to the chosen
 * one, in the same transaction as the rest of that run.
 *
 * @example
 * ```ts
 * const audit: Migration = {
 *   version: 1001,
 *   name: "1001_app_audit.sql",
 *   sql: "CREATE TABLE app_audit (at timestamptz NOT NULL, what text NOT NULL);",
 * };
 * await migrate(client, { migrations: [...MIGRATIONS, audit] });
 * ```
 */
export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}
