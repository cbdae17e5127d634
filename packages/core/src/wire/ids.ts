import { z } from "zod";

/**
 * A v1 id: documented as a String, sent as a number by every example, so both
 * `13689` and `"13689"` are read as 13689. Anything that is not a positive safe
 * integer fails with "<field> must be a positive integer".
 *
 * @example
 * ```ts
 * z.object({ Id: positiveIdSchema("Id") }).parse({ Id: "13689" }); // { Id: 13689 }
 * ```
 */
export function positiveIdSchema(field: string) {
  const message = `${field} must be a positive integer (a JSON number or a string of digits)`;
  return z
    .union([z.number(), z.string().regex(/^[0-9]+$/, { error: message })], { error: message })
    .transform((value, ctx) => {
      const id = Number(value);
      if (!Number.isSafeInteger(id) || id <= 0) {
        ctx.issues.push({ code: "custom", message, input: value });
        return z.NEVER;
      }
      return id;
    });
}
