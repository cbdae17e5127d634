import type { PasswordRule } from "@restorekit/core";
import type { RsaPadding } from "./rsa-padding.js";

/** Which side of the key a problem was found on. */
export type KeyRole = "public" | "private";

/** Why a sealed value does not open, short of an unknown key id. */
export type SealedValueProblem = "malformed" | "unsupported_version" | "authentication_failed";

interface Base<Code extends string> {
  readonly code: Code;
  /** Safe to log or show: names sizes and rules, never key material, a passphrase or a ciphertext. */
  readonly message: string;
}

/**
 * Every failure of the password handler, as data. `code` is stable and is
 * what callers match on; no field ever holds a secret, a key or a ciphertext.
 */
export type CryptoError =
  | (Base<"malformed_key"> & { readonly role: KeyRole })
  | (Base<"key_too_small"> & { readonly modulusBits: number; readonly minimumBits: number })
  | (Base<"key_too_large"> & { readonly modulusBits: number; readonly maximumBits: number })
  | Base<"exponent_invalid">
  | Base<"padding_unknown">
  | (Base<"padding_refused"> & { readonly padding: RsaPadding })
  | Base<"passphrase_invalid">
  | (Base<"passphrase_too_long"> & { readonly maximumBytes: number; readonly padding: RsaPadding })
  | (Base<"ciphertext_invalid"> & { readonly rule: PasswordRule })
  | Base<"decrypt_failed">
  | (Base<"unknown_key_id"> & { readonly keyId: string })
  | (Base<"sealed_value_invalid"> & { readonly problem: SealedValueProblem })
  | Base<"binding_invalid">
  | (Base<"invalid_sealing_key"> & { readonly keyId: string | null })
  | Base<"crypto_failed">;

export type CryptoErrorCode = CryptoError["code"];
export type CryptoErrorOf<C extends CryptoErrorCode> = Extract<CryptoError, { code: C }>;

const PADDING_NAME: Record<RsaPadding, string> = {
  "oaep-sha1": "RSA-OAEP with SHA-1",
  "oaep-sha256": "RSA-OAEP with SHA-256",
  "pkcs1-v1_5": "RSA PKCS#1 v1.5",
};

const CIPHERTEXT_RULE: Record<PasswordRule, string> = {
  not_hex: "it must be hex digits (whitespace is ignored)",
  wrong_length: "its length must equal the length of the key modulus",
  not_below_modulus: "as a number it must be below the key modulus",
  no_public_key: "the key has no usable modulus",
};

/**
 * Constructors, so that every message is written once and never quotes its input.
 *
 * @example
 * ```ts
 * CryptoErrors.keyTooSmall(1024, 2048).message;
 * // "The RSA key has a 1024-bit modulus; at least 2048 bits are required."
 * ```
 */
export const CryptoErrors = {
  malformedKey(role: KeyRole, why: string): CryptoErrorOf<"malformed_key"> {
    return { code: "malformed_key", message: `The RSA ${role} key is malformed: ${why}.`, role };
  },
  keyTooSmall(modulusBits: number, minimumBits: number): CryptoErrorOf<"key_too_small"> {
    return {
      code: "key_too_small",
      message: `The RSA key has a ${modulusBits}-bit modulus; at least ${minimumBits} bits are required.`,
      modulusBits,
      minimumBits,
    };
  },
  keyTooLarge(modulusBits: number, maximumBits: number): CryptoErrorOf<"key_too_large"> {
    return {
      code: "key_too_large",
      message: `The RSA key has a ${modulusBits}-bit modulus; at most ${maximumBits} bits are supported.`,
      modulusBits,
      maximumBits,
    };
  },
  exponentInvalid(why: string): CryptoErrorOf<"exponent_invalid"> {
    return { code: "exponent_invalid", message: `The RSA public exponent is invalid: ${why}.` };
  },
  paddingUnknown(): CryptoErrorOf<"padding_unknown"> {
    return {
      code: "padding_unknown",
      message: 'The padding must be "oaep-sha1", "oaep-sha256" or "pkcs1-v1_5".',
    };
  },
  paddingRefused(padding: RsaPadding): CryptoErrorOf<"padding_refused"> {
    return {
      code: "padding_refused",
      message: `${PADDING_NAME[padding]} decryption is refused: it is open to padding-oracle attacks (the Marvin attack, CVE-2023-46809), and Node refuses it too. Encrypt with RSA-OAEP ("oaep-sha1" or "oaep-sha256") instead.`,
      padding,
    };
  },
  passphraseInvalid(): CryptoErrorOf<"passphrase_invalid"> {
    return {
      code: "passphrase_invalid",
      message:
        "The passphrase is not well-formed Unicode (it holds a lone UTF-16 surrogate), so it has no UTF-8 form the agent would read back.",
    };
  },
  passphraseTooLong(
    maximumBytes: number,
    padding: RsaPadding,
    modulusBits: number,
  ): CryptoErrorOf<"passphrase_too_long"> {
    return {
      code: "passphrase_too_long",
      message: `The passphrase is too long: ${PADDING_NAME[padding]} on a ${modulusBits}-bit key encrypts at most ${maximumBytes} bytes of UTF-8.`,
      maximumBytes,
      padding,
    };
  },
  ciphertextInvalid(rule: PasswordRule): CryptoErrorOf<"ciphertext_invalid"> {
    return {
      code: "ciphertext_invalid",
      message: `The encrypted password is invalid: ${CIPHERTEXT_RULE[rule]}.`,
      rule,
    };
  },
  decryptFailed(why: string): CryptoErrorOf<"decrypt_failed"> {
    return { code: "decrypt_failed", message: `The encrypted password does not decrypt: ${why}.` };
  },
  unknownKeyId(keyId: string): CryptoErrorOf<"unknown_key_id"> {
    return {
      code: "unknown_key_id",
      message: `The value was sealed with key "${keyId}", which the keyring does not hold; add it back to the configuration to read the value.`,
      keyId,
    };
  },
  sealedValueInvalid(problem: SealedValueProblem): CryptoErrorOf<"sealed_value_invalid"> {
    const why: Record<SealedValueProblem, string> = {
      malformed: "it is not a sealed envelope (too short or badly formed)",
      unsupported_version: "its envelope version is not one this library reads",
      authentication_failed:
        "it was altered, or it was sealed for another tenant or restore, or with other key bytes under the same id",
    };
    return {
      code: "sealed_value_invalid",
      message: `The sealed value does not open: ${why[problem]}.`,
      problem,
    };
  },
  bindingInvalid(): CryptoErrorOf<"binding_invalid"> {
    return {
      code: "binding_invalid",
      message:
        "A sealed value is bound to a tenant id (a string) and a restore id (a non-negative integer).",
    };
  },
  invalidSealingKey(keyId: string | null, why: string): CryptoErrorOf<"invalid_sealing_key"> {
    const which = keyId === null ? "The sealing key configuration" : `Sealing key "${keyId}"`;
    return { code: "invalid_sealing_key", message: `${which} is invalid: ${why}.`, keyId };
  },
  cryptoFailed(): CryptoErrorOf<"crypto_failed"> {
    return { code: "crypto_failed", message: "The cryptographic operation failed unexpectedly." };
  },
} as const;
