import { AssertionError } from "node:assert";
import { inspect, isDeepStrictEqual } from "node:util";
import {
  type CommandContext,
  decide,
  fold,
  type RestoreCommand,
  type RestoreErrorCode,
  type RestoreEvent,
} from "@restorekit/core";

/** The context `given` decides in unless told otherwise; `restoreEvents` builds with it too. */
export const GIVEN_CONTEXT: CommandContext = Object.freeze<CommandContext>({
  actor: { type: "system", id: "test" },
  now: "2026-01-01T00:00:00.000Z",
  requestId: "test",
});

/** The `when` step of `given`. */
export interface GivenHistory {
  when(command: RestoreCommand, context?: Partial<CommandContext>): WhenCommand;
}

/** The `then` step of `given`. */
export interface WhenCommand {
  /**
   * Asserts the decision: the exact events (metadata included), or that
   * `decide` failed with this error code. Throws an `AssertionError` otherwise.
   */
  then(expected: readonly RestoreEvent[] | RestoreErrorCode): void;
}

/**
 * Given/when/then over core's decider: folds the given events from
 * `initialState()`, decides the command, and checks the outcome. It uses
 * `node:assert` errors, so it works under any test runner. The default
 * context is actor `{ type: "system", id: "test" }`, now
 * `2026-01-01T00:00:00.000Z` and request id `test`.
 *
 * @example
 * ```ts
 * given([created])
 *   .when({ type: "StartManual", data: { restoreId: 13689, sealedPassword: null } })
 *   .then([startRequested]);
 * given([created]).when({ type: "StopManual", data: { restoreId: 13689 } }).then("restore_not_started");
 * ```
 */
export function given(events: readonly RestoreEvent[]): GivenHistory {
  return {
    when(command, context = {}) {
      const decision = decide(fold(events), command, { ...GIVEN_CONTEXT, ...context });
      return {
        // biome-ignore lint/suspicious/noThenProperty: the given/when/then vocabulary is the point; awaiting it is refused below.
        then(expected) {
          if (typeof expected === "function") {
            throw new TypeError(
              "given(...).when(...) is not a promise: call .then(expectedEvents | errorCode) without await",
            );
          }
          const what = `given ${events.length} event(s), when ${describe(command)}`;
          if (typeof expected === "string") {
            if (decision.isErr() && decision.error.code === expected) return;
            throw new AssertionError({
              message: `${what}: expected decide to fail with "${expected}", but it ${outcome(decision)}`,
              actual: decision.isErr() ? decision.error.code : decision.value,
              expected,
              operator: "then",
            });
          }
          if (decision.isOk() && isDeepStrictEqual(decision.value, expected)) return;
          throw new AssertionError({
            message: `${what}: expected the events ${inspect(expected, { depth: 8 })}, but decide ${outcome(decision)}`,
            actual: decision.isOk() ? decision.value : decision.error,
            expected,
            operator: "then",
          });
        },
      };
    },
  };
}

// Only the type and restore id: a StartManual carries sealed-password bytes that no message may show.
function describe(command: RestoreCommand): string {
  const type = typeof command === "object" && command !== null ? String(command.type) : "?";
  const data: unknown = typeof command === "object" && command !== null ? command.data : undefined;
  const restoreId =
    typeof data === "object" && data !== null && "restoreId" in data ? String(data.restoreId) : "?";
  return `${type} on restore ${restoreId}`;
}

function outcome(decision: ReturnType<typeof decide>): string {
  return decision.isOk()
    ? `returned the events ${inspect(decision.value, { depth: 8 })}`
    : `failed with "${decision.error.code}": ${decision.error.message}`;
}
