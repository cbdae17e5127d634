import type { Timestamp } from "../restore.js";
import { EARLIEST_TIMESTAMP, LATEST_TIMESTAMP } from "./limits.js";

const EARLIEST_MS = Date.parse(EARLIEST_TIMESTAMP);
const LATEST_MS = Date.parse(LATEST_TIMESTAMP);

// RFC 3339's date-time (T or t, Z or z), with seconds optional and the offset's
// colon optional, as agents send both. Ranges are checked below, not here.
const DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?(?:([Zz])|([+-])(\d{2}):?(\d{2}))$/;
const CANONICAL = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

function daysIn(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/**
 * The instant at `ms` milliseconds since the epoch as a `Timestamp`, or
 * `undefined` when it is not a whole number of milliseconds inside
 * 0001-01-01T00:00:00.000Z .. 9999-12-31T23:59:59.999Z, the range every store holds.
 */
export function timestampFromEpochMs(ms: number): Timestamp | undefined {
  return Number.isInteger(ms) && ms >= EARLIEST_MS && ms <= LATEST_MS
    ? new Date(ms).toISOString()
    : undefined;
}

/**
 * Reads an ISO 8601 date-time with a time zone into the canonical UTC form
 * (`2014-10-20T13:11:58.000Z`), or `undefined`. Strict where `Date.parse` is
 * lenient: an impossible date (`2014-02-31`) or time (`24:00`, a leap second)
 * is refused rather than rolled over, and so is an instant outside the
 * stored range. Seconds may be left out; digits past milliseconds are dropped.
 *
 * @example
 * ```ts
 * parseTimestamp("2014-10-20T14:11:58+01:00"); // "2014-10-20T13:11:58.000Z"
 * parseTimestamp("2014-02-31T00:00:00Z"); // undefined
 * ```
 */
export function parseTimestamp(text: string): Timestamp | undefined {
  const match = DATE_TIME.exec(text);
  if (match === null) return undefined;
  const [year, month, day, hour, minute, second] = [1, 2, 3, 4, 5, 6].map((i) =>
    Number(match[i] ?? 0),
  ) as [number, number, number, number, number, number];
  const fraction = match[7] ?? "";
  const offsetSign = match[9] === "-" ? -1 : 1;
  const offsetHours = Number(match[10] ?? 0);
  const offsetMinutes = Number(match[11] ?? 0);
  if (month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) return undefined;
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  if (offsetHours > 23 || offsetMinutes > 59) return undefined;
  const milliseconds = Number(fraction.slice(0, 3).padEnd(3, "0"));
  // Date.UTC would read the years 0..99 as 1900..1999, so the year is set on its own.
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, milliseconds);
  const offsetMs = offsetSign * (offsetHours * 60 + offsetMinutes) * 60_000;
  return timestampFromEpochMs(date.getTime() - offsetMs);
}

/** True for a `Timestamp` in the one form the domain uses: `YYYY-MM-DDTHH:mm:ss.sssZ`, in range. */
export function isTimestamp(value: unknown): value is Timestamp {
  if (typeof value !== "string" || !CANONICAL.test(value)) return false;
  // Every write checks several of these, so the fields are checked as digits, with no Date:
  // four digits already bound the year above, and in UTC the year 0000 is the only way below.
  const year = Number(value.slice(0, 4));
  const month = Number(value.slice(5, 7));
  const day = Number(value.slice(8, 10));
  return (
    year >= 1 &&
    month >= 1 &&
    month <= 12 &&
    day >= 1 &&
    day <= daysIn(year, month) &&
    Number(value.slice(11, 13)) <= 23 &&
    Number(value.slice(14, 16)) <= 59 &&
    Number(value.slice(17, 19)) <= 59
  );
}
