import type { Deadlines } from "./deadlines.js";
import type { ResolvedBackup, RestoreConfig, RestoreErrorSummary, Timestamp } from "./restore.js";
import type { AgentReportedState } from "./states.js";

/**
 * An `EncryptedPassword` after the `PasswordVault` has validated and sealed
 * it: opaque bytes bound to one tenant and restore. Never logged, never in an
 * event or a response.
 */
export type SealedPassword = Uint8Array & { readonly __brand: "SealedPassword" };

/** The fields an agent report may set; absent fields keep their value. */
export interface ProgressReport {
  readonly startedTime?: Timestamp;
  readonly endedTime?: Timestamp;
  readonly filesRestored?: number;
  readonly bytesRestored?: number;
  readonly totalBytes?: number;
  readonly bytesRemaining?: number;
  readonly errors?: RestoreErrorSummary;
}

export interface CreateRestore {
  readonly type: "CreateRestore";
  readonly data: {
    readonly tenantId: string;
    readonly restoreId: number;
    readonly config: RestoreConfig;
    readonly backup: ResolvedBackup;
  };
}

export interface UpdateConfig {
  readonly type: "UpdateConfig";
  readonly data: {
    readonly restoreId: number;
    readonly config: RestoreConfig;
    readonly backup: ResolvedBackup;
  };
}

export interface StartManual {
  readonly type: "StartManual";
  readonly data: { readonly restoreId: number; readonly sealedPassword: SealedPassword | null };
}

export interface StopManual {
  readonly type: "StopManual";
  readonly data: { readonly restoreId: number };
}

/**
 * An agent's report: a new state (or `null` to report data only) and data.
 * With `deadlines`, a report that changes nothing still records that the
 * agent was heard, when the last record is older than a tenth of its
 * state's deadline; without, it changes nothing.
 */
export interface RecordAgentReport {
  readonly type: "RecordAgentReport";
  readonly data: {
    readonly restoreId: number;
    readonly state: AgentReportedState | null;
    readonly report: ProgressReport;
    readonly deadlines?: Deadlines;
  };
}

/**
 * Gives up a restore whose agent has been silent past its state's deadline:
 * Failed (reason `AgentTimeout`) when it was never taken or went quiet while
 * working, Stopped when a stop was never confirmed. Not yet due, or not
 * waiting on its agent: nothing changes.
 */
export interface Expire {
  readonly type: "Expire";
  readonly data: { readonly restoreId: number; readonly deadlines: Deadlines };
}

export type RestoreCommand =
  | CreateRestore
  | UpdateConfig
  | StartManual
  | StopManual
  | RecordAgentReport
  | Expire;

export type RestoreCommandType = RestoreCommand["type"];
