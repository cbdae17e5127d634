import { publicEncrypt } from "node:crypto";
import type { AgentPublicKey } from "@restorekit/core";
import { err, ok, Result } from "neverthrow";
import { type AgentKey, parseAgentPublicKey } from "./agent-key.js";
import { type CryptoError, CryptoErrors } from "./errors.js";
import { isRsaPadding, maxPassphraseBytes, nodePadding, type RsaPadding } from "./rsa-padding.js";

export interface EncryptPasswordOptions {
  /** Default `"oaep-sha1"`. `"pkcs1-v1_5"` only for agents that expect the original recipe. */
  readonly padding?: RsaPadding;
}

// In a `u` regex a surrogate pair is one code point, so this matches lone surrogates only.
const LONE_SURROGATE = /\p{Cs}/u;

const safePublicEncrypt = Result.fromThrowable(publicEncrypt, () => CryptoErrors.cryptoFailed());

/**
 * Encrypts a vault passphrase for the restore's destination agent, as a
 * client does before StartManual: the passphrase's UTF-8 bytes,
 * RSA-encrypted with the agent's public key (any form `parseAgentPublicKey`
 * reads), as upper-case hex exactly as long as the modulus, ready for
 * `EncryptedPassword`. A passphrase longer than the padding allows is
 * `passphrase_too_long`, which names the maximum in bytes (214 for OAEP
 * SHA-1, 190 for OAEP SHA-256, 245 for PKCS#1 v1.5 on a 2048-bit key).
 *
 * @example
 * ```ts
 * const hex = encryptPassword("vault passphrase", restoreDetails.PublicKey);
 * if (hex.isOk()) body.EncryptedPassword = hex.value;
 * ```
 */
export function encryptPassword(
  passphrase: string,
  publicKey: AgentKey | AgentPublicKey | string | object,
  options: EncryptPasswordOptions = {},
): Result<string, CryptoError> {
  const padding = options.padding ?? "oaep-sha1";
  if (!isRsaPadding(padding)) return err(CryptoErrors.paddingUnknown());
  if (typeof passphrase !== "string" || LONE_SURROGATE.test(passphrase)) {
    return err(CryptoErrors.passphraseInvalid());
  }
  const key = parseAgentPublicKey(publicKey);
  if (key.isErr()) return err(key.error);
  const { keyObject, modulusBits, modulusBytes } = key.value;
  const maximumBytes = maxPassphraseBytes(modulusBytes, padding);
  const plaintext = Buffer.from(passphrase, "utf8");
  try {
    if (plaintext.length > maximumBytes) {
      return err(CryptoErrors.passphraseTooLong(maximumBytes, padding, modulusBits));
    }
    return safePublicEncrypt({ key: keyObject, ...nodePadding(padding) }, plaintext).andThen(
      (ciphertext) => {
        const hex = ciphertext
          .toString("hex")
          .toUpperCase()
          .padStart(modulusBytes * 2, "0");
        ciphertext.fill(0);
        return ok(hex);
      },
    );
  } finally {
    plaintext.fill(0);
  }
}
