import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isStorableText, LIMITS, textProblem } from "../../src/index.js";

describe("textProblem", () => {
  it("accepts any well-formed text without NUL up to the maximum, astral characters included", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 50 }), (text) => {
        fc.pre(!text.includes("\u0000"));
        expect(textProblem(text, 100)).toBeNull();
        expect(isStorableText(text, 100)).toBe(true);
      }),
    );
    expect(textProblem("😀".repeat(50), 100)).toBeNull();
    expect(textProblem("x".repeat(100), 100)).toBeNull();
  });

  it("refuses one character over the maximum, naming the maximum", () => {
    expect(textProblem("x".repeat(101), 100)).toBe("must be at most 100 characters");
  });

  it("refuses a NUL character anywhere", () => {
    for (const text of ["\u0000", "a\u0000", "\u0000b", "a\u0000b"]) {
      expect(textProblem(text, 100)).toBe("must not contain a NUL character (\\u0000)");
    }
  });

  it("refuses an unpaired surrogate, high or low, anywhere", () => {
    for (const text of [
      "\ud800",
      "a\ud800",
      "\ud800b",
      "\udc00",
      "a\udc00b",
      "\udc00\ud800",
      "😀\ud83d",
    ]) {
      expect(textProblem(text, 100)).toBe("must be valid Unicode (it holds an unpaired surrogate)");
      expect(isStorableText(text, 100)).toBe(false);
    }
  });

  it("never quotes the text in its message", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", minLength: 3 }), fc.nat({ max: 5 }), (text, max) => {
        const problem = textProblem(`secret${text}`, max);
        expect(problem ?? "").not.toContain("secret");
      }),
    );
  });

  it("is not fooled by a non-string", () => {
    for (const value of [null, undefined, 42, ["a"], { length: 1 }]) {
      expect(isStorableText(value, 100)).toBe(false);
    }
  });
});

describe("LIMITS", () => {
  it("cannot be changed at run time", () => {
    expect(Object.isFrozen(LIMITS)).toBe(true);
    expect(() => {
      (LIMITS as { destinationPath: number }).destinationPath = 1e9;
    }).toThrow(TypeError);
    expect(LIMITS.destinationPath).toBe(4096);
  });
});
