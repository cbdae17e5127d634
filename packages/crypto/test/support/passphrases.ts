import fc from "fast-check";

/** UTF-8 length of a string. */
export function utf8Bytes(text: string): number {
  return Buffer.byteLength(text, "utf8");
}

/** The longest prefix (in code points) whose UTF-8 fits `maxBytes`. */
export function fitTo(text: string, maxBytes: number): string {
  let out = "";
  for (const point of text) {
    if (utf8Bytes(out + point) > maxBytes) break;
    out += point;
  }
  return out;
}

/**
 * Any well-formed Unicode passphrase of at most `maxBytes` UTF-8 bytes,
 * biased to both ends: the empty string, and strings filled up to the limit
 * with 1- to 4-byte characters.
 */
export function passphraseUpTo(maxBytes: number): fc.Arbitrary<string> {
  return fc.oneof(
    fc.string({ unit: "binary", maxLength: 40 }).map((text) => fitTo(text, maxBytes)),
    fc.string({ unit: "binary", minLength: maxBytes }).map((text) => fitTo(text, maxBytes)),
    fc
      .string({ unit: "grapheme", minLength: Math.floor(maxBytes / 4) })
      .map((text) => fitTo(text, maxBytes)),
    fc
      .tuple(fc.integer({ min: 0, max: maxBytes }), fc.constantFrom("a", "é", "€", "😀"))
      .map(([n, unit]) => fitTo(unit.repeat(n), maxBytes)),
  );
}

/** A well-formed Unicode passphrase longer than `maxBytes` UTF-8 bytes. */
export function passphraseOver(maxBytes: number): fc.Arbitrary<string> {
  return fc.oneof(
    fc.string({ unit: "binary", minLength: maxBytes + 1, maxLength: maxBytes * 2 }),
    fc
      .tuple(fc.integer({ min: 1, max: 64 }), fc.constantFrom("a", "é", "€", "😀"))
      .map(([extra, unit]) => "a".repeat(maxBytes) + unit.repeat(extra)),
  );
}
