import fc from "fast-check";
import * as E from "fp-ts/lib/Either.js";
import { err, errAsync, ok, okAsync } from "neverthrow";
import { describe, expect, it } from "vitest";
import { fromEither, fromTaskEither, toEither, toTaskEither } from "../src/fp-ts/index.js";

/** Long property runs get their own timeout, so a loaded 2-core machine cannot fail them. */
const PROPERTY_TIMEOUT_MS = 60_000;

describe("fp-ts interop", () => {
  it("round-trips Result and Either for any value", () => {
    fc.assert(
      fc.property(fc.anything(), fc.boolean(), (value, success) => {
        const result = success ? ok(value) : err(value);
        const either = toEither(result);
        expect(E.isRight(either)).toBe(success);
        expect(fromEither(either)).toEqual(result);
      }),
    );
  });

  it("round-trips ResultAsync and TaskEither", { timeout: PROPERTY_TIMEOUT_MS }, async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer(), fc.boolean(), async (value, success) => {
        const task = toTaskEither(success ? okAsync(value) : errAsync(value));
        const either = await task();
        expect(either).toEqual(success ? E.right(value) : E.left(value));
        const back = await fromTaskEither(task, () => Number.NaN);
        expect(back.isOk()).toBe(success);
      }),
    );
  });

  it("turns a task that rejects into an error value", async () => {
    const result = await fromTaskEither(
      () => Promise.reject(new Error("boom")),
      () => "rejected" as const,
    );
    expect(result._unsafeUnwrapErr()).toBe("rejected");
  });
});
