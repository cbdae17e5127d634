import { generateKeyPairSync } from "node:crypto";
import type { RestoreStateName } from "@restorekit/core";
import type { Secret } from "@restorekit/crypto";
import { BACKUP_MACHINE_ID, ENCRYPTED_BACKUP_ID } from "@restorekit/testing";
import { describe, expect, it } from "vitest";
import { type AgentRestore, createAgent } from "../src/index.js";
import { inProcessServer } from "./support/in-process-server.js";
import { aborted, eventually, gate, sleep } from "./support/waiting.js";

// The agent's ordinary life against the real app in process: what it hears, what it hands `run`,
// what it reports, and how it stops. Faults of the transport and of `run` are in their own files.

describe("a start", () => {
  it("heard on the stream is queued, its password opened for run, its progress reported in order, completed with figures", async () => {
    const server = inProcessServer();
    const given: { restore: AgentRestore; passphrase: string | null }[] = [];
    const statesSeenByRun: RestoreStateName[] = [];
    let secret: Secret<string> | null = null;
    const agent = server.agent(async (restore, { password, progress }) => {
      secret = password;
      given.push({ restore, passphrase: password?.reveal() ?? null });
      statesSeenByRun.push(await server.state(restore.restoreId));
      await progress({ phase: "preparing", totalBytes: 100, bytesRemaining: 100 });
      // progress resolves once the server has the report: the restore has moved already.
      statesSeenByRun.push(await server.state(restore.restoreId));
      await progress({ filesRestored: 1, bytesCompleted: 40, bytesRemaining: 60 });
      statesSeenByRun.push(await server.state(restore.restoreId));
      return {
        state: "completed",
        progress: { filesRestored: 2, bytesCompleted: 100, bytesRemaining: 0 },
      };
    });
    await agent.start();
    const id = await server.restore({ encrypted: true });
    await server.start(id, "vault passphrase");
    await server.reach(id, ["Completed"]);

    expect(given).toEqual([
      {
        restore: expect.objectContaining({
          restoreId: id,
          backupId: ENCRYPTED_BACKUP_ID,
          backupMachineId: BACKUP_MACHINE_ID,
          destinationPath: "C:\\FolderPathForRestore\\",
          overwriteFiles: false,
          isEncrypted: true,
        }),
        passphrase: "vault passphrase",
      },
    ]);
    expect(statesSeenByRun).toEqual(["Queued", "Preparing", "InProgress"]);
    // The Secret was disposed once run ended.
    const opened = secret as Secret<string> | null;
    expect(opened?.disposed).toBe(true);
    expect(() => opened?.reveal()).toThrow(TypeError);

    expect(await server.timeline(id)).toEqual([
      "RestoreCreated",
      "RestoreStartRequested",
      "RestoreProgressed:Queued",
      "RestoreProgressed:Preparing",
      "RestoreProgressReported",
      "RestoreProgressed:InProgress",
      "RestoreProgressReported",
      "RestoreFinished:Completed",
    ]);
    const { progress } = await server.read(id);
    expect(progress).toMatchObject({
      filesRestored: 2,
      bytesRestored: 100,
      totalBytes: 100,
      bytesRemaining: 0,
      errors: null,
    });
    expect(progress.startedTime).not.toBeNull();
    expect(progress.endedTime).not.toBeNull();
    // The stream stayed open, so the start came on it and the request list was never polled.
    expect(server.heard).toEqual([{ restoreId: id, action: "start", via: "stream" }]);
    expect(server.seen.filter((seen) => seen.accept === "application/json")).toEqual([]);
  });

  it("heard again and again (reconnections, polls) while it is taken is run once", async () => {
    const server = inProcessServer();
    let runs = 0;
    // The queued report is held (503) so the start stays pending and is sent on every reconnection.
    let holding = true;
    server.fault = (request) =>
      holding && request.method === "PATCH" ? { status: 503, retryAfter: "0" } : "pass";
    const finish = gate();
    const agent = server.agent(async (_restore, { progress }) => {
      runs += 1;
      await finish.opened;
      await progress({ phase: "in_progress", filesRestored: 1 });
      return { state: "completed", progress: { filesRestored: 1 } };
    });
    await agent.start();
    const id = await server.restore();
    await server.start(id);
    const starts = () => server.heard.filter((heard) => heard.restoreId === id);
    await eventually(() => {
      server.cutStreams();
      return starts().length >= 4;
    }, "the start to be heard four times");
    holding = false;
    await eventually(() => runs > 0, "run to be called");
    // Time for a second taking of the start, if there were one, to get through too.
    await sleep(500);
    finish.open();
    await server.reach(id, ["Completed"]);

    expect(runs).toBe(1);
    expect(new Set(starts().map((heard) => heard.via))).toEqual(new Set(["stream", "poll"]));
    const queuedTaken = server
      .reports(id)
      .filter((seen) => seen.body.includes('"queued"') && seen.status === 204);
    expect(queuedTaken).toHaveLength(1);
    expect(await server.timeline(id)).toEqual([
      "RestoreCreated",
      "RestoreStartRequested",
      "RestoreProgressed:Queued",
      "RestoreProgressed:InProgress",
      "RestoreProgressReported",
      "RestoreFinished:Completed",
    ]);
  });
});

describe("a stop", () => {
  it("while run works aborts it with the reason stop, and the restore ends Stopped", async () => {
    const server = inProcessServer();
    const reasons: unknown[] = [];
    const working = gate();
    const agent = server.agent(async (_restore, { signal, progress }) => {
      await progress({ phase: "in_progress", filesRestored: 3 });
      working.open();
      reasons.push(await aborted(signal));
      // What a stopped run returns is not the restore's outcome.
      return { state: "completed", progress: { filesRestored: 9 } };
    });
    await agent.start();
    const id = await server.restore();
    await server.start(id);
    await working.opened;
    await server.stop(id);
    await server.reach(id, ["Stopped"]);

    expect(reasons).toEqual(["stop"]);
    const timeline = await server.timeline(id);
    expect(timeline.slice(-2)).toEqual(["RestoreStopRequested", "RestoreStopped"]);
    expect(timeline).not.toContain("RestoreFinished:Completed");
    const { progress } = await server.read(id);
    expect(progress.filesRestored).toBe(3);
    expect(progress.startedTime).not.toBeNull();
    expect(progress.endedTime).not.toBeNull();
  });

  it("while run ignores its signal is reported stopped once the grace is over", async () => {
    const server = inProcessServer();
    const working = gate();
    const never = gate();
    const agent = server.agent(
      async () => {
        working.open();
        await never.opened;
        return { state: "completed" };
      },
      { stopGraceMs: 100 },
    );
    await agent.start();
    const id = await server.restore();
    await server.start(id);
    await working.opened;
    await server.stop(id);
    await server.reach(id, ["Stopped"]);
    expect((await server.timeline(id)).at(-1)).toBe("RestoreStopped");
    never.open();
  });

  it("for a restore no run works on (an agent restarted) is reported stopped without running it", async () => {
    const server = inProcessServer();
    const id = await server.restore();
    await server.start(id);
    // An earlier agent took it, then went away; the user stopped it since.
    expect(await server.patch(id, [{ op: "replace", path: "/state", value: "queued" }])).toBe(204);
    await server.stop(id);
    expect(await server.state(id)).toBe("StopRequested");

    const ran: number[] = [];
    const agent = server.agent(async (restore) => {
      ran.push(restore.restoreId);
      return { state: "completed" };
    });
    await agent.start();
    await server.reach(id, ["Stopped"]);
    await agent.stop();

    expect(ran).toEqual([]);
    expect(server.heard).toContainEqual({ restoreId: id, action: "stop", via: "stream" });
    expect(server.reports(id).filter((seen) => seen.body.includes('"stopped"'))).toHaveLength(1);
    expect((await server.timeline(id)).slice(-2)).toEqual([
      "RestoreStopRequested",
      "RestoreStopped",
    ]);
  });
});

describe("while run is quiet", () => {
  it("the agent sends bare heartbeats, which the service records as the agent's word", async () => {
    const server = inProcessServer();
    const finish = gate();
    const agent = server.agent(
      async () => {
        await finish.opened;
        return { state: "completed" };
      },
      { heartbeatMs: 50 },
    );
    await agent.start();
    const id = await server.restore();
    await server.start(id);
    await server.reach(id, ["Queued"]);
    // The service writes a heartbeat down once its last record is stale enough (5 s at most).
    server.env.clock.advance(10_000);
    await eventually(
      async () => (await server.timeline(id)).includes("RestoreHeartbeatReceived"),
      "a heartbeat recorded",
    );

    const beats = server.reports(id).filter((seen) => seen.body === "[]");
    expect(beats.length).toBeGreaterThanOrEqual(1);
    expect(beats.every((seen) => seen.status === 204)).toBe(true);
    expect(await server.state(id)).toBe("Queued");
    finish.open();
    await server.reach(id, ["Completed"]);
  });
});

describe("stop()", () => {
  it("aborts every run with the reason shutdown, reports nothing more and resolves", async () => {
    const server = inProcessServer();
    const reasons: unknown[] = [];
    let working = 0;
    const agent = server.agent(async (_restore, { signal, progress }) => {
      await progress({ phase: "in_progress" });
      working += 1;
      reasons.push(await aborted(signal));
      // A report after shutdown is not sent, and resolves at once.
      await progress({ filesRestored: 5 });
      return { state: "completed" };
    });
    await agent.start();
    const ids = [await server.restore(), await server.restore()];
    for (const id of ids) await server.start(id);
    await eventually(() => working === 2, "both runs to work");
    const before = server.seen.length;
    await agent.stop();

    expect(reasons).toEqual(["shutdown", "shutdown"]);
    // Nothing is sent after stop() resolved, however long we look.
    await sleep(300);
    expect(server.seen.slice(before).filter((seen) => seen.method !== "GET")).toEqual([]);
    const after = server.seen.length;
    await sleep(300);
    expect(server.seen.length).toBe(after);
    for (const id of ids) expect(await server.state(id)).toBe("InProgress");
    // Stopped is stopped: start() does not bring it back, and stop() again resolves.
    await agent.start();
    await agent.stop();
    expect(server.seen.length).toBe(after);
  });

  it("resolves while a report is being retried, and gives the report up", async () => {
    const server = inProcessServer();
    server.fault = (request) => (request.method === "PATCH" ? { status: 503 } : "pass");
    const ran: number[] = [];
    const agent = server.agent(async (restore) => {
      ran.push(restore.restoreId);
      return { state: "completed" };
    });
    await agent.start();
    const id = await server.restore();
    await server.start(id);
    await eventually(() => server.reports(id).length >= 3, "the queued report to be retried");
    await agent.stop();
    const tries = server.reports(id).length;
    await sleep(300);
    expect(server.reports(id)).toHaveLength(tries);
    expect(ran).toEqual([]);
    expect(await server.state(id)).toBe("StartRequested");
  });
});

describe("createAgent", () => {
  const server = inProcessServer();
  const good = {
    baseUrl: "http://restorekit.internal",
    tenantId: "123456",
    agentId: 156751,
    token: "agent-token",
    privateKey: server.env.keys.privateKey,
    run: async () => ({ state: "completed" as const }),
  };

  it("takes good options", () => {
    expect(createAgent(good).isOk()).toBe(true);
  });

  it.each([
    ["a baseUrl that is not a URL", { baseUrl: "not a url" }],
    ["a relative baseUrl", { baseUrl: "/v2" }],
    ["an empty tenantId", { tenantId: "" }],
    ["agentId 0", { agentId: 0 }],
    ["a fractional agentId", { agentId: 1.5 }],
    ["a negative agentId", { agentId: -3 }],
    ["an empty token", { token: "" }],
    ["a run that is not a function", { run: "no" as never }],
  ])("refuses %s (invalid_options)", (_what, bad) => {
    const created = createAgent({ ...good, ...bad });
    expect(created.isErr() && created.error.code).toBe("invalid_options");
  });

  it("refuses options that are not an object", () => {
    const created = createAgent(null as never);
    expect(created.isErr() && created.error.code).toBe("invalid_options");
  });

  it("refuses a key that is not a private key, without repeating it", () => {
    const pem =
      "-----BEGIN PRIVATE KEY-----\nQUJDREVGR0hJSktMTU5PUA==\n-----END PRIVATE KEY-----\n";
    for (const privateKey of [pem, "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----"]) {
      const created = createAgent({ ...good, privateKey });
      expect(created.isErr() && created.error.code).toBe("malformed_key");
      expect(JSON.stringify(created)).not.toContain("QUJDREVGR0hJSktMTU5PUA");
    }
    const { privateKey: small } = generateKeyPairSync("rsa", { modulusLength: 1024 });
    const tooSmall = createAgent({ ...good, privateKey: small });
    expect(tooSmall.isErr() && tooSmall.error.code).toBe("key_too_small");
  });
});
