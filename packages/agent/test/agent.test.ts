import { generateKeyPairSync } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createAgent } from "../src/index.js";
import { inProcessServer } from "./support/in-process-server.js";

// The agent against the real app in process (core's service on the in-memory fakes), with a
// transport a test can make fail: what it hears, what it runs, what it reports, and what it does
// when the server or `run` misbehaves.

const TIMEOUT = { timeout: 120_000 };

/** A promise the test resolves when it chooses: a point `run` waits at, or tells it reached. */
function gate(): { readonly opened: Promise<void>; open(): void } {
  let open: () => void = () => undefined;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { opened, open };
}
const reports = (server: ReturnType<typeof inProcessServer>, restoreId: number) =>
  server.seen.filter(
    (seen) => seen.method === "PATCH" && seen.path.endsWith(`/restores/${restoreId}`),
  );

describe("the agent, over the real app", () => {
  it(
    "runs a started encrypted restore once: queued, the passphrase, progress in order, completed",
    TIMEOUT,
    async () => {
      const server = inProcessServer();
      const runs: { restoreId: number; passphrase: string | null }[] = [];
      let password: { reveal(): string } | null = null;
      const agent = server.agent(async (restore, context) => {
        password = context.password;
        runs.push({ restoreId: restore.restoreId, passphrase: context.password?.reveal() ?? null });
        await context.progress({ phase: "preparing", totalBytes: 100, bytesRemaining: 100 });
        await context.progress({ filesRestored: 1, bytesCompleted: 40, bytesRemaining: 60 });
        return { state: "completed", progress: { filesRestored: 2, bytesCompleted: 100 } };
      });
      await agent.start();
      const id = await server.restore({ encrypted: true });
      await server.start(id, "vault passphrase");
      await server.reach(id, ["Completed"]);

      expect(runs).toEqual([{ restoreId: id, passphrase: "vault passphrase" }]);
      // The Secret was disposed once run ended: it no longer reveals the passphrase.
      expect(() => (password as { reveal(): string } | null)?.reveal()).toThrow();
      const states = (await server.events(id)).map((event) =>
        "state" in event.data ? `${event.type}:${String(event.data.state)}` : event.type,
      );
      expect(states).toEqual([
        "RestoreCreated",
        "RestoreStartRequested",
        "RestoreProgressed:Queued",
        "RestoreProgressed:Preparing",
        "RestoreProgressReported",
        "RestoreProgressed:InProgress",
        "RestoreProgressReported",
        "RestoreFinished:Completed",
      ]);
      // Heard on the stream, not by polling: the only list read is the one after connecting.
      expect(server.seen.some((seen) => seen.accept === "text/event-stream")).toBe(true);
      const logged = server.logged.join("\n");
      expect(logged).not.toContain("vault passphrase");
    },
  );

  it("takes a start it hears again (a reconnection, a poll) only once", TIMEOUT, async () => {
    const server = inProcessServer();
    let runs = 0;
    const { opened: held, open: release } = gate();
    // Every stream is cut after it connects, so the agent polls and reconnects over and over.
    let streams = 0;
    server.fault = (request) =>
      request.headers.get("accept") === "text/event-stream" && ++streams > 1 && streams < 6
        ? { status: 503 }
        : "pass";
    const agent = server.agent(async () => {
      runs += 1;
      await held;
      return { state: "completed" };
    });
    await agent.start();
    const id = await server.restore();
    await server.start(id);
    await server.reach(id, ["Queued"]);
    // Let the agent hear the same pending start several times while run is still working.
    for (let polls = 0; polls < 200; polls += 1) {
      const heard = server.seen.filter((seen) => seen.path.endsWith("/requests")).length;
      if (heard >= 6) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    release();
    await server.reach(id, ["Completed"]);
    expect(runs).toBe(1);
  });

  it(
    "aborts run on a stop request and reports stopped; a stop for work it does not hold is confirmed",
    TIMEOUT,
    async () => {
      const server = inProcessServer();
      const reasons: unknown[] = [];
      const { opened: started, open: running } = gate();
      const agent = server.agent(async (_restore, { signal, progress }) => {
        await progress({ phase: "in_progress", filesRestored: 1 });
        running();
        await new Promise((resolve) => signal.addEventListener("abort", resolve, { once: true }));
        reasons.push(signal.reason);
        return { state: "completed" };
      });
      await agent.start();
      const id = await server.restore();
      await server.start(id);
      await started;
      await server.stop(id);
      await server.reach(id, ["Stopped"]);
      expect(reasons).toEqual(["stop"]);
      const types = (await server.events(id)).map((event) => event.type);
      expect(types.slice(-2)).toEqual(["RestoreStopRequested", "RestoreStopped"]);
      await agent.stop();

      // A restore left in StopRequested by an agent that went away: a new agent confirms the stop.
      const orphan = await server.restore();
      await server.start(orphan);
      expect(await server.patch(orphan, [{ op: "replace", path: "/state", value: "queued" }])).toBe(
        204,
      );
      await server.stop(orphan);
      const fresh = server.agent(async () => ({ state: "completed" }));
      await fresh.start();
      await server.reach(orphan, ["Stopped"]);
    },
  );

  it(
    "reports failed when run throws or returns no outcome, and when the password does not open",
    TIMEOUT,
    async () => {
      const server = inProcessServer();
      const ran: number[] = [];
      const throwing = await server.restore();
      const garbage = await server.restore();
      const agent = server.agent(async (restore) => {
        ran.push(restore.restoreId);
        if (restore.restoreId === throwing) throw new Error("disk full");
        return { state: "done" } as never;
      });
      await agent.start();
      await server.start(throwing);
      await server.start(garbage);
      await server.reach(throwing, ["Failed"]);
      await server.reach(garbage, ["Failed"]);
      for (const id of [throwing, garbage]) {
        const restore = (
          await server.env.service.getRestore(server.env.context(), id)
        )._unsafeUnwrap();
        expect(restore.progress.errors?.reason).toBe("agent_error");
      }
      await agent.stop();

      // An agent with another machine's key cannot open the password: run is never called.
      const { privateKey: otherKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
      const encrypted = await server.restore({ encrypted: true });
      const calls: number[] = [];
      const mistaken = server.agent(
        async (restore) => {
          calls.push(restore.restoreId);
          return { state: "completed" };
        },
        { privateKey: otherKey },
      );
      await mistaken.start();
      await server.start(encrypted, "vault passphrase");
      await server.reach(encrypted, ["Failed"]);
      const failed = (
        await server.env.service.getRestore(server.env.context(), encrypted)
      )._unsafeUnwrap();
      expect(failed.progress.errors?.reason).toBe("unable_to_decrypt_vault");
      expect(calls).toEqual([]);
    },
  );

  it(
    "stops the work on a 409 for the restore's state; a progress that went back is dropped",
    TIMEOUT,
    async () => {
      const server = inProcessServer();
      const reasons: unknown[] = [];
      const { opened: elsewhere, open: finishedElsewhere } = gate();
      const agent = server.agent(async (restore, { progress, signal }) => {
        await progress({ phase: "in_progress", bytesCompleted: 50 });
        // Figures that go backwards: refused with progress_regressed, and the work goes on.
        await progress({ bytesCompleted: 10 });
        expect(signal.aborted).toBe(false);
        await progress({ bytesCompleted: 60 });
        finishedElsewhere();
        while (!signal.aborted) await progress({ bytesCompleted: 60 });
        reasons.push(signal.reason);
        void restore;
        return { state: "completed" };
      });
      await agent.start();
      const id = await server.restore();
      await server.start(id);
      await elsewhere;
      // Someone else finished it: the agent's next report is a conflict, and its run is aborted.
      expect(await server.patch(id, [{ op: "replace", path: "/state", value: "failed" }])).toBe(
        204,
      );
      for (let tries = 0; tries < 500 && reasons.length === 0; tries += 1) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect(reasons).toEqual(["conflict"]);
      expect(await server.state(id)).toBe("Failed");
      const restore = (
        await server.env.service.getRestore(server.env.context(), id)
      )._unsafeUnwrap();
      expect(restore.progress.bytesRestored).toBe(60);
    },
  );

  it(
    "retries reports answered 503 or lost on the network, no sooner than Retry-After, until acknowledged",
    TIMEOUT,
    async () => {
      const server = inProcessServer();
      let patches = 0;
      server.fault = (request) => {
        if (request.method !== "PATCH") return "pass";
        patches += 1;
        if (patches % 3 === 1) return { status: 503, retryAfter: "1" };
        if (patches % 3 === 2) return "throw";
        return "pass";
      };
      const agent = server.agent(async (_restore, { progress }) => {
        await progress({ phase: "preparing", totalBytes: 10 });
        return { state: "completed", progress: { filesRestored: 1, bytesCompleted: 10 } };
      });
      await agent.start();
      const id = await server.restore();
      await server.start(id);
      await server.reach(id, ["Completed"]);
      const sent = reports(server, id);
      // Each of queued, preparing and completed was refused twice before it landed.
      expect(sent.filter((seen) => seen.status === 204)).toHaveLength(3);
      expect(sent.filter((seen) => seen.status === 503)).toHaveLength(3);
      expect(sent.filter((seen) => seen.status === "thrown")).toHaveLength(3);
      for (const [i, seen] of sent.entries()) {
        const next = sent[i + 1];
        if (seen.status === 503 && next !== undefined) {
          expect(next.at - seen.at).toBeGreaterThanOrEqual(990);
          expect(next.body).toBe(seen.body);
        }
      }
    },
  );

  it("polls when the stream cannot be used, and still takes the start", TIMEOUT, async () => {
    const server = inProcessServer();
    server.fault = (request) =>
      request.headers.get("accept") === "text/event-stream" ? { status: 500 } : "pass";
    const ran: number[] = [];
    const agent = server.agent(async (restore) => {
      ran.push(restore.restoreId);
      return { state: "completed" };
    });
    await agent.start();
    const id = await server.restore();
    await server.start(id);
    await server.reach(id, ["Completed"]);
    expect(ran).toEqual([id]);
    const lists = server.seen.filter(
      (seen) => seen.path.endsWith("/requests") && seen.accept === "application/json",
    );
    expect(lists.length).toBeGreaterThan(1);
  });

  it("sends a bare heartbeat while run is quiet", TIMEOUT, async () => {
    const server = inProcessServer();
    const { opened: finished, open: finish } = gate();
    const agent = server.agent(
      async () => {
        await finished;
        return { state: "completed" };
      },
      { heartbeatMs: 50 },
    );
    await agent.start();
    const id = await server.restore();
    await server.start(id);
    await server.reach(id, ["Queued"]);
    for (let tries = 0; tries < 500; tries += 1) {
      if (reports(server, id).filter((seen) => seen.body === "[]").length >= 2) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const beats = reports(server, id).filter((seen) => seen.body === "[]");
    expect(beats.length).toBeGreaterThanOrEqual(2);
    expect(beats.every((seen) => seen.status === 204)).toBe(true);
    finish();
    await server.reach(id, ["Completed"]);
  });

  it("stop() aborts run with shutdown and reports nothing more", TIMEOUT, async () => {
    const server = inProcessServer();
    const reasons: unknown[] = [];
    const { opened: started, open: running } = gate();
    const agent = server.agent(async (_restore, { signal }) => {
      running();
      await new Promise((resolve) => signal.addEventListener("abort", resolve, { once: true }));
      reasons.push(signal.reason);
      return { state: "completed" };
    });
    await agent.start();
    const id = await server.restore();
    await server.start(id);
    await started;
    const before = server.seen.length;
    await agent.stop();
    expect(reasons).toEqual(["shutdown"]);
    expect(server.seen.slice(before).filter((seen) => seen.method === "PATCH")).toEqual([]);
    expect(await server.state(id)).toBe("Queued");
  });

  it("refuses options it cannot run with, and a key that is not a private key", () => {
    const server = inProcessServer();
    const base = {
      baseUrl: "http://x",
      tenantId: "1",
      agentId: 1,
      token: "t",
      privateKey: server.env.keys.privateKey,
      run: async () => ({ state: "completed" as const }),
    };
    for (const bad of [
      { baseUrl: "not a url" },
      { tenantId: "" },
      { agentId: 0 },
      { agentId: 1.5 },
      { token: "" },
      { run: "no" as never },
    ]) {
      const created = createAgent({ ...base, ...bad });
      expect(created.isErr() && created.error.code, JSON.stringify(bad)).toBe("invalid_options");
    }
    const keyless = createAgent({ ...base, privateKey: "-----BEGIN NOTHING-----" });
    expect(keyless.isErr()).toBe(true);
    expect(JSON.stringify(keyless)).not.toContain("BEGIN NOTHING");
  });

  it("whatever the order and repetition of the requests it hears, runs each restore at most once and ends each in one terminal state", {
    timeout: 300_000,
  }, async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ restore: fc.nat(2), action: fc.constantFrom("start", "stop") }), {
          minLength: 1,
          maxLength: 8,
        }),
        async (steps) => {
          const server = inProcessServer();
          const runs = new Map<number, number>();
          const agent = server.agent(async (restore, { signal }) => {
            runs.set(restore.restoreId, (runs.get(restore.restoreId) ?? 0) + 1);
            await new Promise((resolve) => setTimeout(resolve, 30));
            return signal.aborted ? { state: "failed" } : { state: "completed" };
          });
          await agent.start();
          const ids = [await server.restore(), await server.restore(), await server.restore()];
          const touched = new Set<number>();
          for (const step of steps) {
            const id = ids[step.restore] as number;
            const state = await server.state(id);
            if (step.action === "start" && state === "Creating") {
              await server.start(id);
              touched.add(id);
            } else if (
              step.action === "stop" &&
              !["Creating", "Completed", "CompletedWithErrors", "Failed", "Stopped"].includes(state)
            ) {
              await server.stop(id);
            }
          }
          for (const id of touched) {
            await server.reach(id, ["Completed", "Failed", "Stopped"]);
          }
          for (const count of runs.values()) expect(count).toBe(1);
          await agent.stop();
        },
      ),
      { numRuns: 15 },
    );
  });
});
