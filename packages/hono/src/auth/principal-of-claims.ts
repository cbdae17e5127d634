import { isPrincipal, LIMITS, type Principal, textProblem } from "@restorekit/core";
import type { JwtClaimNames } from "./jwt-tokens-options.js";

const AGENT_DIGITS = /^[1-9][0-9]{0,15}$/;

// Own properties only: a claim named "constructor" must not read Object.prototype.
function claim(payload: Readonly<Record<string, unknown>>, name: string): unknown {
  return Object.hasOwn(payload, name) ? payload[name] : undefined;
}

function tenantOf(value: unknown): string | undefined {
  if (typeof value === "number") {
    return Number.isSafeInteger(value) && value >= 0 ? String(value) : undefined;
  }
  return typeof value === "string" &&
    value.length > 0 &&
    textProblem(value, LIMITS.tenantId) === null
    ? value
    : undefined;
}

function agentIdOf(value: unknown): number | undefined {
  if (typeof value === "number")
    return Number.isSafeInteger(value) && value > 0 ? value : undefined;
  if (typeof value !== "string" || !AGENT_DIGITS.test(value)) return undefined;
  const id = Number(value);
  return Number.isSafeInteger(id) ? id : undefined;
}

function rolesOf(value: unknown): string[] | undefined {
  if (value === undefined || value === null) return [];
  // OAuth's scope style: one string, names separated by spaces.
  if (typeof value === "string") return value.split(/\s+/).filter((role) => role.length > 0);
  if (Array.isArray(value) && value.every((role) => typeof role === "string")) return [...value];
  return undefined;
}

/**
 * The principal a verified token's claims name, or `undefined` when they do
 * not name a valid one. A token with an agent id claim is an agent's (an
 * agent id that is not a positive integer refuses the token rather than
 * making it a user's); any other is a user's, and needs a user id.
 */
export function principalOfClaims(
  payload: Readonly<Record<string, unknown>>,
  names: Readonly<Required<JwtClaimNames>>,
): Principal | undefined {
  const tenantId = tenantOf(claim(payload, names.tenant));
  if (tenantId === undefined) return undefined;
  const agentClaim = claim(payload, names.agentId);
  let principal: Principal | undefined;
  if (agentClaim !== undefined && agentClaim !== null) {
    const agentId = agentIdOf(agentClaim);
    principal = agentId === undefined ? undefined : { type: "agent", agentId, tenantId };
  } else {
    const userId = claim(payload, names.user);
    const roles = rolesOf(claim(payload, names.roles));
    principal =
      typeof userId === "string" && roles !== undefined
        ? { type: "user", userId, tenantId, roles: Object.freeze(roles) }
        : undefined;
  }
  return isPrincipal(principal) ? Object.freeze(principal) : undefined;
}
