import { describe, expect, it } from "vitest";
import {
  type AppendRequest,
  checkAppendRequest,
  decide,
  existing,
  fold,
  initialState,
  type Restore,
  RestoreErrors,
  type SealedPassword,
} from "../src/index.js";
import { referenceRestore } from "./support/reference-restore.js";

const context = {
  actor: { type: "user", id: "u" },
  now: "2024-01-01T00:00:00.000Z",
  requestId: "r",
} as const;

const { config, backup } = referenceRestore;

/** A valid create of restore 7 and a valid start after it. */
function requests(): { create: AppendRequest; start: AppendRequest } {
  const createEvents = decide(
    initialState(),
    { type: "CreateRestore", data: { tenantId: "t", restoreId: 7, config, backup } },
    context,
  )._unsafeUnwrap();
  const created = fold(createEvents);
  const restore = (created as { restore: Restore }).restore;
  const startEvents = decide(
    existing(restore),
    { type: "StartManual", data: { restoreId: 7, sealedPassword: null } },
    context,
  )._unsafeUnwrap();
  const started = (fold(startEvents, created) as { restore: Restore }).restore;
  return {
    create: {
      tenantId: "t",
      restoreId: 7,
      expectedVersion: 0,
      previous: null,
      events: createEvents,
      restore,
    },
    start: {
      tenantId: "t",
      restoreId: 7,
      expectedVersion: 1,
      previous: restore,
      events: startEvents,
      restore: started,
    },
  };
}

describe("checkAppendRequest", () => {
  it("accepts a consistent request and hands back copies with only the domain's fields", () => {
    const { create, start } = requests();
    const sealed = Uint8Array.of(1, 2, 3) as SealedPassword;
    const checked = checkAppendRequest({
      ...start,
      restore: { ...start.restore, extra: 1 } as Restore,
      sealedPassword: sealed,
    })._unsafeUnwrap();
    expect(checked).toStrictEqual({ ...start, sealedPassword: sealed });
    expect(checked.restore).not.toBe(start.restore);
    expect(checkAppendRequest(create)._unsafeUnwrap()).toStrictEqual({
      ...create,
      sealedPassword: null,
    });
  });

  it("answers internal_error for a request whose row does not follow from its key, version and events", () => {
    const { create, start } = requests();
    const broken: unknown[] = [
      null,
      "append",
      { ...start, events: "events" },
      { ...start, restore: null },
      { ...start, tenantId: 7 },
      { ...start, tenantId: 7, restore: { ...start.restore, tenantId: 7 } },
      { ...start, tenantId: "other" },
      { ...start, restoreId: 8 },
      { ...start, restoreId: 0, restore: { ...start.restore, restoreId: 0 } },
      { ...start, restoreId: 1.5, restore: { ...start.restore, restoreId: 1.5 } },
      { ...start, expectedVersion: -1, restore: { ...start.restore, version: 0 } },
      { ...start, expectedVersion: 0.5, restore: { ...start.restore, version: 1.5 } },
      { ...start, expectedVersion: 0 },
      { ...start, expectedVersion: 2 },
      { ...create, events: [] },
      { ...create, events: [], restore: { ...create.restore, version: 0 } },
      {
        ...start,
        expectedVersion: 2_147_483_647,
        restore: { ...start.restore, version: 2_147_483_648 },
      },
      { ...start, sealedPassword: "bytes" },
    ];
    for (const request of broken) {
      expect(checkAppendRequest(request as AppendRequest)._unsafeUnwrapErr()).toEqual(
        RestoreErrors.internal(),
      );
    }
  });

  it("holds a restore up to the largest version a store can count", () => {
    const { start } = requests();
    const last = 2_147_483_647;
    const request = {
      ...start,
      expectedVersion: last - 1,
      previous: { ...(start.previous as Restore), version: last - 1 },
      restore: { ...start.restore, version: last },
    };
    expect(checkAppendRequest(request)._unsafeUnwrap().restore.version).toBe(last);
  });

  it("answers invalid_request naming every value no store can hold, in the row and in the events", () => {
    const { create } = requests();
    const path = "/a\u0000b";
    const bad = {
      ...create,
      restore: { ...create.restore, config: { ...config, destinationPath: path } },
      events: [
        {
          ...create.events[0],
          metadata: { ...context, at: "2024-02-30T00:00:00.000Z" },
        },
      ],
    } as AppendRequest;
    expect(checkAppendRequest(bad)._unsafeUnwrapErr()).toEqual(
      RestoreErrors.invalidRequest([
        {
          path: "restore.config.destinationPath",
          message: "must not contain a NUL character (\\u0000)",
        },
        {
          path: "events.0.metadata.at",
          message:
            "must be an instant in the form YYYY-MM-DDTHH:mm:ss.sssZ between years 0001 and 9999",
        },
      ]),
    );
  });
});
