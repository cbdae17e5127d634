export { agentRequestsOf, pendingRequestOf } from "./agent-requests.js";
export {
  AGENT_REPORTABLE_STATES,
  type AgentReportedState,
  type CreateRestore,
  FINISHED_STATES,
  type FinishedState,
  type ProgressReport,
  type RecordAgentReport,
  type RestoreCommand,
  type RestoreCommandType,
  type SealedPassword,
  type StartManual,
  type StopManual,
  type UpdateConfig,
  WORKING_STATES,
  type WorkingState,
} from "./commands.js";
export { type CommandContext, type Decision, decide } from "./decide.js";
export { validateEncryptedPassword } from "./encrypted-password.js";
export {
  type CatalogField,
  ERROR_STATUS,
  type ErrorStatus,
  errorStatus,
  type Issue,
  isClientError,
  type PasswordRule,
  type RestoreError,
  type RestoreErrorCode,
  type RestoreErrorOf,
  RestoreErrors,
  type UserCommandName,
} from "./errors.js";
export {
  type Actor,
  type EventMetadata,
  RESTORE_EVENT_TYPES,
  type RestoreCancelled,
  type RestoreConfigUpdated,
  type RestoreCreated,
  type RestoreEvent,
  type RestoreEventType,
  type RestoreFinished,
  type RestoreProgressed,
  type RestoreProgressReported,
  type RestoreStartRequested,
  type RestoreStopped,
  type RestoreStopRequested,
  type StoredEvent,
} from "./events.js";
export { evolve, fold } from "./evolve.js";
export { checkStartPassword } from "./password-rule.js";
export {
  actorOf,
  authorize,
  authorizeAgentFor,
  type Permission,
  type Principal,
  ROLE_PERMISSIONS,
} from "./policy.js";
export type {
  AgentRequest,
  AppendRequest,
  BackupCatalog,
  BackupReferences,
  Clock,
  EventPage,
  IdGenerator,
  PasswordBinding,
  PasswordVault,
  RestoreRepository,
  Subscription,
  TokenVerifier,
} from "./ports.js";
export {
  type AgentPublicKey,
  EMPTY_PROGRESS,
  existing,
  initialState,
  type ResolvedBackup,
  type Restore,
  type RestoreAggregate,
  type RestoreConfig,
  type RestoreErrorItem,
  type RestoreErrorSummary,
  type RestoreProgress,
  type Timestamp,
} from "./restore.js";
export type {
  ActionRequest,
  AgentReport,
  CreateRestoreInput,
  UpdateRestoreInput,
} from "./service/inputs.js";
export {
  createRestoreService,
  type RequestContext,
  type RestoreService,
  type RestoreServiceDeps,
} from "./service/restore-service.js";
export {
  type ActiveStateName,
  isActive,
  isRestoreStateName,
  isTerminal,
  RESTORE_STATE_NAMES,
  RESTORE_STATES,
  type RestoreStateId,
  type RestoreStateKind,
  type RestoreStateName,
  type RestoreStateV2Name,
  stateFromId,
  stateFromV2Name,
  stateId,
  stateKind,
  stateV2Name,
  type TerminalStateName,
} from "./states.js";
