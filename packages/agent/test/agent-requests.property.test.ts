import type { RestoreEventType } from "@restorekit/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { inProcessServer } from "./support/in-process-server.js";
import { aborted, sleep } from "./support/waiting.js";

// Whatever a user does with start and stop, and however often the agent hears each request again
// (dropped streams, polling), each restore is run at most once and ends in one terminal state.

type Step =
  | { readonly kind: "start" | "stop"; readonly restore: number }
  | { readonly kind: "cut" }
  | { readonly kind: "wait"; readonly ms: number };

const step: fc.Arbitrary<Step> = fc.oneof(
  {
    arbitrary: fc.record({
      kind: fc.constantFrom("start" as const, "stop" as const),
      restore: fc.nat(2),
    }),
    weight: 4,
  },
  { arbitrary: fc.record({ kind: fc.constant("cut" as const) }), weight: 2 },
  {
    arbitrary: fc.record({
      kind: fc.constant("wait" as const),
      ms: fc.integer({ min: 0, max: 40 }),
    }),
    weight: 2,
  },
);

const TERMINAL_EVENTS: readonly RestoreEventType[] = [
  "RestoreFinished",
  "RestoreStopped",
  "RestoreCancelled",
  "RestoreExpired",
];

describe("requests heard in any order, any number of times", () => {
  it("run each restore at most once and end each in one terminal state", {
    timeout: 120_000,
  }, async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(step, { minLength: 3, maxLength: 16 }),
        fc.boolean(),
        fc.integer({ min: 0, max: 60 }),
        fc.integer({ min: 0, max: 4 }),
        async (steps, pollOnly, workMs, refusals) => {
          const server = inProcessServer();
          // Each report is refused (503) a few times before it lands, so the request it answers
          // stays pending on the server and is sent again on every reconnection and poll meanwhile.
          const tries = new Map<string, number>();
          server.fault = (request) => {
            if (pollOnly && request.headers.get("accept") === "text/event-stream") {
              return { status: 503 };
            }
            const id = request.headers.get("x-request-id");
            if (request.method !== "PATCH" || id === null) return "pass";
            tries.set(id, (tries.get(id) ?? 0) + 1);
            return (tries.get(id) ?? 0) <= refusals ? { status: 503, retryAfter: "0" } : "pass";
          };
          const runs = new Map<number, number>();
          const agent = server.agent(async (restore, { progress, signal }) => {
            runs.set(restore.restoreId, (runs.get(restore.restoreId) ?? 0) + 1);
            await progress({ phase: "in_progress", filesRestored: 1 });
            await Promise.race([sleep(workMs), aborted(signal)]);
            return { state: "completed", progress: { filesRestored: 2 } };
          });
          await agent.start();
          const ids = [await server.restore(), await server.restore(), await server.restore()];

          for (const each of steps) {
            if (each.kind === "cut") server.cutStreams();
            else if (each.kind === "wait") await sleep(each.ms);
            else {
              const id = ids[each.restore] as number;
              await server.request(each.kind === "start" ? "StartManual" : "StopManual", id);
            }
          }

          for (const id of ids) {
            const types = (await server.events(id)).map((event) => event.type);
            if (!types.includes("RestoreStartRequested")) {
              expect(await server.state(id)).toBe("Creating");
              expect(runs.get(id)).toBeUndefined();
              continue;
            }
            await server.reach(id, ["Completed", "Stopped"]);
          }
          await agent.stop();

          for (const id of ids) {
            const types = (await server.events(id)).map((event) => event.type);
            if (!types.includes("RestoreStartRequested")) continue;
            const ran = runs.get(id) ?? 0;
            expect(ran).toBeLessThanOrEqual(1);
            expect(types.filter((type) => TERMINAL_EVENTS.includes(type))).toHaveLength(1);
            if (types.includes("RestoreCancelled")) {
              // Stopped before the agent took it: never run.
              expect(ran).toBe(0);
            } else if (!types.includes("RestoreStopRequested")) {
              // Never stopped: heard and run to the end, however the requests came.
              expect(await server.state(id)).toBe("Completed");
              expect(ran).toBe(1);
            }
          }
        },
      ),
      // A failing run waits out its restores' deadlines: shrinking would outlast the test's timeout.
      { numRuns: 25, endOnFailure: true },
    );
  });
});
