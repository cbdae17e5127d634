import { type RestoreError, RestoreErrors } from "@restorekit/core";
import { errors } from "jose";
import { Result } from "neverthrow";

// What a token can be blamed for: its form, signature, algorithm, claims or key id.
const TOKEN_FAULTS: ReadonlySet<string> = new Set([
  errors.JWSInvalid.code,
  errors.JWTInvalid.code,
  errors.JWSSignatureVerificationFailed.code,
  errors.JWTExpired.code,
  errors.JWTClaimValidationFailed.code,
  errors.JOSEAlgNotAllowed.code,
  errors.JOSENotSupported.code,
  errors.JWKSNoMatchingKey.code,
  errors.JWKSMultipleMatchingKeys.code,
]);

/** Whether jose refused the token itself, rather than failing to check it. */
export function isTokenFault(cause: unknown): boolean {
  return cause instanceof errors.JOSEError && TOKEN_FAULTS.has(cause.code);
}

/**
 * Maps a verification failure to the answer: `unauthenticated` for the
 * token's faults; for anything else (a key set that cannot be fetched or
 * read) `internal_error`, with the cause handed to `onError`. A throwing
 * `onError` does not change the answer.
 */
export function jwtFailure(
  onError: ((cause: unknown) => void) | undefined,
): (cause: unknown) => RestoreError {
  const report = Result.fromThrowable(
    (cause: unknown) => onError?.(cause),
    () => undefined,
  );
  return (cause) => {
    if (isTokenFault(cause)) return RestoreErrors.unauthenticated();
    report(cause);
    return RestoreErrors.internal();
  };
}
