import { restores } from "./0001-restores.js";
import { progressAndDeadlines } from "./0002-progress-and-deadlines.js";
import { idempotencyKeys } from "./0003-idempotency-keys.js";
import { appendFunction } from "./0004-append-function.js";
import type { Migration } from "./migration.js";

export type { Migration } from "./migration.js";

/**
 * The package's migrations, in version order. They live in code rather than
 * in `.sql` files next to the module so that an app bundled into one file
 * (esbuild, a serverless build) still carries them.
 *
 * @example
 * ```ts
 * MIGRATIONS.map((migration) => migration.name); // ["0001_restores.sql", "0002_progress_and_deadlines.sql", "0003_idempotency_keys.sql", "0004_append_function.sql"]
 * ```
 */
export const MIGRATIONS: readonly Migration[] = Object.freeze([
  restores,
  progressAndDeadlines,
  idempotencyKeys,
  appendFunction,
]);
