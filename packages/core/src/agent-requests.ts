import type { RestoreEvent } from "./events.js";
import type { AgentRequest } from "./ports.js";
import type { Restore } from "./restore.js";

/**
 * The requests an append sends to the restore's destination agent, so that
 * every store notifies alike. Agents are not told of changes they reported
 * themselves.
 */
export function agentRequestsOf(restore: Restore, events: readonly RestoreEvent[]): AgentRequest[] {
  const base = {
    tenantId: restore.tenantId,
    restoreId: restore.restoreId,
    agentId: restore.config.destinationMachineId,
    version: restore.version,
  };
  return events.flatMap((event): AgentRequest[] => {
    if (event.metadata.actor.type === "agent") return [];
    if (event.type === "RestoreStartRequested") return [{ ...base, action: "start" }];
    if (event.type === "RestoreStopRequested") return [{ ...base, action: "stop" }];
    return [];
  });
}

/** What an agent polling now should do for this restore, if anything. */
export function pendingRequestOf(restore: Restore): AgentRequest | null {
  const action =
    restore.state === "StartRequested"
      ? "start"
      : restore.state === "StopRequested"
        ? "stop"
        : null;
  if (action === null) return null;
  return {
    tenantId: restore.tenantId,
    restoreId: restore.restoreId,
    agentId: restore.config.destinationMachineId,
    action,
    version: restore.version,
  };
}
