import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { formatV1Date, parseV1Date } from "../../src/index.js";
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
