import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { formatV1Date, parseV1Date, v1DateSchema } from "../../src/index.js";
import { timestampArb } from "./restore-arbitrary.js";

describe("v1 dates", () => {
  it("writes the API's form", () => {
    expect(formatV1Date("2013-01-02T18:29:19.000Z")).toBe("/Date(1357151359000)/");
    expect(JSON.stringify(formatV1Date("2013-01-02T18:29:19.000Z"))).toBe(
      '"/Date(1357151359000)/"',
    );
  });

  it("reads the form the JSON text \\/Date(...)\\/ becomes, and the escaped text itself", () => {
    const parsedFromText = JSON.parse('"\\/Date(1357151359000)\\/"') as string;
    expect(parseV1Date(parsedFromText)._unsafeUnwrap()).toBe("2013-01-02T18:29:19.000Z");
    expect(parseV1Date("\\/Date(1357151359000)\\/")._unsafeUnwrap()).toBe(
      "2013-01-02T18:29:19.000Z",
    );
    expect(parseV1Date("/Date(1357151359000+0000)/")._unsafeUnwrap()).toBe(
      "2013-01-02T18:29:19.000Z",
    );
    expect(parseV1Date("/Date(-1000)/")._unsafeUnwrap()).toBe("1969-12-31T23:59:59.000Z");
  });

  it("round-trips every instant to the millisecond", () => {
    fc.assert(
      fc.property(timestampArb, (iso) => {
        expect(parseV1Date(formatV1Date(iso))._unsafeUnwrap()).toBe(iso);
      }),
    );
  });

  it.each([
    ["2013-01-02"],
    ["/Date()/"],
    ["/Date(12.5)/"],
    ["Date(1)"],
    ["/Date(NaN)/"],
    ["/Date(9999999999999999)/"],
  ])("rejects %j", (text) => {
    const result = parseV1Date(text);
    expect(result.isErr() && result.error.code).toBe("invalid_request");
  });

  it("writes an unreadable instant visibly wrong, never as a plausible date", () => {
    expect(parseV1Date(formatV1Date("not a date")).isErr()).toBe(true);
  });
});

const V1_DATE_MESSAGE =
  "must be a date in the form /Date(<milliseconds since the epoch>)/ between the years 0001 and 9999";
const EARLIEST_MS = Date.parse("0001-01-01T00:00:00.000Z");
const LATEST_MS = Date.parse("9999-12-31T23:59:59.999Z");

/** Any instant a store can hold, to the millisecond. */
const anyInstantMs = fc.oneof(
  fc.integer({ min: EARLIEST_MS, max: LATEST_MS }),
  fc.constantFrom(EARLIEST_MS, LATEST_MS, 0, -1, 1),
);

describe("parseV1Date", () => {
  it("reads every instant of the stored range, the first and last included", () => {
    expect(parseV1Date(`/Date(${EARLIEST_MS})/`)._unsafeUnwrap()).toBe("0001-01-01T00:00:00.000Z");
    expect(parseV1Date(`/Date(${LATEST_MS})/`)._unsafeUnwrap()).toBe("9999-12-31T23:59:59.999Z");
    fc.assert(
      fc.property(anyInstantMs, (ms) => {
        const iso = new Date(ms).toISOString();
        expect(parseV1Date(`/Date(${ms})/`)._unsafeUnwrap()).toBe(iso);
        expect(formatV1Date(iso)).toBe(`/Date(${ms})/`);
      }),
    );
  });

  it("refuses an instant outside the stored range with a 400 that names the rule", () => {
    for (const ms of [EARLIEST_MS - 1, LATEST_MS + 1, -8_640_000_000_000_000]) {
      const result = parseV1Date(`/Date(${ms})/`);
      expect(result.isErr() && result.error).toEqual({
        code: "invalid_request",
        message: expect.any(String),
        issues: [{ path: "", message: `the date ${V1_DATE_MESSAGE}` }],
      });
    }
  });

  it("reads any .NET offset suffix without moving the instant", () => {
    fc.assert(
      fc.property(
        anyInstantMs,
        fc.constantFrom("+", "-"),
        fc.integer({ min: 0, max: 9999 }),
        fc.boolean(),
        (ms, sign, offset, escaped) => {
          const slash = escaped ? "\\/" : "/";
          const text = `${slash}Date(${ms}${sign}${String(offset).padStart(4, "0")})${slash}`;
          expect(parseV1Date(text)._unsafeUnwrap()).toBe(new Date(ms).toISOString());
        },
      ),
    );
  });

  it.each([
    ["/Date(1+000)/"],
    ["/Date(1+00000)/"],
    ["/Date(1*0000)/"],
    ["/Date(1+00a0)/"],
    ["/Date(1-)/"],
    ["/Date(+1)/"],
    ["/Date(--1)/"],
    ["/Date( 1)/"],
    ["/Date(1 )/"],
    ["/Date(1)"],
    ["Date(1)/"],
    ["/date(1)/"],
    ["/Date[1]/"],
    ["//Date(1)/"],
    ["/Date(1)//"],
    ["\\\\/Date(1)/"],
    ["/Date(12345678901234567)/"],
    ["/Date(1e3)/"],
    ["/Date(0x10)/"],
    ["/Date(١)/"],
    [""],
  ])("refuses %j", (text) => {
    const result = parseV1Date(text);
    expect(result.isErr() && result.error.code).toBe("invalid_request");
  });

  it("reads one to sixteen digits", () => {
    expect(parseV1Date("/Date(7)/")._unsafeUnwrap()).toBe("1970-01-01T00:00:00.007Z");
    expect(parseV1Date("/Date(0000000000000007)/")._unsafeUnwrap()).toBe(
      "1970-01-01T00:00:00.007Z",
    );
    expect(parseV1Date("/Date(-0000000000000007)/")._unsafeUnwrap()).toBe(
      "1969-12-31T23:59:59.993Z",
    );
  });

  it("refuses any junk before or after a valid date", () => {
    const junk = fc.string({ minLength: 1, maxLength: 8 });
    fc.assert(
      fc.property(
        anyInstantMs,
        junk,
        junk,
        fc.constantFrom("prefix", "suffix", "both"),
        (ms, before, after, where) => {
          const date = `/Date(${ms})/`;
          const text =
            where === "prefix"
              ? before + date
              : where === "suffix"
                ? date + after
                : before + date + after;
          // Only an escaping backslash may stand before or after the slashes.
          fc.pre(!/^\\?\/Date\(-?\d+\)\\?\/$/.test(text));
          const result = parseV1Date(text);
          expect(result.isErr() && result.error).toMatchObject({
            code: "invalid_request",
            issues: [{ path: "", message: `the date ${V1_DATE_MESSAGE}` }],
          });
        },
      ),
    );
  });
});

describe("v1DateSchema", () => {
  const schema = v1DateSchema("RestorePoint");

  it("gives back the canonical form formatV1Date writes", () => {
    for (const text of [
      "/Date(1357151359000)/",
      "\\/Date(1357151359000)\\/",
      "/Date(1357151359000+0100)/",
      "\\/Date(1357151359000-0500)/",
      "/Date(001357151359000)/",
    ]) {
      expect(schema.parse(text)).toBe("/Date(1357151359000)/");
    }
    expect(schema.parse("/Date(-0)/")).toBe("/Date(0)/");
  });

  it("names the field in its message, for a bad text and for a value that is not text", () => {
    for (const value of [
      "2013-01-02",
      "/Date(1)/ ",
      `/Date(${LATEST_MS + 1})/`,
      1357151359000,
      null,
    ]) {
      const parsed = schema.safeParse(value);
      expect(parsed.error?.issues.map((i) => [i.path.join("."), i.message])).toEqual([
        ["", `RestorePoint ${V1_DATE_MESSAGE}`],
      ]);
    }
  });
});
