export { arbActionRequestBody, arbHostileActionRequestBody } from "./action-request-body.js";
export { arbAgentPatchBody, arbHostileAgentPatchBody } from "./agent-patch-body.js";
export { arbActor, arbCommandContext, arbRequestId } from "./command-context.js";
export {
  arbAgentReportCommand,
  arbCommand,
  arbExpire,
  arbSealedPassword,
  arbStartManual,
  arbStopManual,
  arbUpdateConfig,
  arbUserCommand,
} from "./commands.js";
export { arbCreateRestoreBody, arbHostileCreateRestoreBody } from "./create-restore-body.js";
export { type ArbHistoryOptions, arbHistory, arbRestoreIn } from "./history.js";
export {
  arbErrorSummary,
  arbProgressReport,
  arbProgressReportAfter,
  type DoneCounts,
} from "./progress-report.js";
export {
  type ArbResolvedBackupOptions,
  arbAgentPublicKey,
  arbResolvedBackup,
} from "./resolved-backup.js";
export { arbDestinationPath, arbPositiveId, arbRestoreConfig } from "./restore-config.js";
export { arbAgentReportedState, arbStateName } from "./states.js";
export { arbTimestamp } from "./timestamp.js";
