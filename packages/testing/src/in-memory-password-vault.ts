import { randomBytes } from "node:crypto";
import {
  type PasswordBinding,
  type PasswordVault,
  type RestoreError,
  RestoreErrors,
  type SealedPassword,
  validateEncryptedPassword,
} from "@restorekit/core";
import { errAsync, okAsync, type ResultAsync } from "neverthrow";

/** The in-memory vault, with a count of what it holds for tests. */
export interface InMemoryPasswordVault extends PasswordVault {
  open(sealed: SealedPassword, binding: PasswordBinding): ResultAsync<string, RestoreError>;
  /** How many passwords it holds. */
  size(): number;
}

interface Held extends PasswordBinding {
  readonly ciphertext: string;
}

/**
 * A TEST DOUBLE of `PasswordVault`: it keeps the ciphertexts in process
 * memory and does not encrypt anything. The `SealedPassword` it hands out is
 * a random 16-byte handle into a private map, not sealed data. Use it in
 * tests only; the real vault (AES-256-GCM at rest) comes with
 * `@restorekit/crypto`.
 *
 * It validates like a real vault (core's `validateEncryptedPassword`) and
 * opens a password only for the tenant and restore it was sealed for; any
 * other request gets a `sealed_password_unreadable` error that reveals nothing.
 *
 * @example
 * ```ts
 * const vault = inMemoryPasswordVault();
 * const sealed = await vault.seal({ tenantId, restoreId, encryptedPassword, publicKey });
 * ```
 */
export function inMemoryPasswordVault(): InMemoryPasswordVault {
  const held = new Map<string, Held>();
  return {
    seal({ tenantId, restoreId, encryptedPassword, publicKey }) {
      const checked = validateEncryptedPassword(encryptedPassword, publicKey);
      if (checked.isErr()) return errAsync(RestoreErrors.passwordInvalid(restoreId, checked.error));
      const handle = new Uint8Array(randomBytes(16));
      held.set(keyOf(handle), { tenantId, restoreId, ciphertext: checked.value });
      return okAsync(handle as SealedPassword);
    },
    open(sealed, { tenantId, restoreId }) {
      const entry = sealed instanceof Uint8Array ? held.get(keyOf(sealed)) : undefined;
      if (entry === undefined || entry.tenantId !== tenantId || entry.restoreId !== restoreId) {
        return errAsync(RestoreErrors.sealedPasswordUnreadable(restoreId));
      }
      return okAsync(entry.ciphertext);
    },
    size: () => held.size,
  };
}

function keyOf(handle: Uint8Array): string {
  return Buffer.from(handle.buffer, handle.byteOffset, handle.byteLength).toString("hex");
}
