import { constants } from "node:crypto";

/** The paddings `encryptPassword` offers; `decryptPassword` takes only the OAEP ones. */
export type RsaPadding = "oaep-sha1" | "oaep-sha256" | "pkcs1-v1_5";

/** Every padding, the default first. */
export const RSA_PADDINGS: readonly RsaPadding[] = ["oaep-sha1", "oaep-sha256", "pkcs1-v1_5"];

/**
 * True for a padding this package knows; for options read from configuration.
 *
 * @example
 * ```ts
 * const padding = isRsaPadding(process.env.PADDING) ? process.env.PADDING : "oaep-sha1";
 * ```
 */
export function isRsaPadding(value: unknown): value is RsaPadding {
  return (RSA_PADDINGS as readonly unknown[]).includes(value);
}

const HASH_BYTES = { "oaep-sha1": 20, "oaep-sha256": 32 } as const;

/**
 * The longest message, in bytes, a padding fits in one RSA block of the
 * modulus size: k - 2·hLen - 2 for OAEP (RFC 8017, 7.1.1), k - 11 for
 * PKCS#1 v1.5 (RFC 8017, 7.2.1). On a 2048-bit key: 214 (OAEP SHA-1), 190
 * (OAEP SHA-256), 245 (PKCS#1 v1.5).
 *
 * @example
 * ```ts
 * maxPassphraseBytes(256, "oaep-sha256"); // 190
 * ```
 */
export function maxPassphraseBytes(modulusBytes: number, padding: RsaPadding): number {
  return padding === "pkcs1-v1_5" ? modulusBytes - 11 : modulusBytes - 2 * HASH_BYTES[padding] - 2;
}

/** The node:crypto options for a padding (internal: not exported from the package). */
export function nodePadding(padding: RsaPadding): { padding: number; oaepHash?: string } {
  return padding === "pkcs1-v1_5"
    ? { padding: constants.RSA_PKCS1_PADDING }
    : {
        padding: constants.RSA_PKCS1_OAEP_PADDING,
        oaepHash: padding === "oaep-sha256" ? "sha256" : "sha1",
      };
}
