import { err, ok, type Result } from "neverthrow";
import type { SealedPassword } from "./commands.js";
import { type RestoreError, RestoreErrors } from "./errors.js";
import type { RestoreEvent } from "./events.js";
import { checkIdempotentCompletion, type IdempotentCompletion } from "./idempotency.js";
import { isRecord } from "./internal/plain-data.js";
import type { AppendRequest } from "./ports.js";
import type { Restore } from "./restore.js";
import { isRestoreStateName } from "./states.js";
import { type Issues, pathTo } from "./values/checks.js";
import { readEvent } from "./values/event-values.js";
import { MAX_VERSION, readRestore } from "./values/restore-values.js";

/**
 * What every `RestoreRepository` checks before it writes, so that all stores
 * accept and refuse the same appends:
 *
 * - a request whose row (or `previous`) does not follow from its key,
 *   version and events is a bug in the caller (storing it would break `fold(events) == row` for
 *   good): `internal_error`;
 * - a value no store can hold (a text too long, with a NUL or an unpaired
 *   surrogate, a timestamp outside years 0001..9999 or not in canonical
 *   form, a malformed field): `invalid_request` naming the field.
 *
 * On success it returns the request with its restore and events as checked
 * copies holding only the domain's fields, ready to store.
 *
 * @example
 * ```ts
 * const checked = checkAppendRequest(request);
 * if (checked.isErr()) return errAsync(checked.error);
 * ```
 */
export function checkAppendRequest(request: AppendRequest): Result<AppendRequest, RestoreError> {
  if (!isRecord(request) || !Array.isArray(request.events) || !isRecord(request.restore)) {
    return err(RestoreErrors.internal());
  }
  const { tenantId, restoreId, expectedVersion, events } = request;
  const consistent =
    typeof tenantId === "string" &&
    Number.isSafeInteger(restoreId) &&
    restoreId > 0 &&
    Number.isSafeInteger(expectedVersion) &&
    expectedVersion >= 0 &&
    events.length > 0 &&
    request.restore.tenantId === tenantId &&
    request.restore.restoreId === restoreId &&
    request.restore.version === expectedVersion + events.length &&
    expectedVersion + events.length <= MAX_VERSION;
  const sealed = request.sealedPassword ?? null;
  if (
    !consistent ||
    !previousMatches(request) ||
    (sealed !== null && !(sealed instanceof Uint8Array))
  ) {
    return err(RestoreErrors.internal());
  }
  let idempotency: IdempotentCompletion | undefined;
  if (request.idempotency !== undefined) {
    const completion = checkIdempotentCompletion(request.idempotency);
    // A key of another tenant would be answered in the wrong scope: a caller bug.
    if (completion.isErr() || completion.value.scope.tenantId !== tenantId) {
      return err(RestoreErrors.internal());
    }
    idempotency = completion.value;
  }
  const issues: Issues = [];
  const restore = readRestore(issues, request.restore, "restore");
  const checkedEvents = events.map((event, i) => readEvent(issues, event, pathTo("events", i)));
  if (issues.length > 0) return err(RestoreErrors.invalidRequest(issues));
  return ok({
    tenantId,
    restoreId,
    expectedVersion,
    previous: request.previous,
    events: checkedEvents as RestoreEvent[],
    restore: restore as Restore,
    sealedPassword: sealed as SealedPassword | null,
    ...(idempotency === undefined ? {} : { idempotency }),
  });
}

/** `previous` is the restore at `expectedVersion` under the same key, or null for a create. */
function previousMatches({
  previous,
  tenantId,
  restoreId,
  expectedVersion,
}: AppendRequest): boolean {
  if (expectedVersion === 0) return previous === null;
  return (
    isRecord(previous) &&
    previous.tenantId === tenantId &&
    previous.restoreId === restoreId &&
    previous.version === expectedVersion &&
    isRestoreStateName(previous.state)
  );
}
