import {
  type PasswordBinding,
  type PasswordVault,
  RestoreErrors,
  type SealedPassword,
  validateEncryptedPassword,
} from "@restorekit/core";
import { errAsync, okAsync } from "neverthrow";
import { open, seal } from "./envelope.js";
import type { CryptoError } from "./errors.js";
import type { Keyring } from "./keyring.js";

export interface PasswordVaultOptions {
  readonly keyring: Keyring;
  /**
   * Told why a seal or an open failed, which the service's error does not say:
   * e.g. `unknown_key_id` after a key was dropped from the configuration too
   * early. The error holds no secret, so it may be logged.
   */
  readonly onError?: (error: CryptoError, binding: PasswordBinding) => void;
}

/**
 * The `PasswordVault` port of `@restorekit/core`, sealing at rest with
 * AES-256-GCM. `seal` checks the `EncryptedPassword` with core's
 * `validateEncryptedPassword` (hex only, whitespace ignored, the modulus
 * length, below the modulus: else `password_invalid` naming the rule), then
 * seals the ciphertext bytes bound to the tenant and restore. `open` gives
 * the ciphertext back as upper-case hex for that binding only; anything else
 * (another restore or tenant, an altered or foreign value, an unknown key) is
 * `sealed_password_unreadable` (500), which says nothing more; a seal that
 * fails after validation is an `internal_error`.
 *
 * @example
 * ```ts
 * const vault = createPasswordVault({ keyring });
 * const service = createRestoreService({ repository, vault, catalog, clock, ids });
 * ```
 */
export function createPasswordVault({ keyring, onError }: PasswordVaultOptions): PasswordVault {
  const failed = (error: CryptoError, binding: PasswordBinding, opening: boolean) => {
    onError?.(error, binding);
    return errAsync(
      opening
        ? RestoreErrors.sealedPasswordUnreadable(binding.restoreId)
        : RestoreErrors.internal(),
    );
  };
  return {
    seal({ tenantId, restoreId, encryptedPassword, publicKey }) {
      const checked = validateEncryptedPassword(encryptedPassword, publicKey);
      if (checked.isErr()) return errAsync(RestoreErrors.passwordInvalid(restoreId, checked.error));
      const ciphertext = Buffer.from(checked.value, "hex");
      const sealed = seal(keyring, ciphertext, { tenantId, restoreId });
      ciphertext.fill(0);
      return sealed.isOk()
        ? okAsync(sealed.value as SealedPassword)
        : failed(sealed.error, { tenantId, restoreId }, false);
    },
    open(sealed, binding) {
      const opened = open(keyring, sealed, binding);
      if (opened.isErr()) return failed(opened.error, binding, true);
      const bytes = opened.value.reveal();
      const hex = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
        .toString("hex")
        .toUpperCase();
      opened.value.dispose();
      return okAsync(hex);
    },
  };
}
