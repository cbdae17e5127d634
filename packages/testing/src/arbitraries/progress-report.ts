import type {
  ProgressReport,
  RestoreErrorItem,
  RestoreErrorSummary,
  RestoreProgress,
} from "@restorekit/core";
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
    totalBytes: fc.maxSafeNat(),
    bytesRemaining: fc.maxSafeNat(),
    errors: arbErrorSummary(),
  },
  { noNullPrototype: true, requiredKeys: [] },
);

/** What a report must not go below: the files and bytes a restore has done. */
export type DoneCounts = Pick<RestoreProgress, "filesRestored" | "bytesRestored">;

/**
 * The report with its files and bytes done raised to those `done` holds, as
 * a real agent's counts never go back (core refuses a lower count); equal
 * counts stay, a repeat being as valid as a rise.
 */
export function keepDoneCounts(report: ProgressReport, done: DoneCounts): ProgressReport {
  return {
    ...report,
    ...(report.filesRestored !== undefined && done.filesRestored !== null
      ? { filesRestored: Math.max(report.filesRestored, done.filesRestored) }
      : {}),
    ...(report.bytesRestored !== undefined && done.bytesRestored !== null
      ? { bytesRestored: Math.max(report.bytesRestored, done.bytesRestored) }
      : {}),
  };
}

/**
 * The data of a report a well-behaved agent could send next: any fields, its
 * files and bytes done never below those `done` holds. Byte totals and what
 * remains are estimates and move freely.
 *
 * @example
 * ```ts
 * fc.assert(fc.property(arbProgressReportAfter(restore.progress), (report) =>
 *   decide(existing(restore), reportOf(report), context).isOk()));
 * ```
 */
export function arbProgressReportAfter(done: DoneCounts): fc.Arbitrary<ProgressReport> {
  return PROGRESS_REPORT.map((report) => keepDoneCounts(report, done));
}
