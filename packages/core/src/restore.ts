import type { RestoreStateName } from "./states.js";

/** An instant, always an ISO 8601 string in UTC, so that events stay plain JSON. */
export type Timestamp = string;

/**
 * The RSA public key of a restore's destination agent, as the API publishes it:
 * hex digits, upper case, whitespace removed. `exponentHex` "10001" is 65537.
 */
export interface AgentPublicKey {
  readonly modulusHex: string;
  readonly exponentHex: string;
}

/** What the client chooses when it creates or updates a restore. */
export interface RestoreConfig {
  readonly backupId: number;
  readonly backupMachineId: number;
  readonly destinationMachineId: number;
  readonly destinationPath: string;
  readonly overwriteFiles: boolean;
}

/**
 * What the `BackupCatalog` knows about the backup and machines a restore names;
 * the client never sends these. The destination machine is the agent that
 * carries the restore out.
 */
export interface ResolvedBackup {
  readonly backupConfigurationId: number;
  readonly backupConfigurationName: string;
  readonly restorePoint: Timestamp;
  readonly backupMachineName: string;
  readonly backupFlavor: string;
  readonly backupDataCenter: string;
  readonly destinationMachineName: string;
  readonly isEncrypted: boolean;
  readonly publicKey: AgentPublicKey | null;
}

export interface RestoreErrorItem {
  readonly index: number | null;
  readonly path: string | null;
  readonly type: string | null;
  readonly exception: {
    readonly code: number | null;
    readonly description: string | null;
    readonly details: string | null;
  } | null;
}

export interface RestoreErrorSummary {
  readonly count: number;
  /** The agent's reason in v2 spelling, e.g. `unable_to_process_some_files`. */
  readonly reason: string | null;
  readonly diagnostics: string | null;
  readonly list: readonly RestoreErrorItem[];
}

/** What the agent has reported about the work: what its finishing report carries. */
export interface RestoreProgress {
  readonly startedTime: Timestamp | null;
  readonly endedTime: Timestamp | null;
  readonly filesRestored: number | null;
  readonly bytesRestored: number | null;
  /** The agent's estimate of the whole; unlike the done counts it may be revised either way. */
  readonly totalBytes: number | null;
  /** The agent's estimate of what is left; may be revised either way. */
  readonly bytesRemaining: number | null;
  readonly errors: RestoreErrorSummary | null;
}

export const EMPTY_PROGRESS: RestoreProgress = {
  startedTime: null,
  endedTime: null,
  filesRestored: null,
  bytesRestored: null,
  totalBytes: null,
  bytesRemaining: null,
  errors: null,
};

/**
 * A restore as its event log defines it. Every field is derived by folding
 * the log, `version` included (it counts the events), so a store can always
 * be checked against its own history. The sealed password itself is never
 * part of it: only whether one is held.
 */
export interface Restore {
  readonly tenantId: string;
  readonly restoreId: number;
  readonly state: RestoreStateName;
  readonly version: number;
  readonly config: RestoreConfig;
  readonly backup: ResolvedBackup;
  readonly passwordSealed: boolean;
  readonly progress: RestoreProgress;
  readonly createdAt: Timestamp;
  readonly updatedAt: Timestamp;
}

/**
 * The decider's state: a restore that does not exist yet, or one that does.
 */
export type RestoreAggregate =
  | { readonly type: "Empty" }
  | { readonly type: "Existing"; readonly restore: Restore };

export function initialState(): RestoreAggregate {
  return { type: "Empty" };
}

export function existing(restore: Restore): RestoreAggregate {
  return { type: "Existing", restore };
}
