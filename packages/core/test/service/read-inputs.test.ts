import { describe, expect, it } from "vitest";
import { LIMITS, RestoreErrors } from "../../src/index.js";
import {
  readActionRequest,
  readAgentReport,
  readCreateInput,
  readEventPage,
  readRestoreId,
  readUpdateInput,
} from "../../src/service/read-inputs.js";
import { referenceRestore } from "../support/reference-restore.js";

const { config } = referenceRestore;

function issues(result: { isErr(): boolean; error?: unknown }) {
  return result.isErr() ? (result as { error: { issues: unknown } }).error.issues : "ok";
}

describe("the service's input readers", () => {
  it("read a restore id, or refuse it naming restoreId", () => {
    expect(readRestoreId(7)._unsafeUnwrap()).toBe(7);
    expect(readRestoreId("7")._unsafeUnwrapErr()).toEqual(
      RestoreErrors.invalidRequest([{ path: "restoreId", message: "must be a positive integer" }]),
    );
  });

  it("read an action request into a copy with exactly its three fields", () => {
    const read = readActionRequest({
      action: "StopManual",
      restoreId: 7,
      encryptedPassword: undefined,
      extra: true,
    });
    expect(read._unsafeUnwrap()).toStrictEqual({
      action: "StopManual",
      restoreId: 7,
      encryptedPassword: null,
    });
    const longest = "a".repeat(LIMITS.encryptedPassword);
    expect(
      readActionRequest({
        action: "StartManual",
        restoreId: 7,
        encryptedPassword: longest,
      })._unsafeUnwrap().encryptedPassword,
    ).toBe(longest);
  });

  it("list every problem of an action request at once, each with its path", () => {
    const passwordRule = `must be a string of at most ${LIMITS.encryptedPassword} characters, or null`;
    expect(issues(readActionRequest({ action: "Go", restoreId: 0, encryptedPassword: 5 }))).toEqual(
      [
        { path: "action", message: "must be one of StartManual, StopManual" },
        { path: "restoreId", message: "must be a positive integer" },
        { path: "encryptedPassword", message: passwordRule },
      ],
    );
    expect(
      issues(
        readActionRequest({
          action: "StartManual",
          restoreId: 7,
          encryptedPassword: "a".repeat(LIMITS.encryptedPassword + 1),
        }),
      ),
    ).toEqual([{ path: "encryptedPassword", message: passwordRule }]);
    // Short enough, but not text: an array has a length too.
    expect(
      issues(readActionRequest({ action: "StartManual", restoreId: 7, encryptedPassword: ["ab"] })),
    ).toEqual([{ path: "encryptedPassword", message: passwordRule }]);
    expect(issues(readActionRequest(null))).toEqual([
      { path: "request", message: "must be an object" },
    ]);
  });

  it("read a create input, and an update input with its restore id, listing every problem", () => {
    expect(readCreateInput({ ...config, extra: 1 })._unsafeUnwrap()).toStrictEqual(config);
    expect(readUpdateInput({ ...config, restoreId: 9 })._unsafeUnwrap()).toStrictEqual({
      restoreId: 9,
      ...config,
    });
    expect(issues(readUpdateInput({ ...config, backupId: -1 }))).toEqual([
      { path: "backupId", message: "must be a positive integer" },
      { path: "restoreId", message: "must be a positive integer" },
    ]);
    expect(issues(readCreateInput([]))).toEqual([{ path: "", message: "must be an object" }]);
  });

  it("read an event page: defaults, the cut at LIMITS.eventsPerPage, and every problem", () => {
    const max = LIMITS.eventsPerPage;
    const page = (fields: object) => ({ afterSeq: 0, limit: max, order: "asc", ...fields });
    expect(readEventPage(undefined)._unsafeUnwrap()).toEqual(page({}));
    expect(readEventPage(null)._unsafeUnwrap()).toEqual(page({}));
    expect(readEventPage({ afterSeq: 3 })._unsafeUnwrap()).toEqual(page({ afterSeq: 3 }));
    expect(readEventPage({ limit: max })._unsafeUnwrap()).toEqual(page({}));
    expect(readEventPage({ limit: max - 1 })._unsafeUnwrap()).toEqual(page({ limit: max - 1 }));
    expect(readEventPage({ limit: max + 1 })._unsafeUnwrap()).toEqual(page({}));
    expect(readEventPage({ order: "desc", beforeSeq: 9 })._unsafeUnwrap()).toEqual(
      page({ order: "desc", beforeSeq: 9 }),
    );
    expect(issues(readEventPage({ afterSeq: -1, limit: "5" }))).toEqual([
      { path: "page.afterSeq", message: "must be a non-negative integer" },
      { path: "page.limit", message: "must be a non-negative integer" },
    ]);
    expect(issues(readEventPage({ beforeSeq: 1.5, order: "down" }))).toEqual([
      { path: "page.beforeSeq", message: "must be a non-negative integer" },
      { path: "page.order", message: expect.stringContaining("asc") },
    ]);
    expect(issues(readEventPage("all"))).toEqual([{ path: "page", message: "must be an object" }]);
    expect(issues(readEventPage({ limit: String(max + 1) }))).toEqual([
      { path: "page.limit", message: "must be a non-negative integer" },
    ]);
  });

  it("read an agent report, listing a bad state and bad data together", () => {
    expect(
      readAgentReport({ state: null, report: { filesRestored: 1, x: 1 } })._unsafeUnwrap(),
    ).toStrictEqual({ state: null, report: { filesRestored: 1 } });
    expect(issues(readAgentReport({ state: "Creating", report: { filesRestored: -1 } }))).toEqual([
      {
        path: "state",
        message:
          "must be one of Queued, Preparing, InProgress, StopRequested, Completed, CompletedWithErrors, Failed, Stopped",
      },
      { path: "report.filesRestored", message: "must be a non-negative integer" },
    ]);
    expect(issues(readAgentReport(7))).toEqual([{ path: "report", message: "must be an object" }]);
  });
});
