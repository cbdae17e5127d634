import { readTokenTable, staticTokens, TOKEN_FILE_KEYS } from "@restorekit/hono";
import { fixedClock } from "@restorekit/testing";
import fc from "fast-check";
import { describe, expect, it } from "vitest";

const FILE = `[
  { "token": "admin-token-0001", "tenant": "1234", "roles": ["cloudbackup:admin"] },
  { "token": "observer-token-02", "tenant": "1234", "roles": ["observer"], "userId": "ana",
    "expiresAt": "2026-06-30T00:00:00+02:00" },
  { "token": "agent-token-00003", "tenant": "5678", "agentId": 42, "expiresAt": null },
  { "token": "agent-token-00004", "tenant": "5678", "agentId": 43, "roles": null, "userId": null }
]`;

describe("readTokenTable", () => {
  it("reads every key of a tokens file into the entries staticTokens takes", () => {
    expect(readTokenTable(FILE)._unsafeUnwrap()).toEqual([
      { token: "admin-token-0001", tenantId: "1234", roles: ["cloudbackup:admin"] },
      {
        token: "observer-token-02",
        tenantId: "1234",
        roles: ["observer"],
        userId: "ana",
        expiresAt: "2026-06-30T00:00:00+02:00",
      },
      { token: "agent-token-00003", tenantId: "5678", agentId: 42 },
      { token: "agent-token-00004", tenantId: "5678", agentId: 43 },
    ]);
    expect(TOKEN_FILE_KEYS.tenantId).toBe("tenant");
  });

  it("gives a table that verifies as the file says", async () => {
    const clock = fixedClock("2026-06-29T21:59:59.999Z");
    const tokens = readTokenTable(FILE)
      .andThen((entries) => staticTokens(entries, { clock }))
      ._unsafeUnwrap();
    expect((await tokens.verify("observer-token-02"))._unsafeUnwrap()).toEqual({
      type: "user",
      userId: "ana",
      tenantId: "1234",
      roles: ["observer"],
    });
    expect((await tokens.verify("agent-token-00003"))._unsafeUnwrap()).toEqual({
      type: "agent",
      agentId: 42,
      tenantId: "5678",
    });
    clock.advance(1);
    expect((await tokens.verify("observer-token-02"))._unsafeUnwrapErr().code).toBe(
      "unauthenticated",
    );
  });

  it("reports invalid JSON by line and column, without the text", () => {
    const text = `[\n  { "token": "s3cret-in-the-file", "tenant": "1", "roles": ['admin'] }\n]`;
    const error = readTokenTable(text)._unsafeUnwrapErr();
    expect(error.code).toBe("invalid_token_config");
    expect(error.issues).toEqual([
      {
        path: "",
        message: "is not valid JSON: strings must be in double quotes at line 2, column 61",
      },
    ]);
    expect(error.message).toBe(
      "The tokens file is invalid: it is not valid JSON: strings must be in double quotes at line 2, column 61.",
    );
    expect(JSON.stringify(error)).not.toContain("s3cret");
    expect(readTokenTable("")._unsafeUnwrapErr().message).toContain("line 1, column 1");
    expect(readTokenTable("[1,]")._unsafeUnwrapErr().message).toContain("trailing comma");
  });

  it("names problems by the file's keys and position", () => {
    const text = JSON.stringify([
      { token: "s3cret-one-xxxx", tenant: "", roles: ["admin"] },
      { token: "s3cret-two-xxxx", tenant: "1", agentId: "7" },
      { token: "s3cret-one-xxxx", tenant: "1", roles: ["admin"] },
      "s3cret-three-xxx",
    ]);
    const error = readTokenTable(text)._unsafeUnwrapErr();
    expect(error.issues.map((issue) => issue.path)).toEqual([
      "0.tenant",
      "1.agentId",
      "2.token",
      "3",
    ]);
    expect(error.message).not.toContain("s3cret");
  });

  it("refuses an unknown key, so that a misspelt expiry cannot make a token that never expires", () => {
    const text = JSON.stringify([
      { token: "s3cret-one-xxxx", tenant: "1", roles: [], expires: "2026-01-01T00:00:00Z" },
      { token: "s3cret-two-xxxx", tenant: "1", roles: [], "s3cret two": 1 },
    ]);
    const error = readTokenTable(text)._unsafeUnwrapErr();
    expect(error.issues.map((issue) => issue.path)).toEqual(["0.expires", "1"]);
    expect(error.issues[0]?.message).toContain("token, tenant, roles, userId, agentId, expiresAt");
    expect(error.message).not.toContain("s3cret");
  });

  it("refuses a file that is not an array of entries, or not text", () => {
    for (const text of ["{}", '"tokens"', "null", "[]"]) {
      expect(
        readTokenTable(text)
          ._unsafeUnwrapErr()
          .issues.map((issue) => issue.path),
      ).toEqual([""]);
    }
    expect(readTokenTable(undefined as unknown as string)._unsafeUnwrapErr().code).toBe(
      "invalid_token_config",
    );
  });

  it("never quotes a token of the file in its error", { timeout: 60_000 }, () => {
    const token = fc.stringMatching(/^[A-Za-z0-9_-]{12,40}$/);
    const entry = (value: string) =>
      fc.oneof(
        fc.constant({ token: value, tenant: "1" }),
        fc.constant({ token: `${value} `, tenant: "1", roles: [] }),
        fc.constant({ token: value, tenant: 1, roles: [] }),
        fc.constant({ token: value, tenant: "1", agentId: 0 }),
        fc.constant({ token: value, tenant: "1", roles: [], expiresAt: "2026-01-01" }),
        fc.constant({ token: value, tenant: "1", roles: [], extra: true }),
      );
    fc.assert(
      fc.property(
        fc
          .uniqueArray(token, { minLength: 1, maxLength: 5 })
          .chain((tokens) =>
            fc.tuple(fc.constant(tokens), fc.tuple(...tokens.map(entry)), fc.nat()),
          ),
        ([tokens, entries, cut]) => {
          const text = JSON.stringify(entries);
          // Whole, or cut short anywhere: both kinds of error are checked.
          const json = cut % 3 === 0 ? text.slice(0, cut % text.length) : text;
          const error = readTokenTable(json)._unsafeUnwrapErr();
          const shown = JSON.stringify(error);
          for (const value of tokens) expect(shown).not.toContain(value);
        },
      ),
      { numRuns: 500 },
    );
  });
});
