import type { RestoreStateName } from "@restorekit/core";
import { reachState } from "./reach-state.js";
import type { RouteHarness } from "./route-harness.js";
import type { Tenant } from "./tenant-scope.js";

/** A tenant with restores in several states, for tests that throw many requests at them. */
export interface RestoreWorld {
  readonly tenant: Tenant;
  /** The restores, by the state each was brought to (it may have moved since). */
  readonly ids: Readonly<Record<WorldState, number>>;
  readonly allIds: readonly number[];
  /**
   * How many events the world's restores (and any `more` of the tenant's) hold,
   * and the id the next restore would get.
   */
  footprint(...more: number[]): Promise<{ readonly events: number; readonly nextId: number }>;
}

const WORLD_STATES = [
  "Creating",
  "StartRequested",
  "Queued",
  "InProgress",
  "StopRequested",
  "Completed",
] as const satisfies readonly RestoreStateName[];

export type WorldState = (typeof WORLD_STATES)[number];

/** One restore per state (StartRequested's is encrypted, so the password route has one to release). */
export async function restoreWorld(harness: RouteHarness): Promise<RestoreWorld> {
  const tenant = harness.tenant();
  const ids = {} as Record<WorldState, number>;
  for (const state of WORLD_STATES) {
    ids[state] = await reachState(tenant, state, { encrypted: state === "StartRequested" });
  }
  const allIds = Object.values(ids);
  return {
    tenant,
    ids,
    allIds,
    async footprint(...more) {
      let events = 0;
      for (const id of [...allIds, ...more]) events += (await tenant.snapshot(id)).events.length;
      return { events, nextId: harness.ids.peek() };
    },
  };
}
