import { z } from "zod";

/**
 * The body of the agent's `GET /v2/{project_id}/restores/{restore_id}/password`:
 * the ciphertext the client sent, as hex, for the agent to decrypt with its
 * private key.
 */
export const releasedPasswordSchema = z.strictObject({
  EncryptedPassword: z
    .string()
    .regex(/^[0-9A-Fa-f]+$/)
    .describe("The RSA ciphertext of the vault passphrase, as hex digits."),
});
