import { describe, expect, it, vi } from "vitest";
import { parseJsonBody } from "../../src/index.js";

// The locator agrees with JSON.parse on every text (json-body.test.ts checks it
// property by property), so its fallback can only be reached with a locator
// that finds nothing: this file's mock.
vi.mock("../../src/wire/json-error-locator.js", async (importOriginal) => ({
  ...(await importOriginal<typeof import("../../src/wire/json-error-locator.js")>()),
  locateJsonError: () => undefined,
}));

describe("parseJsonBody when the locator finds nothing", () => {
  it("still refuses the text, at line 1, column 1, with a hint that quotes nothing", () => {
    const result = parseJsonBody("{'EncryptedPassword': 'SECRET'}");
    expect(result.isErr() && result.error).toEqual({
      code: "invalid_json",
      message: "The body is not valid JSON: the body could not be parsed at line 1, column 1.",
      line: 1,
      column: 1,
    });
  });

  it("still reads valid JSON", () => {
    expect(parseJsonBody('{"a": [1]}')._unsafeUnwrap()).toEqual({ a: [1] });
  });
});
