import {
  type Principal,
  type RestoreError,
  RestoreErrors,
  type TokenVerifier,
} from "@restorekit/core";
import { type JWTVerifyOptions, type JWTVerifyResult, jwtVerify } from "jose";
import { err, errAsync, ok, type Result, ResultAsync } from "neverthrow";
import { type CheckedJwtOptions, checkJwtOptions } from "./check-jwt-options.js";
import { clockReading } from "./clock-reading.js";
import { jwtFailure } from "./jwt-failure.js";
import type { JwtTokensOptions } from "./jwt-tokens-options.js";
import { principalOfClaims } from "./principal-of-claims.js";
import { type TokenConfigError, tokenConfigError } from "./token-config-error.js";
import { hasTokenLength } from "./token-length.js";

// Three base64url parts, none empty. jose's decoder skips whitespace inside a
// part, which would let many spellings of one signature pass; an unsigned
// token (empty third part) is refused here already.
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

/**
 * A `TokenVerifier` for JSON Web Tokens signed by an identity provider, on
 * `jose`. The signature is checked with a shared secret (HS256) or a JSON Web
 * Key Set (RS256 and ES256 by default), then `exp`, `nbf`, `iss` and `aud`
 * against the options and the clock; the claims then name the principal
 * (`tenant_id`, `roles`, `agent_id`, `sub` unless `claims` says otherwise).
 * Every way a token can be wrong is `unauthenticated`; a key set that cannot
 * be fetched is `internal_error`, told to `onError`. Errors never hold the
 * token or a claim's value.
 *
 * @example
 * ```ts
 * const tokens = jwtTokens({
 *   jwksUrl: "https://login.example.com/.well-known/jwks.json",
 *   issuer: "https://login.example.com/",
 *   audience: "restorekit",
 *   onError: (cause) => logger.error({ cause }, "the token keys could not be fetched"),
 * });
 * ```
 */
export function jwtTokens(options: JwtTokensOptions): Result<TokenVerifier, TokenConfigError> {
  return checkJwtOptions(options)
    .mapErr((issues) => tokenConfigError("JWT verifier configuration", issues))
    .map(jwtVerifier);
}

function jwtVerifier(options: CheckedJwtOptions): TokenVerifier {
  const base: JWTVerifyOptions = {
    algorithms: [...options.algorithms],
    clockTolerance: options.clockTolerance,
    ...(options.issuer === undefined ? {} : { issuer: options.issuer }),
    ...(options.audience === undefined ? {} : { audience: options.audience }),
  };
  const keys = options.keys;
  const verifyJwt = ResultAsync.fromThrowable(
    (token: string, now: Date): Promise<JWTVerifyResult> => {
      const verifyOptions = { ...base, currentDate: now };
      return keys.kind === "secret"
        ? jwtVerify(token, keys.secret, verifyOptions)
        : jwtVerify(token, keys.getKey, verifyOptions);
    },
    jwtFailure(options.onError),
  );

  return Object.freeze({
    verify(token: string): ResultAsync<Principal, RestoreError> {
      if (!hasTokenLength(token) || !COMPACT_JWS.test(token)) {
        return errAsync(RestoreErrors.unauthenticated());
      }
      return clockReading(options.clock)
        .asyncAndThen((now) => verifyJwt(token, now))
        .andThen(({ payload }) => {
          const principal = principalOfClaims(payload, options.claims);
          return principal === undefined ? err(RestoreErrors.unauthenticated()) : ok(principal);
        });
    },
  });
}
