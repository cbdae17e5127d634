import { type Issue, parseJsonBody, type RestoreError } from "@restorekit/core";
import { err, ok, type Result } from "neverthrow";
import { checkTokenEntries, type EntryFieldNames } from "./check-token-entries.js";
import type { StaticTokenEntry } from "./static-token-entry.js";
import { type TokenConfigError, tokenConfigError } from "./token-config-error.js";

/** The keys of an entry in a tokens file, by the `StaticTokenEntry` field each one fills. */
export const TOKEN_FILE_KEYS: EntryFieldNames = Object.freeze({
  token: "token",
  tenantId: "tenant",
  roles: "roles",
  userId: "userId",
  agentId: "agentId",
  expiresAt: "expiresAt",
});

const KNOWN_KEYS: ReadonlySet<string> = new Set(Object.values(TOKEN_FILE_KEYS));
const KEYS_LISTED = [...KNOWN_KEYS].join(", ");
// Only a key that looks like a misspelt field is named: a stray value pasted as a key is not repeated.
const KEY_LIKE = /^[A-Za-z_][A-Za-z0-9_]{0,31}$/;
const SUBJECT = "tokens file";

/**
 * Reads the JSON text of a tokens file into the entries `staticTokens`
 * takes. The file is an array of objects with the keys `token`, `tenant`,
 * `roles` (user tokens), `agentId` (agent tokens), `userId` and `expiresAt`
 * (optional); a `null` is the same as a key left out. Everything is checked
 * here, as `staticTokens` would, but with the file's key names in the
 * issues (`1.tenant`); an unknown key is an issue too, since a misspelt
 * `expiresAt` would otherwise make a token that never expires. Invalid JSON
 * is reported with its line and column, never with the text.
 *
 * @example
 * ```ts
 * const entries = readTokenTable('[{"token": "s3cret", "tenant": "1234", "roles": ["observer"]}]');
 * const tokens = entries.andThen((table) => staticTokens(table));
 * ```
 */
export function readTokenTable(json: string): Result<StaticTokenEntry[], TokenConfigError> {
  if (typeof json !== "string") {
    return err(tokenConfigError(SUBJECT, [{ path: "", message: "must be JSON text" }]));
  }
  return parseJsonBody(json)
    .mapErr((error) => tokenConfigError(SUBJECT, [invalidJsonIssue(error)]))
    .andThen((parsed) => {
      if (!Array.isArray(parsed)) {
        return err(
          tokenConfigError(SUBJECT, [
            { path: "", message: "must be a JSON array of token entries" },
          ]),
        );
      }
      const entries = parsed.map(entryOf);
      const checked = checkTokenEntries(entries, TOKEN_FILE_KEYS);
      const issues = [...unknownKeyIssues(parsed), ...(checked.isErr() ? checked.error : [])];
      return issues.length > 0 ? err(tokenConfigError(SUBJECT, issues)) : ok(entries);
    });
}

function invalidJsonIssue(error: RestoreError): Issue {
  if (error.code !== "invalid_json") return { path: "", message: "is not valid JSON" };
  // Core's hint names the problem ("a trailing comma is not allowed") and never quotes the text.
  const hint = /not valid JSON: (.*) at line \d+, column \d+\.$/.exec(error.message)?.[1];
  const what = hint === undefined ? "" : `: ${hint}`;
  return {
    path: "",
    message: `is not valid JSON${what} at line ${error.line}, column ${error.column}`,
  };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function unknownKeyIssues(parsed: readonly unknown[]): Issue[] {
  return parsed.flatMap((entry, index) =>
    isObject(entry)
      ? Object.keys(entry)
          .filter((key) => !KNOWN_KEYS.has(key))
          .map((key) =>
            KEY_LIKE.test(key)
              ? {
                  path: `${index}.${key}`,
                  message: `is not a key of a token entry (${KEYS_LISTED})`,
                }
              : {
                  path: `${index}`,
                  message: `holds a key that is not a key of a token entry (${KEYS_LISTED})`,
                },
          )
      : [],
  );
}

// An object that is not an entry is passed on as it is, for the checks to name it.
function entryOf(value: unknown): StaticTokenEntry {
  if (!isObject(value)) return value as StaticTokenEntry;
  const entry: Record<string, unknown> = {};
  for (const [field, key] of Object.entries(TOKEN_FILE_KEYS)) {
    const found = Object.hasOwn(value, key) ? value[key] : undefined;
    if (found !== undefined && found !== null) entry[field] = found;
  }
  return entry as unknown as StaticTokenEntry;
}
