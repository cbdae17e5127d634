import { describe, expect, it } from "vitest";
import { ERROR_STATUS, errorStatus, isClientError, RestoreErrors } from "../src/index.js";

describe("errors", () => {
  // SPEC 3 and 4: user rejections are 400 on v1, agent conflicts 409 on v2.
  it.each([
    [RestoreErrors.notStarted(1, "Creating", "StopManual"), 400],
    [RestoreErrors.stopping(1, "StopRequested", "StartManual"), 400],
    [RestoreErrors.finished(1, "Completed", "StartManual"), 400],
    [RestoreErrors.notEditable(1, "Queued"), 400],
    [RestoreErrors.passwordRequired(1), 400],
    [RestoreErrors.passwordNotAllowed(1, "StopManual"), 400],
    [RestoreErrors.passwordInvalid(1, "wrong_length"), 400],
    [RestoreErrors.unknownReference("BackupId", 9), 400],
    [RestoreErrors.invalidJson(3, 26, "strings must be in double quotes"), 400],
    [RestoreErrors.unauthenticated(), 401],
    [RestoreErrors.forbidden("no"), 403],
    [RestoreErrors.notFound(1), 404],
    [RestoreErrors.agentConflict(1, "Completed", "InProgress"), 409],
    [RestoreErrors.busy(1), 503],
    [RestoreErrors.storageUnavailable(), 503],
    [RestoreErrors.sealedPasswordUnreadable(1), 500],
    [RestoreErrors.internal(), 500],
  ])("%o is a %i", (error, status) => {
    expect(errorStatus(error)).toBe(status);
    expect(isClientError(error)).toBe(status < 500);
  });

  it("has a status for every code and only the statuses of the seed plus 409, 412 and 422", () => {
    // 412 only answers a request that sent If-Match, and 422 one that sent an Idempotency-Key,
    // which the seed's clients never do.
    const allowed = new Set([400, 401, 403, 404, 409, 412, 422, 500, 503]);
    for (const status of Object.values(ERROR_STATUS)) expect(allowed.has(status)).toBe(true);
  });

  it("names the restore and its current state in rejections", () => {
    const error = RestoreErrors.finished(13689, "CompletedWithErrors", "StopManual");
    expect(error.message).toContain("13689");
    expect(error.message).toContain("CompletedWithErrors");
    const conflict = RestoreErrors.agentConflict(13689, "StopRequested", "InProgress");
    expect(conflict.message).toContain("13689");
    expect(conflict.message).toContain("stop_requested");
  });

  it("mirrors the v2 API's wording for a report on a finished restore", () => {
    const conflict = RestoreErrors.agentConflict(5, "Completed", "Queued");
    expect(conflict.message).toContain(
      "Modifying a restore that is already in a state of ['completed', 'completed_with_errors', 'failed', 'stopped'] is not allowed.",
    );
  });
});

describe("the messages of a rejected command", () => {
  it("say which command could not be done, and why, in words", () => {
    expect(RestoreErrors.finished(7, "Completed", "StartManual").message).toBe(
      "Restore 7 cannot be started: it has finished (state Completed).",
    );
    expect(RestoreErrors.finished(7, "Failed", "StopManual").message).toBe(
      "Restore 7 cannot be stopped: it has finished (state Failed).",
    );
    expect(RestoreErrors.notStarted(7, "Creating", "StopManual").message).toBe(
      "Restore 7 cannot be stopped: it has not been started (state Creating).",
    );
    expect(RestoreErrors.stopping(7, "StopRequested", "StartManual").message).toBe(
      "Restore 7 cannot be started: it is being stopped (state StopRequested).",
    );
    expect(RestoreErrors.finished(7, "Stopped", "UpdateConfig").message).toBe(
      "Restore 7 cannot be updated: it has finished (state Stopped).",
    );
  });
});
