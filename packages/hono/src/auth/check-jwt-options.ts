import type { Clock, Issue } from "@restorekit/core";
import { createLocalJWKSet, createRemoteJWKSet, type JWTVerifyGetKey } from "jose";
import { err, ok, Result } from "neverthrow";
import { DEFAULT_JWT_CLAIMS, type JwtClaimNames } from "./jwt-tokens-options.js";
import { systemClock } from "./system-clock.js";

/** Where the verification keys come from, once checked. */
export type JwtKeySource =
  | { readonly kind: "secret"; readonly secret: Uint8Array }
  | { readonly kind: "key-set"; readonly getKey: JWTVerifyGetKey };

/** `JwtTokensOptions` once checked, with every default filled in. */
export interface CheckedJwtOptions {
  readonly keys: JwtKeySource;
  readonly algorithms: readonly string[];
  readonly issuer: string | string[] | undefined;
  readonly audience: string | string[] | undefined;
  readonly clockTolerance: number;
  readonly clock: Clock;
  readonly claims: Readonly<Required<JwtClaimNames>>;
  readonly onError: ((cause: unknown) => void) | undefined;
}

export const MIN_SECRET_BYTES = 32;
const HMAC_ALGORITHMS: ReadonlySet<string> = new Set(["HS256", "HS384", "HS512"]);
const KEY_SET_ALGORITHMS: ReadonlySet<string> = new Set([
  "RS256",
  "RS384",
  "RS512",
  "PS256",
  "PS384",
  "PS512",
  "ES256",
  "ES384",
  "ES512",
  "EdDSA",
  "Ed25519",
]);
const DEFAULT_ALGORITHMS = {
  secret: Object.freeze(["HS256"]),
  "key-set": Object.freeze(["RS256", "ES256"]),
} as const;
const OPTION_KEYS: ReadonlySet<string> = new Set([
  "secret",
  "jwksUrl",
  "jwks",
  "algorithms",
  "issuer",
  "audience",
  "clockTolerance",
  "clock",
  "claims",
  "onError",
]);
const CLAIM_KEYS = Object.keys(DEFAULT_JWT_CLAIMS) as (keyof JwtClaimNames)[];
const MAX_CLAIM_NAME_LENGTH = 256;

type Options = Record<string, unknown>;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Checks the options of `jwtTokens` whole: every issue is reported, each by
 * the option's path (`algorithms.0`, `claims.roles`), and none quotes a
 * secret or a key.
 */
export function checkJwtOptions(options: unknown): Result<CheckedJwtOptions, Issue[]> {
  if (!isObject(options)) return err([{ path: "", message: "must be an object of options" }]);
  const issues: Issue[] = [];
  for (const key of Object.keys(options)) {
    if (!OPTION_KEYS.has(key)) {
      issues.push({ path: key, message: `is not an option (${[...OPTION_KEYS].join(", ")})` });
    }
  }
  const keys = keySourceOf(options);
  if (keys.isErr()) issues.push(...keys.error);
  const kind = keys.isOk() ? keys.value.kind : undefined;
  const algorithms = algorithmsOf(options.algorithms, kind);
  if (algorithms.isErr()) issues.push(...algorithms.error);
  const issuer = namesOf(options.issuer, "issuer");
  if (issuer.isErr()) issues.push(issuer.error);
  const audience = namesOf(options.audience, "audience");
  if (audience.isErr()) issues.push(audience.error);
  const clockTolerance = options.clockTolerance ?? 0;
  if (
    typeof clockTolerance !== "number" ||
    !Number.isFinite(clockTolerance) ||
    clockTolerance < 0
  ) {
    issues.push({ path: "clockTolerance", message: "must be a number of seconds, 0 or more" });
  }
  const clock = options.clock ?? systemClock;
  if (!isObject(clock) || typeof clock.now !== "function") {
    issues.push({ path: "clock", message: "must be an object with a now() method" });
  }
  if (options.onError !== undefined && typeof options.onError !== "function") {
    issues.push({ path: "onError", message: "must be a function" });
  }
  const claims = claimNamesOf(options.claims);
  if (claims.isErr()) issues.push(...claims.error);

  if (
    issues.length > 0 ||
    keys.isErr() ||
    algorithms.isErr() ||
    issuer.isErr() ||
    audience.isErr() ||
    claims.isErr()
  ) {
    return err(issues);
  }
  return ok({
    keys: keys.value,
    algorithms: algorithms.value,
    issuer: issuer.value,
    audience: audience.value,
    clockTolerance: clockTolerance as number,
    clock: clock as Clock,
    claims: claims.value,
    onError: options.onError as ((cause: unknown) => void) | undefined,
  });
}

function keySourceOf(options: Options): Result<JwtKeySource, Issue[]> {
  const given = (["secret", "jwksUrl", "jwks"] as const).filter(
    (key) => options[key] !== undefined,
  );
  if (given.length !== 1) {
    const which = given.length === 0 ? "none is given" : `${given.join(" and ")} are given`;
    return err([
      {
        path: "",
        message: `needs exactly one of secret, jwksUrl or jwks to verify with (${which})`,
      },
    ]);
  }
  if (options.secret !== undefined) return secretOf(options.secret);
  if (options.jwksUrl !== undefined) return remoteKeySetOf(options.jwksUrl);
  return localKeySetOf(options.jwks);
}

function secretOf(secret: unknown): Result<JwtKeySource, Issue[]> {
  // Copied, so that the caller reusing its buffer cannot change the key.
  const bytes =
    typeof secret === "string"
      ? new TextEncoder().encode(secret)
      : secret instanceof Uint8Array
        ? new Uint8Array(secret)
        : undefined;
  if (bytes === undefined) {
    return err([{ path: "secret", message: "must be a string or a Uint8Array" }]);
  }
  if (bytes.length < MIN_SECRET_BYTES) {
    return err([
      {
        path: "secret",
        message: `must be at least ${MIN_SECRET_BYTES} bytes: a shorter HMAC secret can be guessed offline from a single token`,
      },
    ]);
  }
  return ok({ kind: "secret", secret: bytes });
}

function remoteKeySetOf(jwksUrl: unknown): Result<JwtKeySource, Issue[]> {
  const invalid = [{ path: "jwksUrl", message: "must be an absolute http: or https: URL" }];
  if (typeof jwksUrl !== "string" && !(jwksUrl instanceof URL)) return err(invalid);
  return Result.fromThrowable(
    () => new URL(jwksUrl),
    () => invalid,
  )()
    .andThen((url) =>
      url.protocol === "https:" || url.protocol === "http:" ? ok(url) : err(invalid),
    )
    .andThen((url) =>
      Result.fromThrowable(
        () => createRemoteJWKSet(url),
        () => invalid,
      )(),
    )
    .map((getKey): JwtKeySource => ({ kind: "key-set", getKey }));
}

function localKeySetOf(jwks: unknown): Result<JwtKeySource, Issue[]> {
  if (!isObject(jwks) || !Array.isArray(jwks.keys)) {
    return err([
      { path: "jwks", message: 'must be a JSON Web Key Set: an object with a "keys" array' },
    ]);
  }
  if (jwks.keys.length === 0)
    return err([{ path: "jwks.keys", message: "must hold at least one key" }]);
  // A private or secret key in configuration is a leak waiting to happen; it never verifies anything here.
  const notPublic = jwks.keys.flatMap((key: unknown, index): Issue[] =>
    !isObject(key) || "d" in key || key.kty === "oct" || "k" in key
      ? [{ path: `jwks.keys.${index}`, message: "must be a public key (no private or secret key)" }]
      : [],
  );
  if (notPublic.length > 0) return err(notPublic);
  return Result.fromThrowable(
    () => createLocalJWKSet(jwks as unknown as Parameters<typeof createLocalJWKSet>[0]),
    () => [{ path: "jwks", message: "must be a well-formed JSON Web Key Set" }],
  )().map((getKey): JwtKeySource => ({ kind: "key-set", getKey }));
}

function algorithmsOf(
  algorithms: unknown,
  kind: JwtKeySource["kind"] | undefined,
): Result<readonly string[], Issue[]> {
  if (algorithms === undefined) return ok(kind === undefined ? [] : DEFAULT_ALGORITHMS[kind]);
  if (!Array.isArray(algorithms) || algorithms.length === 0) {
    return err([{ path: "algorithms", message: "must be a non-empty list of algorithm names" }]);
  }
  const issues = algorithms.flatMap((algorithm: unknown, index): Issue[] => {
    const path = `algorithms.${index}`;
    if (typeof algorithm !== "string") return [{ path, message: "must be an algorithm name" }];
    if (algorithm.toLowerCase() === "none") {
      return [{ path, message: "must not be none: an unsigned token proves nothing" }];
    }
    const hmac = HMAC_ALGORITHMS.has(algorithm);
    if (!hmac && !KEY_SET_ALGORITHMS.has(algorithm)) {
      return [
        {
          path,
          message: `must be one of ${[...HMAC_ALGORITHMS, ...KEY_SET_ALGORITHMS].join(", ")}`,
        },
      ];
    }
    // One family per key source: accepting HS256 beside a public key is the classic alg confusion.
    if (kind === "secret" && !hmac) {
      return [
        { path, message: "is not an HMAC algorithm (HS256, HS384, HS512), which a secret needs" },
      ];
    }
    if (kind === "key-set" && hmac) {
      return [{ path, message: "is an HMAC algorithm, which needs a secret, not a key set" }];
    }
    return [];
  });
  return issues.length > 0 ? err(issues) : ok(Object.freeze([...(algorithms as string[])]));
}

function namesOf(
  value: unknown,
  path: "issuer" | "audience",
): Result<string | string[] | undefined, Issue> {
  if (value === undefined) return ok(undefined);
  if (typeof value === "string" && value.length > 0) return ok(value);
  if (
    Array.isArray(value) &&
    value.length > 0 &&
    value.every((name) => typeof name === "string" && name.length > 0)
  ) {
    return ok([...(value as string[])]);
  }
  return err({ path, message: "must be a non-empty string or a non-empty list of them" });
}

function claimNamesOf(claims: unknown): Result<Readonly<Required<JwtClaimNames>>, Issue[]> {
  if (claims === undefined) return ok(DEFAULT_JWT_CLAIMS);
  if (!isObject(claims)) return err([{ path: "claims", message: "must be an object" }]);
  const issues: Issue[] = Object.keys(claims)
    .filter((key) => !(CLAIM_KEYS as string[]).includes(key))
    .map((key) => ({
      path: `claims.${key}`,
      message: `is not a claim mapping (${CLAIM_KEYS.join(", ")})`,
    }));
  const names: Record<string, string> = { ...DEFAULT_JWT_CLAIMS };
  for (const key of CLAIM_KEYS) {
    const name = claims[key];
    if (name === undefined) continue;
    if (typeof name !== "string" || name.length === 0 || name.length > MAX_CLAIM_NAME_LENGTH) {
      issues.push({
        path: `claims.${key}`,
        message: `must be a claim name: a non-empty string of at most ${MAX_CLAIM_NAME_LENGTH} characters`,
      });
    } else {
      names[key] = name;
    }
  }
  return issues.length > 0
    ? err(issues)
    : ok(Object.freeze(names) as Readonly<Required<JwtClaimNames>>);
}
