import type {
  Expire,
  RecordAgentReport,
  Restore,
  RestoreCommand,
  SealedPassword,
  StartManual,
  StopManual,
  UpdateConfig,
} from "@restorekit/core";
import fc from "fast-check";
import { arbProgressReport, arbProgressReportAfter, type DoneCounts } from "./progress-report.js";
import { arbResolvedBackup } from "./resolved-backup.js";
import { arbRestoreConfig } from "./restore-config.js";
import { arbAgentReportedState } from "./states.js";

/** Opaque sealed-password bytes: the domain never looks inside, so any non-empty bytes do. */
export function arbSealedPassword(): fc.Arbitrary<SealedPassword> {
  return fc.uint8Array({ minLength: 1, maxLength: 64 }).map((bytes) => bytes as SealedPassword);
}

/** StartManual for a restore, with or without a sealed password. */
export function arbStartManual(restoreId: number): fc.Arbitrary<StartManual> {
  return fc.option(arbSealedPassword()).map((sealedPassword) => ({
    type: "StartManual" as const,
    data: { restoreId, sealedPassword },
  }));
}

/** StopManual for a restore. */
export function arbStopManual(restoreId: number): fc.Arbitrary<StopManual> {
  return fc.constant({ type: "StopManual" as const, data: { restoreId } });
}

/** UpdateConfig for a restore: a new configuration and what the catalog resolved it to. */
export function arbUpdateConfig(restoreId: number): fc.Arbitrary<UpdateConfig> {
  return fc
    .record({ config: arbRestoreConfig(), backup: arbResolvedBackup() }, { noNullPrototype: true })
    .map((data) => ({
      type: "UpdateConfig" as const,
      data: { restoreId, ...data },
    }));
}

/**
 * An agent report on a restore: a reported state (or, now and then, none, for
 * a data-only report) and any report data; given the restore's progress, data
 * whose files and bytes done never go below it, as a well-behaved agent sends.
 *
 * @example
 * ```ts
 * fc.assert(fc.property(arbAgentReportCommand(7), (command) => command.data.restoreId === 7));
 * ```
 */
export function arbAgentReportCommand(
  restoreId: number,
  done?: DoneCounts,
): fc.Arbitrary<RecordAgentReport> {
  return fc
    .record({
      state: fc.option(arbAgentReportedState(), { freq: 8 }),
      report: done === undefined ? arbProgressReport() : arbProgressReportAfter(done),
    })
    .map(({ state, report }) => ({
      type: "RecordAgentReport" as const,
      data: { restoreId, state, report },
    }));
}

/**
 * A user command on this restore: StartManual (with or without a sealed
 * password), StopManual or UpdateConfig.
 *
 * @example
 * ```ts
 * fc.assert(fc.property(arbUserCommand(restore), (command) => command.data.restoreId === restore.restoreId));
 * ```
 */
export function arbUserCommand(
  restore: Pick<Restore, "restoreId">,
): fc.Arbitrary<StartManual | StopManual | UpdateConfig> {
  const id = restore.restoreId;
  return fc.oneof(arbStartManual(id), arbStopManual(id), arbUpdateConfig(id));
}

/**
 * The system's Expire for a restore, with deadlines from 1 ms to a day.
 *
 * @example
 * ```ts
 * fc.assert(fc.property(arbExpire(7), (command) => command.data.deadlines.stopMs >= 1));
 * ```
 */
export function arbExpire(restoreId: number): fc.Arbitrary<Expire> {
  const deadline = fc.integer({ min: 1, max: 86_400_000 });
  return fc
    .record({ pickupMs: deadline, heartbeatMs: deadline, stopMs: deadline })
    .map((deadlines) => ({ type: "Expire" as const, data: { restoreId, deadlines } }));
}

/**
 * Any command a restore that exists may receive: a user command, an agent report or an expiry.
 *
 * @example
 * ```ts
 * fc.assert(fc.property(arbCommand(restore), (command) => decide(existing(restore), command, context) !== undefined));
 * ```
 */
export function arbCommand(restore: Pick<Restore, "restoreId">): fc.Arbitrary<RestoreCommand> {
  return fc.oneof(
    arbUserCommand(restore),
    arbAgentReportCommand(restore.restoreId),
    arbExpire(restore.restoreId),
  );
}
