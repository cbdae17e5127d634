import { err, ok, type Result } from "neverthrow";
import { type RestoreError, RestoreErrors } from "./errors.js";
import type { Actor } from "./events.js";
import { isRecord } from "./internal/plain-data.js";
import type { Restore } from "./restore.js";
import { LIMITS } from "./values/limits.js";
import { isStorableText } from "./values/text.js";

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

const ALL_USER_PERMISSIONS: readonly Permission[] = Object.freeze([
  "create",
  "update",
  "start",
  "stop",
  "read",
]);
const READ_ONLY: readonly Permission[] = Object.freeze(["read"]);

/**
 * The API's RBAC roles, for reference: frozen, and `authorize` reads its own
 * copy, so nothing an app does to this object changes who may do what.
 * Creators may also read: the API's creator role is "view, create and modify".
 */
export const ROLE_PERMISSIONS: Readonly<Record<string, readonly Permission[]>> = Object.freeze({
  "cloudbackup:admin": ALL_USER_PERMISSIONS,
  admin: ALL_USER_PERMISSIONS,
  "cloudbackup:creator": ALL_USER_PERMISSIONS,
  "cloudbackup:observer": READ_ONLY,
  observer: READ_ONLY,
});

// A Map, so a role named "constructor" or "__proto__" is just an unknown role.
const PERMISSIONS_OF_ROLE: ReadonlyMap<string, ReadonlySet<Permission>> = new Map(
  Object.entries(ROLE_PERMISSIONS).map(([role, permissions]) => [role, new Set(permissions)]),
);

/**
 * Whether a value is a well-formed `Principal`: a user with a non-empty id of
 * at most `LIMITS.userId` characters that a store can hold, a tenant id and a
 * list of role names; or an agent with a positive integer id and a tenant id.
 * What a `TokenVerifier` returns is checked with it before it is trusted.
 */
export function isPrincipal(value: unknown): value is Principal {
  if (!isRecord(value) || typeof value.tenantId !== "string") return false;
  switch (value.type) {
    case "user":
      return (
        isStorableText(value.userId, LIMITS.userId) &&
        value.userId.length > 0 &&
        Array.isArray(value.roles) &&
        value.roles.every((role) => typeof role === "string")
      );
    case "agent":
      return Number.isSafeInteger(value.agentId) && (value.agentId as number) > 0;
    default:
      return false;
  }
}

/**
 * Whether a principal may do something in a tenant. A token of another tenant
 * is `forbidden`, and so is a principal that is not well formed. Agents may
 * only report and receive the sealed password of their restores; no user role
 * may do either.
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
  if (!isPrincipal(principal)) {
    return err(RestoreErrors.forbidden("the token does not name a well-formed user or agent"));
  }
  if (principal.tenantId !== tenantId) {
    return err(RestoreErrors.forbidden("the token belongs to another tenant"));
  }
  if (principal.type === "agent") {
    return permission === "report" || permission === "receive-password"
      ? ok(undefined)
      : err(RestoreErrors.forbidden("agent tokens may only report on their restores"));
  }
  const allowed = principal.roles.some(
    (role) => PERMISSIONS_OF_ROLE.get(role)?.has(permission) === true,
  );
  return allowed
    ? ok(undefined)
    : err(RestoreErrors.forbidden(`no role of the token allows "${String(permission)}"`));
}

/** Agents may only report on, and receive the password of, restores whose destination agent they are. */
export function authorizeAgentFor(
  principal: Principal,
  restore: Restore,
): Result<void, RestoreError> {
  return isPrincipal(principal) &&
    principal.type === "agent" &&
    principal.agentId === restore.config.destinationMachineId
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
