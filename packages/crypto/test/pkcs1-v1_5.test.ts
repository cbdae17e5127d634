import { constants, privateDecrypt } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decryptPassword, encryptPassword, maxPassphraseBytes } from "../src/index.js";
import { rsaPair } from "./support/keys.js";
import { passphraseUpTo } from "./support/passphrases.js";

/** Long property runs get their own timeout, so a loaded 2-core machine cannot fail them. */
const PROPERTY_TIMEOUT_MS = 60_000;

function bigintOf(base64url: string | undefined): bigint {
  return BigInt(`0x${Buffer.from(base64url ?? "", "base64url").toString("hex") || "0"}`);
}

function modPow(base: bigint, exponent: bigint, modulus: bigint): bigint {
  let result = 1n;
  let b = base % modulus;
  let e = exponent;
  while (e > 0n) {
    if (e & 1n) result = (result * b) % modulus;
    b = (b * b) % modulus;
    e >>= 1n;
  }
  return result;
}

/** The encoded message block, by textbook RSA: c^d mod n, no padding removed. */
function rawBlock(hex: string, jwk: { n?: string; d?: string }, bytes: number): Buffer {
  const block = modPow(BigInt(`0x${hex}`), bigintOf(jwk.d), bigintOf(jwk.n));
  return Buffer.from(block.toString(16).padStart(bytes * 2, "0"), "hex");
}

/** EME-PKCS1-v1_5 (RFC 8017, 7.2.1): 0x00 0x02, at least 8 non-zero bytes, 0x00, the message. */
function parseType2(block: Buffer): Buffer {
  expect(block[0]).toBe(0x00);
  expect(block[1]).toBe(0x02);
  const separator = block.indexOf(0x00, 2);
  expect(separator).toBeGreaterThanOrEqual(2 + 8);
  for (const byte of block.subarray(2, separator)) expect(byte).not.toBe(0);
  return block.subarray(separator + 1);
}

describe.each([2048, 3072])("PKCS#1 v1.5 on RSA-%i", (bits) => {
  const pair = rsaPair(bits);
  const jwk = pair.privateKey.export({ format: "jwk" });
  const maximum = maxPassphraseBytes(bits / 8, "pkcs1-v1_5");

  it("writes a type-2 block around the passphrase, for any passphrase up to k - 11 bytes", {
    timeout: PROPERTY_TIMEOUT_MS,
  }, () => {
    expect(maximum).toBe(bits / 8 - 11);
    fc.assert(
      fc.property(passphraseUpTo(maximum), (passphrase) => {
        const hex = encryptPassword(passphrase, pair.agentPublicKey, {
          padding: "pkcs1-v1_5",
        })._unsafeUnwrap();
        expect(hex).toHaveLength((bits / 8) * 2);
        const message = parseType2(rawBlock(hex, jwk, bits / 8));
        expect(message.toString("utf8")).toBe(passphrase);
      }),
      { numRuns: bits === 2048 ? 60 : 25 },
    );
  });

  it("refuses one byte over k - 11", () => {
    const error = encryptPassword("y".repeat(maximum + 1), pair.agentPublicKey, {
      padding: "pkcs1-v1_5",
    })._unsafeUnwrapErr();
    expect(error).toMatchObject({ code: "passphrase_too_long", maximumBytes: maximum });
  });
});

describe("PKCS#1 v1.5 decryption", () => {
  const pair = rsaPair(2048);
  const hex = encryptPassword("legacy agent", pair.agentPublicKey, {
    padding: "pkcs1-v1_5",
  })._unsafeUnwrap();

  it("agrees with OpenSSL's raw RSA (RSA_NO_PADDING) on the block", () => {
    const block = privateDecrypt(
      { key: pair.privateKey, padding: constants.RSA_NO_PADDING },
      Buffer.from(hex, "hex"),
    );
    expect(parseType2(block).toString("utf8")).toBe("legacy agent");
  });

  it("is refused with an error naming CVE-2023-46809 and pointing to OAEP", () => {
    const error = decryptPassword(hex, pair.privateKey, {
      padding: "pkcs1-v1_5",
    })._unsafeUnwrapErr();
    expect(error).toMatchObject({ code: "padding_refused", padding: "pkcs1-v1_5" });
    expect(error.message).toContain("CVE-2023-46809");
    expect(error.message).toContain("RSA-OAEP");
    expect(error.message).toContain('"oaep-sha1"');
  });

  it("is refused by Node 20 itself, which is why the helper refuses it", () => {
    expect(() =>
      privateDecrypt(
        { key: pair.privateKey, padding: constants.RSA_PKCS1_PADDING },
        Buffer.from(hex, "hex"),
      ),
    ).toThrow(/CVE-2023-46809/);
  });
});
