/** Hex digits with the leading zeros dropped ("0" stays "0"). */
export function stripLeadingZeros(hex: string): string {
  return hex.replace(/^0+(?=.)/, "");
}

/** Hex digits (either case, any length) as the unpadded base64url a JWK holds. */
export function hexToBase64Url(hex: string): string {
  const digits = stripLeadingZeros(hex);
  return Buffer.from(digits.length % 2 === 0 ? digits : `0${digits}`, "hex").toString("base64url");
}

/** A JWK's base64url integer as upper-case hex without leading zeros. */
export function base64UrlToHex(value: string): string {
  return stripLeadingZeros(Buffer.from(value, "base64url").toString("hex").toUpperCase());
}

/** The number of bits of a non-negative integer. */
export function bitLength(value: bigint): number {
  return value === 0n ? 0 : value.toString(2).length;
}
