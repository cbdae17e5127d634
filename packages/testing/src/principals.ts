import type { Principal } from "@restorekit/core";
import { DEFAULT_TENANT, DESTINATION_MACHINE_ID } from "./fake-backup-catalog.js";

/**
 * A user principal; by default an admin of the default tenant.
 *
 * @example
 * ```ts
 * const observer = userPrincipal({ roles: ["cloudbackup:observer"] });
 * ```
 */
export function userPrincipal({
  roles = ["cloudbackup:admin"],
  tenantId = DEFAULT_TENANT,
  userId = "user-1",
}: {
  roles?: readonly string[];
  tenantId?: string;
  userId?: string;
} = {}): Principal {
  return { type: "user", userId, tenantId, roles };
}

/**
 * An agent principal; by default the default tenant's destination agent.
 *
 * @example
 * ```ts
 * const agent = agentPrincipal({ agentId: 42 });
 * ```
 */
export function agentPrincipal({
  agentId = DESTINATION_MACHINE_ID,
  tenantId = DEFAULT_TENANT,
}: {
  agentId?: number;
  tenantId?: string;
} = {}): Principal {
  return { type: "agent", agentId, tenantId };
}
