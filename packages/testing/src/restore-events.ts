import {
  EMPTY_PROGRESS,
  type EventMetadata,
  type FinishedState,
  type ResolvedBackup,
  type RestoreCancelled,
  type RestoreConfig,
  type RestoreConfigUpdated,
  type RestoreCreated,
  type RestoreEvent,
  type RestoreFinished,
  type RestoreProgress,
  type RestoreProgressed,
  type RestoreProgressReported,
  type RestoreStartRequested,
  type RestoreStateName,
  type RestoreStopped,
  type RestoreStopRequested,
  type WorkingState,
} from "@restorekit/core";
import { testAgentKeys } from "./agent-keys.js";
import {
  BACKUP_MACHINE_ID,
  DEFAULT_TENANT,
  DESTINATION_MACHINE_ID,
  ENCRYPTED_BACKUP_ID,
  UNENCRYPTED_BACKUP_ID,
} from "./fake-backup-catalog.js";
import { GIVEN_CONTEXT } from "./given.js";

export interface RestoreEventsOptions {
  /** Default 13689, the first id of `testEnvironment`. */
  readonly restoreId?: number;
  /** Default the fake catalog's default tenant, "123456". */
  readonly tenantId?: string;
  /** Whether the backup is encrypted; then a start holds a sealed password. Default false. */
  readonly encrypted?: boolean;
  /**
   * The metadata of every event; by default that of `given`'s context (actor
   * `{ type: "system", id: "test" }`, at 2026-01-01T00:00:00.000Z, request id
   * "test"), so the events a builder makes are those `decide` makes in `given`.
   */
  readonly metadata?: Partial<EventMetadata>;
}

/** Builds one restore's events; every builder takes metadata to change for that event alone. */
export interface RestoreEventBuilders {
  /** The restore of the fake catalog's default backup (encrypted or plain) to its destination agent. */
  created(
    change?: {
      readonly config?: Partial<RestoreConfig>;
      readonly backup?: Partial<ResolvedBackup>;
    },
    metadata?: Partial<EventMetadata>,
  ): RestoreCreated;
  configUpdated(
    change?: {
      readonly config?: Partial<RestoreConfig>;
      readonly backup?: Partial<ResolvedBackup>;
    },
    metadata?: Partial<EventMetadata>,
  ): RestoreConfigUpdated;
  /** A StartManual accepted: with a sealed password exactly when the restore is encrypted. */
  startRequested(metadata?: Partial<EventMetadata>): RestoreStartRequested;
  /** A StopManual before the agent took the restore: Stopped, ended at the event's time. */
  cancelled(metadata?: Partial<EventMetadata>): RestoreCancelled;
  stopRequested(metadata?: Partial<EventMetadata>): RestoreStopRequested;
  progressed(state: WorkingState, metadata?: Partial<EventMetadata>): RestoreProgressed;
  /** New data without a change of state; fields not given are null. */
  progressReported(
    progress: Partial<RestoreProgress>,
    metadata?: Partial<EventMetadata>,
  ): RestoreProgressReported;
  /** Fields not given are null, but `endedTime`, which is the event's time as `decide` makes it. */
  finished(
    state: FinishedState,
    progress?: Partial<RestoreProgress>,
    metadata?: Partial<EventMetadata>,
  ): RestoreFinished;
  /** Like `finished`, for the agent's confirmation that it stopped. */
  stopped(progress?: Partial<RestoreProgress>, metadata?: Partial<EventMetadata>): RestoreStopped;
  /**
   * The events that take a new restore to `state` the usual way: created,
   * started, then Queued, Preparing, InProgress, and from there stopping,
   * finishing or stopped.
   */
  until(state: RestoreStateName): RestoreEvent[];
}

/**
 * Event builders for `given(...)`, so a history is a line rather than thirty.
 *
 * @example
 * ```ts
 * const e = restoreEvents();
 * given(e.until("InProgress"))
 *   .when({ type: "StopManual", data: { restoreId: 13689 } })
 *   .then([e.stopRequested()]);
 * ```
 */
export function restoreEvents(options: RestoreEventsOptions = {}): RestoreEventBuilders {
  const restoreId = options.restoreId ?? 13689;
  const tenantId = options.tenantId ?? DEFAULT_TENANT;
  const encrypted = options.encrypted ?? false;
  const base: EventMetadata = {
    actor: GIVEN_CONTEXT.actor,
    at: GIVEN_CONTEXT.now,
    requestId: GIVEN_CONTEXT.requestId,
    ...options.metadata,
  };
  const meta = (change: Partial<EventMetadata> = {}): EventMetadata => ({ ...base, ...change });
  const config = (change: Partial<RestoreConfig> = {}): RestoreConfig => ({
    backupId: encrypted ? ENCRYPTED_BACKUP_ID : UNENCRYPTED_BACKUP_ID,
    backupMachineId: BACKUP_MACHINE_ID,
    destinationMachineId: DESTINATION_MACHINE_ID,
    destinationPath: "C:\\FolderPathForRestore\\",
    overwriteFiles: false,
    ...change,
  });
  const backup = (change: Partial<ResolvedBackup> = {}): ResolvedBackup => ({
    backupConfigurationId: encrypted ? 6266 : 6265,
    backupConfigurationName: encrypted ? "Encrypted_Backup" : "Restore_Backup",
    restorePoint: "2013-01-02T18:29:19.000Z",
    backupMachineName: "BALAJIMBP",
    backupFlavor: "RaxCloudServer",
    backupDataCenter: "DFW",
    destinationMachineName: "BILLS-TEST-WIN",
    isEncrypted: encrypted,
    publicKey: testAgentKeys().publicKey,
    ...change,
  });
  const ended = (progress: Partial<RestoreProgress>, metadata: EventMetadata): RestoreProgress => ({
    ...EMPTY_PROGRESS,
    ...progress,
    endedTime: progress.endedTime ?? metadata.at,
  });

  const builders: RestoreEventBuilders = {
    created: (change = {}, metadata) => ({
      type: "RestoreCreated",
      data: { tenantId, restoreId, config: config(change.config), backup: backup(change.backup) },
      metadata: meta(metadata),
    }),
    configUpdated: (change = {}, metadata) => ({
      type: "RestoreConfigUpdated",
      data: { config: config(change.config), backup: backup(change.backup) },
      metadata: meta(metadata),
    }),
    startRequested: (metadata) => ({
      type: "RestoreStartRequested",
      data: { passwordSealed: encrypted },
      metadata: meta(metadata),
    }),
    cancelled: (metadata) => {
      const at = meta(metadata);
      return { type: "RestoreCancelled", data: { endedTime: at.at }, metadata: at };
    },
    stopRequested: (metadata) => ({
      type: "RestoreStopRequested",
      data: {},
      metadata: meta(metadata),
    }),
    progressed: (state, metadata) => ({
      type: "RestoreProgressed",
      data: { state },
      metadata: meta(metadata),
    }),
    progressReported: (progress, metadata) => ({
      type: "RestoreProgressReported",
      data: { progress: { ...EMPTY_PROGRESS, ...progress } },
      metadata: meta(metadata),
    }),
    finished: (state, progress = {}, metadata) => {
      const at = meta(metadata);
      return {
        type: "RestoreFinished",
        data: { state, progress: ended(progress, at) },
        metadata: at,
      };
    },
    stopped: (progress = {}, metadata) => {
      const at = meta(metadata);
      return { type: "RestoreStopped", data: { progress: ended(progress, at) }, metadata: at };
    },
    until(state) {
      const started = [builders.created(), builders.startRequested()];
      const working = [
        ...started,
        builders.progressed("Queued"),
        builders.progressed("Preparing"),
        builders.progressed("InProgress"),
      ];
      switch (state) {
        case "Creating":
          return [builders.created()];
        case "StartRequested":
          return started;
        case "Queued":
          return working.slice(0, 3);
        case "Preparing":
          return working.slice(0, 4);
        case "InProgress":
          return working;
        case "StopRequested":
          return [...working, builders.stopRequested()];
        case "Completed":
        case "CompletedWithErrors":
        case "Failed":
          return [...working, builders.finished(state)];
        case "Stopped":
          return [...working, builders.stopRequested(), builders.stopped()];
      }
    },
  };
  return builders;
}
