import {
  type CommandContext,
  decide,
  evolve,
  existing,
  fold,
  initialState,
  type Restore,
  type RestoreAggregate,
  type RestoreCommand,
  RestoreErrors,
  type RestoreEvent,
} from "@restorekit/core";
import { describe, expect, it } from "vitest";
import { GIVEN_CONTEXT, given, restoreEvents } from "../src/index.js";

// The guards of decide and evolve, each with the input that reaches it: what
// the transition tests never build because their inputs are always well formed.

const e = restoreEvents();

function restoreIn(events: RestoreEvent[]): Restore {
  const folded = fold(events);
  if (folded.type !== "Existing") throw new Error("the history folds to a restore");
  return folded.restore;
}

const created = restoreIn(e.until("Creating"));
const start: RestoreCommand = {
  type: "StartManual",
  data: { restoreId: 13689, sealedPassword: null },
};

describe("decide refuses", () => {
  it("to create a restore that exists", () => {
    const command = {
      type: "CreateRestore",
      data: {
        tenantId: created.tenantId,
        restoreId: created.restoreId,
        config: created.config,
        backup: created.backup,
      },
    } as const;
    expect(decide(existing(created), command, GIVEN_CONTEXT)._unsafeUnwrapErr()).toEqual(
      RestoreErrors.exists(13689),
    );
    expect(decide(initialState(), command, GIVEN_CONTEXT)._unsafeUnwrap()).toEqual([e.created()]);
  });

  it("a malformed context, naming the field of the context", () => {
    const context = { ...GIVEN_CONTEXT, now: "2014-02-31T00:00:00.000Z" } as CommandContext;
    const error = decide(existing(created), start, context)._unsafeUnwrapErr();
    expect(error.code === "invalid_request" && error.issues).toEqual([
      {
        path: "context.now",
        message:
          "must be an instant in the form YYYY-MM-DDTHH:mm:ss.sssZ between years 0001 and 9999",
      },
    ]);
  });

  it("a malformed command, naming the field of the command", () => {
    const command = {
      type: "StopManual",
      data: { restoreId: "13689" },
    } as unknown as RestoreCommand;
    const error = decide(existing(created), command, GIVEN_CONTEXT)._unsafeUnwrapErr();
    expect(error.code === "invalid_request" && error.issues).toEqual([
      { path: "command.data.restoreId", message: "must be a positive integer" },
    ]);
  });

  it("with internal_error, a state that is not an aggregate of a restore", () => {
    const states: unknown[] = [
      null,
      undefined,
      42,
      "Existing",
      { type: "Bogus", restore: created },
      { type: "Existing" },
      { type: "Existing", restore: null },
      { type: "Existing", restore: { ...created, state: "constructor" } },
    ];
    for (const state of states) {
      expect(decide(state as RestoreAggregate, start, GIVEN_CONTEXT)._unsafeUnwrapErr()).toEqual(
        RestoreErrors.internal(),
      );
    }
  });

  it("a start or a stop on a finished restore, saying which command and state", () => {
    for (const state of ["Completed", "CompletedWithErrors", "Failed"] as const) {
      given(e.until(state)).when(start).then("restore_finished");
      const restore = restoreIn(e.until(state));
      expect(decide(existing(restore), start, GIVEN_CONTEXT)._unsafeUnwrapErr()).toEqual(
        RestoreErrors.finished(13689, state, "StartManual"),
      );
      const stop: RestoreCommand = { type: "StopManual", data: { restoreId: 13689 } };
      expect(decide(existing(restore), stop, GIVEN_CONTEXT)._unsafeUnwrapErr()).toEqual(
        RestoreErrors.finished(13689, state, "StopManual"),
      );
    }
    expect(
      decide(existing(restoreIn(e.until("Stopped"))), start, GIVEN_CONTEXT)._unsafeUnwrapErr(),
    ).toEqual(RestoreErrors.finished(13689, "Stopped", "StartManual"));
  });
});

describe("evolve leaves the state as it is", () => {
  it("for an event other than RestoreCreated on an empty restore", () => {
    for (const event of e.until("Stopped").slice(1)) {
      expect(evolve(initialState(), event)).toEqual(initialState());
    }
  });

  it("for a state that is not an aggregate of a restore", () => {
    for (const state of [
      { type: "Bogus", restore: created },
      { type: "Existing", restore: null },
    ]) {
      expect(evolve(state as RestoreAggregate, e.startRequested())).toBe(state);
    }
  });

  it("for a second RestoreCreated, and for a type that is no event", () => {
    const other = restoreEvents({ restoreId: 7 }).created({
      config: { destinationPath: "/other" },
    });
    expect(evolve(existing(created), other)).toEqual(existing(created));
    const bogus = { ...e.startRequested(), type: "RestoreExploded" } as unknown as RestoreEvent;
    expect(evolve(existing(created), bogus)).toEqual(existing(created));
  });
});
