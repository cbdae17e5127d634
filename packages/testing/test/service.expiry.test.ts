import {
  type AgentReport,
  createSweeper,
  type Deadlines,
  deadlineOf,
  heartbeatRefreshMs,
  isActive,
  type Restore,
  type RestoreStateName,
} from "@restorekit/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  agentPrincipal,
  DEFAULT_TENANT,
  given,
  inMemoryRepository,
  restoreEvents,
  testEnvironment,
} from "../src/index.js";

/** Long property runs get their own timeout, so a loaded 2-core machine cannot fail them. */
const PROPERTY_TIMEOUT_MS = 60_000;

const DEADLINES: Deadlines = { pickupMs: 60_000, heartbeatMs: 30_000, stopMs: 20_000 };
const e = restoreEvents();
const AT = "2026-01-01T00:00:00.000Z";
const plus = (ms: number) => new Date(Date.parse(AT) + ms).toISOString();
const sweeperContext = (ms: number) => ({
  actor: { type: "system" as const, id: "sweeper" },
  now: plus(ms),
});
const expire = { type: "Expire" as const, data: { restoreId: 13689, deadlines: DEADLINES } };
const agent = { type: "agent" as const, id: 7 };

describe("Expire, decided", () => {
  const cases: [RestoreStateName, "pickup" | "heartbeat" | "stop", number][] = [
    ["StartRequested", "pickup", DEADLINES.pickupMs],
    ["Queued", "heartbeat", DEADLINES.heartbeatMs],
    ["Preparing", "heartbeat", DEADLINES.heartbeatMs],
    ["InProgress", "heartbeat", DEADLINES.heartbeatMs],
    ["StopRequested", "stop", DEADLINES.stopMs],
  ];

  for (const [state, awaited, deadlineMs] of cases) {
    it(`gives up ${state} a millisecond after its ${awaited} deadline and the refresh, not at them`, () => {
      const due = deadlineMs + heartbeatRefreshMs(deadlineMs);
      given(e.until(state))
        .when(expire, sweeperContext(due - 1))
        .then([]);
      const at = { actor: sweeperContext(due).actor, at: plus(due + 1), requestId: "test" };
      const ended = state === "StopRequested" ? "Stopped" : "Failed";
      const decided = given(e.until(state)).when(expire, sweeperContext(due + 1));
      decided.then([
        {
          type: "RestoreExpired",
          data: {
            state: ended,
            reason: "AgentTimeout",
            awaited,
            deadlineMs,
            silentSince: AT,
            progress: {
              ...e.progressReported({}).data.progress,
              endedTime: at.at,
              errors:
                ended === "Stopped"
                  ? null
                  : {
                      count: 0,
                      reason: "agent_timeout",
                      diagnostics:
                        awaited === "pickup"
                          ? `The agent did not take the restore within ${deadlineMs} ms of the start request.`
                          : `The agent sent no report for more than ${deadlineMs} ms.`,
                      list: [],
                    },
            },
          },
          metadata: at,
        },
      ]);
    });
  }

  for (const state of [
    "Creating",
    "Completed",
    "CompletedWithErrors",
    "Failed",
    "Stopped",
  ] as const) {
    it(`leaves ${state} alone however long it has been`, () => {
      given(e.until(state))
        .when(expire, sweeperContext(10 * 365 * 86_400_000))
        .then([]);
    });
  }

  it("refuses deadlines that are not whole positive milliseconds", () => {
    given(e.until("InProgress"))
      .when({ type: "Expire", data: { restoreId: 13689, deadlines: { ...DEADLINES, stopMs: 0 } } })
      .then("invalid_request");
  });
});

describe("a report that changes nothing, decided", () => {
  const heartbeat = {
    type: "RecordAgentReport" as const,
    data: { restoreId: 13689, state: null, report: {}, deadlines: DEADLINES },
  };
  const refresh = heartbeatRefreshMs(DEADLINES.heartbeatMs);

  it("is recorded as a heartbeat once the last record is a refresh old", () => {
    given(e.until("InProgress"))
      .when(heartbeat, { actor: agent, now: plus(refresh) })
      .then([
        {
          type: "RestoreHeartbeatReceived",
          data: {},
          metadata: { actor: agent, at: plus(refresh), requestId: "test" },
        },
      ]);
  });

  it("is not recorded while the last record is fresher than that", () => {
    given(e.until("InProgress"))
      .when(heartbeat, { actor: agent, now: plus(refresh - 1) })
      .then([]);
  });

  it("changes nothing without deadlines, and nothing on a restore that waits on nobody", () => {
    const { deadlines: _, ...bare } = heartbeat.data;
    given(e.until("InProgress"))
      .when({ type: "RecordAgentReport", data: bare }, { actor: agent, now: plus(10 * refresh) })
      .then([]);
    given(e.until("Completed"))
      .when(
        { ...heartbeat, data: { ...heartbeat.data, state: "Completed" } },
        { actor: agent, now: plus(10 * refresh) },
      )
      .then([]);
  });
});

type Step =
  /** Moves the clock by this many thousandths of the deadline the restore waits under. */
  | { readonly kind: "advance"; readonly permille: number }
  | { readonly kind: "heartbeat" }
  | { readonly kind: "data" }
  | { readonly kind: "forward" }
  | { readonly kind: "confirm-stop" }
  | { readonly kind: "stop" }
  | { readonly kind: "sweep" };

const step: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.nat({ max: 1_300 }).map((permille) => ({ kind: "advance", permille }) as const),
  },
  { weight: 3, arbitrary: fc.constant({ kind: "sweep" } as const) },
  { weight: 2, arbitrary: fc.constant({ kind: "heartbeat" } as const) },
  { weight: 1, arbitrary: fc.constant({ kind: "data" } as const) },
  { weight: 1, arbitrary: fc.constant({ kind: "forward" } as const) },
  { weight: 1, arbitrary: fc.constant({ kind: "confirm-stop" } as const) },
  { weight: 1, arbitrary: fc.constant({ kind: "stop" } as const) },
);

// Up to 200 s, so the refresh's 5 s cap is reached too.
const deadline = fc.oneof(fc.integer({ min: 1, max: 100 }), fc.integer({ min: 1, max: 200_000 }));
const deadlines: fc.Arbitrary<Deadlines> = fc.record({
  pickupMs: deadline,
  heartbeatMs: deadline,
  stopMs: deadline,
});

const NEXT: Partial<Record<RestoreStateName, AgentReport["state"]>> = {
  StartRequested: "Queued",
  Queued: "Preparing",
  Preparing: "InProgress",
};

describe("the sweeper, against any interleaving of agent reports and sweeps", () => {
  it(
    "never expires a restore heard from within its deadline, and always expires one silent past it and the refresh",
    async () => {
      await fc.assert(
        fc.asyncProperty(deadlines, fc.array(step, { maxLength: 40 }), async (limits, steps) => {
          const env = testEnvironment({ deadlines: limits });
          const sweeper = createSweeper({
            service: env.service,
            due: env.repository,
            clock: env.clock,
            deadlines: limits,
          });
          const restore = (await env.createRestore())._unsafeUnwrap();
          const id = restore.restoreId;
          const agentContext = () => env.context(agentPrincipal());
          const current = async (): Promise<Restore> =>
            (await env.repository.load(DEFAULT_TENANT, id))._unsafeUnwrap() as Restore;
          (
            await env.service.requestAction(env.context(), {
              action: "StartManual",
              restoreId: id,
              encryptedPassword: null,
            })
          )._unsafeUnwrap();
          // When the agent was last heard from, or the restore entered the state it waits in.
          let heard = env.clock.now().getTime();
          let files = 0;
          const report = async (agentReport: AgentReport) => {
            const answer = await env.service.agentReport(agentContext(), id, agentReport);
            expect(answer.isOk(), JSON.stringify(answer)).toBe(true);
            heard = env.clock.now().getTime();
          };

          for (const next of steps) {
            const before = await current();
            const waiting = isActive(before.state);
            switch (next.kind) {
              case "advance": {
                const deadline = deadlineOf(before.state, limits) ?? limits.heartbeatMs;
                env.clock.advance(Math.floor((next.permille * deadline) / 1000));
                break;
              }
              case "heartbeat":
                if (waiting) await report({ state: null, report: {} });
                break;
              case "data":
                files += 1;
                if (waiting) await report({ state: null, report: { filesRestored: files } });
                break;
              case "forward": {
                const state = NEXT[before.state];
                if (state !== undefined) await report({ state, report: {} });
                break;
              }
              case "confirm-stop":
                if (before.state === "StopRequested")
                  await report({ state: "Stopped", report: {} });
                break;
              case "stop":
                if (["Queued", "Preparing", "InProgress"].includes(before.state)) {
                  (
                    await env.service.requestAction(env.context(), {
                      action: "StopManual",
                      restoreId: id,
                      encryptedPassword: null,
                    })
                  )._unsafeUnwrap();
                  heard = env.clock.now().getTime();
                }
                break;
              case "sweep": {
                const swept = (await sweeper.sweep())._unsafeUnwrap();
                const afterSweep = await current();
                const silent = env.clock.now().getTime() - heard;
                const deadline = deadlineOf(before.state, limits);
                if (deadline === null) {
                  expect(swept.expired).toBe(0);
                  break;
                }
                if (silent <= deadline) {
                  expect(afterSweep).toEqual(before);
                  expect(swept.expired).toBe(0);
                }
                if (silent > deadline + heartbeatRefreshMs(deadline)) {
                  expect(swept.expired).toBe(1);
                  expect(afterSweep.state).toBe(
                    before.state === "StopRequested" ? "Stopped" : "Failed",
                  );
                }
                break;
              }
            }
          }
        }),
        { numRuns: 150 },
      );
    },
    PROPERTY_TIMEOUT_MS,
  );

  it("expires a restore once when several sweepers race for it", async () => {
    const repository = inMemoryRepository();
    const first = testEnvironment({ repository, deadlines: DEADLINES });
    const restore = (await first.createRestore())._unsafeUnwrap();
    (
      await first.service.requestAction(first.context(), {
        action: "StartManual",
        restoreId: restore.restoreId,
        encryptedPassword: null,
      })
    )._unsafeUnwrap();
    first.clock.advance(DEADLINES.pickupMs + heartbeatRefreshMs(DEADLINES.pickupMs) + 1);
    // Four instances, each with its own service and memory of restores, over one store.
    const sweepers = Array.from({ length: 4 }, () => {
      const env = testEnvironment({ repository, clock: first.clock, deadlines: DEADLINES });
      return createSweeper({
        service: env.service,
        due: repository,
        clock: first.clock,
        deadlines: DEADLINES,
      });
    });
    const reports = await Promise.all(sweepers.map((sweeper) => sweeper.sweep()));
    expect(reports.map((r) => r._unsafeUnwrap().expired).reduce((a, b) => a + b)).toBe(1);
    const events = (await repository.inspect.events(DEFAULT_TENANT, restore.restoreId)).map(
      ({ event }) => event.type,
    );
    expect(events).toEqual(["RestoreCreated", "RestoreStartRequested", "RestoreExpired"]);
  });

  it("sweeps on its timer until stopped, and reports what the store could not do", async () => {
    const env = testEnvironment({ deadlines: { pickupMs: 1, heartbeatMs: 1, stopMs: 1 } });
    const restore = (await env.createRestore())._unsafeUnwrap();
    (
      await env.service.requestAction(env.context(), {
        action: "StartManual",
        restoreId: restore.restoreId,
        encryptedPassword: null,
      })
    )._unsafeUnwrap();
    env.clock.advance(10);
    const expired: Restore[] = [];
    const sweeper = createSweeper({
      service: env.service,
      due: env.repository,
      clock: env.clock,
      deadlines: { pickupMs: 1, heartbeatMs: 1, stopMs: 1 },
      onExpired: (r) => expired.push(r),
    });
    sweeper.start(5);
    for (let i = 0; i < 400 && expired.length === 0; i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    await sweeper.stop();
    expect(expired.map((r) => r.state)).toEqual(["Failed"]);
    expect(() => sweeper.start(0)).toThrow(TypeError);
  });
});
