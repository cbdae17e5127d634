import { err, ok, type Result } from "neverthrow";
import { z } from "zod";
import { type RestoreError, RestoreErrors } from "../errors.js";
import type { Timestamp } from "../restore.js";
import { timestampFromEpochMs } from "../values/timestamp.js";

// `\/` in the JSON text is `/` once parsed; the escaped form is accepted too in
// case a caller hands over raw text. A .NET offset suffix does not move the instant.
const V1_DATE = /^\\?\/Date\((-?\d{1,16})(?:[+-]\d{4})?\)\\?\/$/;

const V1_DATE_MESSAGE =
  "must be a date in the form /Date(<milliseconds since the epoch>)/ between the years 0001 and 9999";

/**
 * An ISO 8601 instant in the v1 date form, `/Date(1357151359000)/` (the JSON
 * text `"\/Date(1357151359000)\/"` is that same string once parsed). The input
 * must be a `Timestamp`; a text `Date` cannot read gives `/Date(NaN)/`, which
 * `parseV1Date` rejects, rather than a plausible wrong date.
 *
 * @example
 * ```ts
 * formatV1Date("2013-01-02T18:29:19.000Z"); // "/Date(1357151359000)/"
 * ```
 */
export function formatV1Date(iso: Timestamp): string {
  return `/Date(${Date.parse(iso)})/`;
}

function v1DateToIso(text: string): Timestamp | undefined {
  const match = V1_DATE.exec(text);
  if (match === null) return undefined;
  return timestampFromEpochMs(Number(match[1]));
}

/**
 * Reads a v1 date into an ISO 8601 `Timestamp`.
 *
 * @example
 * ```ts
 * parseV1Date("/Date(1357151359000)/"); // ok("2013-01-02T18:29:19.000Z")
 * ```
 */
export function parseV1Date(text: string): Result<Timestamp, RestoreError> {
  const iso = v1DateToIso(text);
  return iso === undefined
    ? err(RestoreErrors.invalidRequest([{ path: "", message: `the date ${V1_DATE_MESSAGE}` }]))
    : ok(iso);
}

/**
 * A v1 date field of a response, checked and given back in the canonical form
 * `formatV1Date` writes.
 */
export function v1DateSchema(field: string) {
  const message = `${field} ${V1_DATE_MESSAGE}`;
  return z.string({ error: message }).transform((text, ctx) => {
    const iso = v1DateToIso(text);
    if (iso === undefined) {
      ctx.issues.push({ code: "custom", message, input: text });
      return z.NEVER;
    }
    return formatV1Date(iso);
  });
}
