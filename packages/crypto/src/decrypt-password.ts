import { privateDecrypt } from "node:crypto";
import { validateEncryptedPassword } from "@restorekit/core";
import { err, ok, Result } from "neverthrow";
import { type CryptoError, CryptoErrors } from "./errors.js";
import { type AgentPrivateKeyInput, parseAgentPrivateKey } from "./private-key.js";
import { isRsaPadding, nodePadding, type RsaPadding } from "./rsa-padding.js";
import { Secret } from "./secret.js";

export interface DecryptPasswordOptions {
  /** Default `"oaep-sha1"`; must match what the client encrypted with. */
  readonly padding?: RsaPadding;
}

const safePrivateDecrypt = Result.fromThrowable(privateDecrypt, () =>
  CryptoErrors.decryptFailed(
    "it was not encrypted for this key with this padding, or it was altered",
  ),
);

const utf8 = new TextDecoder("utf-8", { fatal: true });
const safeDecodeUtf8 = Result.fromThrowable(
  (bytes: Uint8Array) => utf8.decode(bytes),
  () => CryptoErrors.decryptFailed("the decrypted bytes are not UTF-8"),
);

/**
 * Decrypts an `EncryptedPassword` as the destination agent does, with its
 * RSA private key (a `KeyObject`, a PEM string or a private JWK), back to the
 * passphrase, wrapped in a `Secret`. RSA-OAEP only: asked for
 * `"pkcs1-v1_5"` it refuses with `padding_refused`, because PKCS#1 v1.5
 * decryption is open to padding-oracle attacks (CVE-2023-46809), which is
 * why Node 20 refuses it too. The hex is checked first as the server checks
 * it (`ciphertext_invalid` names the rule).
 *
 * @example
 * ```ts
 * const passphrase = decryptPassword(released, agentPrivateKey);
 * if (passphrase.isOk()) unlockVault(passphrase.value.reveal());
 * ```
 */
export function decryptPassword(
  hex: string,
  privateKey: AgentPrivateKeyInput,
  options: DecryptPasswordOptions = {},
): Result<Secret<string>, CryptoError> {
  const padding = options.padding ?? "oaep-sha1";
  if (!isRsaPadding(padding)) return err(CryptoErrors.paddingUnknown());
  if (padding === "pkcs1-v1_5") return err(CryptoErrors.paddingRefused(padding));
  const key = parseAgentPrivateKey(privateKey);
  if (key.isErr()) return err(key.error);
  const checked = validateEncryptedPassword(
    typeof hex === "string" ? hex : "",
    key.value.agentKey.publicKey,
  );
  if (checked.isErr()) return err(CryptoErrors.ciphertextInvalid(checked.error));
  const ciphertext = Buffer.from(checked.value, "hex");
  const decrypted = safePrivateDecrypt(
    { key: key.value.privateKey, ...nodePadding(padding) },
    ciphertext,
  );
  ciphertext.fill(0);
  if (decrypted.isErr()) return err(decrypted.error);
  const plaintext = decrypted.value;
  const text = safeDecodeUtf8(plaintext);
  plaintext.fill(0);
  return text.andThen((passphrase) => ok(new Secret(passphrase)));
}
