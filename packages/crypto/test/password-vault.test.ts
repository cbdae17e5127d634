import { readFileSync } from "node:fs";
import type { PasswordBinding, SealedPassword } from "@restorekit/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type CryptoError,
  createKeyring,
  createPasswordVault,
  encryptPassword,
  RSA_PADDINGS,
  sealedKeyId,
} from "../src/index.js";
import { keyringOf, randomKey } from "./support/keyrings.js";
import { rsaPair } from "./support/keys.js";
import { passphraseUpTo } from "./support/passphrases.js";

/** Long property runs get their own timeout, so a loaded 2-core machine cannot fail them. */
const PROPERTY_TIMEOUT_MS = 60_000;

const pair = rsaPair(2048);
const publicKey = pair.agentPublicKey;
const binding = { tenantId: "123456", restoreId: 13689 };
const { keyring } = keyringOf("k1");
const vault = createPasswordVault({ keyring });

const sealWith = (encryptedPassword: string, key = publicKey) =>
  vault.seal({ ...binding, encryptedPassword, publicKey: key });

const hexOf = (value: bigint) => value.toString(16).toUpperCase().padStart(512, "0");

describe("seal validates the EncryptedPassword (core's rule)", () => {
  it("accepts every genuine ciphertext, in any case and with whitespace, and opens it as upper-case hex", {
    timeout: PROPERTY_TIMEOUT_MS,
  }, async () => {
    await fc.assert(
      fc.asyncProperty(
        passphraseUpTo(190),
        fc.constantFrom(...RSA_PADDINGS),
        fc.boolean(),
        fc.nat(),
        async (passphrase, padding, lower, at) => {
          const hex = encryptPassword(passphrase, publicKey, { padding })._unsafeUnwrap();
          const cut = at % hex.length;
          const sent = `${hex.slice(0, cut)} \n${hex.slice(cut)}`;
          const sealed = (await sealWith(lower ? sent.toLowerCase() : sent))._unsafeUnwrap();
          expect((await vault.open(sealed, binding))._unsafeUnwrap()).toBe(hex);
        },
      ),
      { numRuns: 60 },
    );
  });

  it("accepts any value below the modulus: the padding is the agent's business", {
    timeout: PROPERTY_TIMEOUT_MS,
  }, async () => {
    await fc.assert(
      fc.asyncProperty(fc.bigInt({ min: 0n, max: pair.modulus - 1n }), async (value) => {
        expect((await sealWith(hexOf(value))).isOk()).toBe(true);
      }),
    );
  });

  it("rejects a wrong length", { timeout: PROPERTY_TIMEOUT_MS }, async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 600 }).filter((bytes) => bytes !== 256),
        async (bytes) => {
          const error = (await sealWith("0A".repeat(bytes)))._unsafeUnwrapErr();
          expect(error).toMatchObject({
            code: "password_invalid",
            rule: "wrong_length",
            restoreId: 13689,
          });
        },
      ),
    );
  });

  it("rejects what is not hex", { timeout: PROPERTY_TIMEOUT_MS }, async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.string({ minLength: 1 }).filter((text) => /[^0-9a-fA-F\t\n\f\r ]/.test(text)),
        async (text) => {
          const error = (await sealWith(text))._unsafeUnwrapErr();
          expect(error).toMatchObject({ code: "password_invalid", rule: "not_hex" });
        },
      ),
    );
  });

  it("rejects a value at or above the modulus", { timeout: PROPERTY_TIMEOUT_MS }, async () => {
    await fc.assert(
      fc.asyncProperty(fc.bigInt({ min: pair.modulus, max: (1n << 2048n) - 1n }), async (value) => {
        const error = (await sealWith(hexOf(value)))._unsafeUnwrapErr();
        expect(error).toMatchObject({ code: "password_invalid", rule: "not_below_modulus" });
      }),
    );
  });

  it("rejects the seed's 'myencryptedpassword' as not hex, without echoing it", async () => {
    const seed = readFileSync(
      new URL("../../core/test/fixtures/v1-action-requested-start-encrypted.txt", import.meta.url),
      "utf8",
    );
    const quoted = /"EncryptedPassword"\s*:\s*('[^']*')/.exec(seed)?.[1] ?? "";
    expect(quoted).toBe("'myencryptedpassword'");
    for (const value of [quoted, quoted.slice(1, -1)]) {
      const error = (await sealWith(value))._unsafeUnwrapErr();
      expect(error).toMatchObject({ code: "password_invalid", rule: "not_hex" });
      expect(error.message).toContain("13689");
      expect(error.message).not.toContain("myencryptedpassword");
    }
  });

  it("rejects every EncryptedPassword when the agent has no public key", async () => {
    const hex = encryptPassword("x", publicKey)._unsafeUnwrap();
    const error = (
      await vault.seal({ ...binding, encryptedPassword: hex, publicKey: null })
    )._unsafeUnwrapErr();
    expect(error).toMatchObject({ code: "password_invalid", rule: "no_public_key" });
  });
});

describe("open releases the ciphertext for its own binding only", () => {
  const hex = encryptPassword("only for 13689", publicKey)._unsafeUnwrap();

  it("refuses another restore or tenant with sealed_password_unreadable, and tells onError why", async () => {
    const seen: [CryptoError, PasswordBinding][] = [];
    const watched = createPasswordVault({
      keyring,
      onError: (error, where) => seen.push([error, where]),
    });
    const sealed = (
      await watched.seal({ ...binding, encryptedPassword: hex, publicKey })
    )._unsafeUnwrap();
    for (const other of [
      { tenantId: "123456", restoreId: 13690 },
      { tenantId: "654321", restoreId: 13689 },
    ]) {
      expect((await watched.open(sealed, other))._unsafeUnwrapErr()).toEqual({
        code: "sealed_password_unreadable",
        message: `The sealed password of restore ${other.restoreId} could not be opened.`,
        restoreId: other.restoreId,
      });
    }
    expect(seen.map(([error]) => error.code)).toEqual([
      "sealed_value_invalid",
      "sealed_value_invalid",
    ]);
    expect(seen[1]?.[1]).toEqual({ tenantId: "654321", restoreId: 13689 });
    expect((await watched.open(sealed, binding))._unsafeUnwrap()).toBe(hex);
  });

  it("refuses an altered sealed value", { timeout: PROPERTY_TIMEOUT_MS }, async () => {
    const sealed = (await sealWith(hex))._unsafeUnwrap();
    await fc.assert(
      fc.asyncProperty(fc.nat(), fc.integer({ min: 1, max: 255 }), async (at, mask) => {
        const altered = new Uint8Array(sealed);
        const i = at % altered.length;
        altered[i] = (altered[i] ?? 0) ^ mask;
        const result = await vault.open(altered as SealedPassword, binding);
        expect(result._unsafeUnwrapErr().code).toBe("sealed_password_unreadable");
      }),
    );
  });

  it("opens after rotation, seals with the new key, and reports a dropped key to onError", async () => {
    const k1 = randomKey();
    const old = createPasswordVault({
      keyring: createKeyring({ keys: [{ id: "k1", key: k1 }] })._unsafeUnwrap(),
    });
    const sealed = (
      await old.seal({ ...binding, encryptedPassword: hex, publicKey })
    )._unsafeUnwrap();
    const rotated = createKeyring({
      keys: [
        { id: "k2", key: randomKey() },
        { id: "k1", key: k1 },
      ],
    })._unsafeUnwrap();
    const vault2 = createPasswordVault({ keyring: rotated });
    expect((await vault2.open(sealed, binding))._unsafeUnwrap()).toBe(hex);
    const resealed = (
      await vault2.seal({ ...binding, encryptedPassword: hex, publicKey })
    )._unsafeUnwrap();
    expect(sealedKeyId(resealed)._unsafeUnwrap()).toBe("k2");

    const codes: string[] = [];
    const dropped = createPasswordVault({
      keyring: createKeyring({ keys: [{ id: "k2", key: randomKey() }] })._unsafeUnwrap(),
      onError: (error) => codes.push(error.code),
    });
    expect((await dropped.open(sealed, binding))._unsafeUnwrapErr().code).toBe(
      "sealed_password_unreadable",
    );
    expect(codes).toEqual(["unknown_key_id"]);
  });

  it("stores the ciphertext's bytes, not its hex, and never in the clear", async () => {
    const sealed = (await sealWith(hex))._unsafeUnwrap();
    expect(sealed.length).toBe(1 + 1 + 2 + 12 + 256 + 16);
    const sealedText = Buffer.from(sealed).toString("latin1");
    const raw = Buffer.from(hex, "hex");
    expect(Buffer.from(sealed).includes(raw.subarray(0, 16))).toBe(false);
    expect(sealedText).not.toContain(hex.slice(0, 16));
  });
});
