import { type Clock, type RestoreError, RestoreErrors } from "@restorekit/core";
import { err, ok, Result } from "neverthrow";

/**
 * The time on the clock. A clock that throws or answers an invalid date is a
 * fault of ours: read as NaN it would make every expiry check pass.
 */
export function clockReading(clock: Clock): Result<Date, RestoreError> {
  return Result.fromThrowable(
    () => clock.now(),
    () => RestoreErrors.internal(),
  )().andThen((now) =>
    now instanceof Date && Number.isFinite(now.getTime()) ? ok(now) : err(RestoreErrors.internal()),
  );
}
