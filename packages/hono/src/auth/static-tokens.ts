import type { Clock, Issue, TokenVerifier } from "@restorekit/core";
import { err, ok, type Result } from "neverthrow";
import { checkTokenEntries, ENTRY_FIELD_NAMES } from "./check-token-entries.js";
import { nodeSha256 } from "./node-sha256.js";
import type { StaticTokenEntry } from "./static-token-entry.js";
import { systemClock } from "./system-clock.js";
import { tableVerifier } from "./table-verifier.js";
import { type TokenConfigError, tokenConfigError } from "./token-config-error.js";

export interface StaticTokensOptions {
  /** What expiry is checked against; the system clock when absent. */
  readonly clock?: Clock;
}

/**
 * A `TokenVerifier` over a fixed table of tokens, for development, tests and
 * small deployments. A presented token is hashed with SHA-256 (node:crypto
 * where the runtime has it, Web Crypto elsewhere) and its digest
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
  return ok(tableVerifier(checked.value, clock, nodeSha256()));
}
