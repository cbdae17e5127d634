import { type Precondition, type RestoreError, RestoreErrors } from "@restorekit/core";
import { err, ok, type Result } from "neverthrow";

// A restore's entity tag is its version: every change moves it on, so two representations with
// the same tag are the same restore, and a change made on a stale read can be refused (412).

/** The `ETag` of a restore at `version`: strong, so `If-Match` may name it. */
export function entityTagOf(version: number): string {
  return `"${version}"`;
}

interface EntityTag {
  readonly weak: boolean;
  readonly opaque: string;
}

/**
 * The entity tags of an `If-Match` or `If-None-Match` value (RFC 9110
 * 13.1.1), or "*", or null when it is not one: a comma-separated list of
 * `"opaque"` or `W/"opaque"`, where the opaque part may itself hold commas.
 */
function parseTags(value: string): readonly EntityTag[] | "*" | null {
  const text = value.trim();
  if (text === "*") return "*";
  const tags: EntityTag[] = [];
  let at = 0;
  while (at < text.length) {
    while (text[at] === " " || text[at] === "\t" || text[at] === ",") at += 1;
    if (at >= text.length) break;
    const weak = text.startsWith("W/", at);
    if (weak) at += 2;
    if (text[at] !== '"') return null;
    const end = text.indexOf('"', at + 1);
    if (end < 0) return null;
    const opaque = text.slice(at + 1, end);
    // etagc: visible ASCII but the quote, and obs-text; no controls, no spaces.
    if (!/^[\x21\x23-\x7e\x80-\xff]*$/.test(opaque)) return null;
    tags.push({ weak, opaque });
    at = end + 1;
    while (text[at] === " " || text[at] === "\t") at += 1;
    if (at < text.length && text[at] !== ",") return null;
  }
  return tags.length === 0 ? null : tags;
}

/** A version our tags name: digits only, as `entityTagOf` writes them. */
function versionOf(opaque: string): number | null {
  if (!/^[1-9][0-9]{0,9}$/.test(opaque)) return null;
  const version = Number(opaque);
  return version <= 2 ** 31 - 1 ? version : null;
}

/**
 * The precondition an `If-Match` header sets: none when it is absent or
 * `*` (the restore must exist, which every route checks anyway); else the
 * versions its strong tags name. A weak tag never matches (If-Match
 * compares strongly), nor does a tag this server never wrote, so a list of
 * only those fails with 412. A value that is not a list of entity tags is
 * `invalid_request`.
 */
export function preconditionOf(
  header: string | undefined,
): Result<Precondition | undefined, RestoreError> {
  if (header === undefined) return ok(undefined);
  const tags = parseTags(header);
  if (tags === null) {
    return err(
      RestoreErrors.invalidRequest([
        { path: "If-Match", message: 'must be * or a list of entity tags such as "7"' },
      ]),
    );
  }
  if (tags === "*") return ok(undefined);
  const versions = tags.flatMap((tag) => {
    const version = tag.weak ? null : versionOf(tag.opaque);
    return version === null ? [] : [version];
  });
  return ok({ versions });
}

/**
 * Whether `If-None-Match` names the restore at `version` (weak comparison,
 * as RFC 9110 asks for this header): a GET then answers 304. A value that is
 * not a list of entity tags is ignored, as a cache would.
 */
export function noneMatch(header: string | undefined, version: number): boolean {
  if (header === undefined) return false;
  const tags = parseTags(header);
  if (tags === null) return false;
  return tags === "*" || tags.some((tag) => versionOf(tag.opaque) === version);
}
