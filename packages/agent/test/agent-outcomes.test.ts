import { generateKeyPairSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import { inProcessServer } from "./support/in-process-server.js";
import { eventually, gate, sleep } from "./support/waiting.js";

// How a restore ends when `run` misbehaves, when the password does not open, and when the server
// refuses a report: the outcome the service records, and what `run` saw.

describe("a run that breaks", () => {
  it("by throwing, or by returning no outcome, leaves the restore Failed (agent_error)", async () => {
    const server = inProcessServer();
    const throwing = await server.restore();
    const garbage = await server.restore();
    const nothing = await server.restore();
    const nil = await server.restore();
    const all = [throwing, garbage, nothing, nil];
    const ran: number[] = [];
    const agent = server.agent(async (restore) => {
      ran.push(restore.restoreId);
      if (restore.restoreId === throwing) throw new Error("disk full");
      if (restore.restoreId === garbage) return { state: "done" } as never;
      if (restore.restoreId === nil) return null as never;
      return undefined as never;
    });
    await agent.start();
    for (const id of all) await server.start(id);
    for (const id of all) {
      await server.reach(id, ["Failed"]);
      const { progress } = await server.read(id);
      expect(progress.errors?.reason).toBe("agent_error");
      expect(progress.endedTime).not.toBeNull();
      expect((await server.timeline(id)).at(-1)).toBe("RestoreFinished:Failed");
    }
    expect(ran.sort()).toEqual(all.sort());
    expect(server.logged.join("\n")).not.toContain("disk full");
  });

  it("whose encrypted restore's password does not open (another key) is Failed without running", async () => {
    const server = inProcessServer();
    const { privateKey: otherKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const ran: number[] = [];
    const agent = server.agent(
      async (restore) => {
        ran.push(restore.restoreId);
        return { state: "completed" };
      },
      { privateKey: otherKey },
    );
    await agent.start();
    const id = await server.restore({ encrypted: true });
    await server.start(id, "vault passphrase");
    await server.reach(id, ["Failed"]);

    expect(ran).toEqual([]);
    const { progress } = await server.read(id);
    expect(progress.errors?.reason).toBe("unable_to_decrypt_vault");
    expect(await server.timeline(id)).toEqual([
      "RestoreCreated",
      "RestoreStartRequested",
      "RestoreProgressed:Queued",
      "RestoreFinished:Failed",
    ]);
    expect(server.seen.some((seen) => seen.path.endsWith(`/restores/${id}/password`))).toBe(true);
  });
});

describe("a report the server refuses", () => {
  it("with a 409 because the restore finished elsewhere aborts run (conflict) and nothing more is reported", async () => {
    const server = inProcessServer();
    const reasons: unknown[] = [];
    const working = gate();
    const agent = server.agent(async (_restore, { progress, signal }) => {
      await progress({ phase: "in_progress", bytesCompleted: 50 });
      working.open();
      // Reports until one is refused; the signal says why the work must end.
      for (let sent = 60; !signal.aborted; sent += 1) {
        await progress({ bytesCompleted: sent });
        await sleep(10);
      }
      reasons.push(signal.reason);
      return { state: "completed" };
    });
    await agent.start();
    const id = await server.restore();
    await server.start(id);
    await working.opened;
    // Another party (an operator's tool, a second agent) finished it.
    expect(await server.patch(id, [{ op: "replace", path: "/state", value: "failed" }])).toBe(204);
    await eventually(() => reasons.length > 0, "run to be aborted");

    expect(reasons).toEqual(["conflict"]);
    const refused = server.reports(id).filter((seen) => seen.status === 409);
    expect(refused).toHaveLength(1);
    const count = server.reports(id).length;
    await sleep(300);
    expect(server.reports(id)).toHaveLength(count);
    expect(await server.state(id)).toBe("Failed");
    expect((await server.timeline(id)).at(-1)).toBe("RestoreFinished:Failed");
  });

  it("with a 409 on a state while a stop was missed aborts run (conflict) and reports stopped", async () => {
    const server = inProcessServer();
    const reasons: unknown[] = [];
    const preparing = gate();
    const go = gate();
    const agent = server.agent(async (_restore, { progress, signal }) => {
      await progress({ phase: "preparing" });
      preparing.open();
      await go.opened;
      await progress({ phase: "in_progress", filesRestored: 1 });
      reasons.push(signal.aborted ? signal.reason : "not aborted");
      return { state: "completed" };
    });
    await agent.start();
    const id = await server.restore();
    await server.start(id);
    await preparing.opened;
    // The agent loses its requests, so the stop below never reaches it.
    server.fault = (request) =>
      new URL(request.url).pathname.endsWith("/requests") ? { status: 503 } : "pass";
    server.cutStreams();
    await server.stop(id);
    go.open();
    await server.reach(id, ["Stopped"]);

    expect(reasons).toEqual(["conflict"]);
    expect(server.heard.filter((heard) => heard.action === "stop")).toEqual([]);
    expect((await server.timeline(id)).slice(-2)).toEqual([
      "RestoreStopRequested",
      "RestoreStopped",
    ]);
  });

  it("with progress_regressed drops that report only: the work goes on and completes", async () => {
    const server = inProcessServer();
    const abortedDuringRun: boolean[] = [];
    const agent = server.agent(async (_restore, { progress, signal }) => {
      await progress({ phase: "in_progress", filesRestored: 5, bytesCompleted: 50 });
      // Figures that go backwards: refused with progress_regressed.
      await progress({ bytesCompleted: 10 });
      abortedDuringRun.push(signal.aborted);
      await progress({ filesRestored: 6, bytesCompleted: 60 });
      abortedDuringRun.push(signal.aborted);
      return { state: "completed", progress: { filesRestored: 7, bytesCompleted: 70 } };
    });
    await agent.start();
    const id = await server.restore();
    await server.start(id);
    await server.reach(id, ["Completed"]);

    expect(abortedDuringRun).toEqual([false, false]);
    const refused = server.reports(id).filter((seen) => seen.status === 409);
    expect(refused.map((seen) => JSON.parse(seen.body))).toEqual([
      [{ op: "replace", path: "/bytes_completed", value: 10 }],
    ]);
    const { progress } = await server.read(id);
    expect(progress).toMatchObject({ filesRestored: 7, bytesRestored: 70 });
    expect(await server.timeline(id)).toEqual([
      "RestoreCreated",
      "RestoreStartRequested",
      "RestoreProgressed:Queued",
      "RestoreProgressed:InProgress",
      "RestoreProgressReported",
      "RestoreProgressReported",
      "RestoreFinished:Completed",
    ]);
  });

  it("for another reason (a 400) aborts run (refused) and leaves the restore as it is", async () => {
    const server = inProcessServer();
    const reasons: unknown[] = [];
    server.fault = (request) =>
      request.method === "PATCH" && request.headers.get("x-request-id")?.endsWith("-2")
        ? { status: 400, body: JSON.stringify({ code: "invalid_patch", detail: "no" }) }
        : "pass";
    const agent = server.agent(
      async (_restore, { progress, signal }) => {
        await progress({ phase: "in_progress", filesRestored: 1 });
        reasons.push(signal.aborted ? signal.reason : "not aborted");
        return { state: "completed" };
      },
      // No heartbeat may take the second request id, however slow the machine.
      { heartbeatMs: 600_000 },
    );
    await agent.start();
    const id = await server.restore();
    await server.start(id);
    await eventually(() => reasons.length > 0, "run to end");
    await agent.stop();

    expect(reasons).toEqual(["refused"]);
    expect(await server.state(id)).toBe("Queued");
    expect(server.reports(id).map((seen) => seen.status)).toEqual([204, 400]);
  });
});
