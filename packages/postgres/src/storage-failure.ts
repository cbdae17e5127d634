import type { RestoreError } from "@restorekit/core";

/** The repository or id generator method that failed. */
export type StorageOperation =
  | "load"
  | "append"
  | "readEvents"
  | "readSealedPassword"
  | "pendingAgentRequests"
  | "subscribeAgentRequests"
  /** Sending agents their requests after a commit; the change itself is committed. */
  | "notifyAgentRequests"
  | "nextRestoreId"
  /** The sweeper's query for restores past their deadline. */
  | "findDueRestores"
  /** The `IdempotencyKeys` methods. */
  | "claimIdempotencyKey"
  | "completeIdempotencyKey"
  | "releaseIdempotencyKey"
  | "purgeIdempotencyKeys";

/**
 * What the embedder is told when a store operation fails for a reason that
 * is not the domain's (`storage_unavailable` or `internal_error`).
 */
export interface StorageFailure {
  readonly operation: StorageOperation;
  /** What the caller got back: the fixed message, nothing of the driver's. */
  readonly error: RestoreError;
  /**
   * The driver's error as it was thrown when a query failed (its message,
   * SQLSTATE `code` and stack; it may quote SQL or values, so log it, do not
   * show it to clients). For a row this package cannot read, or an append it
   * refuses as inconsistent, an `Error` saying which.
   */
  readonly cause: unknown;
}

/**
 * Called with every `StorageFailure`, e.g. to log it. It cannot change the
 * result: what it throws, or an async hook's rejection, is ignored.
 *
 * @example
 * ```ts
 * const onError: OnStorageError = ({ operation, error, cause }) =>
 *   logger.error({ operation, code: error.code, cause }, "restore store failed");
 * const repository = postgresRepository(client, { onError });
 * ```
 */
export type OnStorageError = (failure: StorageFailure) => void;

/** Tells `onError` of a failure and gives the caller's error back, whatever the hook does. */
export type Reporter = (
  operation: StorageOperation,
  error: RestoreError,
  cause: unknown,
) => RestoreError;

/** The `Reporter` of one repository or id generator: a no-op without `onError`. */
export function reporterFor(onError: OnStorageError | undefined): Reporter {
  return (operation, error, cause) => {
    if (onError === undefined) return error;
    try {
      const returned: unknown = onError({ operation, error, cause });
      // An async hook's rejection would otherwise be an unhandled rejection that ends the process.
      if (isThenable(returned)) returned.then(undefined, () => undefined);
    } catch {
      // The caller still gets its error: a failing log line must not replace or hide it.
    }
    return error;
  };
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as { then?: unknown }).then === "function"
  );
}
