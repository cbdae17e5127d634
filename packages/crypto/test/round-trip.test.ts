import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type AgentPrivateKeyInput,
  decryptPassword,
  encryptPassword,
  maxPassphraseBytes,
  parseAgentPublicKey,
} from "../src/index.js";
import { rsaPair } from "./support/keys.js";
import { passphraseOver, passphraseUpTo, utf8Bytes } from "./support/passphrases.js";

/** Long property runs get their own timeout, so a loaded 2-core machine cannot fail them. */
const PROPERTY_TIMEOUT_MS = 60_000;

// 4096-bit private operations cost milliseconds each, so the large key runs fewer cases.
const SIZES = [
  { bits: 2048, numRuns: 200 },
  { bits: 3072, numRuns: 100 },
  { bits: 4096, numRuns: 50 },
] as const;
const OAEP = ["oaep-sha1", "oaep-sha256"] as const;

describe.each(SIZES)("RSA-$bits", ({ bits, numRuns }) => {
  const pair = rsaPair(bits);

  describe.each(OAEP)("%s", (padding) => {
    const maximum = maxPassphraseBytes(bits / 8, padding);

    it("encrypts any passphrase up to the maximum and decrypts it back", {
      timeout: PROPERTY_TIMEOUT_MS,
    }, () => {
      fc.assert(
        fc.property(passphraseUpTo(maximum), (passphrase) => {
          const hex = encryptPassword(passphrase, pair.agentPublicKey, { padding })._unsafeUnwrap();
          expect(hex).toMatch(/^[0-9A-F]+$/);
          expect(hex).toHaveLength((bits / 8) * 2);
          const back = decryptPassword(hex, pair.privateKey, { padding })._unsafeUnwrap();
          expect(back.reveal()).toBe(passphrase);
        }),
        { numRuns },
      );
    });

    it("takes exactly the maximum and refuses one byte more, naming the maximum", () => {
      const full = "x".repeat(maximum);
      const hex = encryptPassword(full, pair.publicKey, { padding })._unsafeUnwrap();
      expect(decryptPassword(hex, pair.privateKey, { padding })._unsafeUnwrap().reveal()).toBe(
        full,
      );
      const error = encryptPassword(`${full}x`, pair.publicKey, { padding })._unsafeUnwrapErr();
      expect(error).toMatchObject({ code: "passphrase_too_long", maximumBytes: maximum, padding });
      expect(error.message).toContain(`at most ${maximum} bytes`);
      expect(error.message).toContain(`${bits}-bit key`);
    });

    it("refuses every passphrase over the maximum", () => {
      fc.assert(
        fc.property(passphraseOver(maximum), (passphrase) => {
          expect(utf8Bytes(passphrase)).toBeGreaterThan(maximum);
          const error = encryptPassword(passphrase, pair.agentPublicKey, {
            padding,
          })._unsafeUnwrapErr();
          expect(error.code).toBe("passphrase_too_long");
        }),
        { numRuns: 20 },
      );
    });

    it("reports the OAEP maximum of RFC 8017: k - 2·hLen - 2", () => {
      const hashBytes = padding === "oaep-sha1" ? 20 : 32;
      expect(maximum).toBe(bits / 8 - 2 * hashBytes - 2);
      expect(parseAgentPublicKey(pair.agentPublicKey)._unsafeUnwrap().modulusBytes).toBe(bits / 8);
    });
  });
});

describe("encryptPassword and decryptPassword on RSA-2048", () => {
  const pair = rsaPair(2048);

  it("uses fresh randomness: the same passphrase never encrypts alike twice", () => {
    const first = encryptPassword("same", pair.agentPublicKey)._unsafeUnwrap();
    const second = encryptPassword("same", pair.agentPublicKey)._unsafeUnwrap();
    expect(first).not.toBe(second);
  });

  it("defaults to OAEP with SHA-1, so SHA-256 cannot decrypt it", () => {
    const hex = encryptPassword("default padding", pair.agentPublicKey)._unsafeUnwrap();
    expect(
      decryptPassword(hex, pair.privateKey, { padding: "oaep-sha1" })._unsafeUnwrap().reveal(),
    ).toBe("default padding");
    expect(
      decryptPassword(hex, pair.privateKey, { padding: "oaep-sha256" })._unsafeUnwrapErr().code,
    ).toBe("decrypt_failed");
  });

  it("fails to decrypt with another agent's key", () => {
    const other = rsaPair(3072);
    const hex = encryptPassword("for 2048", pair.agentPublicKey)._unsafeUnwrap();
    expect(decryptPassword(hex, other.privateKey)._unsafeUnwrapErr()).toMatchObject({
      code: "ciphertext_invalid",
      rule: "wrong_length",
    });
    const sameSize = rsaPair(2048, 0x10003);
    const error = decryptPassword(hex, sameSize.privateKey)._unsafeUnwrapErr();
    expect(["decrypt_failed", "ciphertext_invalid"]).toContain(error.code);
  });

  it("fails to decrypt an altered ciphertext", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 511 }), fc.integer({ min: 1, max: 15 }), (at, mask) => {
        const hex = encryptPassword("secret", pair.agentPublicKey)._unsafeUnwrap();
        const digit = (Number.parseInt(hex[at] ?? "0", 16) ^ mask).toString(16).toUpperCase();
        const altered = hex.slice(0, at) + digit + hex.slice(at + 1);
        const result = decryptPassword(altered, pair.privateKey);
        expect(result.isErr()).toBe(true);
        expect(["decrypt_failed", "ciphertext_invalid"]).toContain(result._unsafeUnwrapErr().code);
      }),
      { numRuns: 30 },
    );
  });

  it("reads the private key as a KeyObject, PKCS#8 and PKCS#1 PEM, and a JWK", () => {
    const hex = encryptPassword("any form", pair.agentPublicKey)._unsafeUnwrap();
    const forms: AgentPrivateKeyInput[] = [
      pair.privateKey,
      pair.privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
      pair.privateKey.export({ type: "pkcs1", format: "pem" }).toString(),
      pair.privateKey.export({ format: "jwk" }),
    ];
    for (const form of forms) {
      expect(decryptPassword(hex, form)._unsafeUnwrap().reveal()).toBe("any form");
    }
  });

  it("refuses a private key it cannot read, and a public key in its place", () => {
    const hex = encryptPassword("x", pair.agentPublicKey)._unsafeUnwrap();
    // JavaScript callers can pass anything; the last two are outside the type on purpose.
    const bad = [pair.publicKey, "not a pem", { kty: "RSA", d: "AA" }, 42, null];
    for (const key of bad) {
      expect(decryptPassword(hex, key as AgentPrivateKeyInput)._unsafeUnwrapErr()).toMatchObject({
        code: "malformed_key",
        role: "private",
      });
    }
  });

  it("refuses a passphrase with a lone surrogate: it has no UTF-8 form to read back", () => {
    for (const text of ["\uD800", "a\uDC00b", "\uDBFF"]) {
      expect(encryptPassword(text, pair.agentPublicKey)._unsafeUnwrapErr().code).toBe(
        "passphrase_invalid",
      );
    }
    expect(encryptPassword("\uD83D\uDE00", pair.agentPublicKey).isOk()).toBe(true);
  });

  it("refuses a padding it does not know", () => {
    const padding = "oaep-md5" as "oaep-sha1";
    expect(encryptPassword("x", pair.agentPublicKey, { padding })._unsafeUnwrapErr().code).toBe(
      "padding_unknown",
    );
    expect(decryptPassword("00", pair.privateKey, { padding })._unsafeUnwrapErr().code).toBe(
      "padding_unknown",
    );
  });
});
