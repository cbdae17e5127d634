import { z } from "zod";
import { textProblem } from "../values/text.js";

/**
 * A text field of a body, refused with a message naming the field when a
 * store could not hold it: longer than `max`, a NUL character, an unpaired
 * surrogate; with `nonEmpty`, blank too.
 */
export function storableText(
  field: string,
  max: number,
  options: { readonly nonEmpty?: boolean } = {},
) {
  const typeMessage =
    options.nonEmpty === true ? `${field} must be a non-empty string` : `${field} must be a string`;
  return z.string({ error: typeMessage }).transform((text, ctx) => {
    const problem = textProblem(text, max);
    const message =
      problem !== null
        ? `${field} ${problem}`
        : options.nonEmpty === true && text.trim().length === 0
          ? typeMessage
          : null;
    if (message !== null) {
      ctx.issues.push({ code: "custom", message, input: text });
      return z.NEVER;
    }
    return text;
  });
}
