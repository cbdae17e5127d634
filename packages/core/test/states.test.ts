import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  RESTORE_STATE_NAMES,
  stateFromId,
  stateFromV2Name,
  stateId,
  stateKind,
  stateV2Name,
} from "../src/index.js";

// Written out again from SPEC 2 rather than read from the implementation, so a changed id fails here.
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

  it("covers exactly the ten states of SPEC 2", () => {
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
});
