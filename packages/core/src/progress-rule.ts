import { err, ok, type Result } from "neverthrow";
import type { ProgressReport } from "./commands.js";
import { type RestoreError, RestoreErrors } from "./errors.js";
import type { Restore } from "./restore.js";

/** The counts of work done: once reported, they only grow. */
const DONE_COUNTS = ["filesRestored", "bytesRestored"] as const;

/**
 * A report may repeat or raise the files and bytes done, never lower them:
 * work done cannot be undone, so a lower count is a confused or replayed
 * report, and taking it would make progress run backwards for whoever
 * watches. The byte total and what remains are estimates and may move either
 * way. Checked on every report, with or without a state, by `decide`.
 */
export function checkDoneCounts(
  restore: Restore,
  report: ProgressReport,
): Result<void, RestoreError> {
  for (const field of DONE_COUNTS) {
    const current = restore.progress[field];
    const reported = report[field];
    if (current !== null && reported !== undefined && reported < current) {
      return err(
        RestoreErrors.progressRegressed(restore.restoreId, restore.state, field, current, reported),
      );
    }
  }
  return ok(undefined);
}
