import { createHash } from "node:crypto";

/**
 * The NOTIFY channel of one agent of one tenant in one schema: `rk_` and the
 * MD5 hex of `schema/tenantId/agentId` (MD5 only to fit any tenant id in a
 * channel name, not for secrecy). A listener that is not this package can
 * compute the same name, e.g. `'rk_' || md5('restorekit/123456/156751')` in
 * SQL. Payloads are JSON `AgentRequest`s.
 *
 * @example
 * ```ts
 * agentChannel("restorekit", "123456", 156751); // "rk_…" (35 characters)
 * ```
 */
export function agentChannel(schema: string, tenantId: string, agentId: number): string {
  return `rk_${createHash("md5").update(`${schema}/${tenantId}/${agentId}`).digest("hex")}`;
}
