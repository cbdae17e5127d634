import { RestoreErrors, type TokenVerifier } from "@restorekit/core";
import { errAsync } from "neverthrow";
import { type StaticTokenEntry, staticTokens } from "../../src/index.js";

/** A token whose check throws, as a broken verifier might: the app must answer 500, not crash. */
export const THROWING_TOKEN = "token-whose-check-throws-7f3a9c";

/** Tokens added tenant by tenant, all checked by one verifier. */
export interface TokenRegistry {
  readonly verifier: TokenVerifier;
  /** Adds a tenant's tokens: each batch gets a `staticTokens` verifier of its own. */
  register(entries: readonly StaticTokenEntry[]): void;
}

/**
 * One `staticTokens` verifier per tenant, reached by the token presented, so
 * that a new tenant rebuilds no other. A token no tenant holds goes to the
 * latest tenant's verifier, which refuses it as any verifier would.
 */
export function tokenRegistry(): TokenRegistry {
  const byToken = new Map<string, TokenVerifier>();
  let latest: TokenVerifier | undefined;
  return {
    verifier: {
      verify(token) {
        if (token === THROWING_TOKEN) throw new Error(`verifier crashed on ${token}`);
        const verifier = byToken.get(token) ?? latest;
        return verifier === undefined
          ? errAsync(RestoreErrors.unauthenticated())
          : verifier.verify(token);
      },
    },
    register(entries) {
      const built = staticTokens(entries);
      if (built.isErr()) throw new Error(built.error.message);
      for (const entry of entries) byToken.set(entry.token, built.value);
      latest = built.value;
    },
  };
}
