import type { Clock } from "@restorekit/core";

/** The clock verifiers use when given none. */
export const systemClock: Clock = Object.freeze({ now: () => new Date() });
