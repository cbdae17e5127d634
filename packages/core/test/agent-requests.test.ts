import { describe, expect, it } from "vitest";
import {
  agentRequestsOf,
  decide,
  existing,
  fold,
  initialState,
  pendingRequestOf,
  type Restore,
  type RestoreEvent,
} from "../src/index.js";
import { referenceRestore } from "./support/reference-restore.js";

const user = {
  actor: { type: "user", id: "u" },
  now: "2024-01-01T00:00:00.000Z",
  requestId: "r",
} as const;
const agent = { ...user, actor: { type: "agent", id: 13 } } as const;

function history(): { restore: Restore; events: RestoreEvent[] } {
  const events: RestoreEvent[] = [];
  let state = initialState();
  const step = (command: Parameters<typeof decide>[1], context: typeof user | typeof agent) => {
    const decided = decide(state, command, context)._unsafeUnwrap();
    events.push(...decided);
    state = fold(decided, state);
  };
  step(
    {
      type: "CreateRestore",
      data: {
        tenantId: "t",
        restoreId: 7,
        config: { ...referenceRestore.config, destinationMachineId: 13 },
        backup: referenceRestore.backup,
      },
    },
    user,
  );
  step({ type: "StartManual", data: { restoreId: 7, sealedPassword: null } }, user);
  step(
    { type: "RecordAgentReport", data: { restoreId: 7, state: "InProgress", report: {} } },
    agent,
  );
  step({ type: "StopManual", data: { restoreId: 7 } }, user);
  return { restore: (state as { restore: Restore }).restore, events };
}

describe("agentRequestsOf", () => {
  it("asks the destination agent to start on a user's start and to stop on a user's stop, nothing else", () => {
    const { restore, events } = history();
    const base = { tenantId: "t", restoreId: 7, agentId: 13, version: restore.version };
    expect(events.map((event) => agentRequestsOf(restore, [event]))).toEqual([
      [],
      [{ ...base, action: "start" }],
      [],
      [{ ...base, action: "stop" }],
    ]);
  });

  it("never tells an agent of what it reported itself", () => {
    const { restore, events } = history();
    const byAgent = events.map((event) => ({
      ...event,
      metadata: { ...event.metadata, ...agent },
    }));
    const asAgent = byAgent.map((event) => ({
      ...event,
      metadata: { actor: agent.actor, at: event.metadata.at, requestId: "r" },
    })) as RestoreEvent[];
    expect(agentRequestsOf(restore, asAgent)).toEqual([]);
  });

  it("gives what is pending for a restore waiting on its agent, and nothing otherwise", () => {
    const { restore } = history();
    expect(pendingRequestOf(restore)).toEqual({
      tenantId: "t",
      restoreId: 7,
      agentId: 13,
      action: "stop",
      version: restore.version,
    });
    expect(pendingRequestOf({ ...restore, state: "InProgress" })).toBeNull();
    expect(pendingRequestOf({ ...restore, state: "StartRequested" })?.action).toBe("start");
    expect(existing(restore).type).toBe("Existing");
  });
});
