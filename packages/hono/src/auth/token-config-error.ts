import type { Issue } from "@restorekit/core";

/**
 * A token verifier that cannot be built from its configuration. Each issue
 * names where the problem is (`0.tenantId`, `secret`, `claims.roles`) and
 * what is wrong; no field ever quotes a token or a secret, so the error can
 * be printed as it is.
 */
export interface TokenConfigError {
  readonly code: "invalid_token_config";
  readonly message: string;
  readonly issues: readonly Issue[];
}

// A table of thousands of bad entries must not make a message of megabytes.
const LISTED_ISSUES = 10;

/**
 * The one constructor: "The <subject> is invalid: " and the first issues by
 * path; an issue about the whole subject reads "it <message>".
 */
export function tokenConfigError(subject: string, issues: readonly Issue[]): TokenConfigError {
  const listed = issues
    .slice(0, LISTED_ISSUES)
    .map((issue) =>
      issue.path === "" ? `it ${issue.message}` : `${issue.path}: ${issue.message}`,
    );
  const more = issues.length > LISTED_ISSUES ? `; and ${issues.length - LISTED_ISSUES} more` : "";
  return {
    code: "invalid_token_config",
    message: `The ${subject} is invalid: ${listed.join("; ")}${more}.`,
    issues: Object.freeze([...issues]),
  };
}
