import type { Clock } from "@restorekit/core";
import type { JSONWebKeySet } from "jose";

/** Which claim of a token holds what. Each is a top-level claim name, taken literally. */
export interface JwtClaimNames {
  /** The tenant id: a string, or a non-negative integer read as its digits. Default `tenant_id`. */
  readonly tenant?: string;
  /** A user's roles: an array of strings, or one string of space-separated names. Default `roles`. */
  readonly roles?: string;
  /** An agent's id: a positive integer or a string of its digits. Default `agent_id`. */
  readonly agentId?: string;
  /** A user's id, required for a user token. Default `sub`. */
  readonly user?: string;
}

/** The claims read when `claims` names none. */
export const DEFAULT_JWT_CLAIMS: Readonly<Required<JwtClaimNames>> = Object.freeze({
  tenant: "tenant_id",
  roles: "roles",
  agentId: "agent_id",
  user: "sub",
});

/**
 * How `jwtTokens` checks a token. Give exactly one source of keys: `secret`,
 * `jwksUrl` or `jwks`.
 */
export interface JwtTokensOptions {
  /** A shared HMAC secret (UTF-8 text or bytes) of at least 32 bytes; tokens are HS256 by default. */
  readonly secret?: string | Uint8Array;
  /** Where the issuer publishes its JSON Web Key Set; fetched on first use, cached and refetched on an unknown `kid`. */
  readonly jwksUrl?: string | URL;
  /** A JSON Web Key Set held in configuration (public keys only). */
  readonly jwks?: JSONWebKeySet;
  /**
   * The signature algorithms accepted: `["HS256"]` for a secret, `["RS256", "ES256"]`
   * for a key set. HMAC ones go with a secret only, the others with a key set only.
   */
  readonly algorithms?: readonly string[];
  /** The `iss` a token must carry (one of them, when several). */
  readonly issuer?: string | readonly string[];
  /** An `aud` a token must carry (one of them, when several). */
  readonly audience?: string | readonly string[];
  /** Seconds of leeway for `exp` and `nbf` when clocks drift. Default 0. */
  readonly clockTolerance?: number;
  /** What `exp` and `nbf` are checked against; the system clock when absent. */
  readonly clock?: Clock;
  /** Which claims hold the tenant, roles, agent id and user id. */
  readonly claims?: JwtClaimNames;
  /**
   * Told why a token could not be checked for a reason that is not the
   * token's fault (the key set could not be fetched or is malformed); the
   * request is answered `internal_error`. Typically a logger's `error`.
   */
  readonly onError?: (cause: unknown) => void;
}
