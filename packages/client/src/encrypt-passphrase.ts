import type { PublicKeyWire } from "@restorekit/core";
import { errAsync, ResultAsync } from "neverthrow";
import type { EncryptionError } from "./errors.js";

/**
 * The RSA-OAEP hash: SHA-1 is what the agent helper `decryptPassword` of
 * `@restorekit/crypto` expects by default, SHA-256 for agents set up for it.
 */
export type OaepPadding = "oaep-sha1" | "oaep-sha256";

const HASH = { "oaep-sha1": "SHA-1", "oaep-sha256": "SHA-256" } as const;
const HASH_BYTES = { "oaep-sha1": 20, "oaep-sha256": 32 } as const;
const JWK_ALG = { "oaep-sha1": "RSA-OAEP", "oaep-sha256": "RSA-OAEP-256" } as const;

// In a `u` regex a surrogate pair is one code point, so this matches lone surrogates only.
const LONE_SURROGATE = /\p{Cs}/u;

function failure(reason: EncryptionError["reason"], message: string): EncryptionError {
  return { kind: "client", code: "encryption_failed", reason, message };
}

/** Hex digits to bytes, without the leading zero bytes a JWK must not have. */
function unsignedBytes(hex: string): Uint8Array {
  const digits = hex.replace(/[\t\n\f\r ]/g, "");
  const even = digits.length % 2 === 0 ? digits : `0${digits}`;
  const bytes = new Uint8Array(even.length / 2);
  for (let i = 0; i < bytes.length; i += 1) {
    bytes[i] = Number.parseInt(even.slice(i * 2, i * 2 + 2), 16);
  }
  let start = 0;
  while (start < bytes.length - 1 && bytes[start] === 0) start += 1;
  return bytes.subarray(start);
}

function base64Url(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

function hexOf(buffer: ArrayBuffer, length: number): string {
  let hex = "";
  for (const byte of new Uint8Array(buffer)) hex += byte.toString(16).padStart(2, "0");
  return hex.toUpperCase().padStart(length * 2, "0");
}

/**
 * Encrypts a vault passphrase for a restore's destination agent with
 * WebCrypto (`crypto.subtle`: Node 20, browsers, Bun, Deno, Workers): its
 * UTF-8 bytes, RSA-OAEP with the agent's `PublicKey` from the restore
 * details, as upper-case hex as long as the modulus, ready for
 * `EncryptedPassword`. SHA-1 by default, the padding `decryptPassword`
 * expects; a passphrase longer than it allows (214 bytes on a 2048-bit key)
 * is refused.
 *
 * @example
 * ```ts
 * const hex = await encryptPassphrase("vault passphrase", details.PublicKey);
 * if (hex.isOk()) body.EncryptedPassword = hex.value;
 * ```
 */
export function encryptPassphrase(
  passphrase: string,
  publicKey: PublicKeyWire,
  padding: OaepPadding = "oaep-sha1",
): ResultAsync<string, EncryptionError> {
  if (typeof passphrase !== "string" || LONE_SURROGATE.test(passphrase)) {
    return errAsync(
      failure("passphrase_invalid", "The passphrase must be text (no lone surrogates)."),
    );
  }
  const hexDigits = /^[0-9A-Fa-f\s]+$/;
  const exponent = String(publicKey.ExponentHex);
  if (!hexDigits.test(publicKey.ModulusHex) || !hexDigits.test(exponent)) {
    return errAsync(failure("key_unusable", "The agent's public key is not hex."));
  }
  const modulus = unsignedBytes(publicKey.ModulusHex);
  const plaintext = new TextEncoder().encode(passphrase);
  const maximum = modulus.length - 2 * HASH_BYTES[padding] - 2;
  if (plaintext.length > maximum) {
    plaintext.fill(0);
    return errAsync(
      failure(
        "passphrase_too_long",
        `The passphrase is ${plaintext.length} bytes in UTF-8; RSA-OAEP (${HASH[padding]}) fits at most ${Math.max(0, maximum)} in this ${modulus.length * 8}-bit key.`,
      ),
    );
  }
  const jwk = {
    kty: "RSA",
    n: base64Url(modulus),
    e: base64Url(unsignedBytes(exponent)),
    alg: JWK_ALG[padding],
    ext: true,
  };
  const algorithm = { name: "RSA-OAEP", hash: HASH[padding] };
  return ResultAsync.fromThrowable(
    async () => {
      try {
        const key = await crypto.subtle.importKey("jwk", jwk, algorithm, false, ["encrypt"]);
        const ciphertext = await crypto.subtle.encrypt({ name: "RSA-OAEP" }, key, plaintext);
        return hexOf(ciphertext, modulus.length);
      } finally {
        plaintext.fill(0);
      }
    },
    () => failure("key_unusable", "WebCrypto refused the agent's public key or the encryption."),
  )();
}
