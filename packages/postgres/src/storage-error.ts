import { type RestoreErrorOf, RestoreErrors } from "@restorekit/core";

// SQLSTATE classes and codes that say "the database could not do it now", not
// "this statement is wrong": connection exceptions, insufficient resources,
// operator intervention (shutdown, terminated backend, statement timeout),
// system errors, and transaction rollbacks (serialization, deadlock).
const TRANSIENT_CLASSES = new Set(["08", "40", "53", "57", "58"]);
const TRANSIENT_CODES = new Set(["55P03", "25P03", "55006"]);
const SQLSTATE = /^[0-9A-Z]{5}$/;

/** The SQLSTATE of a server error (e.g. `42P01`), or null for anything else. */
export function sqlStateOf(cause: unknown): string | null {
  if (typeof cause !== "object" || cause === null) return null;
  const { code, severity } = cause as { code?: unknown; severity?: unknown };
  // Node's system errors have codes too (ECONNRESET); only a server error carries a severity.
  return typeof code === "string" && SQLSTATE.test(code) && typeof severity === "string"
    ? code
    : null;
}

/**
 * What a driver failure means to a caller, with nothing of the driver's
 * message (it may quote SQL or values). A server that cannot be reached, a
 * lost or terminated connection, a timeout, an exhausted pool or a closed
 * PGlite is `storage_unavailable` (503, retry); a statement the server
 * rejects for what it is (a missing table, bad data) is `internal_error`.
 * Neither is ever "not found".
 *
 * @example
 * ```ts
 * ResultAsync.fromThrowable(() => client.query(statement), storageErrorOf);
 * ```
 */
export function storageErrorOf(
  cause: unknown,
): RestoreErrorOf<"storage_unavailable"> | RestoreErrorOf<"internal_error"> {
  const state = sqlStateOf(cause);
  if (state === null) return RestoreErrors.storageUnavailable();
  return TRANSIENT_CLASSES.has(state.slice(0, 2)) || TRANSIENT_CODES.has(state)
    ? RestoreErrors.storageUnavailable()
    : RestoreErrors.internal();
}
