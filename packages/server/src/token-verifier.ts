import { RestoreErrors, type TokenVerifier } from "@restorekit/core";
import {
  jwtTokens,
  readTokenTable,
  type StaticTokenEntry,
  staticTokens,
  type TokenConfigError,
} from "@restorekit/hono";
import { err, errAsync, ok, type Result } from "neverthrow";
import type { JwtConfig } from "./config.js";
import { type StartError, StartErrors } from "./start-error.js";

export interface TokenSources {
  /** Tokens built in (demo mode's), checked like a tokens file's. */
  readonly builtIn: readonly StaticTokenEntry[];
  /** The tokens file: its path (for messages) and its text. */
  readonly file: { readonly path: string; readonly text: string } | null;
  readonly jwt: JwtConfig | null;
  /** Told why a JWT could not be checked for a reason that is not the token's (the key set). */
  readonly onJwtError?: (cause: unknown) => void;
}

/** The verifier, and what it accepts, for the start message. */
export interface ServerTokens {
  readonly verifier: TokenVerifier;
  /** E.g. `["5 demo tokens", "3 tokens from /etc/restorekit/tokens.json", "JWTs (HS256 secret)"]`. */
  readonly accepted: readonly string[];
}

/**
 * The server's `TokenVerifier`: the built-in and file tokens as one static
 * table (a token listed twice is refused), then JWTs when configured. A
 * token the table does not know is tried as a JWT. With no source at all,
 * every token is `unauthenticated`, and `accepted` is empty so the caller
 * can warn.
 *
 * @example
 * ```ts
 * const tokens = serverTokens({ builtIn: [], file: null, jwt: null });
 * ```
 */
export function serverTokens(sources: TokenSources): Result<ServerTokens, StartError> {
  const accepted: string[] = [];
  let table: StaticTokenEntry[] = [...sources.builtIn];
  if (sources.builtIn.length > 0) accepted.push(`${sources.builtIn.length} demo tokens`);
  if (sources.file !== null) {
    const { path, text } = sources.file;
    const read = readTokenTable(text);
    if (read.isErr()) return err(configError("RESTOREKIT_TOKENS_FILE", path, read.error));
    table = [...table, ...read.value];
    accepted.push(`${read.value.length} tokens from ${path}`);
  }
  const verifiers: TokenVerifier[] = [];
  if (table.length > 0) {
    const built = staticTokens(table);
    if (built.isErr()) {
      return err(configError("RESTOREKIT_TOKENS_FILE", sources.file?.path ?? "", built.error));
    }
    verifiers.push(built.value);
  }
  if (sources.jwt !== null) {
    const jwt = sources.jwt;
    const claims = Object.fromEntries(
      Object.entries(jwt.claims).filter(([, name]) => name !== null),
    ) as Record<string, string>;
    const built = jwtTokens({
      ...(jwt.secret === null ? {} : { secret: jwt.secret }),
      ...(jwt.jwksUrl === null ? {} : { jwksUrl: jwt.jwksUrl }),
      ...(jwt.algorithms === null ? {} : { algorithms: jwt.algorithms }),
      ...(jwt.issuer === null ? {} : { issuer: jwt.issuer }),
      ...(jwt.audience === null ? {} : { audience: jwt.audience }),
      claims,
      ...(sources.onJwtError === undefined ? {} : { onError: sources.onJwtError }),
    });
    if (built.isErr()) return err(configError("RESTOREKIT_JWT_*", "", built.error));
    verifiers.push(built.value);
    accepted.push(
      jwt.secret === null
        ? `JWTs signed by the keys at ${jwt.jwksUrl}`
        : "JWTs signed with RESTOREKIT_JWT_SECRET",
    );
  }
  return ok({ verifier: firstThatKnows(verifiers), accepted });
}

/** Asks each verifier in turn while the answer is `unauthenticated`. */
function firstThatKnows(verifiers: readonly TokenVerifier[]): TokenVerifier {
  return {
    verify(token) {
      const [first, ...rest] = verifiers;
      if (first === undefined) return errAsync(RestoreErrors.unauthenticated());
      return first
        .verify(token)
        .orElse((error) =>
          error.code === "unauthenticated" && rest.length > 0
            ? firstThatKnows(rest).verify(token)
            : errAsync(error),
        );
    },
  };
}

function configError(variable: string, path: string, error: TokenConfigError): StartError {
  const where = path === "" ? variable : `${variable} (${path})`;
  return StartErrors.invalidConfig([{ variable: where, message: error.message }]);
}
