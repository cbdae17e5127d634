import { inspect } from "node:util";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Secret } from "../src/index.js";

describe("Secret", () => {
  it("prints [REDACTED] every way a value turns into text, and reveal() gives it back", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", minLength: 1 }), (value) => {
        const secret = new Secret(value);
        expect(String(secret)).toBe("[REDACTED]");
        expect(`${secret}`).toBe("[REDACTED]");
        // biome-ignore lint/style/useTemplate: the + operator's coercion is what is tested here.
        expect(`${secret}` + secret).toBe("[REDACTED][REDACTED]");
        expect(JSON.stringify({ secret })).toBe('{"secret":"[REDACTED]"}');
        expect(inspect(secret)).toBe("[REDACTED]");
        expect(inspect({ nested: [secret] }, { depth: 10, showHidden: true })).toBe(
          "{ nested: [ [REDACTED], [length]: 1 ] }",
        );
        expect(secret.reveal()).toBe(value);
      }),
    );
  });

  it("shows no own enumerable property that could hold the value", () => {
    const secret = new Secret("value");
    expect(Object.keys(secret)).toEqual([]);
    expect(Object.getOwnPropertyNames(secret)).toEqual([]);
    expect({ ...secret }).toEqual({});
  });

  it("zeroes bytes on dispose, then refuses to reveal", () => {
    const bytes = new Uint8Array([1, 2, 3]);
    const secret = new Secret(bytes);
    expect(secret.disposed).toBe(false);
    secret.dispose();
    expect([...bytes]).toEqual([0, 0, 0]);
    expect(secret.disposed).toBe(true);
    expect(() => secret.reveal()).toThrow(/disposed/);
    secret.dispose();
    expect(String(secret)).toBe("[REDACTED]");
  });

  it("drops a string on dispose", () => {
    const secret = new Secret("passphrase");
    secret.dispose();
    expect(() => secret.reveal()).toThrow(TypeError);
  });
});
