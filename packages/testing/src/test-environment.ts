import {
  createRestoreService,
  type Principal,
  type RequestContext,
  type Restore,
  type RestoreError,
  type RestoreRepository,
  type RestoreService,
} from "@restorekit/core";
import type { ResultAsync } from "neverthrow";
import { type TestAgentKeys, testAgentKeys } from "./agent-keys.js";
import { type FixedClock, fixedClock } from "./clock.js";
import {
  BACKUP_MACHINE_ID,
  DESTINATION_MACHINE_ID,
  ENCRYPTED_BACKUP_ID,
  type FakeBackupCatalog,
  fakeBackupCatalog,
  UNENCRYPTED_BACKUP_ID,
} from "./fake-backup-catalog.js";
import { type SequentialIds, sequentialIds } from "./ids.js";
import { type InMemoryPasswordVault, inMemoryPasswordVault } from "./in-memory-password-vault.js";
import { type InMemoryRestoreRepository, inMemoryRepository } from "./in-memory-repository.js";
import { userPrincipal } from "./principals.js";

export interface TestEnvironmentOptions<R extends RestoreRepository = RestoreRepository> {
  /** The store to run on; an in-memory one when absent. */
  readonly repository?: R;
  /** Passed to the service: how often a command is re-decided after lost races. */
  readonly maxAttempts?: number;
  /** Passed to the service: how many recently changed restores it remembers (0: none). */
  readonly knownRestores?: number;
  /** Where the fixed clock starts, as an ISO 8601 instant. */
  readonly start?: string;
}

/**
 * A restore service wired to in-memory fakes, and the fakes themselves. `R`
 * is the store it runs on (`InMemoryRestoreRepository` unless one was given).
 */
export interface TestEnvironment<R extends RestoreRepository = RestoreRepository> {
  readonly service: RestoreService;
  readonly repository: R;
  readonly catalog: FakeBackupCatalog;
  readonly clock: FixedClock;
  readonly ids: SequentialIds;
  readonly vault: InMemoryPasswordVault;
  readonly keys: TestAgentKeys;
  /** A request context for the principal (a default-tenant admin), with a fresh request id "req-N". */
  context(principal?: Principal, requestId?: string): RequestContext;
  /** Creates a restore of the default tenant's encrypted or plain backup, to the destination agent. */
  createRestore(options?: { readonly encrypted?: boolean }): ResultAsync<Restore, RestoreError>;
}

/** The first restore id, as in the API reference's action-requested examples. */
const FIRST_RESTORE_ID = 13689;

/**
 * Wires core's `createRestoreService` to an in-memory repository (or the one
 * given), the fake catalog, a fixed clock, sequential ids from 13689 and the
 * in-memory vault.
 *
 * @example
 * ```ts
 * const env = testEnvironment();
 * const restore = await env.createRestore({ encrypted: true });
 * ```
 */
export function testEnvironment(
  options?: TestEnvironmentOptions<never>,
): TestEnvironment<InMemoryRestoreRepository>;
export function testEnvironment<R extends RestoreRepository>(
  options: TestEnvironmentOptions<R> & { readonly repository: R },
): TestEnvironment<R>;
export function testEnvironment(
  options: TestEnvironmentOptions = {},
): TestEnvironment<RestoreRepository> {
  const repository = options.repository ?? inMemoryRepository();
  const catalog = fakeBackupCatalog();
  const clock = fixedClock(options.start);
  const ids = sequentialIds(FIRST_RESTORE_ID);
  const vault = inMemoryPasswordVault();
  const service = createRestoreService({
    repository,
    catalog,
    clock,
    ids,
    vault,
    ...(options.maxAttempts === undefined ? {} : { maxAttempts: options.maxAttempts }),
    ...(options.knownRestores === undefined ? {} : { knownRestores: options.knownRestores }),
  });
  let requests = 0;
  const context = (principal: Principal = userPrincipal(), requestId?: string): RequestContext => {
    requests += 1;
    return {
      principal,
      tenantId: principal.tenantId,
      requestId: requestId ?? `req-${requests}`,
    };
  };
  return {
    service,
    repository,
    catalog,
    clock,
    ids,
    vault,
    keys: testAgentKeys(),
    context,
    createRestore: ({ encrypted = false } = {}) =>
      service.createRestore(context(), {
        backupId: encrypted ? ENCRYPTED_BACKUP_ID : UNENCRYPTED_BACKUP_ID,
        backupMachineId: BACKUP_MACHINE_ID,
        destinationMachineId: DESTINATION_MACHINE_ID,
        destinationPath: "C:\\FolderPathForRestore\\",
        overwriteFiles: false,
      }),
  };
}
