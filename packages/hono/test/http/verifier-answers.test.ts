import { RestoreErrors, type TokenVerifier } from "@restorekit/core";
import { createRestoreApp } from "@restorekit/hono";
import { testEnvironment, userPrincipal } from "@restorekit/testing";
import { errAsync, ok, okAsync } from "neverthrow";
import { describe, expect, it } from "vitest";
import { capturedLogger } from "../support/captured-logger.js";

/** The app over the in-memory service, with the verifier given and a captured log. */
function appWith(verify: (token: string) => unknown) {
  const env = testEnvironment();
  const log = capturedLogger();
  const tokens = { verify } as unknown as TokenVerifier;
  const app = createRestoreApp({ service: env.service, tokens, logger: log.logger, docs: false });
  const get = (requestId: string) =>
    app.request(`/v1.0/${userPrincipal().tenantId}/restore/13689`, {
      headers: { "x-auth-token": "some-token", "x-request-id": requestId },
    });
  return { env, log, get };
}

describe("what the app makes of its token verifier's answer", () => {
  it("a principal: the request goes on", async () => {
    const { env, get } = appWith(() => okAsync(userPrincipal()));
    await env.createRestore();
    expect((await get("ok-1")).status).toBe(200);
  });

  it("an error: that error's answer", async () => {
    const { get } = appWith(() => errAsync(RestoreErrors.unauthenticated()));
    expect((await get("refused-1")).status).toBe(401);
  });

  for (const [what, verify] of [
    [
      "a throw",
      () => {
        throw new Error("verifier crashed");
      },
    ],
    ["a rejection", () => Promise.reject(new Error("verifier rejected"))],
    ["something that is not a principal", () => okAsync({ type: "user" })],
    ["a Result that is not wrapped in a promise, holding no principal", () => ok(42)],
    ["something that is not a Result", () => Promise.resolve({ type: "user", tenantId: "1" })],
    ["nothing", () => undefined],
  ] as const) {
    it(`${what}: a bare 500, logged under the request id`, async () => {
      const { log, get } = appWith(verify);
      const answer = await get("verifier-fault-1");
      expect(answer.status).toBe(500);
      expect(await answer.json()).toEqual({
        instanceFault: {
          code: 500,
          message: "An internal error occurred.",
          details: "internal_error",
        },
      });
      expect(log.lines()).toContainEqual(
        expect.objectContaining({ level: 50, requestId: "verifier-fault-1" }),
      );
    });
  }

  it("a plain Result holding a principal is taken as the verifier's answer", async () => {
    const { env, get } = appWith(() => ok(userPrincipal()));
    await env.createRestore();
    expect((await get("plain-ok-1")).status).toBe(200);
  });
});
