/**
 * The largest values restorekit accepts and stores. Every parser refuses a
 * longer text with a message that names the field and its maximum, and every
 * store refuses it too, so nothing the parsers accept can fail later in a
 * database. Lengths count UTF-16 code units, as JavaScript's `length` does.
 * Each limit and why: https://github.com/restorekit/restorekit/blob/main/docs/http.md#limits
 */
export const LIMITS = Object.freeze({
  /** A tenant (project) id, from the path. */
  tenantId: 128,
  /** A request id, from `X-Request-Id` or generated; recorded on every event. */
  requestId: 200,
  /** A user id a token verifier hands over; recorded on events as the actor. */
  userId: 256,
  /** The restore's `DestinationPath` (Linux's PATH_MAX). */
  destinationPath: 4096,
  /** Each name a backup catalog supplies: configuration, machines, flavor, data center. */
  catalogText: 256,
  /**
   * Hex digits of an agent key's modulus or exponent: a bound for storage, twice
   * what a 16384-bit key needs (`@restorekit/crypto` refuses keys over 16384 bits).
   */
  publicKeyHex: 8192,
  /** The `EncryptedPassword` as sent, whitespace included. */
  encryptedPassword: 16_384,
  /** Entries of an agent's error list. */
  errorList: 1000,
  /** The reason of an error summary (`unable_to_process_some_files`) and each entry's type. */
  errorName: 256,
  /** The diagnostics of an error summary, an entry's path and an exception's details. */
  errorText: 4096,
  /** An exception's description. */
  errorDescription: 2048,
  /** Events returned by one call of `listEvents`; page on with `afterSeq`. */
  eventsPerPage: 1000,
});

/** The earliest instant restorekit stores (Postgres has no year 0 in ISO form). */
export const EARLIEST_TIMESTAMP = "0001-01-01T00:00:00.000Z";
/** The latest instant restorekit stores: four-digit years only. */
export const LATEST_TIMESTAMP = "9999-12-31T23:59:59.999Z";
