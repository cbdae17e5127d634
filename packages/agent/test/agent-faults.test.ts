import { describe, expect, it } from "vitest";
import { type Fault, inProcessServer, type Seen } from "./support/in-process-server.js";
import { eventually } from "./support/waiting.js";

// The server is the real app; only the transport between it and the agent misbehaves: answers
// 503 and its kin, throws like a lost connection, or makes the request stream unusable.

/** Timers and `Date.now()` round differently by a millisecond or so; nothing more is forgiven. */
const CLOCK_SLACK_MS = 5;

describe("reports and the password", () => {
  it("are retried through 5xx, 429 and lost connections until acknowledged, no sooner than Retry-After", async () => {
    const server = inProcessServer();
    // Each request (one X-Request-Id, however often it is tried) follows a script, in order of arrival.
    // The HTTP-date form, whole seconds: from half a second to a second and a half ahead.
    let retryDate = "";
    const scripts: (() => Fault[])[] = [
      () => [{ status: 503, retryAfter: "1" }, "throw", "pass"],
      () => [{ status: 503, retryAfter: "1" }, "throw", "pass"],
      () => {
        retryDate = new Date(Date.now() + 1_500).toUTCString();
        return [{ status: 503, retryAfter: retryDate }, "pass"];
      },
      () => [{ status: 504 }, "throw", { status: 429 }, { status: 502 }, "pass"],
    ];
    const plans = new Map<string, Fault[]>();
    server.fault = (request) => {
      const id = request.headers.get("x-request-id");
      if (id === null) return "pass";
      if (!plans.has(id)) plans.set(id, scripts[plans.size]?.() ?? []);
      return plans.get(id)?.shift() ?? "pass";
    };
    const passphrases: (string | null)[] = [];
    const agent = server.agent(
      async (_restore, { password, progress }) => {
        passphrases.push(password?.reveal() ?? null);
        await progress({ phase: "preparing", totalBytes: 10 });
        return { state: "completed", progress: { filesRestored: 1, bytesCompleted: 10 } };
      },
      // A Retry-After is honoured up to five times retry.maxMs: here up to 5 s, past every header.
      { retry: { initialMs: 20, maxMs: 1_000 } },
    );
    await agent.start();
    const id = await server.restore({ encrypted: true });
    await server.start(id, "vault passphrase");
    await server.reach(id, ["Completed"]);

    expect(passphrases).toEqual(["vault passphrase"]);
    const byRequest = new Map<string, Seen[]>();
    for (const seen of server.seen) {
      if (seen.requestId === null) continue;
      byRequest.set(seen.requestId, [...(byRequest.get(seen.requestId) ?? []), seen]);
    }
    const tries = [...byRequest.values()];
    // queued, the password, preparing, completed: each tried as its script says, then taken.
    expect(tries.map((each) => each.map((seen) => seen.status))).toEqual([
      [503, "thrown", 204],
      [503, "thrown", 200],
      [503, 204],
      [504, "thrown", 429, 502, 204],
    ]);
    expect(tries.map((each) => each[0]?.path.endsWith("/password"))).toEqual([
      false,
      true,
      false,
      false,
    ]);
    for (const each of tries) {
      // A retry is the same request again.
      expect(new Set(each.map((seen) => `${seen.method} ${seen.path} ${seen.body}`)).size).toBe(1);
    }
    const [queued, password, preparing] = tries as [Seen[], Seen[], Seen[]];
    for (const [first, second] of [queued, password]) {
      expect((second as Seen).at - (first as Seen).at).toBeGreaterThanOrEqual(
        1_000 - CLOCK_SLACK_MS,
      );
    }
    expect((preparing[1] as Seen).at).toBeGreaterThanOrEqual(
      Date.parse(retryDate) - CLOCK_SLACK_MS,
    );
    // Retries added nothing: each report is one change in the restore's log.
    expect(await server.timeline(id)).toEqual([
      "RestoreCreated",
      "RestoreStartRequested",
      "RestoreProgressed:Queued",
      "RestoreProgressed:Preparing",
      "RestoreProgressReported",
      "RestoreFinished:Completed",
    ]);
    expect((await server.read(id)).progress).toMatchObject({ filesRestored: 1, bytesRestored: 10 });
  });
});

describe("the request stream", () => {
  const unusable: [string, Fault][] = [
    ["answered 404", { status: 404 }],
    ["answered 500", { status: 500 }],
    ["lost on the network", "throw"],
    ["a stream that ends at once", { status: 200, contentType: "text/event-stream", body: "" }],
    [
      "answered with the list instead",
      { status: 200, contentType: "application/json", body: '{"requests":[]}' },
    ],
  ];

  it.each(unusable)("%s: the agent polls and still takes the start", async (_what, fault) => {
    const server = inProcessServer();
    server.fault = (request) =>
      request.headers.get("accept") === "text/event-stream" ? fault : "pass";
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
    expect(server.heard.filter((heard) => heard.restoreId === id)).toContainEqual({
      restoreId: id,
      action: "start",
      via: "poll",
    });
    expect(server.heard.every((heard) => heard.via === "poll")).toBe(true);
  });

  it("answered with the list instead is not asked for again: the agent keeps polling", async () => {
    const server = inProcessServer();
    server.fault = (request) =>
      request.headers.get("accept") === "text/event-stream"
        ? { status: 200, contentType: "application/json", body: '{"requests":[]}' }
        : "pass";
    const agent = server.agent(async () => ({ state: "completed" }));
    await agent.start();
    const polls = () => server.seen.filter((seen) => seen.accept === "application/json");
    await eventually(() => polls().length >= 5, "five polls");
    expect(server.seen.filter((seen) => seen.accept === "text/event-stream")).toHaveLength(1);
  });

  it("once it works again is used again", async () => {
    const server = inProcessServer();
    let broken = true;
    server.fault = (request) =>
      broken && request.headers.get("accept") === "text/event-stream" ? { status: 503 } : "pass";
    const ran: number[] = [];
    const agent = server.agent(async (restore) => {
      ran.push(restore.restoreId);
      return { state: "completed" };
    });
    await agent.start();
    broken = false;
    await eventually(
      () => server.seen.some((seen) => seen.accept === "text/event-stream" && seen.status === 200),
      "the stream to be opened",
    );
    const id = await server.restore();
    await server.start(id);
    await server.reach(id, ["Completed"]);
    expect(server.heard).toContainEqual({ restoreId: id, action: "start", via: "stream" });
    expect(ran).toEqual([id]);
  });

  it("start() waits for the server to answer, however long it cannot be reached", async () => {
    const server = inProcessServer();
    server.fault = () => "throw";
    const agent = server.agent(async () => ({ state: "completed" }));
    let started = false;
    const starting = agent.start().then(() => {
      started = true;
    });
    await eventually(() => server.seen.length >= 6, "a few tries");
    expect(started).toBe(false);
    server.fault = () => "pass";
    await starting;
    expect(started).toBe(true);
  });
});
