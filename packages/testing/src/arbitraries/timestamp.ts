import type { Timestamp } from "@restorekit/core";
import fc from "fast-check";

const MIN = new Date("2010-01-01T00:00:00.000Z");
const MAX = new Date("2040-01-01T00:00:00.000Z");

/** An ISO 8601 UTC instant, the form every domain timestamp takes. */
export function arbTimestamp(): fc.Arbitrary<Timestamp> {
  return fc.date({ min: MIN, max: MAX, noInvalidDate: true }).map((date) => date.toISOString());
}
