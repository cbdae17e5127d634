export { agentChannel } from "./agent-channel.js";
export {
  type AgentRequestStream,
  type AgentRequestsOptions,
  agentRequests,
} from "./agent-requests.js";
export { type PostgresDueRestoresOptions, postgresDueRestores } from "./due-restores.js";
export { fromPGlite, type PGliteLike } from "./from-pglite.js";
export { type FromPoolOptions, fromPool } from "./from-pool.js";
export {
  type PostgresIdempotencyKeysOptions,
  postgresIdempotencyKeys,
} from "./idempotency-keys.js";
export { type MigrateOptions, type MigrationReport, migrate } from "./migrate.js";
export type { MigrateError, MigrateStep } from "./migrate-error.js";
export { MIGRATIONS, type Migration } from "./migrations/index.js";
export {
  type AppendWith,
  type PostgresIdGeneratorOptions,
  type PostgresRepository,
  type PostgresRepositoryOptions,
  postgresIdGenerator,
  postgresRepository,
} from "./postgres-repository.js";
export { DEFAULT_SCHEMA, type SchemaName, validateSchemaName } from "./schema-name.js";
export type {
  SqlClient,
  SqlExecutor,
  SqlListener,
  SqlRows,
  SqlStatement,
} from "./sql-client.js";
export { storageErrorOf } from "./storage-error.js";
export type { OnStorageError, StorageFailure, StorageOperation } from "./storage-failure.js";
