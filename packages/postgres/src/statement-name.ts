import { createHash } from "node:crypto";

/**
 * The name a statement is prepared under: `rk_<kind>_` and the first 128
 * bits of the SHA-256 of its text (at most 56 bytes).
 *
 * Postgres cuts names at 63 bytes and node-postgres prepares a name once per
 * connection, so two texts under one name make every call of the second
 * fail. Deriving the name from the text itself means one name always stands
 * for one text: different schemas (whatever prefix they share) or kinds get
 * different names, the same text gets the same name every time, and two
 * copies of this package sharing a pool agree on names for equal texts and
 * differ on different ones, with no registry or shared state to keep.
 *
 * @example
 * ```ts
 * statementName("load", 'SELECT ... FROM "restorekit".restores ...'); // "rk_load_3f9c…" (40 bytes)
 * ```
 */
export function statementName(kind: string, text: string): string {
  return `rk_${kind}_${createHash("sha256").update(text).digest("hex").slice(0, 32)}`;
}
