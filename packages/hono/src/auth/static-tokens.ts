import {
  type Clock,
  type Issue,
  type Principal,
  type RestoreError,
  RestoreErrors,
  type TokenVerifier,
} from "@restorekit/core";
import { err, errAsync, ok, type Result, ResultAsync } from "neverthrow";
import {
  type CheckedTokenEntry,
  checkTokenEntries,
  ENTRY_FIELD_NAMES,
} from "./check-token-entries.js";
import { clockReading } from "./clock-reading.js";
import { digestMatch } from "./digest-match.js";
import { sha256 } from "./sha256.js";
import type { StaticTokenEntry } from "./static-token-entry.js";
import { systemClock } from "./system-clock.js";
import { type TokenConfigError, tokenConfigError } from "./token-config-error.js";
import { hasTokenLength } from "./token-length.js";

export interface StaticTokensOptions {
  /** What expiry is checked against; the system clock when absent. */
  readonly clock?: Clock;
}

/**
 * A `TokenVerifier` over a fixed table of tokens, for development, tests and
 * small deployments. A presented token is hashed with SHA-256 and its digest
 * compared with every entry's digest to the end, so neither a lookup nor an
 * early exit tells an attacker how close a guess was. A listed token answers
 * its principal until its `expiresAt` (exclusive); anything else is
 * `unauthenticated`. The table is checked whole when built: every problem is
 * an issue naming the entry by position (`0.tenantId`), and no message ever
 * quotes a token.
 *
 * @example
 * ```ts
 * const tokens = staticTokens([
 *   { token: "s3cret-admin", tenantId: "1234", roles: ["cloudbackup:admin"] },
 *   { token: "s3cret-agent", tenantId: "1234", agentId: 42 },
 * ]);
 * if (tokens.isErr()) throw new Error(tokens.error.message);
 * const principal = await tokens.value.verify("s3cret-agent");
 * // ok: { type: "agent", agentId: 42, tenantId: "1234" }
 * ```
 */
export function staticTokens(
  entries: readonly StaticTokenEntry[],
  options: StaticTokensOptions = {},
): Result<TokenVerifier, TokenConfigError> {
  const clock = options?.clock ?? systemClock;
  const clockIssues: Issue[] =
    typeof clock === "object" && clock !== null && typeof clock.now === "function"
      ? []
      : [{ path: "clock", message: "must be an object with a now() method" }];
  const checked = checkTokenEntries(entries, ENTRY_FIELD_NAMES);
  if (checked.isErr() || clockIssues.length > 0) {
    const issues = [...(checked.isErr() ? checked.error : []), ...clockIssues];
    return err(tokenConfigError("token table", issues));
  }
  return ok(tableVerifier(checked.value, clock));
}

function tableVerifier(entries: readonly CheckedTokenEntry[], clock: Clock): TokenVerifier {
  const principals = entries.map((entry) => entry.principal);
  const expiries = entries.map((entry) => entry.expiresAtMs);
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
        ([presented, known]) => {
          const index = digestMatch(presented, known);
          const principal = principals[index];
          if (principal === undefined) return err(RestoreErrors.unauthenticated());
          const expiresAtMs = expiries[index] ?? null;
          if (expiresAtMs === null) return ok(principal);
          return clockReading(clock).andThen((now) =>
            now.getTime() < expiresAtMs ? ok(principal) : err(RestoreErrors.unauthenticated()),
          );
        },
      );
    },
  });
}
