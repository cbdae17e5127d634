import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { readChangeOptions } from "../src/idempotency.js";
import {
  checkIdempotentCompletion,
  IDEMPOTENCY_KEY_MAX,
  idempotencyPrincipal,
  isIdempotencyKey,
} from "../src/index.js";

const printable = fc.string({
  unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)),
  minLength: 1,
  maxLength: IDEMPOTENCY_KEY_MAX,
});

describe("idempotency keys in core", () => {
  it("a key is 1-255 printable ASCII characters, nothing else", () => {
    fc.assert(fc.property(printable, (key) => isIdempotencyKey(key)));
    for (const bad of ["", "x".repeat(256), "a\u0000", "tab\t", "caf\u00e9", 7, null]) {
      expect(isIdempotencyKey(bad)).toBe(false);
    }
  });

  it("scopes a user and an agent apart", () => {
    expect(idempotencyPrincipal({ type: "user", userId: "7", tenantId: "t", roles: [] })).toBe(
      "user:7",
    );
    expect(idempotencyPrincipal({ type: "agent", agentId: 7, tenantId: "t" })).toBe("agent:7");
  });

  it("copies a completion and refuses a malformed one", () => {
    const completion = {
      scope: { tenantId: "t", principal: "user:u" },
      key: "k",
      response: { status: 204, headers: { etag: '"2"' }, body: null },
    };
    const checked = checkIdempotentCompletion(completion)._unsafeUnwrap();
    expect(checked).toEqual(completion);
    expect(checked.response.headers).not.toBe(completion.response.headers);
    for (const bad of [
      { ...completion, key: "" },
      { ...completion, response: { ...completion.response, status: 99 } },
      { ...completion, response: { ...completion.response, headers: { a: 1 } } },
      { ...completion, scope: null },
    ]) {
      expect(checkIdempotentCompletion(bad)._unsafeUnwrapErr().code).toBe("internal_error");
    }
  });

  it("reads change options: none, a bad key (the client's), a missing respond (ours)", () => {
    const scope = { tenantId: "t", principal: "user:u" };
    expect(readChangeOptions(undefined)._unsafeUnwrap()).toBeUndefined();
    expect(readChangeOptions({})._unsafeUnwrap()).toBeUndefined();
    const respond = () => ({ status: 204, headers: {}, body: null });
    expect(readChangeOptions({ idempotency: { scope, key: "k", respond } }).isOk()).toBe(true);
    expect(
      readChangeOptions({ idempotency: { scope, key: "", respond } })._unsafeUnwrapErr(),
    ).toMatchObject({ code: "invalid_request", issues: [{ path: "Idempotency-Key" }] });
    expect(
      readChangeOptions({ idempotency: { scope, key: "k" } as never })._unsafeUnwrapErr().code,
    ).toBe("internal_error");
  });
});
