import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type AgentPublicKey, validateEncryptedPassword } from "../src/index.js";

// A 2048-bit odd modulus with the top bit set; validation needs no real key.
const arbModulus = fc.bigInt({ min: 1n << 2047n, max: (1n << 2048n) - 1n }).map((n) => n | 1n);

function keyOf(modulus: bigint): AgentPublicKey {
  return { modulusHex: modulus.toString(16).toUpperCase(), exponentHex: "10001" };
}

function hex(value: bigint, bytes: number): string {
  return value.toString(16).padStart(bytes * 2, "0");
}

describe("validateEncryptedPassword", () => {
  it("accepts every value below the modulus written with the modulus length, whitespace anywhere", () => {
    fc.assert(
      fc.property(
        arbModulus,
        fc.bigInt({ min: 0n, max: (1n << 2048n) - 1n }),
        fc.array(fc.constantFrom(" ", "\n", "\t", "\r"), { maxLength: 8 }),
        fc.nat(),
        (modulus, candidate, spaces, at) => {
          const value = candidate % modulus;
          const digits = hex(value, 256);
          const cut = at % digits.length;
          const spaced = digits.slice(0, cut) + spaces.join("") + digits.slice(cut);
          expect(validateEncryptedPassword(spaced, keyOf(modulus))._unsafeUnwrap()).toBe(
            digits.toUpperCase(),
          );
        },
      ),
    );
  });

  it("rejects a value at or above the modulus", () => {
    fc.assert(
      fc.property(arbModulus, fc.bigInt({ min: 0n, max: 1n << 64n }), (modulus, extra) => {
        const value = modulus + extra;
        fc.pre(value < 1n << 2048n);
        expect(validateEncryptedPassword(hex(value, 256), keyOf(modulus))._unsafeUnwrapErr()).toBe(
          "not_below_modulus",
        );
      }),
    );
  });

  it("rejects any other length", () => {
    fc.assert(
      fc.property(
        arbModulus,
        fc.integer({ min: 1, max: 600 }).filter((n) => n !== 256),
        (modulus, bytes) => {
          expect(
            validateEncryptedPassword("ab".repeat(bytes), keyOf(modulus))._unsafeUnwrapErr(),
          ).toBe("wrong_length");
        },
      ),
    );
  });

  it("rejects anything that is not hex, such as the seed's example", () => {
    const key = keyOf((1n << 2047n) | 1n);
    expect(validateEncryptedPassword("myencryptedpassword", key)._unsafeUnwrapErr()).toBe(
      "not_hex",
    );
    expect(validateEncryptedPassword("", key)._unsafeUnwrapErr()).toBe("not_hex");
    expect(validateEncryptedPassword("abc", key)._unsafeUnwrapErr()).toBe("not_hex");
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), (text) => {
        fc.pre(/[^0-9a-fA-F\t\n\f\r ]/.test(text));
        expect(validateEncryptedPassword(text, key)._unsafeUnwrapErr()).toBe("not_hex");
      }),
    );
  });

  it("has nothing to check against without a usable key", () => {
    expect(validateEncryptedPassword("00", null)._unsafeUnwrapErr()).toBe("no_public_key");
    expect(
      validateEncryptedPassword("00", { modulusHex: "", exponentHex: "10001" })._unsafeUnwrapErr(),
    ).toBe("no_public_key");
  });

  it("has no usable key when the modulus is hex only in part, and never throws for it", () => {
    for (const modulusHex of ["ZZ12", "12ZZ", "12 34", "0x1234", "12\n", "-1234"]) {
      expect(
        validateEncryptedPassword("00", { modulusHex, exponentHex: "10001" })._unsafeUnwrapErr(),
      ).toBe("no_public_key");
    }
  });

  it("says not_hex for a ciphertext that is not even a string", () => {
    const key = keyOf((1n << 2047n) | 1n);
    for (const value of [null, undefined, 42, ["00"]]) {
      expect(validateEncryptedPassword(value as never, key)._unsafeUnwrapErr()).toBe("not_hex");
    }
  });
});
