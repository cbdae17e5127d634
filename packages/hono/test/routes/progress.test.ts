import { describe, expect, it } from "vitest";
import { reachState } from "../support/reach-state.js";
import { routeSuite } from "../support/route-suite.js";
import type { PatchOperation, Tenant } from "../support/tenant-scope.js";

// The agent's progress through the routes: what it reports by JSON Patch, the Progress the
// details show, the events that record it, and the 409 a lower done count gets.

const JSON_TYPE = "application/json; charset=utf-8";
const MB = 1024 * 1024;

const add = (path: string, value: unknown): PatchOperation => ({ op: "add", path, value });

const NO_PROGRESS = {
  FilesRestored: null,
  BytesCompleted: null,
  BytesRemaining: null,
  TotalBytes: null,
  PercentComplete: null,
};

async function progressOf(tenant: Tenant, restoreId: number) {
  return (await tenant.details(restoreId)).Progress;
}

async function eventsOf(tenant: Tenant, restoreId: number) {
  const answer = await tenant.send("GET", tenant.v1(`/restore/${restoreId}/events`));
  expect(answer.status).toBe(200);
  return (answer.json as { Events: { type: string; data: Record<string, unknown> }[] }).Events;
}

async function reportOk(tenant: Tenant, restoreId: number, operations: PatchOperation[]) {
  const answer = await tenant.report(restoreId, operations);
  expect(answer.status, answer.text).toBe(204);
}

routeSuite("the agent's progress through HTTP", (harness) => {
  it("shows no progress on the details of a restore the agent has said nothing about", async () => {
    const tenant = harness().tenant();
    const restoreId = await tenant.create();
    expect(await progressOf(tenant, restoreId)).toEqual(NO_PROGRESS);
  });

  it("records what the agent reports, shows it as Progress and in the events", async () => {
    const tenant = harness().tenant();
    const restoreId = await reachState(tenant, "Preparing");
    await reportOk(tenant, restoreId, [add("/total_bytes", 18 * MB)]);
    expect(await progressOf(tenant, restoreId)).toEqual({ ...NO_PROGRESS, TotalBytes: 18 * MB });

    await reportOk(tenant, restoreId, [
      { op: "replace", path: "/state", value: "in_progress" },
      add("/files_restored", 60),
      add("/bytes_completed", 9 * MB),
      add("/bytes_remaining", 9 * MB),
    ]);
    expect(await progressOf(tenant, restoreId)).toEqual({
      FilesRestored: 60,
      BytesCompleted: 9 * MB,
      BytesRemaining: 9 * MB,
      TotalBytes: 18 * MB,
      PercentComplete: 50,
    });
    const last = (await eventsOf(tenant, restoreId)).at(-1);
    expect(last?.type).toBe("RestoreProgressReported");
    expect(last?.data.progress).toMatchObject({
      filesRestored: 60,
      bytesRestored: 9 * MB,
      bytesRemaining: 9 * MB,
      totalBytes: 18 * MB,
    });

    await reportOk(tenant, restoreId, [
      { op: "replace", path: "/state", value: "completed" },
      add("/files_restored", 120),
      add("/bytes_restored", 18 * MB),
      add("/bytes_remaining", 0),
    ]);
    expect(await progressOf(tenant, restoreId)).toEqual({
      FilesRestored: 120,
      BytesCompleted: 18 * MB,
      BytesRemaining: 0,
      TotalBytes: 18 * MB,
      PercentComplete: 100,
    });
    const finished = (await eventsOf(tenant, restoreId)).at(-1);
    expect(finished?.type).toBe("RestoreFinished");
    expect(finished?.data.progress).toMatchObject({ totalBytes: 18 * MB, bytesRemaining: 0 });
  });

  it("takes the hyphenated spellings, and revised estimates either way", async () => {
    const tenant = harness().tenant();
    const restoreId = await reachState(tenant, "InProgress");
    await reportOk(tenant, restoreId, [
      add("/total-bytes", 1000),
      add("/bytes-completed", 290),
      add("/bytes-remaining", 710),
    ]);
    expect(await progressOf(tenant, restoreId)).toMatchObject({
      BytesCompleted: 290,
      BytesRemaining: 710,
      TotalBytes: 1000,
      PercentComplete: 29,
    });
    // The agent found less to restore than it thought: the total and remaining go down.
    await reportOk(tenant, restoreId, [add("/total-bytes", 500), add("/bytes-remaining", 10)]);
    expect(await progressOf(tenant, restoreId)).toMatchObject({
      BytesCompleted: 290,
      BytesRemaining: 10,
      TotalBytes: 500,
      PercentComplete: 58,
    });
  });

  it("takes the same done counts again as a report that changes nothing", async () => {
    const tenant = harness().tenant();
    const restoreId = await reachState(tenant, "InProgress");
    const counts = [add("/files_restored", 5), add("/bytes_restored", 4096)];
    await reportOk(tenant, restoreId, counts);
    const before = await tenant.snapshot(restoreId);
    await reportOk(tenant, restoreId, [add("/files_restored", 5), add("/bytes_completed", 4096)]);
    expect(await tenant.snapshot(restoreId)).toEqual(before);
  });

  describe("a lower done count", () => {
    it.each([
      ["/files_restored", 4, "files_restored 5; a report cannot lower it to 4"],
      ["/bytes_restored", 4095, "bytes_restored 4096; a report cannot lower it to 4095"],
      ["/bytes-completed", 0, "bytes_restored 4096; a report cannot lower it to 0"],
    ])("by %s is a 409 in the v2 body, changing nothing", async (path, value, says) => {
      const tenant = harness().tenant();
      const restoreId = await reachState(tenant, "InProgress");
      await reportOk(tenant, restoreId, [add("/files_restored", 5), add("/bytes_restored", 4096)]);
      const before = await tenant.snapshot(restoreId);

      const answer = await tenant.report(restoreId, [
        { op: "replace", path: "/state", value: "in_progress" },
        add("/total_bytes", 9999),
        add(path, value),
      ]);

      expect(answer.status).toBe(409);
      expect(answer.headers.get("content-type")).toBe(JSON_TYPE);
      expect(answer.json).toEqual({ message: `Restore ${restoreId} has ${says}.`, errors: [] });
      expect(await tenant.snapshot(restoreId)).toEqual(before);
      expect(await progressOf(tenant, restoreId)).toMatchObject({
        FilesRestored: 5,
        BytesCompleted: 4096,
        TotalBytes: null,
      });
    });

    it("names its code progress_regressed in problem details", async () => {
      const tenant = harness().tenant();
      const restoreId = await reachState(tenant, "InProgress");
      await reportOk(tenant, restoreId, [add("/files_restored", 5)]);
      const answer = await tenant.send("PATCH", tenant.v2(`/restores/${restoreId}`), {
        as: "agent",
        json: [add("/files_restored", 1)],
        contentType: "application/json-patch+json",
        accept: "application/problem+json",
      });
      expect(answer.status).toBe(409);
      expect(answer.json).toMatchObject({
        type: "urn:restorekit:problem:progress_regressed",
        status: 409,
        code: "progress_regressed",
      });
    });

    it("is refused with a finishing state too", async () => {
      const tenant = harness().tenant();
      const restoreId = await reachState(tenant, "InProgress");
      await reportOk(tenant, restoreId, [add("/files_restored", 5)]);
      const answer = await tenant.report(restoreId, [
        { op: "replace", path: "/state", value: "completed" },
        add("/files_restored", 2),
      ]);
      expect(answer.status).toBe(409);
      expect(await tenant.stateOf(restoreId)).toBe("InProgress");
    });
  });
});
