import type { RestoreConfig } from "@restorekit/core";
import fc from "fast-check";

const POSITIVE_ID = fc.integer({ min: 1, max: 2_147_483_647 });

/** A positive id as the API hands them out; kept within 32 bits like the original service's. */
export function arbPositiveId(): fc.Arbitrary<number> {
  return POSITIVE_ID;
}

const PATH_SEGMENTS = fc.array(fc.stringMatching(/^[A-Za-z0-9_ .-]{1,12}$/), {
  minLength: 1,
  maxLength: 4,
});

// Built once: arbitraries are immutable, and `stringMatching` is costly to build per sample.
const DESTINATION_PATH = fc.oneof(
  PATH_SEGMENTS.map((segments) => `C:\\${segments.join("\\")}\\`),
  PATH_SEGMENTS.map((segments) => `/${segments.join("/")}`),
);

/** A destination path in either of the forms agents use: Windows or POSIX. */
export function arbDestinationPath(): fc.Arbitrary<string> {
  return DESTINATION_PATH;
}

const RESTORE_CONFIG = fc.record(
  {
    backupId: POSITIVE_ID,
    backupMachineId: POSITIVE_ID,
    destinationMachineId: POSITIVE_ID,
    destinationPath: DESTINATION_PATH,
    overwriteFiles: fc.boolean(),
  },
  { noNullPrototype: true },
);

/**
 * What a client chooses for a restore: backup, machines, path and overwrite flag.
 *
 * @example
 * ```ts
 * fc.assert(fc.property(arbRestoreConfig(), (config) => config.backupId > 0));
 * ```
 */
export function arbRestoreConfig(): fc.Arbitrary<RestoreConfig> {
  return RESTORE_CONFIG;
}
