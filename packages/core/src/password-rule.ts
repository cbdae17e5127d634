import { err, ok, type Result } from "neverthrow";
import { type RestoreError, RestoreErrors } from "./errors.js";
import type { Restore } from "./restore.js";

/**
 * StartManual on an encrypted restore needs an EncryptedPassword, on
 * an unencrypted one it must be null or absent. Shared by `decide` and the
 * service, which checks it before it asks the vault to seal anything.
 */
export function checkStartPassword(
  restore: Restore,
  passwordGiven: boolean,
): Result<void, RestoreError> {
  if (restore.backup.isEncrypted && !passwordGiven) {
    return err(RestoreErrors.passwordRequired(restore.restoreId));
  }
  if (!restore.backup.isEncrypted && passwordGiven) {
    return err(RestoreErrors.passwordNotAllowed(restore.restoreId, "StartManual"));
  }
  return ok(undefined);
}
