import {
  constants,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  privateDecrypt,
  publicEncrypt,
} from "node:crypto";
import type { AgentPublicKey } from "@restorekit/core";

/** An RSA-2048 key pair standing in for a destination agent's keys. */
export interface TestAgentKeys {
  readonly publicKey: AgentPublicKey;
  readonly privateKey: KeyObject;
}

/** RSA-OAEP with SHA-1 or SHA-256, the default paddings of `@restorekit/crypto`. */
export type AgentPadding = "oaep-sha1" | "oaep-sha256";

let cached: TestAgentKeys | undefined;

/**
 * The test agent's RSA-2048 key pair, made once per process: generating one
 * takes long enough to slow every test that needs it.
 *
 * @example
 * ```ts
 * const { publicKey, privateKey } = testAgentKeys();
 * ```
 */
export function testAgentKeys(): TestAgentKeys {
  if (cached === undefined) {
    const pair = generateKeyPairSync("rsa", { modulusLength: 2048, publicExponent: 0x10001 });
    const jwk = pair.publicKey.export({ format: "jwk" });
    cached = {
      publicKey: {
        modulusHex: base64UrlToHex(jwk.n ?? ""),
        exponentHex: base64UrlToHex(jwk.e ?? ""),
      },
      privateKey: pair.privateKey,
    };
  }
  return cached;
}

/**
 * Encrypts a passphrase as a client does: with the agent's public
 * key, RSA-OAEP, as upper-case hex exactly as long as the modulus. Throws
 * when the passphrase is longer than OAEP allows for the key (214 UTF-8
 * bytes with SHA-1, 190 with SHA-256 on a 2048-bit key).
 *
 * @example
 * ```ts
 * const encryptedPassword = encryptForAgent("vault passphrase", restore.backup.publicKey);
 * ```
 */
export function encryptForAgent(
  passphrase: string,
  publicKey: AgentPublicKey,
  padding: AgentPadding = "oaep-sha1",
): string {
  const key = createPublicKey({
    key: {
      kty: "RSA",
      n: hexToBase64Url(publicKey.modulusHex),
      e: hexToBase64Url(publicKey.exponentHex),
    },
    format: "jwk",
  });
  const modulusBytes = Math.ceil(stripLeadingZeros(publicKey.modulusHex).length / 2);
  const ciphertext = publicEncrypt(
    { key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: oaepHash(padding) },
    Buffer.from(passphrase, "utf8"),
  );
  return ciphertext
    .toString("hex")
    .toUpperCase()
    .padStart(modulusBytes * 2, "0");
}

/**
 * Decrypts an `EncryptedPassword` as the agent does, with its private key.
 * ASCII whitespace in the hex is ignored. Throws when the ciphertext was not
 * made for this key and padding.
 *
 * @example
 * ```ts
 * const passphrase = decryptAsAgent(encryptedPassword, testAgentKeys().privateKey);
 * ```
 */
export function decryptAsAgent(
  hex: string,
  privateKey: KeyObject,
  padding: AgentPadding = "oaep-sha1",
): string {
  const bytes = Buffer.from(hex.replace(/[\t\n\f\r ]/g, ""), "hex");
  return privateDecrypt(
    { key: privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: oaepHash(padding) },
    bytes,
  ).toString("utf8");
}

function oaepHash(padding: AgentPadding): "sha1" | "sha256" {
  return padding === "oaep-sha256" ? "sha256" : "sha1";
}

function stripLeadingZeros(hex: string): string {
  return hex.replace(/^0+(?=.)/, "");
}

function base64UrlToHex(value: string): string {
  return stripLeadingZeros(Buffer.from(value, "base64url").toString("hex").toUpperCase());
}

function hexToBase64Url(hex: string): string {
  const digits = stripLeadingZeros(hex.replace(/[\t\n\f\r ]/g, ""));
  return Buffer.from(digits.length % 2 === 0 ? digits : `0${digits}`, "hex").toString("base64url");
}
