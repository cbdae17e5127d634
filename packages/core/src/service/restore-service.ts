import { err, ok, okAsync, type Result, ResultAsync, safeTry } from "neverthrow";
import type { RestoreCommand, SealedPassword } from "../commands.js";
import { DEFAULT_DEADLINES, type Deadlines, deadlineProblems } from "../deadlines.js";
import { type CommandContext, decide } from "../decide.js";
import { isClientError, type RestoreError, RestoreErrors } from "../errors.js";
import type { Actor, RestoreEvent, StoredEvent } from "../events.js";
import { fold } from "../evolve.js";
import {
  type ChangeOptions,
  completionFor,
  type IdempotentChange,
  readChangeOptions,
} from "../idempotency.js";
import { isRecord } from "../internal/plain-data.js";
import { checkStartPassword } from "../password-rule.js";
import {
  actorOf,
  authorize,
  authorizeAgentFor,
  isPrincipal,
  type Permission,
  type Principal,
} from "../policy.js";
import type {
  AgentRequest,
  BackupCatalog,
  Clock,
  EventPage,
  IdGenerator,
  PasswordVault,
  RestoreRepository,
  Subscription,
} from "../ports.js";
import {
  existing,
  initialState,
  type Restore,
  type RestoreAggregate,
  type RestoreConfig,
} from "../restore.js";
import { isTerminal } from "../states.js";
import { type Issues, readPositiveId } from "../values/checks.js";
import { readRequestId } from "../values/event-values.js";
import { readTenantId } from "../values/restore-values.js";
import {
  checkedCatalog,
  checkedClock,
  checkedIds,
  faultReporter,
  guard,
  guardedRepository,
  guardedVault,
  type ServiceErrorReport,
} from "./guarded-ports.js";
import type {
  ActionRequest,
  AgentReport,
  CreateRestoreInput,
  Precondition,
  UpdateRestoreInput,
} from "./inputs.js";
import { knownRestores } from "./known-restores.js";
import {
  readActionRequest,
  readAgentReport,
  readCreateInput,
  readEventPage,
  readPrecondition,
  readRestoreId,
  readUpdateInput,
} from "./read-inputs.js";

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
  /**
   * How long a restore waits on its agent before it is given up (see
   * `Deadlines`); agent reports that change nothing are recorded as
   * heartbeats against them. Default `DEFAULT_DEADLINES`.
   */
  readonly deadlines?: Deadlines;
  /** How many times a command is decided when other writers keep winning the race. Default 5. */
  readonly maxAttempts?: number;
  /**
   * How many recently changed restores to remember, so a command on one of
   * them is decided without a read: one round trip instead of two. It pays
   * when a restore's commands reach the instance that last changed it (one
   * instance, or routing by tenant or restore) and the active restores fit;
   * when they do not, it keeps only a sample until it pays again, so it never
   * costs much more than none. Always safe: a change decided on it is
   * appended at the remembered version, which the store checks. 0 turns it
   * off. Default 10 000 (about 2 KB each).
   */
  readonly knownRestores?: number;
  /**
   * Told, with the cause, whenever something that is not the client's fault
   * goes wrong: a port that throws or rejects, a catalog answer that is not a
   * valid backup, a malformed principal or request context, an id generator
   * handing out a taken id. The client only ever sees the error code. Log it.
   */
  readonly onError?: (report: ServiceErrorReport) => void;
}

/**
 * The use cases. Every method checks its inputs, authorizes, and returns a
 * `ResultAsync`: it never throws or rejects, whatever it is given. Malformed
 * client data (a restore id, a body, a tenant or request id) is
 * `invalid_request` naming the field; a malformed principal or context is
 * `internal_error`, reported through `onError`.
 */
export interface RestoreService {
  /** The restore after the action (the same restore when it was a no-op). */
  requestAction(
    context: RequestContext,
    request: ActionRequest,
    precondition?: Precondition,
    options?: ChangeOptions,
  ): ResultAsync<Restore, RestoreError>;
  /** With `options.idempotency`, the response is committed with the change (`ChangeOptions`). */
  createRestore(
    context: RequestContext,
    input: CreateRestoreInput,
    options?: ChangeOptions,
  ): ResultAsync<Restore, RestoreError>;
  updateRestore(
    context: RequestContext,
    input: UpdateRestoreInput,
    precondition?: Precondition,
  ): ResultAsync<Restore, RestoreError>;
  getRestore(context: RequestContext, restoreId: number): ResultAsync<Restore, RestoreError>;
  /** The restore, once it has finished: its report is what it holds then. */
  getReport(context: RequestContext, restoreId: number): ResultAsync<Restore, RestoreError>;
  /**
   * One page of a restore's events: those after `afterSeq` (default 0) and
   * before `beforeSeq` (if given), oldest first or, with `order: "desc"`,
   * newest first; at most `limit` from that end, cut to
   * `LIMITS.eventsPerPage` (1000; also the default).
   */
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
  /**
   * Gives up a restore whose agent has been silent past its state's deadline
   * (the `Expire` command, decided by the system rather than a principal);
   * the restore unchanged when it is not due. Safe to call from several
   * instances at once: the store's version check lets only one expiry in.
   */
  expireRestore(
    target: RestoreTarget,
    requestId?: string,
  ): ResultAsync<ExpiryOutcome, RestoreError>;
  /**
   * The start and stop requests waiting for agent `agentId` (its restores in
   * StartRequested or StopRequested), each with its restore. Only that
   * agent's own token may ask; anyone else is `forbidden`.
   */
  pendingAgentRequests(
    context: RequestContext,
    agentId: number,
  ): ResultAsync<readonly AgentWork[], RestoreError>;
  /**
   * Tells `listener` of each start or stop request for agent `agentId` as it
   * commits, with its restore, in the order they came (at least once, like
   * the store's subscription). A restore that cannot be read is told as an
   * error, after which the caller should close and read the pending requests
   * again. Only that agent's own token may watch.
   */
  watchAgentRequests(
    context: RequestContext,
    agentId: number,
    listener: (work: Result<AgentWork, RestoreError>) => void,
  ): ResultAsync<Subscription, RestoreError>;
}

/** A request for an agent with the restore it names, as the store holds it now: its work order. */
export interface AgentWork {
  readonly request: AgentRequest;
  readonly restore: Restore;
}

/** The restore after an `Expire`, and whether this call expired it. */
export interface ExpiryOutcome {
  readonly restore: Restore;
  readonly expired: boolean;
}

/** A restore named by tenant and id, as the sweeper finds it. */
export interface RestoreTarget {
  readonly tenantId: string;
  readonly restoreId: number;
}

/** Who a change is decided for: the tenant, the actor the events name and the request id. */
interface Caller {
  readonly tenantId: string;
  readonly requestId: string;
  readonly actor: Actor;
}

function callerOf(context: RequestContext): Caller {
  return {
    tenantId: context.tenantId,
    requestId: context.requestId,
    actor: actorOf(context.principal),
  };
}

/** The sweeper acts as the system, under this id in the events. */
const SWEEPER: Actor = { type: "system", id: "sweeper" };

export type { ServiceErrorReport };

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
  const fault = faultReporter(deps.onError);
  const maxAttempts = Math.max(1, Math.floor(deps.maxAttempts ?? 5));
  const repository = guardedRepository(deps.repository, fault);
  const vault = guardedVault(deps.vault, fault);
  const resolveBackup = checkedCatalog(deps.catalog, fault);
  const nextRestoreId = checkedIds(deps.ids, fault);
  const now = checkedClock(deps.clock, fault);
  const known = knownRestores(deps.knownRestores ?? 10_000);
  const deadlines = deps.deadlines ?? DEFAULT_DEADLINES;
  const badDeadlines = deadlineProblems(deadlines);
  if (badDeadlines.length > 0) {
    // A programming error of the embedder's, found when the service is built rather than at the first report.
    throw new TypeError(`createRestoreService: ${badDeadlines.join("; ")}`);
  }

  /**
   * Runs a use case so that nothing escapes as an exception: a throw in our
   * own code (a bug) is reported and answered with `internal_error`.
   */
  function run<T>(
    operation: string,
    work: () => ResultAsync<T, RestoreError>,
  ): ResultAsync<T, RestoreError> {
    return guard(`service.${operation}`, work, () => RestoreErrors.internal(), fault)();
  }

  /**
   * The context checked before anything else: the tenant and request ids
   * come from the client (a problem is `invalid_request`), the principal
   * from the embedder's token verifier (a problem is a fault).
   */
  function readContext(
    operation: string,
    value: RequestContext,
  ): Result<RequestContext, RestoreError> {
    if (!isRecord(value)) {
      return err(fault(`service.${operation}`, RestoreErrors.internal(), "no request context"));
    }
    if (!isPrincipal(value.principal)) {
      return err(
        fault(
          `service.${operation}`,
          RestoreErrors.internal(),
          "malformed principal in the context",
        ),
      );
    }
    const issues: Issues = [];
    const tenantId = readTenantId(issues, value.tenantId, "tenantId");
    const requestId = readRequestId(issues, value.requestId, "requestId");
    if (tenantId === undefined || requestId === undefined) {
      return err(RestoreErrors.invalidRequest(issues));
    }
    return ok({ principal: value.principal, tenantId, requestId });
  }

  function commandContext(caller: Caller): Result<CommandContext, RestoreError> {
    return now().map((at) => ({ actor: caller.actor, now: at, requestId: caller.requestId }));
  }

  function loadExisting(tenantId: string, restoreId: number): ResultAsync<Restore, RestoreError> {
    return repository
      .load(tenantId, restoreId)
      .andThen((restore) =>
        restore === null ? err(RestoreErrors.notFound(restoreId)) : ok(restore),
      );
  }

  function permitted(context: RequestContext, permission: Permission): Result<void, RestoreError> {
    return authorize(context.principal, permission, context.tenantId);
  }

  /** The agent id, read, when the context is that agent's own token in its own tenant. */
  function ownAgent(
    operation: string,
    context: RequestContext,
    agentId: unknown,
  ): Result<{ checked: RequestContext; agentId: number }, RestoreError> {
    return readContext(operation, context).andThen((checked) => {
      const issues: Issues = [];
      const id = readPositiveId(issues, agentId, "agentId");
      if (id === undefined) return err(RestoreErrors.invalidRequest(issues));
      // Requests are what an agent reports on: the same permission, for its own machine only.
      return permitted(checked, "report").andThen(() => {
        const { principal } = checked;
        return principal.type === "agent" && principal.agentId === id
          ? ok({ checked, agentId: id })
          : err(RestoreErrors.forbidden(`the token is not the token of agent ${id}`));
      });
    });
  }

  /** Each request with its restore; one that no longer exists is left out. */
  function withRestores(
    tenantId: string,
    requests: readonly AgentRequest[],
  ): ResultAsync<readonly AgentWork[], RestoreError> {
    return ResultAsync.combine(
      requests.map((request) =>
        repository
          .load(tenantId, request.restoreId)
          .map((restore) => (restore === null ? null : { request, restore })),
      ),
    ).map((works) => works.filter((work): work is AgentWork => work !== null));
  }

  /**
   * Decides a command on the restore as last seen and appends it with that
   * version. A lost race is decided again on the restore the store says it
   * holds now (in the failed append's answer, or read when the store does
   * not tell), so a concurrent change is never overwritten; after
   * `maxAttempts` appends the caller is told to retry. Under a
   * `precondition`, a restore at a version it does not name is
   * `precondition_failed` rather than decided on (a remembered one is read
   * afresh first, as for any refusal); the append's version check holds the
   * store to the version decided on, and a lost race is decided again on
   * the newer row, which then meets the precondition or fails it.
   */
  function execute(
    context: Caller,
    restoreId: number,
    plan: (restore: Restore) => ResultAsync<Planned, RestoreError> | Result<Planned, RestoreError>,
    precondition?: Precondition,
    idempotency?: IdempotentChange,
  ): ResultAsync<Restore, RestoreError> {
    const unmet = (restore: Restore): RestoreError | null =>
      precondition === undefined || precondition.versions.includes(restore.version)
        ? null
        : RestoreErrors.preconditionFailed(restoreId, precondition.versions, restore.version);
    const decideOn = (current: Restore): ResultAsync<Outcome, RestoreError> =>
      safeTry(async function* () {
        const failed = unmet(current);
        if (failed !== null) return err(failed);
        const { command, sealedPassword } = yield* plan(current);
        const events = yield* decide(existing(current), command, yield* commandContext(context));
        if (events.length === 0) return ok({ restore: current, appended: false });
        const after = restoreAfter(events, existing(current));
        const stored = yield* repository.append({
          tenantId: context.tenantId,
          restoreId,
          expectedVersion: current.version,
          previous: current,
          events,
          restore: after,
          sealedPassword: sealedPassword ?? null,
          ...completionFor(idempotency, after),
        });
        known.remember(stored);
        return ok({ restore: stored, appended: true });
      });

    const { tenantId } = context;
    // One loop in one native async generator rather than a chain of combinators: this is the
    // path of every change, and each combinator costs a promise chain of its own.
    return safeTry(async function* () {
      let current = known.get(tenantId, restoreId);
      // Only an append the store accepted at the remembered version proves the memory was
      // current; a no-op or a rejection may come from a stale state, so it is decided again on
      // a fresh read. A lost race counts as the first attempt.
      let remembered = current !== undefined;
      // Only what this instance appended is remembered: a restore it merely read is not news
      // it made, and keeping it would push out one it did make.
      if (current === undefined) current = yield* loadExisting(tenantId, restoreId);
      for (let attempt = 1; ; attempt += 1) {
        const outcome = await decideOn(current);
        if (outcome.isOk() && (outcome.value.appended || !remembered)) {
          if (remembered) known.record("current");
          return ok(outcome.value.restore);
        }
        const error = outcome.isErr() ? outcome.error : undefined;
        if (error?.code === "version_conflict") {
          if (remembered) known.record("stale");
          if (attempt >= maxAttempts) return err(RestoreErrors.busy(restoreId));
          // Only a row newer than the one decided on is news; anything else is read afresh.
          const newer = error.current;
          if (newer !== undefined && newer.version > current.version) {
            current = newer;
          } else {
            current = yield* loadExisting(tenantId, restoreId);
          }
        } else if (remembered && (error === undefined || isClientError(error))) {
          current = yield* loadExisting(tenantId, restoreId);
          attempt = 0;
        } else {
          return err(error ?? RestoreErrors.internal());
        }
        remembered = false;
      }
    });
  }

  /** The StartManual or StopManual command for a restore, sealing the password on a start. */
  function planAction(
    request: ActionRequest,
    restore: Restore,
  ): ResultAsync<Planned, RestoreError> | Result<Planned, RestoreError> {
    const { restoreId } = restore;
    switch (request.action) {
      case "StopManual":
        return request.encryptedPassword === null
          ? ok({ command: { type: "StopManual", data: { restoreId } } })
          : err(RestoreErrors.passwordNotAllowed(restoreId, "StopManual"));
      case "StartManual": {
        const { encryptedPassword } = request;
        return checkStartPassword(restore, encryptedPassword !== null)
          .asyncAndThen(() =>
            encryptedPassword === null
              ? okAsync(null)
              : vault.seal({
                  tenantId: restore.tenantId,
                  restoreId,
                  encryptedPassword,
                  publicKey: restore.backup.publicKey,
                }),
          )
          .map((sealedPassword) => ({
            command: { type: "StartManual" as const, data: { restoreId, sealedPassword } },
            sealedPassword,
          }));
      }
    }
  }

  /**
   * Creates a restore under a fresh id. Ids are never reused, so an id that
   * is taken means the generator is broken: that is reported and another id
   * taken, never answered as a conflict the client caused.
   */
  function create(
    context: RequestContext,
    config: RestoreConfig,
    idempotency?: IdempotentChange,
  ): ResultAsync<Restore, RestoreError> {
    return safeTry(async function* () {
      yield* permitted(context, "create");
      const backup = yield* resolveBackup(context.tenantId, config);
      for (let attempt = 1; ; attempt += 1) {
        const restoreId = yield* nextRestoreId();
        const command: RestoreCommand = {
          type: "CreateRestore",
          data: { tenantId: context.tenantId, restoreId, config, backup },
        };
        const events = yield* decide(
          initialState(),
          command,
          yield* commandContext(callerOf(context)),
        );
        const created = restoreAfter(events, initialState());
        const appended = await repository.append({
          tenantId: context.tenantId,
          restoreId,
          expectedVersion: 0,
          previous: null,
          events,
          restore: created,
          ...completionFor(idempotency, created),
        });
        if (appended.isOk()) {
          known.remember(appended.value);
          return ok(appended.value);
        }
        if (appended.error.code !== "version_conflict") return err(appended.error);
        fault("ids.nextRestoreId", RestoreErrors.exists(restoreId), "the id is already taken");
        if (attempt >= maxAttempts) return err(RestoreErrors.internal());
      }
    });
  }

  return {
    requestAction(context, request, precondition, options) {
      return run("requestAction", () =>
        safeTry(async function* () {
          const checked = yield* readContext("requestAction", context);
          const action = yield* readActionRequest(request);
          const condition = yield* readPrecondition(precondition);
          const idempotency = yield* readChangeOptions(options);
          yield* permitted(checked, permissionFor(action.action));
          return execute(
            callerOf(checked),
            action.restoreId,
            (restore) => planAction(action, restore),
            condition,
            idempotency,
          );
        }),
      );
    },

    createRestore(context, input, options) {
      return run("createRestore", () =>
        safeTry(async function* () {
          const checked = yield* readContext("createRestore", context);
          const config = yield* readCreateInput(input);
          const idempotency = yield* readChangeOptions(options);
          return create(checked, config, idempotency);
        }),
      );
    },

    updateRestore(context, input, precondition) {
      return run("updateRestore", () =>
        safeTry(async function* () {
          const checked = yield* readContext("updateRestore", context);
          const { restoreId, ...config } = yield* readUpdateInput(input);
          const condition = yield* readPrecondition(precondition);
          yield* permitted(checked, "update");
          const backup = yield* resolveBackup(checked.tenantId, config);
          return execute(
            callerOf(checked),
            restoreId,
            () => ok({ command: { type: "UpdateConfig", data: { restoreId, config, backup } } }),
            condition,
          );
        }),
      );
    },

    getRestore(context, restoreId) {
      return run("getRestore", () =>
        safeTry(async function* () {
          const checked = yield* readContext("getRestore", context);
          const id = yield* readRestoreId(restoreId);
          yield* permitted(checked, "read");
          return loadExisting(checked.tenantId, id);
        }),
      );
    },

    getReport(context, restoreId) {
      return run("getReport", () =>
        safeTry(async function* () {
          const checked = yield* readContext("getReport", context);
          const id = yield* readRestoreId(restoreId);
          yield* permitted(checked, "read");
          const restore = yield* loadExisting(checked.tenantId, id);
          return isTerminal(restore.state)
            ? ok(restore)
            : err(RestoreErrors.reportNotReady(id, restore.state));
        }),
      );
    },

    listEvents(context, restoreId, page) {
      return run("listEvents", () =>
        safeTry(async function* () {
          const checked = yield* readContext("listEvents", context);
          const id = yield* readRestoreId(restoreId);
          const wanted = yield* readEventPage(page);
          yield* permitted(checked, "read");
          yield* loadExisting(checked.tenantId, id);
          return repository.readEvents(checked.tenantId, id, wanted);
        }),
      );
    },

    agentReport(context, restoreId, report) {
      return run("agentReport", () =>
        safeTry(async function* () {
          const checked = yield* readContext("agentReport", context);
          const id = yield* readRestoreId(restoreId);
          const { state, report: data } = yield* readAgentReport(report);
          yield* permitted(checked, "report");
          return execute(callerOf(checked), id, (restore) =>
            authorizeAgentFor(checked.principal, restore).map(() => ({
              command: {
                type: "RecordAgentReport" as const,
                data: { restoreId: id, state, report: data, deadlines },
              },
            })),
          );
        }),
      );
    },

    expireRestore(target, requestId) {
      return run("expireRestore", () =>
        safeTry(async function* () {
          const issues: Issues = [];
          const tenantId = readTenantId(
            issues,
            isRecord(target) ? target.tenantId : undefined,
            "tenantId",
          );
          const request = readRequestId(issues, requestId ?? "sweep", "requestId");
          if (tenantId === undefined || request === undefined) {
            return err(RestoreErrors.invalidRequest(issues));
          }
          const id = yield* readRestoreId(isRecord(target) ? target.restoreId : undefined);
          // The last restore decided on: the result is newer only when the expiry was appended.
          let decidedOn: Restore | undefined;
          const restore = yield* execute(
            { tenantId, requestId: request, actor: SWEEPER },
            id,
            (current) => {
              decidedOn = current;
              return ok({ command: { type: "Expire", data: { restoreId: id, deadlines } } });
            },
          );
          return ok({ restore, expired: restore.version !== decidedOn?.version });
        }),
      );
    },

    pendingAgentRequests(context, agentId) {
      return run("pendingAgentRequests", () =>
        safeTry(async function* () {
          const { checked, agentId: id } = yield* ownAgent(
            "pendingAgentRequests",
            context,
            agentId,
          );
          const requests = yield* repository.pendingAgentRequests(checked.tenantId, id);
          return withRestores(checked.tenantId, requests);
        }),
      );
    },

    watchAgentRequests(context, agentId, listener) {
      return run("watchAgentRequests", () =>
        safeTry(async function* () {
          const { checked, agentId: id } = yield* ownAgent("watchAgentRequests", context, agentId);
          // Each restore is read in turn, so the listener hears the requests in the order they came.
          let told: Promise<void> = Promise.resolve();
          let open = true;
          const tell = (work: Result<AgentWork, RestoreError>) => {
            if (!open) return;
            try {
              listener(work);
            } catch (cause) {
              // The embedder's listener: its throw must not end the requests of those after it.
              fault("service.watchAgentRequests", RestoreErrors.internal(), cause);
            }
          };
          const subscription = yield* repository.subscribeAgentRequests(
            checked.tenantId,
            id,
            (request) => {
              told = told.then(() =>
                withRestores(checked.tenantId, [request]).match(
                  (works) => {
                    for (const work of works) tell(ok(work));
                  },
                  (error) => tell(err(error)),
                ),
              );
            },
          );
          return ok({
            async close() {
              open = false;
              await subscription.close();
            },
          });
        }),
      );
    },

    releasePassword(context, restoreId) {
      return run("releasePassword", () =>
        safeTry(async function* () {
          const checked = yield* readContext("releasePassword", context);
          const id = yield* readRestoreId(restoreId);
          yield* permitted(checked, "receive-password");
          const restore = yield* loadExisting(checked.tenantId, id);
          yield* authorizeAgentFor(checked.principal, restore);
          const sealed = restore.passwordSealed
            ? yield* repository.readSealedPassword(checked.tenantId, id)
            : null;
          if (sealed === null) return err(RestoreErrors.noSealedPassword(id, restore.state));
          return ok(yield* vault.open(sealed, { tenantId: checked.tenantId, restoreId: id }));
        }),
      );
    },
  };
}

/** The permission each action needs; a switch, so a new action cannot slip through as another. */
function permissionFor(action: ActionRequest["action"]): Permission {
  switch (action) {
    case "StartManual":
      return "start";
    case "StopManual":
      return "stop";
  }
}

/**
 * The restore a decision's events leave. `decide` only accepts a create on no
 * restore and anything else on an existing one, and `evolve` keeps an
 * existing restore existing, so the fold is always a restore.
 */
function restoreAfter(events: readonly RestoreEvent[], from: RestoreAggregate): Restore {
  return (fold(events, from) as Extract<RestoreAggregate, { type: "Existing" }>).restore;
}
