import type { Clock } from "@restorekit/core";

/** A `Clock` that moves only when a test moves it. */
export interface FixedClock extends Clock {
  /** Moves the clock forward (or back, for a negative value) by `ms` milliseconds. */
  advance(ms: number): void;
  /** Puts the clock at an ISO 8601 instant. */
  set(iso: string): void;
}

/**
 * A clock that stands still until told otherwise, so event times are
 * predictable. Each `now()` is a new `Date`, so a caller mutating it cannot
 * move the clock. `set` with a string that is not a date throws a `RangeError`.
 *
 * @example
 * ```ts
 * const clock = fixedClock("2026-01-01T00:00:00.000Z");
 * clock.advance(30_000);
 * clock.now().toISOString(); // "2026-01-01T00:00:30.000Z"
 * ```
 */
export function fixedClock(start = "2026-01-01T00:00:00.000Z"): FixedClock {
  let current = parse(start);
  return {
    now: () => new Date(current),
    advance(ms) {
      current = checked(current + ms, String(ms));
    },
    set(iso) {
      current = parse(iso);
    },
  };
}

function parse(iso: string): number {
  return checked(Date.parse(iso), JSON.stringify(iso));
}

function checked(time: number, what: string): number {
  // A NaN here would surface much later as "Invalid time value" in some unrelated toISOString.
  if (Number.isNaN(new Date(time).getTime())) {
    throw new RangeError(`fixedClock: ${what} does not give a valid date`);
  }
  return time;
}
