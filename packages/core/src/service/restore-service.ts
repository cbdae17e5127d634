import { err, errAsync, ok, okAsync, type Result, ResultAsync, safeTry } from "neverthrow";
import type { RestoreCommand, SealedPassword } from "../commands.js";
import { type CommandContext, decide } from "../decide.js";
import { isClientError, type RestoreError, RestoreErrors } from "../errors.js";
import type { StoredEvent } from "../events.js";
import { fold } from "../evolve.js";
import { checkStartPassword } from "../password-rule.js";
import {
  actorOf,
  authorize,
  authorizeAgentFor,
  type Permission,
  type Principal,
} from "../policy.js";
import type {
  BackupCatalog,
  Clock,
  EventPage,
  IdGenerator,
  PasswordVault,
  RestoreRepository,
} from "../ports.js";
import { existing, initialState, type Restore } from "../restore.js";
import { isTerminal } from "../states.js";
import type {
  ActionRequest,
  AgentReport,
  CreateRestoreInput,
  UpdateRestoreInput,
} from "./inputs.js";
import { knownRestores } from "./known-restores.js";

/** Who is asking, for which tenant, under which request id (for the event log). */
export interface RequestContext {
  readonly principal: Principal;
  readonly tenantId: string;
  readonly requestId: string;
}

export interface RestoreServiceDeps {
  readonly repository: RestoreRepository;
  readonly vault: PasswordVault;
  readonly catalog: BackupCatalog;
  readonly clock: Clock;
  readonly ids: IdGenerator;
  /** How many times a command is decided when other writers keep winning the race. Default 5. */
  readonly maxAttempts?: number;
  /**
   * How many recently changed restores to remember, so a command on one of
   * them is decided without a read: one round trip instead of two. Safe with
   * several instances, since only a change the store accepts at the
   * remembered version is ever kept; 0 turns it off. Default 1000.
   */
  readonly knownRestores?: number;
}

/** The use cases. Every method authorizes first and returns a `ResultAsync`, never throws. */
export interface RestoreService {
  requestAction(
    context: RequestContext,
    request: ActionRequest,
  ): ResultAsync<Restore, RestoreError>;
  createRestore(
    context: RequestContext,
    input: CreateRestoreInput,
  ): ResultAsync<Restore, RestoreError>;
  updateRestore(
    context: RequestContext,
    input: UpdateRestoreInput,
  ): ResultAsync<Restore, RestoreError>;
  getRestore(context: RequestContext, restoreId: number): ResultAsync<Restore, RestoreError>;
  /** The restore, once it has finished: its report is what it holds then. */
  getReport(context: RequestContext, restoreId: number): ResultAsync<Restore, RestoreError>;
  listEvents(
    context: RequestContext,
    restoreId: number,
    page?: EventPage,
  ): ResultAsync<readonly StoredEvent[], RestoreError>;
  agentReport(
    context: RequestContext,
    restoreId: number,
    report: AgentReport,
  ): ResultAsync<Restore, RestoreError>;
  /**
   * The EncryptedPassword the client sent (hex), opened from the vault for the
   * restore's destination agent only, while the restore holds it.
   */
  releasePassword(context: RequestContext, restoreId: number): ResultAsync<string, RestoreError>;
}

/** What a decision did: appended events, or nothing (a no-op). */
interface Outcome {
  readonly restore: Restore;
  readonly appended: boolean;
}

interface Planned {
  readonly command: RestoreCommand;
  readonly sealedPassword?: SealedPassword | null;
}

/**
 * Builds the application service over the ports.
 *
 * @example
 * ```ts
 * const service = createRestoreService({ repository, vault, catalog, clock, ids });
 * const result = await service.requestAction(
 *   { principal, tenantId: "123456", requestId: "req-1" },
 *   { action: "StopManual", restoreId: 13689, encryptedPassword: null },
 * );
 * ```
 */
export function createRestoreService(deps: RestoreServiceDeps): RestoreService {
  const { clock, vault } = deps;
  const maxAttempts = deps.maxAttempts ?? 5;
  const repository = guardRepository(deps.repository);
  const catalog: BackupCatalog = {
    resolve: guard(deps.catalog.resolve.bind(deps.catalog), internal),
  };
  const nextRestoreId = guard(deps.ids.nextRestoreId.bind(deps.ids), internal);
  const seal = guard(vault.seal.bind(vault), internal);
  const open = guard(vault.open.bind(vault), internal);
  const known = knownRestores(deps.knownRestores ?? 1000);

  function commandContext(context: RequestContext): CommandContext {
    return {
      actor: actorOf(context.principal),
      now: clock.now().toISOString(),
      requestId: context.requestId,
    };
  }

  function loadExisting(tenantId: string, restoreId: number): ResultAsync<Restore, RestoreError> {
    return repository
      .load(tenantId, restoreId)
      .andThen((restore) =>
        restore === null ? err(RestoreErrors.notFound(restoreId)) : ok(restore),
      );
  }

  function permitted(
    context: RequestContext,
    permission: Permission,
  ): ResultAsync<void, RestoreError> {
    const result = authorize(context.principal, permission, context.tenantId);
    return result.isOk() ? okAsync(undefined) : errAsync(result.error);
  }

  /**
   * Decides a command on the restore as last seen and appends it with that
   * version. A lost race re-reads and re-decides, so a concurrent change is
   * never overwritten; after `maxAttempts` the caller is told to retry.
   */
  function execute(
    context: RequestContext,
    restoreId: number,
    plan: (restore: Restore) => ResultAsync<Planned, RestoreError> | Result<Planned, RestoreError>,
  ): ResultAsync<Restore, RestoreError> {
    const decideOn = (current: Restore): ResultAsync<Outcome, RestoreError> =>
      safeTry(async function* () {
        const { command, sealedPassword } = yield* plan(current);
        const events = yield* decide(existing(current), command, commandContext(context));
        if (events.length === 0) return ok({ restore: current, appended: false });
        const after = fold(events, existing(current));
        if (after.type !== "Existing") return err(RestoreErrors.internal());
        const stored = yield* repository.append({
          tenantId: context.tenantId,
          restoreId,
          expectedVersion: current.version,
          events,
          restore: after.restore,
          sealedPassword: sealedPassword ?? null,
        });
        known.remember(stored);
        return ok({ restore: stored, appended: true });
      });

    const fresh = (n: number): ResultAsync<Restore, RestoreError> =>
      loadExisting(context.tenantId, restoreId)
        .andThen((current) => {
          known.remember(current);
          return decideOn(current);
        })
        .map((outcome) => outcome.restore)
        .orElse((error) => {
          if (error.code !== "version_conflict") return errAsync(error);
          return n < maxAttempts ? fresh(n + 1) : errAsync(RestoreErrors.busy(restoreId));
        });

    const remembered = known.get(context.tenantId, restoreId);
    if (remembered === undefined) return fresh(1);
    // Only an append the store accepted at the remembered version proves the memory was
    // current; a no-op or a rejection may come from a stale state, so it is decided again
    // on a fresh read. A lost race counts as the first attempt.
    return decideOn(remembered)
      .map((outcome): Restore | number => (outcome.appended ? outcome.restore : 1))
      .orElse((error): ResultAsync<Restore | number, RestoreError> => {
        if (error.code === "version_conflict") {
          return maxAttempts > 1 ? okAsync(2) : errAsync(RestoreErrors.busy(restoreId));
        }
        return isClientError(error) ? okAsync(1) : errAsync(error);
      })
      .andThen((next) => (typeof next === "number" ? fresh(next) : okAsync(next)));
  }

  return {
    requestAction(context, request) {
      const permission = request.action === "StartManual" ? "start" : "stop";
      return permitted(context, permission).andThen(() =>
        execute(context, request.restoreId, (restore) => {
          if (request.action === "StopManual") {
            if (request.encryptedPassword !== null) {
              return err(RestoreErrors.passwordNotAllowed(restore.restoreId, "StopManual"));
            }
            return ok({ command: { type: "StopManual", data: { restoreId: restore.restoreId } } });
          }
          return checkStartPassword(restore, request.encryptedPassword !== null)
            .asyncAndThen(() =>
              request.encryptedPassword === null
                ? okAsync(null)
                : seal({
                    tenantId: restore.tenantId,
                    restoreId: restore.restoreId,
                    encryptedPassword: request.encryptedPassword,
                    publicKey: restore.backup.publicKey,
                  }),
            )
            .map((sealedPassword) => ({
              command: {
                type: "StartManual" as const,
                data: { restoreId: restore.restoreId, sealedPassword },
              },
              sealedPassword,
            }));
        }),
      );
    },

    createRestore(context, input) {
      return safeTry(async function* () {
        yield* permitted(context, "create");
        const backup = yield* catalog.resolve(context.tenantId, input);
        const restoreId = yield* nextRestoreId();
        const command: RestoreCommand = {
          type: "CreateRestore",
          data: { tenantId: context.tenantId, restoreId, config: configOf(input), backup },
        };
        const events = yield* decide(initialState(), command, commandContext(context));
        const created = fold(events);
        if (created.type !== "Existing") return err(RestoreErrors.internal());
        const stored = yield* repository
          .append({
            tenantId: context.tenantId,
            restoreId,
            expectedVersion: 0,
            events,
            restore: created.restore,
          })
          .mapErr((error) =>
            // Ids are never reused, so a conflict here means the generator handed out a taken id.
            error.code === "version_conflict" ? RestoreErrors.exists(restoreId) : error,
          );
        known.remember(stored);
        return ok(stored);
      });
    },

    updateRestore(context, input) {
      return permitted(context, "update")
        .andThen(() => catalog.resolve(context.tenantId, input))
        .andThen((backup) =>
          execute(context, input.restoreId, () =>
            ok({
              command: {
                type: "UpdateConfig",
                data: { restoreId: input.restoreId, config: configOf(input), backup },
              },
            }),
          ),
        );
    },

    getRestore(context, restoreId) {
      return permitted(context, "read").andThen(() => loadExisting(context.tenantId, restoreId));
    },

    getReport(context, restoreId) {
      return permitted(context, "read")
        .andThen(() => loadExisting(context.tenantId, restoreId))
        .andThen((restore) =>
          isTerminal(restore.state)
            ? ok(restore)
            : err(RestoreErrors.reportNotReady(restoreId, restore.state)),
        );
    },

    listEvents(context, restoreId, page) {
      return permitted(context, "read")
        .andThen(() => loadExisting(context.tenantId, restoreId))
        .andThen(() => repository.readEvents(context.tenantId, restoreId, page));
    },

    agentReport(context, restoreId, report) {
      return permitted(context, "report").andThen(() =>
        execute(context, restoreId, (restore) =>
          authorizeAgentFor(context.principal, restore).map(() => ({
            command: {
              type: "RecordAgentReport" as const,
              data: { restoreId, state: report.state, report: report.report },
            },
          })),
        ),
      );
    },

    releasePassword(context, restoreId) {
      return safeTry(async function* () {
        yield* permitted(context, "receive-password");
        const restore = yield* loadExisting(context.tenantId, restoreId);
        yield* authorizeAgentFor(context.principal, restore);
        const sealed = restore.passwordSealed
          ? yield* repository.readSealedPassword(context.tenantId, restoreId)
          : null;
        if (sealed === null) return err(RestoreErrors.noSealedPassword(restoreId, restore.state));
        return ok(yield* open(sealed, { tenantId: context.tenantId, restoreId }));
      });
    },
  };
}

function configOf(input: CreateRestoreInput) {
  return {
    backupId: input.backupId,
    backupMachineId: input.backupMachineId,
    destinationMachineId: input.destinationMachineId,
    destinationPath: input.destinationPath,
    overwriteFiles: input.overwriteFiles,
  };
}

function internal(): RestoreError {
  return RestoreErrors.internal();
}

function unavailable(): RestoreError {
  return RestoreErrors.storageUnavailable();
}

/**
 * A port that throws or rejects instead of returning an error would escape
 * the `Result`s; this turns that into an error value of the given kind.
 */
function guard<A extends unknown[], T>(
  fn: (...args: A) => ResultAsync<T, RestoreError>,
  onThrow: () => RestoreError,
): (...args: A) => ResultAsync<T, RestoreError> {
  const safe = ResultAsync.fromThrowable(async (...args: A) => fn(...args), onThrow);
  return (...args) => safe(...args).andThen((result) => result);
}

function guardRepository(repository: RestoreRepository): RestoreRepository {
  return {
    load: guard(repository.load.bind(repository), unavailable),
    append: guard(repository.append.bind(repository), unavailable),
    readEvents: guard(repository.readEvents.bind(repository), unavailable),
    readSealedPassword: guard(repository.readSealedPassword.bind(repository), unavailable),
    pendingAgentRequests: guard(repository.pendingAgentRequests.bind(repository), unavailable),
    subscribeAgentRequests: guard(repository.subscribeAgentRequests.bind(repository), unavailable),
  };
}
