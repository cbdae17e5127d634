import { type JwtTokensOptions, jwtTokens } from "@restorekit/hono";
import { fixedClock } from "@restorekit/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closedUrl, type JwksServer, startJwksServer } from "./support/jwks-server.js";
import { keySet, type SigningKey, signHmac, signingKey, signWith } from "./support/jwt-keys.js";

const USER = { tenant_id: "1234", sub: "ana", roles: ["observer"] };
const AGENT = { tenant_id: "1234", agent_id: "42" };

let rsa: SigningKey;
let ec: SigningKey;
let unknown: SigningKey;
let server: JwksServer;

beforeAll(async () => {
  [rsa, ec, unknown] = await Promise.all([
    signingKey("RS256", "rsa-1"),
    signingKey("ES256", "ec-1"),
    signingKey("RS256", "not-published"),
  ]);
  server = await startJwksServer(keySet(rsa, ec));
});

afterAll(async () => {
  await server?.close();
});

function remote(options: Partial<JwtTokensOptions> & { jwksUrl: string }) {
  return jwtTokens({ clock: fixedClock("2026-01-01T00:00:00.000Z"), ...options })._unsafeUnwrap();
}

describe("jwtTokens with a remote key set (jwksUrl)", () => {
  it("fetches the key set once and verifies RS256 and ES256 tokens with it", async () => {
    const before = server.requests();
    const verifier = remote({ jwksUrl: server.url });
    expect((await verifier.verify(await signWith(rsa, { payload: USER })))._unsafeUnwrap()).toEqual(
      {
        type: "user",
        userId: "ana",
        tenantId: "1234",
        roles: ["observer"],
      },
    );
    expect((await verifier.verify(await signWith(ec, { payload: AGENT })))._unsafeUnwrap()).toEqual(
      {
        type: "agent",
        agentId: 42,
        tenantId: "1234",
      },
    );
    expect(server.requests() - before).toBe(1);
  });

  it("answers unauthenticated for a key it does not publish, and for a forged kid", async () => {
    const verifier = remote({ jwksUrl: server.url });
    expect(
      (await verifier.verify(await signWith(unknown, { payload: USER })))._unsafeUnwrapErr(),
    ).toMatchObject({
      code: "unauthenticated",
    });
    const forged = await signWith(unknown, { payload: USER, header: { kid: "rsa-1" } });
    expect((await verifier.verify(forged))._unsafeUnwrapErr()).toMatchObject({
      code: "unauthenticated",
    });
  });

  it("refuses a token whose algorithm is not allowed without fetching anything", async () => {
    const before = server.requests();
    const verifier = remote({ jwksUrl: server.url });
    const confused = await signHmac(rsa.publicPem, { payload: USER, header: { kid: "rsa-1" } });
    expect((await verifier.verify(confused))._unsafeUnwrapErr()).toMatchObject({
      code: "unauthenticated",
    });
    expect((await verifier.verify("not.a.token"))._unsafeUnwrapErr()).toMatchObject({
      code: "unauthenticated",
    });
    expect(server.requests()).toBe(before);
  });
});

describe("jwtTokens when the key set cannot be had", () => {
  it("answers internal_error and tells onError when the server is down", async () => {
    const causes: unknown[] = [];
    const verifier = remote({ jwksUrl: await closedUrl(), onError: (cause) => causes.push(cause) });
    const token = await signWith(rsa, { payload: USER });
    const answer = await verifier.verify(token);
    expect(answer._unsafeUnwrapErr()).toEqual({
      code: "internal_error",
      message: "An internal error occurred.",
    });
    expect(causes).toHaveLength(1);
    // A token that is wrong in itself is still the client's fault, fetch or no fetch.
    expect((await verifier.verify("a.b"))._unsafeUnwrapErr()).toMatchObject({
      code: "unauthenticated",
    });
    expect(causes).toHaveLength(1);
  });

  it("answers internal_error for a server error or a body that is not a key set", async () => {
    const broken = await startJwksServer({});
    try {
      const token = await signWith(rsa, { payload: USER });
      for (const [status, body] of [
        [500, '{"error":"down"}'],
        [200, "<html>not json</html>"],
        [200, '{"keys": "none"}'],
      ] as const) {
        broken.answer(status, body);
        const causes: unknown[] = [];
        const verifier = remote({ jwksUrl: broken.url, onError: (cause) => causes.push(cause) });
        expect(
          (await verifier.verify(token))._unsafeUnwrapErr(),
          `${status} ${body}`,
        ).toMatchObject({
          code: "internal_error",
        });
        expect(causes).toHaveLength(1);
      }
    } finally {
      await broken.close();
    }
  });

  it("gives the same answer when onError throws, or when there is none", async () => {
    const url = await closedUrl();
    const token = await signWith(rsa, { payload: USER });
    const throwing = remote({
      jwksUrl: url,
      onError: () => {
        throw new Error("the logger is broken");
      },
    });
    expect((await throwing.verify(token))._unsafeUnwrapErr()).toMatchObject({
      code: "internal_error",
    });
    expect((await remote({ jwksUrl: url }).verify(token))._unsafeUnwrapErr()).toMatchObject({
      code: "internal_error",
    });
  });
});
