import {
  AGENT_REPORTABLE_STATES,
  type AgentReportedState,
  RESTORE_STATE_NAMES,
  type RestoreStateName,
} from "@restorekit/core";
import fc from "fast-check";

/**
 * Any restore state, by its domain (v1) name.
 *
 * @example
 * ```ts
 * fc.assert(fc.property(arbStateName(), (state) => stateFromId(stateId(state)) === state));
 * ```
 */
export function arbStateName(): fc.Arbitrary<RestoreStateName> {
  return fc.constantFrom(...RESTORE_STATE_NAMES);
}

/** Any state an agent may report (the columns of the agent table in docs/state-diagram.md). */
export function arbAgentReportedState(): fc.Arbitrary<AgentReportedState> {
  return fc.constantFrom(...AGENT_REPORTABLE_STATES);
}
