import {
  createRestoreService,
  type PasswordVault,
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

export interface TestEnvironmentOptions<
  R extends RestoreRepository = RestoreRepository,
  V extends PasswordVault = PasswordVault,
> {
  /** The store to run on; an in-memory one when absent. */
  readonly repository?: R;
  /** The vault to seal with, e.g. `@restorekit/crypto`'s; the in-memory test double when absent. */
  readonly vault?: V;
  /** Passed to the service: how often a command is re-decided after lost races. */
  readonly maxAttempts?: number;
  /** Passed to the service: how many recently changed restores it remembers (0: none). */
  readonly knownRestores?: number;
  /** Where the fixed clock starts, as an ISO 8601 instant. */
  readonly start?: string;
}

/**
 * A restore service wired to in-memory fakes, and the fakes themselves. `R`
 * is the store it runs on (`InMemoryRestoreRepository` unless one was given),
 * `V` the vault (`InMemoryPasswordVault` unless one was given).
 */
export interface TestEnvironment<
  R extends RestoreRepository = RestoreRepository,
  V extends PasswordVault = InMemoryPasswordVault,
> {
  readonly service: RestoreService;
  readonly repository: R;
  readonly catalog: FakeBackupCatalog;
  readonly clock: FixedClock;
  readonly ids: SequentialIds;
  readonly vault: V;
  readonly keys: TestAgentKeys;
  /** A request context for the principal (a default-tenant admin), with a fresh request id "req-N". */
  context(principal?: Principal, requestId?: string): RequestContext;
  /** Creates a restore of the default tenant's encrypted or plain backup, to the destination agent. */
  createRestore(options?: { readonly encrypted?: boolean }): ResultAsync<Restore, RestoreError>;
}

/** The first restore id, as in the API reference's action-requested examples. */
const FIRST_RESTORE_ID = 13689;

/**
 * Wires core's `createRestoreService` to an in-memory repository and vault
 * (or the ones given), the fake catalog, a fixed clock and sequential ids
 * from 13689.
 *
 * @example
 * ```ts
 * const env = testEnvironment();
 * const restore = await env.createRestore({ encrypted: true });
 * const real = testEnvironment({ vault: createPasswordVault({ keyring }) });
 * ```
 */
export function testEnvironment<
  R extends RestoreRepository = InMemoryRestoreRepository,
  V extends PasswordVault = InMemoryPasswordVault,
>(options: TestEnvironmentOptions<R, V> = {}): TestEnvironment<R, V> {
  // Without a repository or vault in the options, R and V are the in-memory defaults made here.
  const repository = (options.repository ?? inMemoryRepository()) as R;
  const vault = (options.vault ?? inMemoryPasswordVault()) as V;
  const catalog = fakeBackupCatalog();
  const clock = fixedClock(options.start);
  const ids = sequentialIds(FIRST_RESTORE_ID);
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
