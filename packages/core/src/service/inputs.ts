import type { ProgressReport } from "../commands.js";
import type { AgentReportedState } from "../states.js";

/** The action-requested body once read: what `requestAction` takes. */
export interface ActionRequest {
  readonly action: "StartManual" | "StopManual";
  readonly restoreId: number;
  /** Hex as the client sent it (whitespace allowed); `null` when null or absent. */
  readonly encryptedPassword: string | null;
}

/** A create body once read. The catalog supplies everything else the details show. */
export interface CreateRestoreInput {
  readonly backupId: number;
  readonly backupMachineId: number;
  readonly destinationMachineId: number;
  readonly destinationPath: string;
  readonly overwriteFiles: boolean;
}

/** An update body once read; it replaces the whole configuration. */
export interface UpdateRestoreInput extends CreateRestoreInput {
  readonly restoreId: number;
}

/** An agent's JSON Patch once read: the state it reports, if any, and data. */
export interface AgentReport {
  readonly state: AgentReportedState | null;
  readonly report: ProgressReport;
}

/**
 * A condition on a change (HTTP `If-Match`): made only while the restore is
 * at one of `versions`, else `precondition_failed` and nothing changes. An
 * empty list matches no version.
 */
export interface Precondition {
  readonly versions: readonly number[];
}
