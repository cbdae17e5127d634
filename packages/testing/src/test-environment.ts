import {
  type BackupCatalog,
  type BackupReferences,
  type Clock,
  createRestoreService,
  type Deadlines,
  type IdGenerator,
  type PasswordVault,
  type Principal,
  type RequestContext,
  type Restore,
  type RestoreError,
  type RestoreRepository,
  type RestoreService,
  type ServiceErrorReport,
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
  C extends BackupCatalog = BackupCatalog,
  I extends IdGenerator = IdGenerator,
  K extends Clock = Clock,
> {
  /** The store to run on; an in-memory one when absent. */
  readonly repository?: R;
  /** The vault to seal with, e.g. `@restorekit/crypto`'s; the in-memory test double when absent. */
  readonly vault?: V;
  /** The catalog to resolve backups with; `fakeBackupCatalog()` when absent. */
  readonly catalog?: C;
  /**
   * Where restore ids come from; `sequentialIds(13689)` when absent. Give a
   * persistent store its own generator (e.g. `postgresIdGenerator(client)`),
   * or a second run will find the fixed ids taken.
   */
  readonly ids?: I;
  /** The clock; a `fixedClock` at `start` when absent. */
  readonly clock?: K;
  /** Where the default fixed clock starts, as an ISO 8601 instant. */
  readonly start?: string;
  /** Passed to the service: how often a command is re-decided after lost races. */
  readonly maxAttempts?: number;
  /** Passed to the service: how many recently changed restores it remembers (0: none). */
  readonly knownRestores?: number;
  /** Passed to the service: told of every fault with its cause. */
  readonly onError?: (report: ServiceErrorReport) => void;
  /** Passed to the service: how long a restore waits on its agent. */
  readonly deadlines?: Deadlines;
}

/** What `createRestore` creates; the default tenant's backup and machines when absent. */
export interface CreateRestoreOptions {
  /** The default tenant's encrypted backup rather than its plain one. */
  readonly encrypted?: boolean;
  /** Other backup and machines, e.g. from your own catalog. */
  readonly references?: BackupReferences;
  readonly destinationPath?: string;
  /** Who creates it: a default-tenant admin unless given. */
  readonly principal?: Principal;
}

/**
 * A restore service wired to in-memory fakes, and the pieces it runs on. Each
 * type parameter is the type of what was given, or of the default: `R` the
 * store, `V` the vault, `C` the catalog, `I` the id generator, `K` the clock.
 */
export interface TestEnvironment<
  R extends RestoreRepository = RestoreRepository,
  V extends PasswordVault = InMemoryPasswordVault,
  C extends BackupCatalog = FakeBackupCatalog,
  I extends IdGenerator = SequentialIds,
  K extends Clock = FixedClock,
> {
  readonly service: RestoreService;
  readonly repository: R;
  readonly catalog: C;
  readonly clock: K;
  readonly ids: I;
  readonly vault: V;
  readonly keys: TestAgentKeys;
  /** A request context for the principal (a default-tenant admin), with a fresh request id "req-N". */
  context(principal?: Principal, requestId?: string): RequestContext;
  /** Creates a restore; by default of the default tenant's plain backup, to the destination agent. */
  createRestore(options?: CreateRestoreOptions): ResultAsync<Restore, RestoreError>;
}

/** The first restore id, as in the API reference's action-requested examples. */
const FIRST_RESTORE_ID = 13689;

/**
 * Wires core's `createRestoreService` to an in-memory repository and vault,
 * the fake catalog, a fixed clock and sequential ids from 13689, or to the
 * ones given.
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
  C extends BackupCatalog = FakeBackupCatalog,
  I extends IdGenerator = SequentialIds,
  K extends Clock = FixedClock,
>(options: TestEnvironmentOptions<R, V, C, I, K> = {}): TestEnvironment<R, V, C, I, K> {
  // Whatever was not given is the default made here, which is what the type parameters default to.
  const repository = (options.repository ?? inMemoryRepository()) as R;
  const vault = (options.vault ?? inMemoryPasswordVault()) as V;
  const catalog = (options.catalog ?? fakeBackupCatalog()) as C;
  const clock = (options.clock ?? fixedClock(options.start)) as K;
  const ids = (options.ids ?? sequentialIds(FIRST_RESTORE_ID)) as I;
  const service = createRestoreService({
    repository,
    catalog,
    clock,
    ids,
    vault,
    ...(options.maxAttempts === undefined ? {} : { maxAttempts: options.maxAttempts }),
    ...(options.knownRestores === undefined ? {} : { knownRestores: options.knownRestores }),
    ...(options.onError === undefined ? {} : { onError: options.onError }),
    ...(options.deadlines === undefined ? {} : { deadlines: options.deadlines }),
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
    createRestore: (create = {}) =>
      service.createRestore(context(create.principal), {
        ...(create.references ?? {
          backupId: create.encrypted === true ? ENCRYPTED_BACKUP_ID : UNENCRYPTED_BACKUP_ID,
          backupMachineId: BACKUP_MACHINE_ID,
          destinationMachineId: DESTINATION_MACHINE_ID,
        }),
        destinationPath: create.destinationPath ?? "C:\\FolderPathForRestore\\",
        overwriteFiles: false,
      }),
  };
}
