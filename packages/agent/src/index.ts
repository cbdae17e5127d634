export type {
  AgentLog,
  AgentOptions,
  AgentRequestOrder,
  AgentRestore,
  ProgressFigures,
  ProgressUpdate,
  RestoreErrorEntry,
  RestoreErrors,
  RetryOptions,
  RunContext,
  RunRestore,
  RunResult,
} from "./agent-types.js";
export { type Agent, type AgentConfigError, createAgent } from "./create-agent.js";
