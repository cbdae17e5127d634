import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseJsonBody } from "../../src/index.js";
import { locateJsonError } from "../../src/wire/json-error-locator.js";
import { readFixture } from "./read-fixture.js";

/** Long property runs get their own timeout, so a loaded 2-core machine cannot fail them. */
const PROPERTY_TIMEOUT_MS = 60_000;

const MARKER = "SECRET-MARKER-7f3a";

function jsonParses(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

function invalidJson(text: string) {
  const result = parseJsonBody(text);
  if (result.isOk()) throw new Error("expected invalid_json");
  const error = result.error;
  if (error.code !== "invalid_json") throw new Error(`expected invalid_json, got ${error.code}`);
  return error;
}

// Texts near the JSON grammar's edges, where a hand-written scanner goes wrong.
const jsonishText = fc
  .array(
    fc.constantFrom(
      ..."{}[],:\"'\\/ \n\r\t0123456789-+.eEtrufalsnbx",
      "\\u",
      "\\u00e9",
      "true",
      "false",
      "null",
      '"a"',
      "\u0001",
      "\u001f",
      "\u007f",
      "\uFEFF",
    ),
    { maxLength: 30 },
  )
  .map((parts) => parts.join(""));

// String literals with escapes and control characters, where most scanner bugs hide.
const stringLiteral = fc
  .array(
    fc.constantFrom(
      ...'\\/"ubfnrtx0aF9 ',
      "\u0000",
      "\u001f",
      "\u0020",
      "\u007f",
      "\u2028",
      "\uD800",
    ),
    { maxLength: 12 },
  )
  .map((parts) => `"${parts.join("")}"`);

// Valid JSON with one character inserted, deleted or replaced.
const mutatedJson = fc
  .tuple(
    fc.json(),
    fc.nat(),
    fc.constantFrom("insert", "delete", "replace"),
    fc.constantFrom(..."{}[],:\"'\\ 0-.eE"),
  )
  .map(([text, at, how, c]) => {
    const i = text.length === 0 ? 0 : at % text.length;
    if (how === "insert") return text.slice(0, i) + c + text.slice(i);
    if (how === "delete") return text.slice(0, i) + text.slice(i + 1);
    return text.slice(0, i) + c + text.slice(i + 1);
  });

describe("parseJsonBody", () => {
  it("locates the single-quoted password of the seed's encrypted example (line 3, at the quote)", () => {
    const text = readFixture("v1-action-requested-start-encrypted.txt");
    const error = invalidJson(text);
    const line3 = text.split("\n")[2] ?? "";
    expect(error.line).toBe(3);
    expect(error.column).toBe(line3.indexOf("'") + 1);
    expect(error.column).toBe(27);
    expect(error.message).toContain("strings must be in double quotes");
    expect(error.message).not.toContain("myencryptedpassword");
    expect(error.message).not.toContain("EncryptedPassword");
  });

  it.each([
    ["", 1, 1, "unexpected end of input"],
    ['{"Id": 1', 1, 9, "unexpected end of input"],
    ['{"Id": 1,}', 1, 10, "a trailing comma is not allowed"],
    ["[1,]", 1, 4, "a trailing comma is not allowed"],
    ["{Id: 1}", 1, 2, "property names must be in double quotes"],
    ["{'Id': 1}", 1, 2, "strings must be in double quotes"],
    ['{"Id" 1}', 1, 7, "expected ':' after a property name"],
    ['{"Id": 1 "x": 2}', 1, 10, "expected ',' or '}'"],
    ["[1 2]", 1, 4, "expected ',' or ']'"],
    ["{}\n{}", 2, 1, "unexpected content after the JSON value"],
    ["01", 1, 2, "unexpected content after the JSON value"],
    ['"a\\x"', 1, 4, "invalid escape sequence in a string"],
    ['"\\u12G4"', 1, 6, "a \\u escape needs four hex digits"],
    ['"a\tb"', 1, 3, "control characters in strings must be escaped"],
    ["-", 1, 2, "unexpected end of input"],
    ["1.", 1, 3, "unexpected end of input"],
    ["1.x", 1, 3, "invalid number"],
    ["tru", 1, 4, "unexpected end of input"],
    ["nul1", 1, 4, "unexpected character"],
    ["\uFEFF{}", 1, 1, "a byte order mark is not allowed"],
    ['{\r\n  "a": ?}', 2, 8, "unexpected character"],
    // A string, or a \u escape, cut short by the end of the text.
    ['"\\', 1, 3, "unexpected end of input"],
    ['"abc\\', 1, 6, "unexpected end of input"],
    ['"\\u', 1, 4, "unexpected end of input"],
    ['"\\u12', 1, 6, "unexpected end of input"],
    ['"\\u123', 1, 7, "unexpected end of input"],
    // A property name cut short, or badly escaped, or not followed by ':'.
    ['{"abc', 1, 6, "unexpected end of input"],
    ['{"a\\x": 1}', 1, 5, "invalid escape sequence in a string"],
    ['{"a"', 1, 5, "unexpected end of input"],
    ['{"a"  ', 1, 7, "unexpected end of input"],
    // A closing bracket that does not match the open one, or has nothing to close.
    ["[1}", 1, 3, "expected ',' or ']'"],
    ['{"a":1]', 1, 7, "expected ',' or '}'"],
    ["]", 1, 1, "unexpected character"],
    ['{"a":]}', 1, 6, "unexpected character"],
    // Numbers.
    ["-x", 1, 2, "invalid number"],
    ["[-]", 1, 3, "invalid number"],
    ["1.e5", 1, 3, "invalid number"],
    ["1e", 1, 3, "unexpected end of input"],
    ["1e+", 1, 4, "unexpected end of input"],
    ["1ex", 1, 3, "invalid number"],
    // Lines: a lone \r ends one, and the offending character itself is not counted.
    ["[1,\r\r2,?]", 3, 3, "unexpected character"],
    ['{\r"a": ?}', 2, 6, "unexpected character"],
    ['"a\nb"', 1, 3, "control characters in strings must be escaped"],
    ['"a\rb"', 1, 3, "control characters in strings must be escaped"],
  ])("%j is invalid at line %i, column %i: %s", (text, line, column, hint) => {
    const error = invalidJson(text);
    expect({ line: error.line, column: error.column }).toEqual({ line, column });
    expect(error.message).toContain(hint);
  });

  it.each([
    ['"\\u00e9"', "\u00e9"],
    ['"\\u00e9x"', "\u00e9x"],
    ['["\\u0041",1]', ["A", 1]],
    ['"\\u00E9\\u00e9"', "\u00e9\u00e9"],
    ['{"\\u0041": "\\"\\\\\\/\\b\\f\\n\\r\\t"}', { A: '"\\/\b\f\n\r\t' }],
  ])("reads the escapes of %s, and the locator finds no error in it", (text, value) => {
    expect(parseJsonBody(text)._unsafeUnwrap()).toEqual(value);
    expect(locateJsonError(text)).toBeUndefined();
  });

  it.each([
    ["0"],
    ["-0"],
    ["0.5e-3"],
    ["1E+2"],
    ["1E5"],
    ["1e5"],
    ["-12.34E56"],
    ["[0,-0.0,1e-0]"],
    ["[9,99.9e9,1.5e3]"],
    ["[]"],
    ["{}"],
    ['[[],{},{"a":{}},[[1]]]'],
    ['"a b ~\u007f"'],
    ["[true,false,null]"],
    [' \t\n\r{"a" : [ true , false , null ] }\r\n\t '],
  ])("finds no error in %j, as JSON.parse does not", (text) => {
    expect(() => JSON.parse(text)).not.toThrow();
    expect(locateJsonError(text)).toBeUndefined();
  });

  it.each([
    ["1E", { offset: 2, hint: "unexpected end of input" }],
    ["1E-x", { offset: 3, hint: "invalid number" }],
    ["[1E]", { offset: 3, hint: "invalid number" }],
  ])("locates the error in the exponent of %j", (text, location) => {
    expect(locateJsonError(text)).toEqual(location);
  });

  it("locates the first error after a complete \\u escape, not inside it", () => {
    expect(locateJsonError('["\\u0041"}')).toEqual({ offset: 9, hint: "expected ',' or ']'" });
  });

  it("agrees with JSON.parse on every valid JSON text", () => {
    fc.assert(
      fc.property(fc.json(), (text) => {
        const result = parseJsonBody(text);
        expect(result.isOk()).toBe(true);
        expect(result._unsafeUnwrap()).toEqual(JSON.parse(text));
      }),
    );
  });

  it("fails exactly when JSON.parse fails, and never throws", {
    timeout: PROPERTY_TIMEOUT_MS,
  }, () => {
    fc.assert(
      fc.property(fc.oneof(jsonishText, mutatedJson, fc.string()), (text) => {
        const result = parseJsonBody(text);
        expect(result.isOk()).toBe(jsonParses(text));
        if (result.isErr()) {
          expect(result.error.message).not.toContain("could not be parsed");
        }
      }),
      { numRuns: 2000 },
    );
  });

  it("finds an error in a text exactly when JSON.parse rejects it", {
    timeout: PROPERTY_TIMEOUT_MS,
  }, () => {
    fc.assert(
      fc.property(
        fc.oneof(jsonishText, mutatedJson, stringLiteral, fc.json(), fc.string()),
        (text) => {
          expect(locateJsonError(text) === undefined).toBe(jsonParses(text));
        },
      ),
      { numRuns: 5000 },
    );
  });

  it("points inside the text and never quotes it", () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), fc.nat(), (before, after, spread) => {
        const text = `${before}${MARKER}${after}${" ".repeat(spread % 3)}`;
        const result = parseJsonBody(text);
        if (result.isOk()) return;
        const error = invalidJson(text);
        expect(error.message).not.toContain(MARKER);
        expect(error.line).toBeGreaterThanOrEqual(1);
        expect(error.column).toBeGreaterThanOrEqual(1);
        expect(error.line).toBeLessThanOrEqual(text.split(/\r\n|\r|\n/).length);
      }),
    );
  });

  it("copes with nesting far deeper than a recursive scanner could", () => {
    const deep = `${"[".repeat(200_000)}1${"]".repeat(199_999)}`;
    const error = invalidJson(deep);
    expect(error.message).toContain("unexpected end of input");
    expect(error.column).toBe(deep.length + 1);
  });
});
