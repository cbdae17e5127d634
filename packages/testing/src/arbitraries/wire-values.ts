import fc from "fast-check";

/**
 * Building blocks shared by the wire-body arbitraries. Bodies are plain JSON
 * values, as `JSON.parse` would hand them to a parser.
 */

/** A positive integer id as a client sends it: a JSON number or a string of digits. */
export function arbWireId(): fc.Arbitrary<number | string> {
  return fc.integer({ min: 1, max: 2_147_483_647 }).chain((id) => fc.constantFrom(id, String(id)));
}

/** Values that are not a positive integer id in either accepted form. */
export function arbBadWireId(): fc.Arbitrary<unknown> {
  return fc.oneof(
    fc.constantFrom(0, "0", -1, "-1", 1.5, "1.5", "12a", "", " ", "0x1F", "1e3", "Infinity", "NaN"),
    fc.integer({ min: -2_147_483_648, max: -1 }),
    fc.double({ min: 0.001, max: 1e6, noNaN: true }).filter((n) => !Number.isInteger(n)),
    // Beyond what a JavaScript number holds exactly: such an id could silently name another restore.
    fc.constantFrom(1e20, 2 ** 53 + 2, Number.MAX_VALUE, "99999999999999999999999"),
    fc.stringMatching(/^[0-9]{1,6}[a-z ]{1,3}$/),
    fc.constantFrom(true, false, null, [], {}, [1], { value: 1 }),
    longString(),
  );
}

/** A string far longer than any field has reason to be. */
export function longString(): fc.Arbitrary<string> {
  return fc
    .tuple(fc.constantFrom("a", "7", "Z", " ", "é"), fc.integer({ min: 10_000, max: 100_000 }))
    .map(([unit, length]) => unit.repeat(length));
}

/** An array or object nested deeper than any real body (built iteratively: no recursion here). */
export function deeplyNested(): fc.Arbitrary<unknown> {
  return fc.tuple(fc.integer({ min: 500, max: 3_000 }), fc.boolean()).map(([depth, asArrays]) => {
    let value: unknown = 1;
    for (let i = 0; i < depth; i += 1) value = asArrays ? [value] : { a: value };
    return value;
  });
}

/**
 * An object whose only copy of the needed fields sits under `__proto__` or
 * `constructor` as an own key (as `JSON.parse` creates it), so a parser that
 * reads through the prototype chain or merges objects naively would see them.
 */
export function hiddenUnderSpecialKey(fields: Record<string, unknown>): fc.Arbitrary<unknown> {
  return fc
    .constantFrom("__proto__", "constructor", "prototype")
    .map((key) => JSON.parse(`{${JSON.stringify(key)}: ${JSON.stringify(fields)}}`) as unknown);
}

/** JSON values that are not objects at all. */
export function arbNotAnObject(): fc.Arbitrary<unknown> {
  return fc.oneof(
    fc.constantFrom(null, true, false, 0, 1, "", "{}", []),
    fc.string(),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.array(fc.jsonValue(), { maxLength: 3 }),
  );
}

/** Upper- or lower-case hex bytes, broken with the ASCII whitespace clients wrap hex with. */
export function arbHexWithWhitespace(): fc.Arbitrary<string> {
  return fc
    .tuple(
      fc.uint8Array({ minLength: 1, maxLength: 256 }),
      fc.boolean(),
      fc.array(fc.tuple(fc.nat(), fc.constantFrom(" ", "  ", "\n", "\t", "\r\n")), {
        maxLength: 8,
      }),
    )
    .map(([bytes, upper, breaks]) => {
      const hex = Buffer.from(bytes).toString("hex");
      let text = upper ? hex.toUpperCase() : hex;
      for (const [at, space] of breaks) {
        const i = at % (text.length + 1);
        text = text.slice(0, i) + space + text.slice(i);
      }
      return text;
    });
}

/** Sometimes adds fields the parser does not know, which it must ignore. */
export function withUnknownFields(
  body: fc.Arbitrary<Record<string, unknown>>,
): fc.Arbitrary<Record<string, unknown>> {
  return fc
    .tuple(
      body,
      fc.dictionary(
        fc.constantFrom("Comment", "ClientVersion", "x-trace", "extra"),
        fc.jsonValue({ maxDepth: 2 }),
        {
          maxKeys: 2,
        },
      ),
    )
    .map(([fields, extra]) => ({ ...extra, ...fields }));
}
