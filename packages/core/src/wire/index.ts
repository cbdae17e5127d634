export { actionRequestSchema, parseActionRequest } from "./action-request.js";
export { agentErrorsSchema } from "./agent-errors.js";
export { agentPatchSchema, parseAgentPatch } from "./agent-patch.js";
export {
  type AgentRequestWire,
  agentRequestSchema,
  agentRequestsSchema,
  toAgentRequestWire,
} from "./agent-requests.js";
export { formatByteSize } from "./byte-size.js";
export { formatDuration } from "./duration.js";
export { positiveIdSchema } from "./ids.js";
export { issuesOf, parseWith } from "./issues.js";
export { parseJsonBody } from "./json-body.js";
export {
  type PublicKeyWire,
  parsePublicKey,
  publicKeySchema,
  toPublicKeyWire,
} from "./public-key.js";
export {
  createRestoreSchema,
  parseCreateRestore,
  parseUpdateRestore,
  updateRestoreSchema,
} from "./restore-config.js";
export {
  type RestoreDetailsWire,
  type RestoreProgressWire,
  restoreDetailsSchema,
  toProgressWire,
  toRestoreDetails,
} from "./restore-details.js";
export {
  type RestoreErrorItemWire,
  type RestoreReportWire,
  restoreReportSchema,
  toRestoreReport,
} from "./restore-report.js";
export { formatV1Date, parseV1Date, v1DateSchema } from "./v1-date.js";
