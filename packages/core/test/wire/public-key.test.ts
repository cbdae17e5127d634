import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { LIMITS, parsePublicKey, toPublicKeyWire } from "../../src/index.js";
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

const MODULUS_MESSAGE = "ModulusHex must be hex digits (whitespace is ignored)";
const EXPONENT_MESSAGE =
  "ExponentHex must be hex digits, sent as a JSON number or a string (10001 means 0x10001)";

function issuesOf(wire: unknown) {
  const result = parsePublicKey(wire);
  if (result.isOk()) throw new Error("expected invalid_request");
  if (result.error.code !== "invalid_request") throw new Error(result.error.code);
  return result.error.issues;
}

describe("parsePublicKey, edges", () => {
  it("reads ExponentHex 0 as the hex digit 0, whether a number or a string", () => {
    for (const exponent of [0, "0", " 0 ", -0]) {
      expect(
        parsePublicKey({ ModulusHex: "C3", ExponentHex: exponent })._unsafeUnwrap(),
      ).toStrictEqual({ modulusHex: "C3", exponentHex: "0" });
    }
  });

  it("reads a whole-number exponent's decimal spelling as its hex digits", () => {
    fc.assert(
      fc.property(fc.nat({ max: Number.MAX_SAFE_INTEGER }), (n) => {
        expect(
          parsePublicKey({ ModulusHex: "C3", ExponentHex: n })._unsafeUnwrap().exponentHex,
        ).toBe(String(n));
      }),
    );
    expect(
      parsePublicKey({ ModulusHex: "C3", ExponentHex: Number.MAX_SAFE_INTEGER })._unsafeUnwrap()
        .exponentHex,
    ).toBe("9007199254740991");
  });

  it("says what the modulus and the exponent must be", () => {
    expect(issuesOf({ ModulusHex: "XYZ", ExponentHex: "XYZ" })).toEqual([
      { path: "ModulusHex", message: MODULUS_MESSAGE },
      { path: "ExponentHex", message: EXPONENT_MESSAGE },
    ]);
    expect(issuesOf({ ModulusHex: 5, ExponentHex: null })).toEqual([
      { path: "ModulusHex", message: MODULUS_MESSAGE },
      { path: "ExponentHex", message: EXPONENT_MESSAGE },
    ]);
    expect(issuesOf({ ModulusHex: "C3", ExponentHex: Number.MAX_SAFE_INTEGER + 1 })).toEqual([
      { path: "ExponentHex", message: EXPONENT_MESSAGE },
    ]);
    expect(issuesOf({ ModulusHex: "C3", ExponentHex: -1 })).toEqual([
      { path: "ExponentHex", message: EXPONENT_MESSAGE },
    ]);
    for (const body of ["CA75", null, 10001]) {
      expect(issuesOf(body)).toEqual([
        { path: "", message: "PublicKey must be an object with ModulusHex and ExponentHex" },
      ]);
    }
  });

  it("refuses non-hex characters anywhere in the hex, even between valid digits", () => {
    for (const hex of ["G1", "1G", "1G1", "1\u000b1", "1-1", "+1", "1_0", "١"]) {
      expect(issuesOf({ ModulusHex: hex, ExponentHex: hex })).toEqual([
        { path: "ModulusHex", message: MODULUS_MESSAGE },
        { path: "ExponentHex", message: EXPONENT_MESSAGE },
      ]);
    }
  });

  it("ignores each kind of ASCII whitespace: space, tab, line feed, form feed, carriage return", () => {
    for (const space of [" ", "\t", "\n", "\f", "\r", " \t\n\f\r"]) {
      expect(
        parsePublicKey({
          ModulusHex: `${space}ca${space}75${space}`,
          ExponentHex: `${space}1${space}0001${space}`,
        })._unsafeUnwrap(),
      ).toStrictEqual({ modulusHex: "CA75", exponentHex: "10001" });
    }
  });

  it("holds a modulus of LIMITS.publicKeyHex digits and refuses one more, naming the limit", () => {
    const longest = "F".repeat(LIMITS.publicKeyHex);
    expect(parsePublicKey({ ModulusHex: longest, ExponentHex: 3 })._unsafeUnwrap().modulusHex).toBe(
      longest,
    );
    expect(issuesOf({ ModulusHex: `${longest}F`, ExponentHex: 3 })).toEqual([
      {
        path: "ModulusHex",
        message: `ModulusHex must be at most ${LIMITS.publicKeyHex} hex digits`,
      },
    ]);
  });

  it("counts the modulus's digits, not its whitespace, up to LIMITS.encryptedPassword characters as sent", () => {
    const spaced = `${"F ".repeat(LIMITS.publicKeyHex)}`;
    expect(spaced).toHaveLength(LIMITS.encryptedPassword);
    expect(parsePublicKey({ ModulusHex: spaced, ExponentHex: 3 })._unsafeUnwrap().modulusHex).toBe(
      "F".repeat(LIMITS.publicKeyHex),
    );
    expect(issuesOf({ ModulusHex: `${spaced} `, ExponentHex: 3 })).toEqual([
      {
        path: "ModulusHex",
        message: `ModulusHex must be at most ${LIMITS.encryptedPassword} characters as sent, whitespace included`,
      },
    ]);
  });

  it("holds an exponent of LIMITS.publicKeyHex digits and refuses one more", () => {
    const longest = "1".repeat(LIMITS.publicKeyHex);
    expect(
      parsePublicKey({ ModulusHex: "C3", ExponentHex: longest })._unsafeUnwrap().exponentHex,
    ).toBe(longest);
    expect(issuesOf({ ModulusHex: "C3", ExponentHex: `${longest}1` })).toEqual([
      {
        path: "ExponentHex",
        message: `ExponentHex must be at most ${LIMITS.publicKeyHex} hex digits`,
      },
    ]);
  });

  it("reads an exponent of up to LIMITS.encryptedPassword characters as sent, whitespace included", () => {
    const spaced = `1${" ".repeat(LIMITS.encryptedPassword - 1)}`;
    expect(
      parsePublicKey({ ModulusHex: "C3", ExponentHex: spaced })._unsafeUnwrap().exponentHex,
    ).toBe("1");
    expect(issuesOf({ ModulusHex: "C3", ExponentHex: `${spaced} ` })).toEqual([
      {
        path: "ExponentHex",
        message: `ExponentHex must be at most ${LIMITS.encryptedPassword} characters as sent, whitespace included`,
      },
    ]);
  });
});

describe("toPublicKeyWire, edges", () => {
  it("normalises the hex it is given: whitespace removed, upper-cased", () => {
    expect(toPublicKeyWire({ modulusHex: " ca 75\n", exponentHex: "1 0001" })).toStrictEqual({
      ModulusHex: "CA75",
      ExponentHex: 10001,
    });
    expect(toPublicKeyWire({ modulusHex: "ca75", exponentHex: "1000f" })).toStrictEqual({
      ModulusHex: "CA75",
      ExponentHex: "1000F",
    });
  });

  it("leaves text that is not hex as it is", () => {
    expect(toPublicKeyWire({ modulusHex: "not hex", exponentHex: "zz 1" })).toStrictEqual({
      ModulusHex: "not hex",
      ExponentHex: "zz 1",
    });
  });

  it.each([
    ["1", 1],
    ["3", 3],
    ["9", 9],
    ["10", 10],
    ["10001", 10001],
    ["123456789012345", 123456789012345],
    ["999999999999999", 999999999999999],
  ])("writes the exponent %s as the JSON number %d", (hex, number) => {
    expect(toPublicKeyWire({ modulusHex: "C3", exponentHex: hex }).ExponentHex).toBe(number);
  });

  it.each([
    ["0"],
    ["00"],
    ["01"],
    ["A1"],
    ["1A"],
    ["1F1"],
    ["1000000000000000"],
    ["9999999999999999"],
  ])("writes the exponent %s as a string", (hex) => {
    expect(toPublicKeyWire({ modulusHex: "C3", exponentHex: hex }).ExponentHex).toBe(hex);
  });

  it("writes an exponent 0 that is read back as 0", () => {
    const wire = JSON.parse(
      JSON.stringify(toPublicKeyWire({ modulusHex: "C3", exponentHex: "0" })),
    );
    expect(parsePublicKey(wire)._unsafeUnwrap()).toStrictEqual({
      modulusHex: "C3",
      exponentHex: "0",
    });
  });
});
