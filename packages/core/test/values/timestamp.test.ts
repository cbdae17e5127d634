import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  EARLIEST_TIMESTAMP,
  isTimestamp,
  LATEST_TIMESTAMP,
  parseTimestamp,
  timestampFromEpochMs,
} from "../../src/index.js";

const IN_RANGE = { min: new Date("0001-01-01T00:00:00.000Z"), max: new Date(LATEST_TIMESTAMP) };

describe("parseTimestamp", () => {
  it.each([
    ["2014-10-20T13:11:58Z", "2014-10-20T13:11:58.000Z"],
    ["2014-10-20T13:11:58.123Z", "2014-10-20T13:11:58.123Z"],
    ["2014-10-20T13:11:58.1Z", "2014-10-20T13:11:58.100Z"],
    ["2014-10-20T13:11:58.123456789Z", "2014-10-20T13:11:58.123Z"],
    ["2014-10-20T13:11Z", "2014-10-20T13:11:00.000Z"],
    ["2014-10-20T14:11:58+01:00", "2014-10-20T13:11:58.000Z"],
    ["2014-10-20T14:11:58+0100", "2014-10-20T13:11:58.000Z"],
    ["2014-10-20T12:41:58-00:30", "2014-10-20T13:11:58.000Z"],
    ["2014-10-20t13:11:58z", "2014-10-20T13:11:58.000Z"],
    ["2016-02-29T00:00:00Z", "2016-02-29T00:00:00.000Z"],
    ["2014-04-30T00:00:00Z", "2014-04-30T00:00:00.000Z"],
    ["2014-11-30T23:59:59Z", "2014-11-30T23:59:59.000Z"],
    ["2014-12-31T00:00:00Z", "2014-12-31T00:00:00.000Z"],
    ["2000-02-29T00:00:00Z", "2000-02-29T00:00:00.000Z"],
    ["0001-01-01T00:00:00Z", EARLIEST_TIMESTAMP],
    ["0001-01-01T01:00:00+01:00", EARLIEST_TIMESTAMP],
    ["0099-06-15T12:00:00Z", "0099-06-15T12:00:00.000Z"],
    ["9999-12-31T23:59:59.999Z", LATEST_TIMESTAMP],
    ["9999-12-31T23:59:59.999999Z", LATEST_TIMESTAMP],
  ])("reads %s as %s", (text, expected) => {
    expect(parseTimestamp(text)).toBe(expected);
  });

  it.each([
    ["2014-02-31T00:00:00Z", "no February 31st (Date.parse rolls it over to March 3)"],
    ["2015-02-29T00:00:00Z", "2015 is not a leap year"],
    ["1900-02-29T00:00:00Z", "1900 is not a leap year"],
    ["2014-04-31T00:00:00Z", "April has 30 days"],
    ["2014-06-31T00:00:00Z", "June has 30 days"],
    ["2014-09-31T00:00:00Z", "September has 30 days"],
    ["2014-11-31T00:00:00Z", "November has 30 days"],
    ["2014-13-01T00:00:00Z", "no month 13"],
    ["2014-00-10T00:00:00Z", "no month 0"],
    ["2014-01-00T00:00:00Z", "no day 0"],
    ["2014-01-01T24:00:00Z", "no hour 24"],
    ["2014-01-01T23:60:00Z", "no minute 60"],
    ["2014-01-01T23:59:60Z", "no leap second"],
    ["2014-01-01T00:00:00+24:00", "no offset of 24 hours"],
    ["2014-01-01T00:00:00+01:60", "no offset minute 60"],
    ["0000-01-01T00:00:00Z", "before the year 1"],
    ["0001-01-01T00:00:00+14:00", "the year 0 once in UTC"],
    ["9999-12-31T23:59:59.999-00:01", "the year 10000 once in UTC"],
    ["2014-10-20T13:11:58", "no time zone"],
    ["2014-10-20 13:11:58Z", "a space for the T"],
    ["2014-10-20T13Z", "hours alone"],
    ["2014-10-20T13:11:58+01", "an offset without minutes"],
    ["+002014-10-20T13:11:58Z", "an expanded year"],
    ["20141020T131158Z", "the basic format"],
    [" 2014-10-20T13:11:58Z", "leading junk"],
    ["2014-10-20T13:11:58Zjunk", "trailing junk"],
    ["2014-10-20T13:11:58.Z", "a dot without digits"],
    ["", "nothing"],
  ])("refuses %s (%s)", (text) => {
    expect(parseTimestamp(text)).toBeUndefined();
  });

  it("agrees with Date on every instant in range, in any offset and precision", {
    timeout: 60_000,
  }, () => {
    fc.assert(
      fc.property(
        fc.date({ ...IN_RANGE, noInvalidDate: true }),
        fc.integer({ min: -23 * 60 - 59, max: 23 * 60 + 59 }),
        fc.boolean(),
        (date, offsetMinutes, colon) => {
          const expected = date.toISOString();
          const local = new Date(date.getTime() + offsetMinutes * 60_000);
          const sign = offsetMinutes < 0 ? "-" : "+";
          const abs = Math.abs(offsetMinutes);
          const hh = String(Math.floor(abs / 60)).padStart(2, "0");
          const mm = String(abs % 60).padStart(2, "0");
          const wall = local.toISOString().slice(0, -1);
          const text = `${wall.startsWith("-") || wall.startsWith("+") ? "" : wall}${sign}${hh}${colon ? ":" : ""}${mm}`;
          // Only four-digit local years can be written; the instant must still come back exactly.
          fc.pre(/^\d{4}-/.test(text));
          expect(parseTimestamp(text)).toBe(expected);
        },
      ),
    );
  });

  it("never throws and answers a canonical timestamp or nothing, for any text", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d{1,9})?)?(Z|[+-]\d\d:?\d\d)$/),
        ),
        (text) => {
          const parsed = parseTimestamp(text);
          if (parsed !== undefined) expect(isTimestamp(parsed)).toBe(true);
        },
      ),
    );
  });
});

describe("isTimestamp", () => {
  it("accepts exactly the canonical form of an instant in range", () => {
    expect(isTimestamp("2013-01-02T18:29:19.000Z")).toBe(true);
    expect(isTimestamp(EARLIEST_TIMESTAMP)).toBe(true);
    expect(isTimestamp(LATEST_TIMESTAMP)).toBe(true);
    for (const value of [
      "2013-01-02T18:29:19Z",
      "2013-01-02T18:29:19.000+00:00",
      "2013-01-02T18:29:19.0000Z",
      "2014-02-31T00:00:00.000Z",
      "2014-11-31T00:00:00.000Z",
      "2013-01-02T18:29:19.000Zjunk",
      "junk2013-01-02T18:29:19.000Z",
      "0000-12-31T23:59:59.999Z",
      "+010000-01-01T00:00:00.000Z",
      "not a date",
      1357151359000,
      new Date(1357151359000),
      null,
      undefined,
    ]) {
      expect(isTimestamp(value)).toBe(false);
    }
  });
});

describe("isTimestamp and parseTimestamp", () => {
  it("agree: a text is a timestamp exactly when reading it gives it back", {
    timeout: 60_000,
  }, () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.stringMatching(/^\d{4}-[01]\d-[0-3]\dT[0-2]\d:[0-6]\d:[0-6]\d\.\d{3}Z$/),
          fc.date({ noInvalidDate: true }).map((date) => date.toISOString()),
        ),
        (text) => {
          expect(isTimestamp(text)).toBe(parseTimestamp(text) === text);
        },
      ),
      { numRuns: 2000 },
    );
  });
});

describe("timestampFromEpochMs", () => {
  it("gives the ISO form of whole milliseconds in range, and nothing else", () => {
    expect(timestampFromEpochMs(1357151359000)).toBe("2013-01-02T18:29:19.000Z");
    expect(timestampFromEpochMs(-62135596800000)).toBe(EARLIEST_TIMESTAMP);
    expect(timestampFromEpochMs(Date.parse(EARLIEST_TIMESTAMP))).toBe(EARLIEST_TIMESTAMP);
    expect(timestampFromEpochMs(Date.parse(LATEST_TIMESTAMP))).toBe(LATEST_TIMESTAMP);
    expect(timestampFromEpochMs(Date.parse(EARLIEST_TIMESTAMP) - 1)).toBeUndefined();
    expect(timestampFromEpochMs(Date.parse(LATEST_TIMESTAMP) + 1)).toBeUndefined();
    expect(timestampFromEpochMs(0.5)).toBeUndefined();
    expect(timestampFromEpochMs(Number.NaN)).toBeUndefined();
    expect(timestampFromEpochMs(Number.POSITIVE_INFINITY)).toBeUndefined();
  });
});
