import {
  type Issue,
  isStorableText,
  LIMITS,
  type Principal,
  parseTimestamp,
  textProblem,
  timestampFromEpochMs,
} from "@restorekit/core";
import { err, ok, type Result } from "neverthrow";
import { MAX_TOKEN_LENGTH } from "./token-length.js";

/** A token entry once checked: its principal is well formed and frozen. */
export interface CheckedTokenEntry {
  readonly token: string;
  readonly principal: Principal;
  /** Milliseconds since the epoch; null when the token never expires. */
  readonly expiresAtMs: number | null;
}

/** What each field is called where the entries come from, so that issues use the reader's names. */
export interface EntryFieldNames {
  readonly token: string;
  readonly tenantId: string;
  readonly roles: string;
  readonly userId: string;
  readonly agentId: string;
  readonly expiresAt: string;
}

/** The names of `StaticTokenEntry`. */
export const ENTRY_FIELD_NAMES: EntryFieldNames = Object.freeze({
  token: "token",
  tenantId: "tenantId",
  roles: "roles",
  userId: "userId",
  agentId: "agentId",
  expiresAt: "expiresAt",
});

// Visible ASCII: what an HTTP header carries exactly, with nothing a proxy may trim or fold.
const HEADER_SAFE = /^[\x21-\x7e]+$/;
const MAX_ROLE_LENGTH = 256;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function absent(value: unknown): value is undefined | null {
  return value === undefined || value === null;
}

/**
 * Checks a token table and turns each entry into its principal. Every issue
 * is found, not only the first; each names the entry by position and the
 * field by the reader's name, and none quotes a token.
 */
export function checkTokenEntries(
  entries: unknown,
  names: EntryFieldNames,
): Result<CheckedTokenEntry[], Issue[]> {
  if (!Array.isArray(entries))
    return err([{ path: "", message: "must be a list of token entries" }]);
  if (entries.length === 0) return err([{ path: "", message: "must hold at least one token" }]);
  const issues: Issue[] = [];
  const checked: CheckedTokenEntry[] = [];
  const seen = new Map<string, number>();
  for (const [index, entry] of entries.entries()) {
    const found = checkEntry(entry, index, names);
    if (found.isErr()) issues.push(...found.error);
    else checked.push(found.value);
    // Compared here, once, when the table is built; verification never looks a token up.
    const token = isObject(entry) ? entry.token : undefined;
    if (typeof token !== "string" || token.length === 0) continue;
    const first = seen.get(token);
    if (first === undefined) seen.set(token, index);
    else
      issues.push({
        path: `${index}.${names.token}`,
        message: `is the same token as entry ${first}`,
      });
  }
  return issues.length > 0 ? err(issues) : ok(checked);
}

function checkEntry(
  entry: unknown,
  index: number,
  names: EntryFieldNames,
): Result<CheckedTokenEntry, Issue[]> {
  if (!isObject(entry)) return err([{ path: `${index}`, message: "must be an object" }]);
  const issues: Issue[] = [];
  const at = (field: keyof EntryFieldNames) => `${index}.${names[field]}`;

  const token = tokenProblem(entry.token);
  if (token !== null) issues.push({ path: at("token"), message: token });

  const tenant = tenantProblem(entry.tenantId);
  if (tenant !== null) issues.push({ path: at("tenantId"), message: tenant });

  const expiresAtMs = expiryOf(entry.expiresAt);
  if (expiresAtMs === undefined) {
    issues.push({
      path: at("expiresAt"),
      message:
        "must be an RFC 3339 date-time with a time zone (such as 2030-01-01T00:00:00Z) between the years 1 and 9999, or null",
    });
  }

  const isUser = !absent(entry.roles);
  const isAgent = !absent(entry.agentId);
  if (isUser && isAgent) {
    issues.push({
      path: `${index}`,
      message: `has both ${names.roles} and ${names.agentId}: a user token has ${names.roles}, an agent token has ${names.agentId}`,
    });
  } else if (!isUser && !isAgent) {
    issues.push({
      path: `${index}`,
      message: `needs ${names.roles} (a user token) or ${names.agentId} (an agent token)`,
    });
  }
  if (isUser) issues.push(...rolesIssues(entry.roles, at("roles")));
  if (isAgent && !(Number.isSafeInteger(entry.agentId) && (entry.agentId as number) > 0)) {
    issues.push({ path: at("agentId"), message: "must be a positive integer" });
  }
  if (!absent(entry.userId)) {
    if (isAgent && !isUser) {
      issues.push({
        path: at("userId"),
        message: `is for user tokens only: an agent token is known by its ${names.agentId}`,
      });
    } else {
      const user = userIdProblem(entry.userId);
      if (user !== null) issues.push({ path: at("userId"), message: user });
    }
  }

  if (issues.length > 0) return err(issues);
  const tenantId = entry.tenantId as string;
  const principal: Principal = isAgent
    ? Object.freeze({ type: "agent", agentId: entry.agentId as number, tenantId })
    : Object.freeze({
        type: "user",
        userId: absent(entry.userId) ? `static-token-${index + 1}` : (entry.userId as string),
        tenantId,
        roles: Object.freeze([...(entry.roles as readonly string[])]),
      });
  return ok({ token: entry.token as string, principal, expiresAtMs: expiresAtMs ?? null });
}

function tokenProblem(token: unknown): string | null {
  if (typeof token !== "string" || token.length === 0) return "must be a non-empty string";
  if (token.length > MAX_TOKEN_LENGTH) return `must be at most ${MAX_TOKEN_LENGTH} characters`;
  if (!HEADER_SAFE.test(token)) {
    return "must be visible ASCII characters only (no spaces or control characters), as an HTTP header carries it";
  }
  return null;
}

function tenantProblem(tenantId: unknown): string | null {
  if (typeof tenantId !== "string" || tenantId.length === 0) return "must be a non-empty string";
  return textProblem(tenantId, LIMITS.tenantId);
}

function userIdProblem(userId: unknown): string | null {
  if (typeof userId !== "string" || userId.length === 0) return "must be a non-empty string";
  return textProblem(userId, LIMITS.userId);
}

function rolesIssues(roles: unknown, path: string): Issue[] {
  if (!Array.isArray(roles)) return [{ path, message: "must be a list of role names" }];
  return roles.flatMap((role: unknown, position): Issue[] =>
    typeof role === "string" && role.length > 0 && isStorableText(role, MAX_ROLE_LENGTH)
      ? []
      : [
          {
            path: `${path}.${position}`,
            message: `must be a role name: a non-empty string of at most ${MAX_ROLE_LENGTH} characters`,
          },
        ],
  );
}

/** The expiry in epoch milliseconds, null for never, undefined when it is not a valid instant. */
function expiryOf(expiresAt: unknown): number | null | undefined {
  if (absent(expiresAt)) return null;
  if (expiresAt instanceof Date) {
    return timestampFromEpochMs(expiresAt.getTime()) === undefined
      ? undefined
      : expiresAt.getTime();
  }
  if (typeof expiresAt !== "string") return undefined;
  const timestamp = parseTimestamp(expiresAt);
  return timestamp === undefined ? undefined : Date.parse(timestamp);
}
