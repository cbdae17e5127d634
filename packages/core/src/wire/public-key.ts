import type { Result } from "neverthrow";
import { z } from "zod";
import type { RestoreError } from "../errors.js";
import type { AgentPublicKey } from "../restore.js";
import { LIMITS } from "../values/limits.js";
import { normalizeHex } from "./hex.js";
import { parseWith } from "./issues.js";

const MODULUS_MESSAGE = "ModulusHex must be hex digits (whitespace is ignored)";
const EXPONENT_MESSAGE =
  "ExponentHex must be hex digits, sent as a JSON number or a string (10001 means 0x10001)";

const DIGITS_MESSAGE = `must be at most ${LIMITS.publicKeyHex} hex digits`;
const SENT_MESSAGE = `must be at most ${LIMITS.encryptedPassword} characters as sent, whitespace included`;

/** Hex as sent, bounded before and after its whitespace is removed; `undefined` after an issue. */
function boundedHex(
  field: string,
  text: string,
  ctx: z.core.$RefinementCtx<unknown>,
  notHex: string,
): string | undefined {
  let message: string;
  if (text.length > LIMITS.encryptedPassword) {
    message = `${field} ${SENT_MESSAGE}`;
  } else {
    const hex = normalizeHex(text);
    if (hex !== undefined && hex.length <= LIMITS.publicKeyHex) return hex;
    message = hex === undefined ? notHex : `${field} ${DIGITS_MESSAGE}`;
  }
  ctx.issues.push({ code: "custom", message, input: text });
  return undefined;
}

const modulusHexSchema = z.string({ error: MODULUS_MESSAGE }).transform((text, ctx) => {
  return boundedHex("ModulusHex", text, ctx, MODULUS_MESSAGE) ?? z.NEVER;
});

// The API sends the exponent's hex digits as a JSON number (10001), so the
// number's decimal spelling is read as hex; only whole non-negative numbers
// have such a spelling.
const exponentHexSchema = z
  .union([z.number(), z.string()], { error: EXPONENT_MESSAGE })
  .transform((value, ctx) => {
    if (typeof value === "string") {
      return boundedHex("ExponentHex", value, ctx, EXPONENT_MESSAGE) ?? z.NEVER;
    }
    if (Number.isSafeInteger(value) && value >= 0) return String(value);
    ctx.issues.push({ code: "custom", message: EXPONENT_MESSAGE, input: value });
    return z.NEVER;
  });

/**
 * A `PublicKey` as the API sends it, `{"ModulusHex": "<hex>", "ExponentHex": 10001}`,
 * read into an `AgentPublicKey`: whitespace removed, hex upper-cased. Only the
 * syntax is checked; judging the key's strength is the crypto package's job.
 */
export const publicKeySchema = z
  .object(
    { ModulusHex: modulusHexSchema, ExponentHex: exponentHexSchema },
    { error: "PublicKey must be an object with ModulusHex and ExponentHex" },
  )
  .transform(
    (wire): AgentPublicKey => ({
      modulusHex: wire.ModulusHex,
      exponentHex: wire.ExponentHex,
    }),
  );

/**
 * Reads a wire `PublicKey`; a problem is an `invalid_request` naming the field.
 *
 * @example
 * ```ts
 * parsePublicKey({ ModulusHex: "ca75 9606", ExponentHex: 10001 });
 * // ok({ modulusHex: "CA759606", exponentHex: "10001" })
 * ```
 */
export function parsePublicKey(wire: unknown): Result<AgentPublicKey, RestoreError> {
  return parseWith(publicKeySchema, wire);
}

/** A `PublicKey` as the API sends it. */
export interface PublicKeyWire {
  readonly ModulusHex: string;
  /** A JSON number when the hex digits are all decimal digits (as the API sends 10001). */
  readonly ExponentHex: number | string;
}

const DECIMAL_SPELLING = /^[1-9][0-9]{0,14}$/;

/**
 * An `AgentPublicKey` as the API sends it. The exponent is a JSON number when
 * its hex digits read as a decimal number with the same spelling (no leading
 * zero, at most 15 digits, so the number is exact), else a string.
 *
 * @example
 * ```ts
 * toPublicKeyWire({ modulusHex: "CA75", exponentHex: "10001" });
 * // { ModulusHex: "CA75", ExponentHex: 10001 }
 * ```
 */
export function toPublicKeyWire(key: AgentPublicKey): PublicKeyWire {
  const modulusHex = normalizeHex(key.modulusHex) ?? key.modulusHex;
  const exponentHex = normalizeHex(key.exponentHex) ?? key.exponentHex;
  return {
    ModulusHex: modulusHex,
    ExponentHex: DECIMAL_SPELLING.test(exponentHex) ? Number(exponentHex) : exponentHex,
  };
}
