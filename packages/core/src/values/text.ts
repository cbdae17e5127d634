// A surrogate half without its partner: not Unicode, and Postgres cannot hold it
// (node-postgres would quietly replace it, so the row would differ from its events).
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Why a text cannot be stored, or `null` when it can: at most `max` UTF-16
 * code units, no NUL character (Postgres text refuses it) and no unpaired
 * surrogate. The message completes a sentence that starts with the field's
 * name and never quotes the text.
 */
export function textProblem(text: string, max: number): string | null {
  // Length first: a huge text is refused without being scanned.
  if (text.length > max) return `must be at most ${max} characters`;
  if (text.includes("\u0000")) return "must not contain a NUL character (\\u0000)";
  if (LONE_SURROGATE.test(text)) return "must be valid Unicode (it holds an unpaired surrogate)";
  return null;
}

/** True when `textProblem` finds nothing. */
export function isStorableText(value: unknown, max: number): value is string {
  return typeof value === "string" && textProblem(value, max) === null;
}
