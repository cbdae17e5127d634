import {
  type Clock,
  type Principal,
  type RestoreError,
  RestoreErrors,
  type TokenVerifier,
} from "@restorekit/core";
import { err, errAsync, ok, okAsync, type Result, ResultAsync } from "neverthrow";
import type { CheckedTokenEntry } from "./check-token-entries.js";
import { clockReading } from "./clock-reading.js";
import { digestMatch } from "./digest-match.js";
import type { SyncSha256 } from "./node-sha256.js";
import { sha256 } from "./sha256.js";
import { hasTokenLength } from "./token-length.js";

/**
 * The verifier of a checked token table. With `syncSha256` (node:crypto)
 * the table is hashed at once and a token is checked without leaving the
 * call; without it every digest goes through Web Crypto, the table's on
 * first use. Both give the same verdict for every token.
 */
export function tableVerifier(
  entries: readonly CheckedTokenEntry[],
  clock: Clock,
  syncSha256: SyncSha256 | undefined,
): TokenVerifier {
  const principals = entries.map((entry) => entry.principal);
  const expiries = entries.map((entry) => entry.expiresAtMs);

  /** The verdict for the presented token's digest: every entry compared, to the end. */
  const verdict = (presented: Uint8Array, known: readonly Uint8Array[]) => {
    const index = digestMatch(presented, known);
    const principal = principals[index];
    if (principal === undefined) return err(RestoreErrors.unauthenticated());
    const expiresAtMs = expiries[index] ?? null;
    if (expiresAtMs === null) return ok(principal);
    return clockReading(clock).andThen((now) =>
      now.getTime() < expiresAtMs ? ok(principal) : err(RestoreErrors.unauthenticated()),
    );
  };

  const known = syncSha256 === undefined ? undefined : syncDigests(entries, syncSha256);
  if (syncSha256 !== undefined && known !== undefined) {
    return Object.freeze({
      verify(token: string): ResultAsync<Principal, RestoreError> {
        if (!hasTokenLength(token)) return errAsync(RestoreErrors.unauthenticated());
        const presented = hashed(syncSha256, token);
        if (presented === undefined) return errAsync(RestoreErrors.internal());
        const result = verdict(presented, known);
        return result.isOk() ? okAsync(result.value) : errAsync(result.error);
      },
    });
  }

  const tokens = entries.map((entry) => entry.token);
  // Hashed once, on first use: building the verifier stays synchronous.
  let digests: ResultAsync<Uint8Array[], RestoreError> | undefined;
  const knownDigests = (): ResultAsync<Uint8Array[], RestoreError> => {
    if (digests === undefined) {
      const pending = ResultAsync.combine(tokens.map((token) => sha256(token)));
      digests = pending;
      // A failure is not kept: the next request tries again.
      void pending.mapErr(() => {
        if (digests === pending) digests = undefined;
      });
    }
    return digests;
  };
  return Object.freeze({
    verify(token: string): ResultAsync<Principal, RestoreError> {
      if (!hasTokenLength(token)) return errAsync(RestoreErrors.unauthenticated());
      return ResultAsync.combine([sha256(token), knownDigests()] as const).andThen(
        ([presented, table]): Result<Principal, RestoreError> => verdict(presented, table),
      );
    },
  });
}

function hashed(syncSha256: SyncSha256, token: string): Uint8Array | undefined {
  try {
    return syncSha256(token);
  } catch {
    return undefined;
  }
}

/** The table's digests, or undefined when the hash fails (Web Crypto is then used instead). */
function syncDigests(
  entries: readonly CheckedTokenEntry[],
  syncSha256: SyncSha256,
): Uint8Array[] | undefined {
  const digests: Uint8Array[] = [];
  for (const entry of entries) {
    const digest = hashed(syncSha256, entry.token);
    if (digest === undefined) return undefined;
    digests.push(digest);
  }
  return digests;
}
