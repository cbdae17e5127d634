import type { Actor, CommandContext } from "@restorekit/core";
import fc from "fast-check";
import { arbPositiveId } from "./restore-config.js";
import { arbTimestamp } from "./timestamp.js";

// Built once: `stringMatching` is costly to build per sample.
const ACTOR: fc.Arbitrary<Actor> = fc.oneof(
  fc.record(
    {
      type: fc.constant("user" as const),
      id: fc.stringMatching(/^[a-z][a-z0-9.]{0,15}$/),
    },
    { noNullPrototype: true },
  ),
  fc.record(
    { type: fc.constant("agent" as const), id: arbPositiveId() },
    { noNullPrototype: true },
  ),
  fc.record(
    { type: fc.constant("system" as const), id: fc.constantFrom("timeout", "migration") },
    { noNullPrototype: true },
  ),
);

/** Who caused a change: a user, an agent (by machine id) or the system. */
export function arbActor(): fc.Arbitrary<Actor> {
  return ACTOR;
}

/** A request id as an adapter would assign one. */
export function arbRequestId(): fc.Arbitrary<string> {
  return fc.uuid();
}

/**
 * What `decide` is told besides state and command: actor, time and request id.
 *
 * @example
 * ```ts
 * fc.assert(fc.property(arbCommandContext(), (context) => !Number.isNaN(Date.parse(context.now))));
 * ```
 */
export function arbCommandContext(): fc.Arbitrary<CommandContext> {
  return fc.record(
    { actor: ACTOR, now: arbTimestamp(), requestId: arbRequestId() },
    { noNullPrototype: true },
  );
}
