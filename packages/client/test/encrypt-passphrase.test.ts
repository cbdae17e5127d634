import { toPublicKeyWire } from "@restorekit/core";
import { decryptPassword } from "@restorekit/crypto";
import { testAgentKeys } from "@restorekit/testing";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { encryptPassphrase } from "../src/index.js";

// WebCrypto's RSA-OAEP against the agent helper of @restorekit/crypto (node:crypto): what the
// client encrypts, the agent decrypts, with the same default padding.

const { publicKey, privateKey } = testAgentKeys();
const wire = toPublicKeyWire(publicKey);

describe("encryptPassphrase", () => {
  it("gives hex the agent's decryptPassword opens back to the passphrase, for any passphrase that fits", {
    timeout: 120_000,
  }, async () => {
    await fc.assert(
      fc.asyncProperty(
        fc
          .string({ unit: "grapheme", maxLength: 40 })
          .filter((s) => new TextEncoder().encode(s).length <= 214),
        async (passphrase) => {
          const hex = (await encryptPassphrase(passphrase, wire))._unsafeUnwrap();
          expect(hex).toMatch(/^[0-9A-F]{512}$/);
          expect(decryptPassword(hex, privateKey)._unsafeUnwrap().reveal()).toBe(passphrase);
        },
      ),
      { numRuns: 40 },
    );
  });

  it("uses SHA-256 when asked, which the agent opens only when told so", async () => {
    const hex = (await encryptPassphrase("secret", wire, "oaep-sha256"))._unsafeUnwrap();
    expect(
      decryptPassword(hex, privateKey, { padding: "oaep-sha256" })._unsafeUnwrap().reveal(),
    ).toBe("secret");
    expect(decryptPassword(hex, privateKey).isErr()).toBe(true);
  });

  it("refuses a passphrase longer than the padding fits, a lone surrogate and a key that is not hex", async () => {
    expect((await encryptPassphrase("x".repeat(214), wire)).isOk()).toBe(true);
    const long = (await encryptPassphrase("x".repeat(215), wire))._unsafeUnwrapErr();
    expect(long).toMatchObject({ code: "encryption_failed", reason: "passphrase_too_long" });
    expect(long.message).toContain("at most 214");
    expect((await encryptPassphrase("\uD800", wire))._unsafeUnwrapErr().reason).toBe(
      "passphrase_invalid",
    );
    expect(
      (await encryptPassphrase("x", { ModulusHex: "zz", ExponentHex: 10001 }))._unsafeUnwrapErr()
        .reason,
    ).toBe("key_unusable");
  });
});
