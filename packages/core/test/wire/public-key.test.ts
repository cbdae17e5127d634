import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parsePublicKey, toPublicKeyWire } from "../../src/index.js";
import { fixtureJson } from "./read-fixture.js";

const hexDigits = fc.string({
  unit: fc.constantFrom(..."0123456789abcdefABCDEF"),
  minLength: 1,
  maxLength: 80,
});
const whitespace = fc.string({ unit: fc.constantFrom(" ", "\t", "\n", "\r", "\f"), maxLength: 3 });

/** The hex with whitespace put anywhere, including before and after. */
function sprinkle(hex: string, gaps: string[]): string {
  return [...hex].map((c, i) => (gaps[i] ?? "") + c).join("") + (gaps[hex.length] ?? "");
}

function issuePaths(wire: unknown): string[] {
  const result = parsePublicKey(wire);
  if (result.isOk()) throw new Error("expected invalid_request");
  if (result.error.code !== "invalid_request") throw new Error(result.error.code);
  return result.error.issues.map((i) => i.path);
}

describe("parsePublicKey", () => {
  it("reads the create response's key: spaces removed, 512 hex digits, exponent 10001", () => {
    const response = fixtureJson("v1-create-restore-response.json") as { PublicKey: unknown };
    const key = parsePublicKey(response.PublicKey)._unsafeUnwrap();
    expect(key.modulusHex).toMatch(/^[0-9A-F]{512}$/);
    expect(key.modulusHex.startsWith("CA759606B13DC5350A3FAE3F851C76F260DCCD1EFF")).toBe(true);
    expect(key.exponentHex).toBe("10001");
    expect(Number.parseInt(key.exponentHex, 16)).toBe(65537);
  });

  it("reads the details response's 511-digit key too: its syntax is fine, strength is not judged here", () => {
    const response = fixtureJson("v1-restore-details-response.json") as { PublicKey: unknown };
    expect(parsePublicKey(response.PublicKey)._unsafeUnwrap().modulusHex).toHaveLength(511);
  });

  it("reads ExponentHex as hex digits whether sent as a number or a string", () => {
    const modulus = "C3";
    expect(
      parsePublicKey({ ModulusHex: modulus, ExponentHex: 10001 })._unsafeUnwrap().exponentHex,
    ).toBe("10001");
    expect(
      parsePublicKey({ ModulusHex: modulus, ExponentHex: "1 0001" })._unsafeUnwrap().exponentHex,
    ).toBe("10001");
    expect(
      parsePublicKey({ ModulusHex: modulus, ExponentHex: "1000f" })._unsafeUnwrap().exponentHex,
    ).toBe("1000F");
    expect(
      parsePublicKey({ ModulusHex: modulus, ExponentHex: 3 })._unsafeUnwrap().exponentHex,
    ).toBe("3");
  });

  it.each([
    [-10001],
    [1.5],
    ["0x10001"],
    ["-3"],
    [""],
    ["1g"],
    [null],
    [true],
    [Number.POSITIVE_INFINITY],
    [1e21],
  ])("rejects the exponent %j", (exponent) => {
    expect(issuePaths({ ModulusHex: "C3", ExponentHex: exponent })).toEqual(["ExponentHex"]);
  });

  it("rejects a modulus that is not hex, or empty, and lists both fields", () => {
    expect(issuePaths({ ModulusHex: "XYZ", ExponentHex: -1 })).toEqual([
      "ModulusHex",
      "ExponentHex",
    ]);
    expect(issuePaths({ ModulusHex: "   ", ExponentHex: 3 })).toEqual(["ModulusHex"]);
    expect(issuePaths({ ExponentHex: 3 })).toEqual(["ModulusHex"]);
    expect(issuePaths("CA75")).toEqual([""]);
  });

  it("gives the same key wherever whitespace is put in the hex", () => {
    fc.assert(
      fc.property(
        hexDigits,
        hexDigits,
        fc.array(whitespace, { maxLength: 90 }),
        fc.array(whitespace, { maxLength: 30 }),
        (modulus, exponent, modulusGaps, exponentGaps) => {
          const plain = parsePublicKey({
            ModulusHex: modulus,
            ExponentHex: exponent,
          })._unsafeUnwrap();
          const spaced = parsePublicKey({
            ModulusHex: sprinkle(modulus, modulusGaps),
            ExponentHex: sprinkle(exponent, exponentGaps),
          })._unsafeUnwrap();
          expect(spaced).toEqual(plain);
          expect(plain).toEqual({
            modulusHex: modulus.toUpperCase(),
            exponentHex: exponent.toUpperCase(),
          });
        },
      ),
    );
  });

  it("reads back what toPublicKeyWire writes", () => {
    fc.assert(
      fc.property(hexDigits, hexDigits, (modulus, exponent) => {
        const key = { modulusHex: modulus.toUpperCase(), exponentHex: exponent.toUpperCase() };
        const wire = JSON.parse(JSON.stringify(toPublicKeyWire(key))) as unknown;
        expect(parsePublicKey(wire)._unsafeUnwrap()).toEqual(key);
      }),
    );
  });
});

describe("toPublicKeyWire", () => {
  it("writes a decimal-looking exponent as a JSON number, as the API does, and others as strings", () => {
    expect(toPublicKeyWire({ modulusHex: "C3", exponentHex: "10001" }).ExponentHex).toBe(10001);
    expect(toPublicKeyWire({ modulusHex: "C3", exponentHex: "1000F" }).ExponentHex).toBe("1000F");
    expect(toPublicKeyWire({ modulusHex: "C3", exponentHex: "010001" }).ExponentHex).toBe("010001");
    expect(toPublicKeyWire({ modulusHex: "C3", exponentHex: "1234567890123456" }).ExponentHex).toBe(
      "1234567890123456",
    );
  });
});
