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

/** An agent's report: a new state (or `null` to report data only) and data. */
export interface RecordAgentReport {
  readonly type: "RecordAgentReport";
  readonly data: {
    readonly restoreId: number;
    readonly state: AgentReportedState | null;
    readonly report: ProgressReport;
  };
}

export type RestoreCommand =
  | CreateRestore
  | UpdateConfig
  | StartManual
  | StopManual
  | RecordAgentReport;

export type RestoreCommandType = RestoreCommand["type"];
