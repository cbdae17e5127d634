import type { Principal, RestoreError } from "@restorekit/core";
import { type JwtTokensOptions, jwtTokens } from "@restorekit/hono";
import { fixedClock } from "@restorekit/testing";
import fc from "fast-check";
import { UnsecuredJWT } from "jose";
import { beforeAll, describe, expect, it } from "vitest";
import {
  keySet,
  NOW_S,
  type SigningKey,
  signHmac,
  signingKey,
  signWith,
  unsigned,
} from "./support/jwt-keys.js";

const SECRET = "a-shared-secret-of-at-least-32-bytes!";
const START = "2026-01-01T00:00:00.000Z";
const USER = { tenant_id: "1234", sub: "ana", roles: ["cloudbackup:admin"] };
const UNAUTHENTICATED = { code: "unauthenticated" };

function verifierOf(options: JwtTokensOptions) {
  const built = jwtTokens({ clock: fixedClock(START), ...options });
  if (built.isErr()) throw new Error(built.error.message);
  return built.value;
}

async function answer(options: JwtTokensOptions, token: string): Promise<Principal | RestoreError> {
  return (await verifierOf(options).verify(token)).match(
    (principal) => principal,
    (error) => error,
  );
}

let rsa: SigningKey;
let ec: SigningKey;
let ps: SigningKey;
let otherRsa: SigningKey;

beforeAll(async () => {
  [rsa, ec, ps, otherRsa] = await Promise.all([
    signingKey("RS256", "rsa-1"),
    signingKey("ES256", "ec-1"),
    signingKey("PS256", "ps-1"),
    signingKey("RS256", "rsa-other"),
  ]);
});

describe("jwtTokens with a secret (HS256)", () => {
  it("maps a user token to its user", async () => {
    const token = await signHmac(SECRET, { payload: USER });
    expect(await answer({ secret: SECRET }, token)).toEqual({
      type: "user",
      userId: "ana",
      tenantId: "1234",
      roles: ["cloudbackup:admin"],
    });
  });

  it("takes the secret as bytes too", async () => {
    const bytes = new Uint8Array(32).fill(9);
    const token = await signHmac(bytes, { payload: USER });
    const verifier = verifierOf({ secret: bytes });
    bytes.fill(1); // the verifier holds its own copy
    expect((await verifier.verify(token)).isOk()).toBe(true);
  });

  it("refuses a token signed with another secret, or with an algorithm not allowed", async () => {
    const other = await signHmac(`${SECRET}x`, { payload: USER });
    expect(await answer({ secret: SECRET }, other)).toMatchObject(UNAUTHENTICATED);
    const hs512 = await signHmac(SECRET, { payload: USER, alg: "HS512" });
    expect(await answer({ secret: SECRET }, hs512)).toMatchObject(UNAUTHENTICATED);
    expect(
      (await answer({ secret: SECRET, algorithms: ["HS512"] }, hs512)) as Principal,
    ).toMatchObject({ type: "user" });
  });

  it("refuses alg none, however it is spelt", async () => {
    for (const alg of ["none", "None", "NONE", "nOnE"]) {
      expect(await answer({ secret: SECRET }, unsigned(USER, alg))).toMatchObject(UNAUTHENTICATED);
    }
    const fromJose = new UnsecuredJWT(USER).setExpirationTime(NOW_S + 60).encode();
    expect(await answer({ secret: SECRET }, fromJose)).toMatchObject(UNAUTHENTICATED);
    // A real signature of another token pasted after an unsigned header does not help either.
    const signed = await signHmac(SECRET, { payload: USER });
    const [, payload, signature] = signed.split(".");
    const header = Buffer.from('{"alg":"none"}').toString("base64url");
    expect(await answer({ secret: SECRET }, `${header}.${payload}.${signature}`)).toMatchObject(
      UNAUTHENTICATED,
    );
  });

  it("refuses malformed, empty and oversized tokens", async () => {
    const signed = await signHmac(SECRET, { payload: USER });
    for (const token of [
      "",
      "abc",
      "a.b.c",
      "a.b",
      "..",
      `${signed}.`,
      `${signed} `,
      `${signed}\n`,
      `${signed}=`,
      `${signed.slice(0, -2)} ${signed.slice(-2)}`,
      signed.replace(".", ""),
      `${signed.split(".").slice(0, 2).join(".")}.`,
      `${signed}${"A".repeat(9000)}`,
      "x".repeat(8193),
    ]) {
      expect(await answer({ secret: SECRET }, token), token.slice(0, 40)).toMatchObject(
        UNAUTHENTICATED,
      );
    }
    for (const token of [undefined, null, 7] as unknown as string[]) {
      expect(await answer({ secret: SECRET }, token)).toMatchObject(UNAUTHENTICATED);
    }
  });
});

describe("jwtTokens: time", () => {
  it("accepts a token before exp and refuses it at and after, on the given clock", async () => {
    const clock = fixedClock("2026-01-01T00:59:59.000Z");
    const verifier = jwtTokens({ secret: SECRET, clock })._unsafeUnwrap();
    const token = await signHmac(SECRET, { payload: USER, exp: NOW_S + 3600 });
    expect((await verifier.verify(token)).isOk()).toBe(true);
    clock.set("2026-01-01T01:00:00.000Z");
    expect((await verifier.verify(token))._unsafeUnwrapErr()).toMatchObject(UNAUTHENTICATED);
    clock.set("2027-01-01T00:00:00.000Z");
    expect((await verifier.verify(token))._unsafeUnwrapErr()).toMatchObject(UNAUTHENTICATED);
  });

  it("honours nbf, and clockTolerance for both", async () => {
    const clock = fixedClock(START);
    const notYet = await signHmac(SECRET, { payload: { ...USER, nbf: NOW_S + 30 } });
    const expired = await signHmac(SECRET, { payload: USER, exp: NOW_S - 30 });
    const strict = jwtTokens({ secret: SECRET, clock })._unsafeUnwrap();
    const lenient = jwtTokens({ secret: SECRET, clock, clockTolerance: 60 })._unsafeUnwrap();
    expect((await strict.verify(notYet))._unsafeUnwrapErr()).toMatchObject(UNAUTHENTICATED);
    expect((await strict.verify(expired))._unsafeUnwrapErr()).toMatchObject(UNAUTHENTICATED);
    expect((await lenient.verify(notYet)).isOk()).toBe(true);
    expect((await lenient.verify(expired)).isOk()).toBe(true);
  });

  it("answers internal_error when the clock throws or gives an invalid date", async () => {
    const token = await signHmac(SECRET, { payload: USER });
    const clocks = [
      {
        now: (): Date => {
          throw new Error("no time");
        },
      },
      { now: () => new Date(Number.NaN) },
    ];
    for (const clock of clocks) {
      const verifier = jwtTokens({ secret: SECRET, clock })._unsafeUnwrap();
      expect((await verifier.verify(token))._unsafeUnwrapErr()).toMatchObject({
        code: "internal_error",
      });
    }
  });
});

describe("jwtTokens: issuer and audience", () => {
  const options = { secret: SECRET, issuer: "https://login.example", audience: "restorekit" };

  it("accepts the configured issuer and audience and refuses others or none", async () => {
    const good = await signHmac(SECRET, {
      payload: { ...USER, iss: "https://login.example", aud: ["other", "restorekit"] },
    });
    expect(await answer(options, good)).toMatchObject({ type: "user" });
    for (const claims of [
      { iss: "https://evil.example", aud: "restorekit" },
      { iss: "https://login.example", aud: "other" },
      { aud: "restorekit" },
      { iss: "https://login.example" },
    ]) {
      const token = await signHmac(SECRET, { payload: { ...USER, ...claims } });
      expect(await answer(options, token), JSON.stringify(claims)).toMatchObject(UNAUTHENTICATED);
    }
  });

  it("accepts any of several issuers", async () => {
    const token = await signHmac(SECRET, { payload: { ...USER, iss: "b" } });
    expect(await answer({ secret: SECRET, issuer: ["a", "b"] }, token)).toMatchObject({
      type: "user",
    });
    expect(await answer({ secret: SECRET, issuer: ["a", "c"] }, token)).toMatchObject(
      UNAUTHENTICATED,
    );
  });
});

describe("jwtTokens with a key set", () => {
  it("verifies RS256 and ES256 by default, and other algorithms when listed", async () => {
    const jwks = keySet(rsa, ec, ps);
    expect(await answer({ jwks }, await signWith(rsa, { payload: USER }))).toMatchObject({
      type: "user",
    });
    expect(await answer({ jwks }, await signWith(ec, { payload: USER }))).toMatchObject({
      type: "user",
    });
    const psToken = await signWith(ps, { payload: USER });
    expect(await answer({ jwks }, psToken)).toMatchObject(UNAUTHENTICATED);
    expect(await answer({ jwks, algorithms: ["PS256"] }, psToken)).toMatchObject({
      type: "user",
    });
  });

  it("refuses a token of a key not in the set, or with another key's kid", async () => {
    const jwks = keySet(rsa);
    expect(await answer({ jwks }, await signWith(otherRsa, { payload: USER }))).toMatchObject(
      UNAUTHENTICATED,
    );
    const forged = await signWith(otherRsa, { payload: USER, header: { kid: "rsa-1" } });
    expect(await answer({ jwks }, forged)).toMatchObject(UNAUTHENTICATED);
  });

  it("refuses alg confusion: an HS256 token signed with the RSA public key's text", async () => {
    const jwks = keySet(rsa);
    for (const secret of [rsa.publicPem, JSON.stringify(rsa.publicJwk)]) {
      const token = await signHmac(secret, { payload: USER, header: { kid: "rsa-1" } });
      expect(await answer({ jwks }, token)).toMatchObject(UNAUTHENTICATED);
      expect(await answer({ jwks, algorithms: ["RS256"] }, token)).toMatchObject(UNAUTHENTICATED);
    }
    // And a verifier with a secret never takes an RS256 token, whatever its signature.
    const rsToken = await signWith(rsa, { payload: USER });
    expect(await answer({ secret: SECRET }, rsToken)).toMatchObject(UNAUTHENTICATED);
  });

  it("refuses alg none against a key set", async () => {
    expect(await answer({ jwks: keySet(rsa, ec) }, unsigned(USER))).toMatchObject(UNAUTHENTICATED);
  });
});

describe("jwtTokens: claims", () => {
  const claimsOf = async (
    payload: Record<string, unknown>,
    options: Partial<JwtTokensOptions> = {},
  ) => answer({ secret: SECRET, ...options }, await signHmac(SECRET, { payload }));

  it("reads roles as an array or as space-separated names", async () => {
    expect(await claimsOf({ ...USER, roles: "observer  cloudbackup:creator " })).toMatchObject({
      roles: ["observer", "cloudbackup:creator"],
    });
    expect(await claimsOf({ ...USER, roles: [] })).toMatchObject({ roles: [] });
    expect(await claimsOf({ ...USER, roles: "" })).toMatchObject({ roles: [] });
    const { roles: _, ...noRoles } = USER;
    expect(await claimsOf(noRoles)).toMatchObject({ type: "user", roles: [] });
  });

  it("reads an agent id given as a number or as a string of digits", async () => {
    expect(await claimsOf({ tenant_id: "1234", agent_id: 42 })).toEqual({
      type: "agent",
      agentId: 42,
      tenantId: "1234",
    });
    expect(await claimsOf({ tenant_id: "1234", agent_id: "9007199254740991", sub: "x" })).toEqual({
      type: "agent",
      agentId: 9007199254740991,
      tenantId: "1234",
    });
  });

  it("refuses an agent id that is not a positive integer, rather than reading a user", async () => {
    for (const agentId of [
      0,
      -1,
      1.5,
      "012",
      "0",
      "1e3",
      " 7",
      "abc",
      "9007199254740992",
      true,
      [],
      {},
    ]) {
      expect(await claimsOf({ ...USER, agent_id: agentId }), JSON.stringify(agentId)).toMatchObject(
        UNAUTHENTICATED,
      );
    }
  });

  it("reads a tenant given as a string or a non-negative integer", async () => {
    expect(await claimsOf({ ...USER, tenant_id: 1234 })).toMatchObject({ tenantId: "1234" });
    for (const tenant of [undefined, "", -1, 1.5, true, ["1234"], "t".repeat(129), "a\u0000b"]) {
      expect(await claimsOf({ ...USER, tenant_id: tenant }), String(tenant)).toMatchObject(
        UNAUTHENTICATED,
      );
    }
  });

  it("refuses a user token without a valid user id or with roles of the wrong type", async () => {
    for (const payload of [
      { tenant_id: "1", roles: ["admin"] },
      { ...USER, sub: "" },
      { ...USER, sub: "u".repeat(257) },
      { ...USER, roles: [1] },
      { ...USER, roles: 5 },
      { ...USER, roles: { admin: true } },
    ]) {
      expect(await claimsOf(payload), JSON.stringify(payload).slice(0, 60)).toMatchObject(
        UNAUTHENTICATED,
      );
    }
  });

  it("reads the claims the options name", async () => {
    const claims = { tenant: "tid", roles: "scope", agentId: "machine", user: "email" };
    expect(
      await claimsOf(
        { tid: "77", scope: "observer admin", email: "ana@example.com", sub: "x" },
        { claims },
      ),
    ).toEqual({
      type: "user",
      userId: "ana@example.com",
      tenantId: "77",
      roles: ["observer", "admin"],
    });
    expect(await claimsOf({ tid: "77", machine: "5" }, { claims })).toEqual({
      type: "agent",
      agentId: 5,
      tenantId: "77",
    });
    // The default names mean nothing once others are named.
    expect(await claimsOf(USER, { claims })).toMatchObject(UNAUTHENTICATED);
    // Only the named claims change; the others keep their defaults.
    expect(
      await claimsOf({ ...USER, grp: ["observer"] }, { claims: { roles: "grp" } }),
    ).toMatchObject({
      roles: ["observer"],
      userId: "ana",
    });
  });

  it("reads own claims only: a claim named after an Object property is absent", async () => {
    const claims = { tenant: "constructor", user: "toString", roles: "__proto__" };
    expect(await claimsOf({ roles: [] }, { claims })).toMatchObject(UNAUTHENTICATED);
  });

  it("never puts the token or a claim's value in its error", async () => {
    const token = await signHmac(SECRET, {
      payload: {
        tenant_id: "tenant-value-xyz",
        sub: "user-value-xyz",
        agent_id: "agent-value-xyz",
      },
    });
    const error = await answer({ secret: SECRET }, token);
    expect(error).toMatchObject(UNAUTHENTICATED);
    const shown = JSON.stringify(error);
    for (const value of ["value-xyz", token.slice(0, 20)]) expect(shown).not.toContain(value);
  });
});

describe("jwtTokens: properties", () => {
  it("answers unauthenticated, never anything else, for any string", {
    timeout: 120_000,
  }, async () => {
    const verifiers = [verifierOf({ secret: SECRET }), verifierOf({ jwks: keySet(rsa, ec) })];
    const header = (alg: string) => Buffer.from(JSON.stringify({ alg })).toString("base64url");
    const jwtLike = fc
      .tuple(
        fc.constantFrom("HS256", "RS256", "ES256", "none", "PS256", "HS512"),
        fc.string({ unit: "binary", maxLength: 80 }),
        fc.uint8Array({ maxLength: 80 }),
      )
      .map(([alg, payload, signature]) =>
        [
          header(alg),
          Buffer.from(payload).toString("base64url"),
          Buffer.from(signature).toString("base64url"),
        ].join("."),
      );
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.string({ maxLength: 100 }),
          fc.string({ unit: "binary", maxLength: 100 }),
          jwtLike,
        ),
        async (token) => {
          for (const verifier of verifiers) {
            const result = await verifier.verify(token);
            expect(result._unsafeUnwrapErr()).toEqual(expect.objectContaining(UNAUTHENTICATED));
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it("refuses a signed token with any one character of its payload changed", {
    timeout: 120_000,
  }, async () => {
    const signed = await signHmac(SECRET, { payload: USER });
    const [head, payload, signature] = signed.split(".") as [string, string, string];
    const verifier = verifierOf({ secret: SECRET });
    const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    await fc.assert(
      fc.asyncProperty(
        // The last character may carry padding bits only, so it is left alone.
        fc.integer({ min: 0, max: payload.length - 2 }),
        fc.constantFrom(...alphabet),
        async (at, letter) => {
          fc.pre(payload[at] !== letter);
          const changed = `${payload.slice(0, at)}${letter}${payload.slice(at + 1)}`;
          const result = await verifier.verify(`${head}.${changed}.${signature}`);
          expect(result._unsafeUnwrapErr()).toEqual(expect.objectContaining(UNAUTHENTICATED));
        },
      ),
      { numRuns: 200 },
    );
  });
});
