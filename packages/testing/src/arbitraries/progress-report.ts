import type { ProgressReport, RestoreErrorItem, RestoreErrorSummary } from "@restorekit/core";
import fc from "fast-check";
import { arbTimestamp } from "./timestamp.js";

const arbText = fc.string({ minLength: 1, maxLength: 40 });

function arbErrorItem(): fc.Arbitrary<RestoreErrorItem> {
  return fc.record(
    {
      index: fc.option(fc.nat({ max: 10_000 })),
      path: fc.option(fc.constantFrom("/usr/bin/h2xs", "C:\\Data\\a.txt", "/var/lib/db")),
      type: fc.option(fc.constantFrom("phx_exception", "io_error")),
      exception: fc.option(
        fc.record({
          code: fc.option(fc.nat({ max: 99_999 })),
          description: fc.option(arbText),
          details: fc.option(arbText),
        }),
      ),
    },
    { noNullPrototype: true },
  );
}

/** The error part of an agent's finish report. */
export function arbErrorSummary(): fc.Arbitrary<RestoreErrorSummary> {
  return fc.array(arbErrorItem(), { maxLength: 3 }).chain((list) =>
    fc.record(
      {
        count: fc.integer({ min: list.length, max: list.length + 100 }),
        reason: fc.option(fc.constantFrom("unable_to_process_some_files", "agent_error")),
        diagnostics: fc.option(arbText),
        list: fc.constant(list),
      },
      { noNullPrototype: true },
    ),
  );
}

/**
 * The data part of an agent report: each field present or absent.
 *
 * @example
 * ```ts
 * fc.assert(fc.property(arbProgressReport(), (report) => (report.filesRestored ?? 0) >= 0));
 * ```
 */
export function arbProgressReport(): fc.Arbitrary<ProgressReport> {
  return PROGRESS_REPORT;
}

// Built once: arbitraries are immutable and cheaper to reuse than to rebuild per sample.
const PROGRESS_REPORT: fc.Arbitrary<ProgressReport> = fc.record(
  {
    startedTime: arbTimestamp(),
    endedTime: arbTimestamp(),
    filesRestored: fc.nat({ max: 10_000_000 }),
    bytesRestored: fc.maxSafeNat(),
    errors: arbErrorSummary(),
  },
  { noNullPrototype: true, requiredKeys: [] },
);
