/**
 * The longest token a verifier reads, in characters. Anything longer is
 * refused before it is hashed or parsed: no real token (a static one or a
 * JWT with a handful of claims) comes near it, and HTTP servers cap the whole
 * header block at 8 to 16 KiB anyway.
 */
export const MAX_TOKEN_LENGTH = 8192;

/** Whether a presented token is worth checking: a non-empty string of at most `MAX_TOKEN_LENGTH`. */
export function hasTokenLength(token: unknown): token is string {
  return typeof token === "string" && token.length > 0 && token.length <= MAX_TOKEN_LENGTH;
}
