/**
 * Conversions between neverthrow and fp-ts, for backends written with fp-ts.
 * fp-ts is an optional peer dependency: only this entry point imports it.
 */
import * as E from "fp-ts/lib/Either.js";
import type * as TE from "fp-ts/lib/TaskEither.js";
import { err, ok, type Result, ResultAsync } from "neverthrow";

/**
 * @example
 * ```ts
 * const either = toEither(decide(state, command, context));
 * ```
 */
export function toEither<T, E>(result: Result<T, E>): E.Either<E, T> {
  return result.match<E.Either<E, T>>(E.right, E.left);
}

export function fromEither<E, T>(either: E.Either<E, T>): Result<T, E> {
  return E.isRight(either) ? ok(either.right) : err(either.left);
}

/**
 * A `TaskEither` that runs the work each time it is called; a `ResultAsync`
 * has already started, so the result is shared between calls.
 *
 * @example
 * ```ts
 * const task = toTaskEither(service.getRestore(context, 13689));
 * const either = await task();
 * ```
 */
export function toTaskEither<T, E>(resultAsync: ResultAsync<T, E>): TE.TaskEither<E, T> {
  return async () => toEither(await resultAsync);
}

/** Runs the task once; a task that rejects (it should not) becomes `onReject`'s error. */
export function fromTaskEither<E, T>(
  task: TE.TaskEither<E, T>,
  onReject: (cause: unknown) => E,
): ResultAsync<T, E> {
  return ResultAsync.fromThrowable(task, onReject)().andThen(fromEither);
}
