export {
  decryptAsAgent,
  encryptForAgent,
  type TestAgentKeys,
  testAgentKeys,
} from "./agent-keys.js";
export * from "./arbitraries/index.js";
export { type FixedClock, fixedClock } from "./clock.js";
export {
  BACKUP_MACHINE_ID,
  type CatalogBackup,
  type CatalogMachine,
  DEFAULT_TENANT,
  DESTINATION_MACHINE_ID,
  ENCRYPTED_BACKUP_ID,
  type FakeBackupCatalog,
  fakeBackupCatalog,
  OTHER_TENANT,
  UNENCRYPTED_BACKUP_ID,
} from "./fake-backup-catalog.js";
export { type FaultyRepository, type RepositoryMethod, withFaults } from "./faulty-repository.js";
export { GIVEN_CONTEXT, given } from "./given.js";
export { type SequentialIds, sequentialIds } from "./ids.js";
export {
  type IdempotencyKeyRow,
  type InMemoryIdempotencyKeys,
  inMemoryIdempotencyKeys,
} from "./in-memory-idempotency-keys.js";
export { type InMemoryPasswordVault, inMemoryPasswordVault } from "./in-memory-password-vault.js";
export { type InMemoryRestoreRepository, inMemoryRepository } from "./in-memory-repository.js";
export { agentPrincipal, userPrincipal } from "./principals.js";
export {
  type RestoreEventBuilders,
  type RestoreEventsOptions,
  restoreEvents,
} from "./restore-events.js";
export {
  type SimulatedAgent,
  type SimulatedAgentOptions,
  simulatedAgent,
} from "./simulated-agent.js";
export {
  type CreateRestoreOptions,
  type TestEnvironment,
  type TestEnvironmentOptions,
  testEnvironment,
} from "./test-environment.js";
/** The transition tables as data: `USER_TABLE`, `AGENT_TABLE`, `agentCell` and the state lists. */
export * as transitionTables from "./transition-tables.js";
