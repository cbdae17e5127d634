import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isRecord, plainEqual } from "../src/internal/plain-data.js";

describe("plainEqual", () => {
  it("is structural equality for JSON data, with undefined fields as absent", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(plainEqual(value, structuredClone(value))).toBe(true);
      }),
    );
    expect(plainEqual({ a: 1, b: undefined }, { a: 1 })).toBe(true);
    expect(plainEqual({ a: 1 }, { a: 1, b: undefined })).toBe(true);
  });

  it("tells apart what differs anywhere, arrays and objects included", () => {
    expect(plainEqual({ a: 1 }, { a: 2 })).toBe(false);
    expect(plainEqual({ a: 1 }, { a: 1, b: 2 })).toBe(false);
    expect(plainEqual({ a: 1, b: 2 }, { a: 1 })).toBe(false);
    expect(plainEqual({ a: 1, c: undefined }, { a: 1, b: 2 })).toBe(false);
    expect(plainEqual({ a: 1, b: undefined }, { a: 1, c: 3 })).toBe(false);
    expect(plainEqual([1, 2], { 0: 1, 1: 2 })).toBe(false);
    expect(plainEqual({ 0: 1, 1: 2 }, [1, 2])).toBe(false);
    expect(plainEqual([1, 2], [1, 2, 3])).toBe(false);
    expect(plainEqual({ a: { b: [1, { c: null }] } }, { a: { b: [1, { c: 0 }] } })).toBe(false);
    expect(plainEqual(null, {})).toBe(false);
    expect(plainEqual({}, null)).toBe(false);
    expect(plainEqual(Number.NaN, Number.NaN)).toBe(true);
    fc.assert(
      fc.property(fc.jsonValue(), fc.jsonValue(), (a, b) => {
        expect(plainEqual(a, b)).toBe(JSON.stringify(a) === JSON.stringify(b) || plainEqual(b, a));
        expect(plainEqual(a, b)).toBe(plainEqual(b, a));
      }),
    );
  });

  it("isRecord is true for objects and arrays only", () => {
    for (const value of [{}, [], new Date(0)]) expect(isRecord(value)).toBe(true);
    for (const value of [null, undefined, 0, "", true, () => 0])
      expect(isRecord(value)).toBe(false);
  });
});
