import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  AGENT_REPORTABLE_STATES,
  FINISHED_STATES,
  isActive,
  isAgentReportedState,
  isRestoreStateName,
  isTerminal,
  RESTORE_STATE_NAMES,
  stateFromId,
  stateFromV2Name,
  stateId,
  stateKind,
  stateV2Name,
  WORKING_STATES,
  workingRank,
} from "../src/index.js";

// Written out again from the state table rather than read from the implementation, so a changed id fails here.
const SPEC_STATES = [
  ["Creating", 0, "creating", "editable"],
  ["StartRequested", 6, "start_requested", "active"],
  ["Queued", 1, "queued", "active"],
  ["Preparing", 9, "preparing", "active"],
  ["InProgress", 2, "in_progress", "active"],
  ["StopRequested", 7, "stop_requested", "active"],
  ["Completed", 3, "completed", "terminal"],
  ["CompletedWithErrors", 8, "completed_with_errors", "terminal"],
  ["Failed", 5, "failed", "terminal"],
  ["Stopped", 4, "stopped", "terminal"],
] as const;

describe("restore states", () => {
  it.each(SPEC_STATES)("%s has v1 id %i, v2 name %s and is %s", (name, id, v2, kind) => {
    expect(stateId(name)).toBe(id);
    expect(stateV2Name(name)).toBe(v2);
    expect(stateKind(name)).toBe(kind);
    expect(stateFromId(id)).toBe(name);
    expect(stateFromV2Name(v2)).toBe(name);
  });

  it("covers exactly the ten states of the state table", () => {
    expect([...RESTORE_STATE_NAMES].sort()).toEqual(SPEC_STATES.map(([name]) => name).sort());
  });

  it("maps both ways without loss for every state", () => {
    fc.assert(
      fc.property(fc.constantFrom(...RESTORE_STATE_NAMES), (name) => {
        expect(stateFromId(stateId(name))).toBe(name);
        expect(stateFromV2Name(stateV2Name(name))).toBe(name);
      }),
    );
  });

  it("knows no other id or v2 name", () => {
    const ids = new Set<number>(SPEC_STATES.map(([, id]) => id));
    const names = new Set<string>(SPEC_STATES.map(([, , v2]) => v2));
    fc.assert(
      fc.property(fc.integer(), fc.string(), (id, v2) => {
        expect(stateFromId(id) === undefined).toBe(!ids.has(id));
        expect(stateFromV2Name(v2) === undefined).toBe(!names.has(v2));
      }),
    );
  });

  it("knows no other state name, prototype keys and v2 names included", () => {
    for (const value of [
      "constructor",
      "__proto__",
      "toString",
      "hasOwnProperty",
      "",
      "creating",
      "in_progress",
      "Creating ",
      0,
      null,
      undefined,
      {},
      ["Creating"],
    ]) {
      expect(isRestoreStateName(value)).toBe(false);
      expect(isAgentReportedState(value)).toBe(false);
    }
    fc.assert(
      fc.property(fc.string(), (text) => {
        expect(isRestoreStateName(text)).toBe(
          (RESTORE_STATE_NAMES as readonly string[]).includes(text),
        );
      }),
    );
  });

  it("derives the working, finished and reportable states from the one table", () => {
    expect(WORKING_STATES).toEqual(["Queued", "Preparing", "InProgress"]);
    expect(FINISHED_STATES).toEqual(["Completed", "CompletedWithErrors", "Failed"]);
    expect(AGENT_REPORTABLE_STATES).toEqual([
      "Queued",
      "Preparing",
      "InProgress",
      "StopRequested",
      "Completed",
      "CompletedWithErrors",
      "Failed",
      "Stopped",
    ]);
    expect(RESTORE_STATE_NAMES.filter(isAgentReportedState)).toEqual(AGENT_REPORTABLE_STATES);
    expect(RESTORE_STATE_NAMES.map(workingRank)).toEqual([0, 0, 1, 2, 3, 0, 0, 0, 0, 0]);
    for (const list of [
      RESTORE_STATE_NAMES,
      WORKING_STATES,
      FINISHED_STATES,
      AGENT_REPORTABLE_STATES,
    ]) {
      expect(Object.isFrozen(list)).toBe(true);
    }
  });

  it("calls exactly the active states active and the terminal ones terminal", () => {
    for (const [name, , , kind] of SPEC_STATES) {
      expect(isActive(name)).toBe(kind === "active");
      expect(isTerminal(name)).toBe(kind === "terminal");
    }
  });
});
