import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { issuesOf, parseWith, positiveIdSchema } from "../../src/index.js";
import { isHexDigits, normalizeHex, removeWhitespace } from "../../src/wire/hex.js";

describe("issuesOf", () => {
  it("joins each issue's path with dots, and gives the body itself the empty path", () => {
    const schema = z.object({ a: z.array(z.object({ b: z.string({ error: "b!" }) })) });
    const parsed = schema.safeParse({ a: [{ b: "ok" }, { b: 1 }] });
    expect(parsed.error && issuesOf(parsed.error)).toEqual([{ path: "a.1.b", message: "b!" }]);
    const top = z.string({ error: "top!" }).safeParse(1);
    expect(top.error && issuesOf(top.error)).toEqual([{ path: "", message: "top!" }]);
  });

  it("never quotes an unrecognized key, which may hold anything", () => {
    const parsed = z.strictObject({ known: z.number() }).safeParse({ known: 1, "SECRET-KEY": 2 });
    expect(parsed.error && issuesOf(parsed.error)).toEqual([
      { path: "", message: "unexpected fields" },
    ]);
  });
});

describe("parseWith", () => {
  const schema = z.object({ Id: positiveIdSchema("Id") });

  it("gives the schema's output on success", () => {
    expect(parseWith(schema, { Id: "42" })._unsafeUnwrap()).toStrictEqual({ Id: 42 });
  });

  it("gives one invalid_request listing every problem on failure", () => {
    const result = parseWith(
      z.object({ a: z.number({ error: "a!" }), b: z.number({ error: "b!" }) }),
      {},
    );
    expect(result.isErr() && result.error).toEqual({
      code: "invalid_request",
      message: expect.stringContaining("a!"),
      issues: [
        { path: "a", message: "a!" },
        { path: "b", message: "b!" },
      ],
    });
  });
});

describe("hex", () => {
  it("removes exactly the ASCII whitespace the API wraps hex with", () => {
    expect(removeWhitespace(" a\tb\nc\fd\re ")).toBe("abcde");
    expect(removeWhitespace("a\u000bb\u00a0c\u2028d")).toBe("a\u000bb\u00a0c\u2028d");
  });

  it("knows hex digits of either case, and nothing else, from end to end", () => {
    expect(isHexDigits("0123456789abcdefABCDEF")).toBe(true);
    expect(isHexDigits("a")).toBe(true);
    for (const text of ["", "g", "0g", "g0", "0 1", "0x1", "-1", "\u0660"]) {
      expect(isHexDigits(text)).toBe(false);
    }
  });

  it("normalises hex to upper case without whitespace, and gives undefined for anything else", () => {
    fc.assert(
      fc.property(
        fc.string({ unit: fc.constantFrom(..."0123456789abcdefABCDEF"), minLength: 1 }),
        (hex) => {
          expect(normalizeHex(` ${hex}\n`)).toBe(hex.toUpperCase());
        },
      ),
    );
    expect(normalizeHex(" \t ")).toBeUndefined();
    expect(normalizeHex("ab cz")).toBeUndefined();
  });
});

describe("positiveIdSchema", () => {
  it("names its field in the message for any kind of wrong value", () => {
    const message = "RestoreId must be a positive integer (a JSON number or a string of digits)";
    for (const value of [true, null, "x", "1.0", 0, -1, 1.5, "0", [], {}]) {
      const parsed = positiveIdSchema("RestoreId").safeParse(value);
      expect(parsed.error?.issues.map((i) => i.message)).toEqual([message]);
    }
  });
});
