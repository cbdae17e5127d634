import type { Issue } from "@restorekit/core";
import { sqlStateOf, storageErrorOf } from "./storage-error.js";

/** Where `migrate` was when it failed, in the order it gets there. */
export type MigrateStep =
  | "validate"
  | "connect"
  | "lock"
  | "create_schema"
  | "create_migrations_table"
  | "read_applied"
  | "apply"
  | "record"
  | "distribute"
  | "commit";

/**
 * Why `migrate` failed. Unlike the repository's errors this is for the
 * embedder's own startup log, so `message` carries the step, the SQLSTATE
 * and the driver's message (which may quote SQL: do not send it to clients).
 * `code` is stable: `invalid_request` for options it refuses (a bad schema
 * name, an inconsistent migration list), otherwise what `storageErrorOf`
 * says of the cause: `storage_unavailable` (retry later) or `internal_error`.
 *
 * @example
 * ```ts
 * const migrated = await migrate(client);
 * if (migrated.isErr()) {
 *   const { code, step, sqlState, message, cause } = migrated.error;
 *   console.error(message, { code, step, sqlState, cause });
 *   // "migrate failed while connecting: database "app" does not exist (SQLSTATE 3D000)"
 * }
 * ```
 */
export interface MigrateError {
  readonly code: "invalid_request" | "storage_unavailable" | "internal_error";
  readonly message: string;
  readonly step: MigrateStep;
  /** The migration being applied or recorded, e.g. `0001_restores.sql`; null at the other steps. */
  readonly migration: string | null;
  /** The server's SQLSTATE (e.g. `3D000`, `28000`); null when the failure is not a server error. */
  readonly sqlState: string | null;
  /** What is wrong with the options, for `invalid_request`; empty otherwise. */
  readonly issues: readonly Issue[];
  /** The original error, the driver's as it was thrown (stack included); null for refused options. */
  readonly cause: unknown;
}

const DOING: Record<MigrateStep, string> = {
  validate: "checking its options",
  connect: "connecting",
  lock: "taking the migration lock",
  create_schema: "creating the schema",
  create_migrations_table: "creating schema_migrations",
  read_applied: "reading the applied migrations",
  apply: "applying",
  record: "recording",
  distribute: "distributing the tables on Citus",
  commit: "committing",
};

/** `migrate`'s options refused before anything ran. */
export function refusedOptions(issues: readonly Issue[]): MigrateError {
  const problems = issues.map((issue) => `${issue.path} ${issue.message}`).join("; ");
  return {
    code: "invalid_request",
    message: `migrate failed while ${DOING.validate}: ${problems}`,
    step: "validate",
    migration: null,
    sqlState: null,
    issues,
    cause: null,
  };
}

/** A driver failure at `step`, with its SQLSTATE and message for the embedder's log. */
export function failedAt(
  step: MigrateStep,
  migration: string | null,
  cause: unknown,
): MigrateError {
  const sqlState = sqlStateOf(cause);
  const where = migration === null ? DOING[step] : `${DOING[step]} ${migration}`;
  const said = wordsOf(cause);
  return {
    code: storageErrorOf(cause).code,
    message: `migrate failed while ${where}: ${said}${sqlState === null ? "" : ` (SQLSTATE ${sqlState})`}`,
    step,
    migration,
    sqlState,
    issues: [],
    cause,
  };
}

/** What the driver said. Node's AggregateError (a host with several addresses) says nothing itself. */
function wordsOf(cause: unknown): string {
  if (cause instanceof AggregateError && cause.message === "") {
    return cause.errors.map(wordsOf).join("; ");
  }
  if (cause instanceof Error) return cause.message === "" ? cause.name : cause.message;
  return String(cause);
}
