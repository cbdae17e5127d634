import fc from "fast-check";
import {
  AGENT_REPORTABLE_STATES,
  type AgentPublicKey,
  RESTORE_STATE_NAMES,
  type Restore,
  type RestoreErrorItem,
  type RestoreErrorSummary,
} from "../../src/index.js";

const id = fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER });

// Whole milliseconds between 1970 and 2100, as a Clock would give them.
export const timestampArb = fc
  .integer({ min: 0, max: 4_102_444_800_000 })
  .map((ms) => new Date(ms).toISOString());

const hexArb = (minLength: number, maxLength: number) =>
  fc.string({ unit: fc.constantFrom(..."0123456789ABCDEF"), minLength, maxLength });

export const publicKeyArb: fc.Arbitrary<AgentPublicKey> = fc.record({
  modulusHex: hexArb(1, 600),
  exponentHex: fc.oneof(fc.constant("10001"), fc.constant("3"), hexArb(1, 20)),
});

const nullableText = fc.option(fc.string(), { nil: null });

const errorItemArb: fc.Arbitrary<RestoreErrorItem> = fc.record({
  index: fc.option(fc.nat(), { nil: null }),
  path: nullableText,
  type: nullableText,
  exception: fc.option(
    fc.record({
      code: fc.option(fc.integer(), { nil: null }),
      description: nullableText,
      details: nullableText,
    }),
    { nil: null },
  ),
});

const errorSummaryArb: fc.Arbitrary<RestoreErrorSummary> = fc.record({
  count: fc.nat(),
  reason: fc.option(fc.stringMatching(/^[a-z]+(_[a-z]+)*$/), { nil: null }),
  diagnostics: nullableText,
  list: fc.array(errorItemArb, { maxLength: 3 }),
});

/** Any restore the domain can hold, for the wire round trips. */
export const restoreArb: fc.Arbitrary<Restore> = fc.record({
  tenantId: fc.string({ minLength: 1 }),
  restoreId: id,
  state: fc.constantFrom(...RESTORE_STATE_NAMES),
  version: fc.nat(),
  config: fc.record({
    backupId: id,
    backupMachineId: id,
    destinationMachineId: id,
    destinationPath: fc.string({ minLength: 1 }),
    overwriteFiles: fc.boolean(),
  }),
  backup: fc.record({
    backupConfigurationId: id,
    backupConfigurationName: fc.string(),
    restorePoint: timestampArb,
    backupMachineName: fc.string(),
    backupFlavor: fc.string(),
    backupDataCenter: fc.string(),
    destinationMachineName: fc.string(),
    isEncrypted: fc.boolean(),
    publicKey: fc.option(publicKeyArb, { nil: null }),
  }),
  passwordSealed: fc.boolean(),
  progress: fc.record({
    startedTime: fc.option(timestampArb, { nil: null }),
    endedTime: fc.option(timestampArb, { nil: null }),
    filesRestored: fc.option(fc.nat(), { nil: null }),
    bytesRestored: fc.option(fc.nat({ max: Number.MAX_SAFE_INTEGER }), { nil: null }),
    totalBytes: fc.option(fc.nat({ max: Number.MAX_SAFE_INTEGER }), { nil: null }),
    bytesRemaining: fc.option(fc.nat({ max: Number.MAX_SAFE_INTEGER }), { nil: null }),
    errors: fc.option(errorSummaryArb, { nil: null }),
  }),
  createdAt: timestampArb,
  updatedAt: timestampArb,
});

export const reportableStateArb = fc.constantFrom(...AGENT_REPORTABLE_STATES);
