import type { RestoreError, RestoreRepository } from "@restorekit/core";
import { errAsync } from "neverthrow";

/** The name of a `RestoreRepository` method. */
export type RepositoryMethod = keyof RestoreRepository;

/** A `RestoreRepository` that fails on demand, for resilience tests. */
export interface FaultyRepository extends RestoreRepository {
  /** The next `times` calls of `method` return `error` without reaching the wrapped store. */
  failNext(method: RepositoryMethod, error: RestoreError, times?: number): FaultyRepository;
  /** Every call of `method` returns `error` until `heal()`. */
  failAlways(method: RepositoryMethod, error: RestoreError): FaultyRepository;
  /** The next call of `method` throws `thrown` synchronously, as a misbehaving adapter might. */
  throwNext(method: RepositoryMethod, thrown: unknown): FaultyRepository;
  /** Drops every planned fault; the call counts are kept. */
  heal(): FaultyRepository;
  /** How many times `method` was called, failed calls included. */
  calls(method: RepositoryMethod): number;
}

type Fault =
  | { readonly kind: "fail"; readonly error: RestoreError }
  | { readonly kind: "throw"; readonly thrown: unknown };

/**
 * Wraps any `RestoreRepository` so a test can make its methods fail or throw.
 * One-off faults are used in the order they were planned, before a standing
 * `failAlways`; a failed call never reaches the wrapped store, so it writes
 * nothing.
 *
 * @example
 * ```ts
 * const repository = withFaults(inMemoryRepository());
 * repository.failNext("append", RestoreErrors.versionConflict(7, 2), 3);
 * ```
 */
export function withFaults(repository: RestoreRepository): FaultyRepository {
  const planned = new Map<RepositoryMethod, Fault[]>();
  const standing = new Map<RepositoryMethod, RestoreError>();
  const counts = new Map<RepositoryMethod, number>();

  function plan(method: RepositoryMethod, ...faults: Fault[]): void {
    planned.set(method, [...(planned.get(method) ?? []), ...faults]);
  }

  /** Counts the call and returns the fault it meets, if any. */
  function faultFor(method: RepositoryMethod): Fault | undefined {
    counts.set(method, (counts.get(method) ?? 0) + 1);
    const next = planned.get(method)?.shift();
    if (next !== undefined) return next;
    const error = standing.get(method);
    return error === undefined ? undefined : { kind: "fail", error };
  }

  function wrap<A extends unknown[], R>(
    method: RepositoryMethod,
    call: (...args: A) => R,
    fail: (error: RestoreError) => R,
  ): (...args: A) => R {
    return (...args) => {
      const fault = faultFor(method);
      if (fault === undefined) return call(...args);
      if (fault.kind === "throw") throw fault.thrown;
      return fail(fault.error);
    };
  }

  const failWith = (error: RestoreError) => errAsync(error);

  const faulty: FaultyRepository = {
    load: wrap("load", repository.load.bind(repository), failWith),
    append: wrap("append", repository.append.bind(repository), failWith),
    readEvents: wrap("readEvents", repository.readEvents.bind(repository), failWith),
    readSealedPassword: wrap(
      "readSealedPassword",
      repository.readSealedPassword.bind(repository),
      failWith,
    ),
    pendingAgentRequests: wrap(
      "pendingAgentRequests",
      repository.pendingAgentRequests.bind(repository),
      failWith,
    ),
    subscribeAgentRequests: wrap(
      "subscribeAgentRequests",
      repository.subscribeAgentRequests.bind(repository),
      failWith,
    ),

    failNext(method, error, times = 1) {
      plan(
        method,
        ...Array.from({ length: Math.max(0, times) }, () => ({ kind: "fail", error }) as const),
      );
      return faulty;
    },
    failAlways(method, error) {
      standing.set(method, error);
      return faulty;
    },
    throwNext(method, thrown) {
      plan(method, { kind: "throw", thrown });
      return faulty;
    },
    heal() {
      planned.clear();
      standing.clear();
      return faulty;
    },
    calls(method) {
      return counts.get(method) ?? 0;
    },
  };
  return faulty;
}
