import { err, ok, type Result } from "neverthrow";
import { type RestoreError, RestoreErrors } from "./errors.js";
import type { Actor } from "./events.js";
import type { Restore } from "./restore.js";

/** Who a verified token speaks for. Never holds the token itself. */
export type Principal =
  | {
      readonly type: "user";
      readonly userId: string;
      readonly tenantId: string;
      readonly roles: readonly string[];
    }
  | { readonly type: "agent"; readonly agentId: number; readonly tenantId: string };

export type Permission =
  | "create"
  | "update"
  | "start"
  | "stop"
  | "read"
  | "report"
  | "receive-password";

const ALL_USER_PERMISSIONS: readonly Permission[] = ["create", "update", "start", "stop", "read"];

/**
 * The API's RBAC roles. Creators may also read: the API's creator role is
 * "view, create and modify".
 */
export const ROLE_PERMISSIONS: Readonly<Record<string, readonly Permission[]>> = {
  "cloudbackup:admin": ALL_USER_PERMISSIONS,
  admin: ALL_USER_PERMISSIONS,
  "cloudbackup:creator": ALL_USER_PERMISSIONS,
  "cloudbackup:observer": ["read"],
  observer: ["read"],
};

/**
 * Whether a principal may do something in a tenant. A token of another tenant
 * is `forbidden`. Agents may only report and receive the sealed password of
 * their restores; no user role may do either.
 *
 * @example
 * ```ts
 * authorize(principal, "start", "123456").isOk();
 * ```
 */
export function authorize(
  principal: Principal,
  permission: Permission,
  tenantId: string,
): Result<void, RestoreError> {
  if (principal.tenantId !== tenantId) {
    return err(RestoreErrors.forbidden("the token belongs to another tenant"));
  }
  if (principal.type === "agent") {
    return permission === "report" || permission === "receive-password"
      ? ok(undefined)
      : err(RestoreErrors.forbidden("agent tokens may only report on their restores"));
  }
  const allowed = principal.roles.some((role) =>
    (Object.hasOwn(ROLE_PERMISSIONS, role) ? ROLE_PERMISSIONS[role] : [])?.includes(permission),
  );
  return allowed
    ? ok(undefined)
    : err(RestoreErrors.forbidden(`no role of the token allows "${permission}"`));
}

/** Agents may only report on, and receive the password of, restores whose destination agent they are. */
export function authorizeAgentFor(
  principal: Principal,
  restore: Restore,
): Result<void, RestoreError> {
  return principal.type === "agent" && principal.agentId === restore.config.destinationMachineId
    ? ok(undefined)
    : err(
        RestoreErrors.forbidden(
          `the token is not the destination agent of restore ${restore.restoreId}`,
        ),
      );
}

/** The actor recorded on events: an identifier, never a credential. */
export function actorOf(principal: Principal): Actor {
  return principal.type === "user"
    ? { type: "user", id: principal.userId }
    : { type: "agent", id: principal.agentId };
}
