const ASCII_WHITESPACE = /[\t\n\f\r ]/g;
const HEX_DIGITS = /^[0-9A-Fa-f]+$/;

/** Whitespace in hex carries no meaning: the API's examples wrap long hex with spaces. */
export function removeWhitespace(text: string): string {
  return text.replace(ASCII_WHITESPACE, "");
}

/** True for a non-empty run of hex digits (either case) and nothing else. */
export function isHexDigits(text: string): boolean {
  return HEX_DIGITS.test(text);
}

/** Hex with whitespace removed and upper-cased, or `undefined` when it is not hex. */
export function normalizeHex(text: string): string | undefined {
  const compact = removeWhitespace(text);
  return isHexDigits(compact) ? compact.toUpperCase() : undefined;
}
