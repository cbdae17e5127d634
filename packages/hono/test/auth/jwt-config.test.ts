import { type JwtTokensOptions, jwtTokens } from "@restorekit/hono";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { keySet, type SigningKey, signingKey } from "./support/jwt-keys.js";

const SECRET = "a-shared-secret-of-at-least-32-bytes!";

let rsa: SigningKey;
beforeAll(async () => {
  rsa = await signingKey("RS256", "rsa-1");
});

function pathsOf(options: unknown): string[] {
  const error = jwtTokens(options as JwtTokensOptions)._unsafeUnwrapErr();
  expect(error.code).toBe("invalid_token_config");
  expect(error.message).toMatch(/^The JWT verifier configuration is invalid: /);
  return error.issues.map((issue) => issue.path);
}

describe("jwtTokens: configuration problems, each named by its path", () => {
  it("needs exactly one source of keys", () => {
    expect(pathsOf({})).toEqual([""]);
    expect(pathsOf({ secret: SECRET, jwksUrl: "https://login.example/jwks" })).toEqual([""]);
    expect(pathsOf({ secret: SECRET, jwks: keySet(rsa), jwksUrl: "https://x" })).toEqual([""]);
    expect(jwtTokens({} as JwtTokensOptions)._unsafeUnwrapErr().message).toContain(
      "needs exactly one of secret, jwksUrl or jwks",
    );
    expect(pathsOf(undefined)).toEqual([""]);
    expect(pathsOf("secret")).toEqual([""]);
  });

  it("refuses a secret under 32 bytes, or not text or bytes, without quoting it", () => {
    const short = "0123456789abcdef0123456789abcde"; // 31 bytes
    const error = jwtTokens({ secret: short })._unsafeUnwrapErr();
    expect(error.issues).toEqual([
      { path: "secret", message: expect.stringContaining("32 bytes") },
    ]);
    expect(error.message).not.toContain(short);
    expect(pathsOf({ secret: new Uint8Array(31) })).toEqual(["secret"]);
    expect(pathsOf({ secret: 12345 })).toEqual(["secret"]);
    expect(pathsOf({ secret: "" })).toEqual(["secret"]);
    // Bytes count, not characters: 16 two-byte letters are 32 bytes.
    expect(jwtTokens({ secret: "é".repeat(16) }).isOk()).toBe(true);
    expect(jwtTokens({ secret: new Uint8Array(32) }).isOk()).toBe(true);
  });

  it("refuses a jwksUrl that is not an absolute http(s) URL", () => {
    for (const jwksUrl of [
      "not a url",
      "/jwks.json",
      "ftp://login.example/jwks",
      "file:///etc/passwd",
      42,
    ]) {
      expect(pathsOf({ jwksUrl }), String(jwksUrl)).toEqual(["jwksUrl"]);
    }
    expect(jwtTokens({ jwksUrl: new URL("https://login.example/jwks") }).isOk()).toBe(true);
  });

  it("refuses a key set that is malformed, empty or holds a private or secret key", () => {
    expect(pathsOf({ jwks: "keys" })).toEqual(["jwks"]);
    expect(pathsOf({ jwks: { keys: "x" } })).toEqual(["jwks"]);
    expect(pathsOf({ jwks: { keys: [] } })).toEqual(["jwks.keys"]);
    expect(
      pathsOf({ jwks: { keys: [rsa.publicJwk, { ...rsa.publicJwk, d: "private" }] } }),
    ).toEqual(["jwks.keys.1"]);
    expect(pathsOf({ jwks: { keys: [{ kty: "oct", k: SECRET }] } })).toEqual(["jwks.keys.0"]);
    expect(pathsOf({ jwks: { keys: [7] } })).toEqual(["jwks.keys.0"]);
    const error = jwtTokens({
      jwks: { keys: [{ kty: "oct", k: SECRET }] },
    } as never)._unsafeUnwrapErr();
    expect(JSON.stringify(error)).not.toContain(SECRET);
  });

  it("refuses none, unknown algorithms and algorithms of the other key family", () => {
    expect(pathsOf({ secret: SECRET, algorithms: ["none"] })).toEqual(["algorithms.0"]);
    expect(pathsOf({ jwks: keySet(rsa), algorithms: ["RS256", "NONE"] })).toEqual(["algorithms.1"]);
    expect(pathsOf({ secret: SECRET, algorithms: ["HS256", "XS256"] })).toEqual(["algorithms.1"]);
    expect(pathsOf({ secret: SECRET, algorithms: ["RS256"] })).toEqual(["algorithms.0"]);
    expect(pathsOf({ jwks: keySet(rsa), algorithms: ["HS256"] })).toEqual(["algorithms.0"]);
    expect(pathsOf({ jwksUrl: "https://x.example/jwks", algorithms: ["ES256", "HS512"] })).toEqual([
      "algorithms.1",
    ]);
    expect(pathsOf({ secret: SECRET, algorithms: [] })).toEqual(["algorithms"]);
    expect(pathsOf({ secret: SECRET, algorithms: "HS256" })).toEqual(["algorithms"]);
    expect(pathsOf({ secret: SECRET, algorithms: [256] })).toEqual(["algorithms.0"]);
  });

  it("refuses an empty issuer or audience", () => {
    expect(pathsOf({ secret: SECRET, issuer: "" })).toEqual(["issuer"]);
    expect(pathsOf({ secret: SECRET, issuer: [] })).toEqual(["issuer"]);
    expect(pathsOf({ secret: SECRET, audience: ["a", ""] })).toEqual(["audience"]);
    expect(pathsOf({ secret: SECRET, audience: 5 })).toEqual(["audience"]);
  });

  it("refuses a clock tolerance that is not a number of seconds, 0 or more", () => {
    for (const clockTolerance of [-1, Number.NaN, Number.POSITIVE_INFINITY, "30s"]) {
      expect(pathsOf({ secret: SECRET, clockTolerance }), String(clockTolerance)).toEqual([
        "clockTolerance",
      ]);
    }
  });

  it("refuses a clock without now() and an onError that is not a function", () => {
    expect(pathsOf({ secret: SECRET, clock: { now: 5 } })).toEqual(["clock"]);
    expect(pathsOf({ secret: SECRET, onError: "log" })).toEqual(["onError"]);
  });

  it("refuses claim mappings that are unknown or not claim names", () => {
    expect(pathsOf({ secret: SECRET, claims: "roles" })).toEqual(["claims"]);
    expect(pathsOf({ secret: SECRET, claims: { tenantId: "tid" } })).toEqual(["claims.tenantId"]);
    expect(pathsOf({ secret: SECRET, claims: { roles: "" } })).toEqual(["claims.roles"]);
    expect(pathsOf({ secret: SECRET, claims: { user: 5, agentId: "x".repeat(257) } })).toEqual([
      "claims.agentId",
      "claims.user",
    ]);
  });

  it("refuses an unknown option", () => {
    expect(pathsOf({ secret: SECRET, jwks_url: "https://x" })).toEqual(["jwks_url"]);
  });

  it("reports every problem at once", () => {
    expect(
      pathsOf({
        secret: "short",
        algorithms: ["none"],
        issuer: "",
        clockTolerance: -5,
        claims: { user: "" },
      }),
    ).toEqual(["secret", "algorithms.0", "issuer", "clockTolerance", "claims.user"]);
  });

  it("never quotes a secret in its error", { timeout: 60_000 }, () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^[A-Za-z0-9_-]{8,31}$/),
        fc.record(
          {
            algorithms: fc.constantFrom(["none"], ["RS256"], []),
            issuer: fc.constant(""),
            clockTolerance: fc.constant(-1),
            jwks: fc.constant({ keys: [] }),
          },
          { requiredKeys: [] },
        ),
        (secret, others) => {
          const error = jwtTokens({ secret, ...others } as JwtTokensOptions)._unsafeUnwrapErr();
          expect(JSON.stringify(error)).not.toContain(secret);
        },
      ),
      { numRuns: 300 },
    );
  });
});
