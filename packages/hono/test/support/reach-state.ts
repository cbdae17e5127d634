import type { RestoreStateName } from "@restorekit/core";
import { encryptPassword } from "@restorekit/crypto";
import { testAgentKeys } from "@restorekit/testing";
import type { Answer } from "./http-answer.js";
import type { PatchOperation, Tenant } from "./tenant-scope.js";

/** What the agent reports with a state it finishes in: times, counts, no errors. */
const FINISHING_DATA: readonly PatchOperation[] = [
  { op: "add", path: "/started_time", value: "2026-03-01T09:01:00Z" },
  { op: "add", path: "/ended_time", value: "2026-03-01T09:02:00Z" },
  { op: "add", path: "/files_restored", value: 2 },
  { op: "add", path: "/bytes_restored", value: 1512 },
];

const FINISHING = new Set(["completed", "completed_with_errors", "failed", "stopped"]);

/** The agent's patch reporting a state by its v2 name, with the data a finishing report carries. */
export function statePatch(v2State: string): PatchOperation[] {
  return [
    { op: "replace", path: "/state", value: v2State },
    ...(FINISHING.has(v2State) ? FINISHING_DATA : []),
  ];
}

type Step = (tenant: Tenant, restoreId: number, password: string | null) => Promise<Answer>;

const start: Step = (tenant, id, password) =>
  tenant.act(id, "StartManual", password === null ? {} : { encryptedPassword: password });
const stop: Step = (tenant, id) => tenant.act(id, "StopManual");
const agent =
  (v2State: string): Step =>
  (tenant, id) =>
    tenant.report(id, statePatch(v2State));

/** How a restore gets to each state through the routes alone: the user's and the agent's requests. */
const ROUTE_TO: Readonly<Record<RestoreStateName, readonly Step[]>> = {
  Creating: [],
  StartRequested: [start],
  Queued: [start, agent("queued")],
  Preparing: [start, agent("queued"), agent("preparing")],
  InProgress: [start, agent("queued"), agent("preparing"), agent("in_progress")],
  StopRequested: [start, agent("queued"), stop],
  Completed: [start, agent("queued"), agent("in_progress"), agent("completed")],
  CompletedWithErrors: [start, agent("queued"), agent("completed_with_errors")],
  Failed: [start, agent("preparing"), agent("failed")],
  Stopped: [start, agent("queued"), stop, agent("stopped")],
};

/** An `EncryptedPassword` for the test agent's key, as a client makes one. */
export function encryptedPasswordFor(passphrase: string): string {
  const hex = encryptPassword(passphrase, testAgentKeys().publicKey);
  if (hex.isErr()) throw new Error(hex.error.message);
  return hex.value;
}

/**
 * Creates a restore and brings it to `state` through the HTTP routes only
 * (create, action-requested, the agent's patches), checking every step's 204
 * and, at the end, the state the store holds.
 */
export async function reachState(
  tenant: Tenant,
  state: RestoreStateName,
  options: { readonly encrypted?: boolean; readonly passphrase?: string } = {},
): Promise<number> {
  const encrypted = options.encrypted === true;
  const restoreId = await tenant.create({ encrypted });
  const password = encrypted
    ? encryptedPasswordFor(options.passphrase ?? "vault passphrase")
    : null;
  for (const [index, step] of ROUTE_TO[state].entries()) {
    const answer = await step(tenant, restoreId, password);
    if (answer.status !== 204) {
      throw new Error(`step ${index + 1} to ${state} answered ${answer.status}: ${answer.text}`);
    }
  }
  const reached = await tenant.stateOf(restoreId);
  if (reached !== state) throw new Error(`expected ${state}, the store holds ${reached}`);
  return restoreId;
}
