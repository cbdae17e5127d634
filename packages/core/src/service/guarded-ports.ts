import { err, ok, type Result, ResultAsync } from "neverthrow";
import { ERROR_STATUS, type RestoreError, RestoreErrors } from "../errors.js";
import { isRecord } from "../internal/plain-data.js";
import type {
  BackupCatalog,
  BackupReferences,
  Clock,
  IdGenerator,
  PasswordVault,
  RestoreRepository,
} from "../ports.js";
import type { ResolvedBackup, Timestamp } from "../restore.js";
import type { Issues } from "../values/checks.js";
import { readResolvedBackup } from "../values/restore-values.js";
import { parseTimestamp, timestampFromEpochMs } from "../values/timestamp.js";
import { normalizeHex } from "../wire/hex.js";

/**
 * What the service tells its embedder when something that is not the
 * client's fault goes wrong: a port that throws, rejects or answers with
 * something malformed. The client gets only `error`.
 */
export interface ServiceErrorReport {
  /** Where it happened, e.g. `catalog.resolve`, `repository.append`, `clock.now`. */
  readonly operation: string;
  /** What the service answers (or, for a retried restore id, the error it avoided). */
  readonly error: RestoreError;
  /** What went wrong: the thrown value, or the problems found in a port's answer. */
  readonly cause: unknown;
}

/** Reports a fault and gives back the error to answer with; a throwing hook changes nothing. */
export type Fault = (operation: string, error: RestoreError, cause: unknown) => RestoreError;

export function faultReporter(
  onError: (report: ServiceErrorReport) => void = () => undefined,
): Fault {
  return (operation, error, cause) => {
    let returned: unknown;
    try {
      returned = onError({ operation, error, cause });
    } catch {
      // The embedder's hook must not turn an answer into an exception.
    }
    // An async hook's rejection would otherwise be an unhandled rejection that ends the process.
    if (isRecord(returned) && typeof returned.then === "function") {
      (returned as unknown as PromiseLike<unknown>).then(undefined, () => undefined);
    }
    return error;
  };
}

/** True for an error value a port may return: one of core's codes with a message. */
export function isRestoreError(value: unknown): value is RestoreError {
  return (
    isRecord(value) &&
    typeof value.code === "string" &&
    Object.hasOwn(ERROR_STATUS, value.code) &&
    typeof value.message === "string"
  );
}

/**
 * A port call that cannot escape the `Result`s: a throw or a rejection
 * becomes `onThrow`'s error, and an error value that is not a `RestoreError`
 * becomes `internal_error`, both reported with their cause.
 */
export function guard<A extends unknown[], T>(
  operation: string,
  fn: (...args: A) => ResultAsync<T, RestoreError>,
  onThrow: () => RestoreError,
  fault: Fault,
): (...args: A) => ResultAsync<T, RestoreError> {
  // One native async function rather than a chain of combinators: this wraps every port call
  // and every use case, and each neverthrow combinator costs a promise chain of its own.
  async function settle(args: A): Promise<Result<T, RestoreError>> {
    let result: unknown;
    try {
      result = await fn(...args);
    } catch (cause) {
      return err(fault(operation, onThrow(), cause));
    }
    if (!isResult(result)) {
      return err(fault(operation, RestoreErrors.internal(), "not a Result"));
    }
    if (result.isOk() || isRestoreError(result.error)) return result as Result<T, RestoreError>;
    return err(fault(operation, RestoreErrors.internal(), result.error));
  }
  return (...args) => new ResultAsync(settle(args));
}

function isResult(value: unknown): value is Result<unknown, unknown> {
  return isRecord(value) && typeof value.isOk === "function" && typeof value.isErr === "function";
}

export function guardedRepository(repository: RestoreRepository, fault: Fault): RestoreRepository {
  const unavailable = () => RestoreErrors.storageUnavailable();
  const method = <K extends keyof RestoreRepository>(name: K) =>
    guard(
      `repository.${name}`,
      // Bound here: a store may be a class whose methods read `this`.
      (repository[name] as (...args: unknown[]) => ResultAsync<unknown, RestoreError>).bind(
        repository,
      ),
      unavailable,
      fault,
    ) as RestoreRepository[K];
  return {
    load: method("load"),
    append: method("append"),
    readEvents: method("readEvents"),
    readSealedPassword: method("readSealedPassword"),
    pendingAgentRequests: method("pendingAgentRequests"),
    subscribeAgentRequests: method("subscribeAgentRequests"),
  };
}

export function guardedVault(vault: PasswordVault, fault: Fault): PasswordVault {
  const internal = () => RestoreErrors.internal();
  return {
    seal: guard("vault.seal", vault.seal.bind(vault), internal, fault),
    open: guard("vault.open", vault.open.bind(vault), internal, fault),
  };
}

/**
 * A catalog answer read as the domain needs it: the restore point in the
 * canonical UTC form and the key's hex upper-cased without whitespace (so the
 * stored row equals what its events fold to), every other field checked as
 * a store will. Anything else is a catalog bug: `internal_error`, reported
 * with the problems found, never a corrupt restore.
 */
export function checkedCatalog(
  catalog: BackupCatalog,
  fault: Fault,
): (tenantId: string, references: BackupReferences) => ResultAsync<ResolvedBackup, RestoreError> {
  const resolve = guard(
    "catalog.resolve",
    catalog.resolve.bind(catalog),
    () => RestoreErrors.internal(),
    fault,
  );
  return (tenantId, references) =>
    resolve(tenantId, references).andThen((answer) => {
      const issues: Issues = [];
      const backup = readResolvedBackup(issues, normalized(answer), "backup");
      return backup === undefined
        ? err(fault("catalog.resolve", RestoreErrors.internal(), issues))
        : ok(backup);
    });
}

function normalized(answer: unknown): unknown {
  if (!isRecord(answer)) return answer;
  const { restorePoint, publicKey } = answer;
  const hex = (value: unknown) =>
    typeof value === "string" ? (normalizeHex(value) ?? value) : value;
  return {
    ...answer,
    restorePoint:
      typeof restorePoint === "string"
        ? (parseTimestamp(restorePoint) ?? restorePoint)
        : restorePoint,
    publicKey: isRecord(publicKey)
      ? { modulusHex: hex(publicKey.modulusHex), exponentHex: hex(publicKey.exponentHex) }
      : publicKey,
  };
}

/** Ids must be positive safe integers; anything else from the generator is a fault. */
export function checkedIds(
  ids: IdGenerator,
  fault: Fault,
): () => ResultAsync<number, RestoreError> {
  const next = guard(
    "ids.nextRestoreId",
    ids.nextRestoreId.bind(ids),
    () => RestoreErrors.internal(),
    fault,
  );
  return () =>
    next().andThen((id) =>
      Number.isSafeInteger(id) && id > 0
        ? ok(id)
        : err(fault("ids.nextRestoreId", RestoreErrors.internal(), `not a positive integer id`)),
    );
}

/** The clock's time as a `Timestamp`; a clock that throws or leaves the stored range is a fault. */
export function checkedClock(clock: Clock, fault: Fault): () => Result<Timestamp, RestoreError> {
  return () => {
    let now: unknown;
    try {
      now = clock.now();
    } catch (cause) {
      return err(fault("clock.now", RestoreErrors.internal(), cause));
    }
    const timestamp = now instanceof Date ? timestampFromEpochMs(now.getTime()) : undefined;
    return timestamp === undefined
      ? err(
          fault(
            "clock.now",
            RestoreErrors.internal(),
            "not a Date between the years 0001 and 9999",
          ),
        )
      : ok(timestamp);
  };
}
