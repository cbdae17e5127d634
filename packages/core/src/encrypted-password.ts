import { err, ok, type Result } from "neverthrow";
import type { PasswordRule } from "./errors.js";
import type { AgentPublicKey } from "./restore.js";
import { isHexDigits, removeWhitespace } from "./wire/hex.js";

/**
 * Checks an `EncryptedPassword` against the agent's public key: hex
 * only, ASCII whitespace ignored, exactly the modulus length in bytes, and
 * numerically below the modulus. Returns the ciphertext as upper-case hex, or
 * the rule it broke; the value itself never appears in the error. The padding
 * the client used does not matter here.
 *
 * @example
 * ```ts
 * validateEncryptedPassword(hex, restore.backup.publicKey).isOk();
 * ```
 */
export function validateEncryptedPassword(
  encryptedPassword: string,
  publicKey: AgentPublicKey | null,
): Result<string, PasswordRule> {
  if (typeof encryptedPassword !== "string") return err("not_hex");
  // A key the catalog could not give in hex leaves nothing to check against.
  if (publicKey === null || !isHexDigits(publicKey.modulusHex)) return err("no_public_key");
  const hex = removeWhitespace(encryptedPassword);
  if (hex.length % 2 !== 0 || !isHexDigits(hex)) return err("not_hex");
  const modulus = BigInt(`0x${publicKey.modulusHex}`);
  const modulusBytes = Math.ceil(modulus.toString(16).length / 2);
  if (hex.length / 2 !== modulusBytes) return err("wrong_length");
  if (BigInt(`0x${hex}`) >= modulus) return err("not_below_modulus");
  return ok(hex.toUpperCase());
}
