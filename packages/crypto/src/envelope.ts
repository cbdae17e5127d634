import { createCipheriv, createDecipheriv, type KeyObject, randomBytes } from "node:crypto";
import type { PasswordBinding } from "@restorekit/core";
import { err, ok, Result } from "neverthrow";
import { type CryptoError, CryptoErrors } from "./errors.js";
import { KEY_ID_PATTERN, type Keyring, sealingKeyOf } from "./keyring.js";
import { Secret } from "./secret.js";

/**
 * Envelope version 1, all lengths in bytes:
 *
 *   version (1) = 0x01 | key id length L (1) | key id (L, ASCII) | nonce (12) | ciphertext | tag (16)
 *
 * The associated data is the header (version, L, key id) followed by the
 * binding, each part length-prefixed (u32 big-endian) so that no two
 * bindings encode alike: tenant id (UTF-8), restore id (decimal ASCII).
 */
export const ENVELOPE_VERSION = 1;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const CIPHER = "aes-256-gcm";

const safeEncrypt = Result.fromThrowable(encrypt, () => CryptoErrors.cryptoFailed());
const safeDecrypt = Result.fromThrowable(decrypt, () =>
  CryptoErrors.sealedValueInvalid("authentication_failed"),
);

/**
 * Seals bytes with the keyring's current key (AES-256-GCM, a fresh random
 * 96-bit nonce each time) into a versioned envelope bound to one tenant and
 * restore: opening it for any other binding fails. The caller's bytes are
 * not changed; zero them when done.
 *
 * @example
 * ```ts
 * const sealed = seal(keyring, bytes, { tenantId: "123456", restoreId: 13689 });
 * ```
 */
export function seal(
  keyring: Keyring,
  plaintext: Uint8Array,
  binding: PasswordBinding,
): Result<Uint8Array, CryptoError> {
  const key = sealingKeyOf(keyring, keyring.currentKeyId);
  if (key === undefined) return err(CryptoErrors.unknownKeyId(keyring.currentKeyId));
  const bound = bindingBytes(binding);
  if (bound.isErr()) return err(bound.error);
  const header = headerOf(keyring.currentKeyId);
  const nonce = randomBytes(NONCE_BYTES);
  return safeEncrypt(key, nonce, Buffer.concat([header, bound.value]), plaintext).map(
    ({ ciphertext, tag }) => {
      const envelope = new Uint8Array(Buffer.concat([header, nonce, ciphertext, tag]));
      ciphertext.fill(0);
      return envelope;
    },
  );
}

/**
 * Opens an envelope `seal` made, for the same tenant and restore only. The
 * bytes come back as a `Secret`; `dispose()` it to zero them. An envelope
 * that was altered, or sealed for another binding, is `sealed_value_invalid`;
 * one sealed with a key the keyring no longer holds is `unknown_key_id`.
 *
 * @example
 * ```ts
 * const bytes = open(keyring, sealed, { tenantId: "123456", restoreId: 13689 });
 * ```
 */
export function open(
  keyring: Keyring,
  envelope: Uint8Array,
  binding: PasswordBinding,
): Result<Secret<Uint8Array>, CryptoError> {
  const parsed = parseEnvelope(envelope);
  if (parsed.isErr()) return err(parsed.error);
  const { keyId, header, nonce, ciphertext, tag } = parsed.value;
  const key = sealingKeyOf(keyring, keyId);
  if (key === undefined) return err(CryptoErrors.unknownKeyId(keyId));
  const bound = bindingBytes(binding);
  if (bound.isErr()) return err(bound.error);
  return safeDecrypt(key, nonce, Buffer.concat([header, bound.value]), ciphertext, tag).map(
    (plaintext) => new Secret(plaintext),
  );
}

/**
 * The id of the key an envelope was sealed with, e.g. to find values still
 * sealed under a key about to be retired.
 *
 * @example
 * ```ts
 * sealedKeyId(sealed).map((id) => id === "k1");
 * ```
 */
export function sealedKeyId(envelope: Uint8Array): Result<string, CryptoError> {
  return parseEnvelope(envelope).map((parsed) => parsed.keyId);
}

interface ParsedEnvelope {
  readonly keyId: string;
  readonly header: Buffer;
  readonly nonce: Buffer;
  readonly ciphertext: Buffer;
  readonly tag: Buffer;
}

function parseEnvelope(envelope: Uint8Array): Result<ParsedEnvelope, CryptoError> {
  if (!(envelope instanceof Uint8Array) || envelope.length < 2) {
    return err(CryptoErrors.sealedValueInvalid("malformed"));
  }
  const bytes = Buffer.from(envelope.buffer, envelope.byteOffset, envelope.byteLength);
  if (bytes[0] !== ENVELOPE_VERSION) {
    return err(CryptoErrors.sealedValueInvalid("unsupported_version"));
  }
  const idLength = bytes[1] ?? 0;
  const headerLength = 2 + idLength;
  if (idLength === 0 || bytes.length < headerLength + NONCE_BYTES + TAG_BYTES) {
    return err(CryptoErrors.sealedValueInvalid("malformed"));
  }
  const keyId = bytes.subarray(2, headerLength).toString("latin1");
  if (!KEY_ID_PATTERN.test(keyId)) return err(CryptoErrors.sealedValueInvalid("malformed"));
  const tagAt = bytes.length - TAG_BYTES;
  return ok({
    keyId,
    header: bytes.subarray(0, headerLength),
    nonce: bytes.subarray(headerLength, headerLength + NONCE_BYTES),
    ciphertext: bytes.subarray(headerLength + NONCE_BYTES, tagAt),
    tag: bytes.subarray(tagAt),
  });
}

function headerOf(keyId: string): Buffer {
  const id = Buffer.from(keyId, "latin1");
  return Buffer.concat([Buffer.from([ENVELOPE_VERSION, id.length]), id]);
}

function bindingBytes(binding: PasswordBinding): Result<Buffer, CryptoError> {
  const { tenantId, restoreId } = binding;
  if (typeof tenantId !== "string" || !Number.isSafeInteger(restoreId) || restoreId < 0) {
    return err(CryptoErrors.bindingInvalid());
  }
  return ok(
    Buffer.concat([
      lengthPrefixed(Buffer.from(tenantId, "utf8")),
      lengthPrefixed(Buffer.from(String(restoreId), "ascii")),
    ]),
  );
}

function lengthPrefixed(bytes: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(bytes.length);
  return Buffer.concat([length, bytes]);
}

function encrypt(
  key: KeyObject,
  nonce: Buffer,
  aad: Buffer,
  plaintext: Uint8Array,
): { ciphertext: Buffer; tag: Buffer } {
  const cipher = createCipheriv(CIPHER, key, nonce, { authTagLength: TAG_BYTES });
  cipher.setAAD(aad);
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return { ciphertext, tag: cipher.getAuthTag() };
}

function decrypt(
  key: KeyObject,
  nonce: Buffer,
  aad: Buffer,
  ciphertext: Buffer,
  tag: Buffer,
): Uint8Array {
  const decipher = createDecipheriv(CIPHER, key, nonce, { authTagLength: TAG_BYTES });
  decipher.setAAD(aad);
  decipher.setAuthTag(tag);
  const head = decipher.update(ciphertext);
  // final() throws when the tag does not match; the partial plaintext must not outlive that.
  try {
    const tail = decipher.final();
    const plaintext = new Uint8Array(head.length + tail.length);
    plaintext.set(head);
    plaintext.set(tail, head.length);
    tail.fill(0);
    return plaintext;
  } finally {
    head.fill(0);
  }
}
