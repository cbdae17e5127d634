import { createSecretKey, type KeyObject, randomBytes } from "node:crypto";
import { err, ok, type Result } from "neverthrow";
import { type CryptoError, CryptoErrors } from "./errors.js";

/** One AES-256 key of a keyring: an id and 32 bytes, given in base64 (or as the bytes). */
export interface SealingKeyConfig {
  /** 1 to 64 of `A-Z a-z 0-9 . _ -`; it is written in every envelope sealed with the key. */
  readonly id: string;
  /** 32 bytes: base64 (standard or base64url) or the bytes themselves. */
  readonly key: string | Uint8Array;
}

export interface KeyringConfig {
  /** At least one key; ids unique. */
  readonly keys: readonly SealingKeyConfig[];
  /** The key new seals use; the first key when absent. */
  readonly currentKeyId?: string;
}

/**
 * The AES-256-GCM keys sealed values are read with. New seals use the
 * current key; every other key still opens what it sealed, so rotating is a
 * config change: add the new key first, keep the old ones while values
 * sealed with them may exist. Printing a keyring shows its ids only: the key
 * bytes live outside the object.
 */
export interface Keyring {
  readonly currentKeyId: string;
  readonly keyIds: readonly string[];
}

/** What `keyringFromEnv` found: an ephemeral keyring says so, with a warning to print at start. */
export type KeyringFromEnv =
  | { readonly keyring: Keyring; readonly ephemeral: false }
  | { readonly keyring: Keyring; readonly ephemeral: true; readonly warning: string };

/** The environment variables `keyringFromEnv` reads. */
export const SEALING_KEYS_ENV = "RESTOREKIT_SEALING_KEYS";
export const SEALING_KEY_CURRENT_ENV = "RESTOREKIT_SEALING_KEY_CURRENT";

export const SEALING_KEY_BYTES = 32;
export const KEY_ID_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;
const BASE64 = /^(?:[A-Za-z0-9+/]+={0,2}|[A-Za-z0-9_-]+)$/;

// The key bytes stay out of the keyring object, so that logging a keyring cannot print them.
const keysOf = new WeakMap<Keyring, ReadonlyMap<string, KeyObject>>();

/**
 * Builds a keyring from keys given in configuration.
 *
 * @example
 * ```ts
 * const keyring = createKeyring({
 *   keys: [{ id: "k2", key: process.env.K2 ?? "" }, { id: "k1", key: process.env.K1 ?? "" }],
 * });
 * ```
 */
export function createKeyring(config: KeyringConfig): Result<Keyring, CryptoError> {
  if (config.keys.length === 0) {
    return err(CryptoErrors.invalidSealingKey(null, "at least one key is needed"));
  }
  const keys = new Map<string, KeyObject>();
  for (const [index, entry] of config.keys.entries()) {
    if (typeof entry.id !== "string" || !KEY_ID_PATTERN.test(entry.id)) {
      return err(
        CryptoErrors.invalidSealingKey(
          null,
          `the id of key ${index + 1} must be 1 to 64 letters, digits, '.', '_' or '-'`,
        ),
      );
    }
    if (keys.has(entry.id)) {
      return err(CryptoErrors.invalidSealingKey(entry.id, "the id is given twice"));
    }
    const key = secretKeyOf(entry);
    if (key.isErr()) return err(key.error);
    keys.set(entry.id, key.value);
  }
  const currentKeyId = config.currentKeyId ?? config.keys[0]?.id ?? "";
  if (!keys.has(currentKeyId)) {
    return err(
      CryptoErrors.invalidSealingKey(null, "the current key id names none of the configured keys"),
    );
  }
  const keyring: Keyring = Object.freeze({ currentKeyId, keyIds: Object.freeze([...keys.keys()]) });
  keysOf.set(keyring, keys);
  return ok(keyring);
}

/**
 * Builds the keyring from the environment:
 * `RESTOREKIT_SEALING_KEYS="k2:<base64>,k1:<base64>"` (the first is current
 * unless `RESTOREKIT_SEALING_KEY_CURRENT` names another). With no keys
 * configured it generates an ephemeral key, and the result says so: values
 * sealed with it cannot be opened after the process exits, so print the
 * `warning` where an operator will see it.
 *
 * @example
 * ```ts
 * const sealing = keyringFromEnv(process.env);
 * if (sealing.isErr()) throw new Error(sealing.error.message);
 * if (sealing.value.ephemeral) console.warn(sealing.value.warning);
 * ```
 */
export function keyringFromEnv(
  env: Readonly<Record<string, string | undefined>> = process.env,
): Result<KeyringFromEnv, CryptoError> {
  const listed = (env[SEALING_KEYS_ENV] ?? "").trim();
  const current = env[SEALING_KEY_CURRENT_ENV]?.trim() || undefined;
  if (listed === "") {
    if (current !== undefined) {
      return err(
        CryptoErrors.invalidSealingKey(
          null,
          `${SEALING_KEY_CURRENT_ENV} is set but ${SEALING_KEYS_ENV} holds no keys`,
        ),
      );
    }
    return ephemeralKeyring().map((keyring) => ({
      keyring,
      ephemeral: true as const,
      warning: ephemeralWarning(keyring.currentKeyId),
    }));
  }
  const keys: SealingKeyConfig[] = [];
  for (const [index, entry] of listed.split(",").entries()) {
    const separator = entry.indexOf(":");
    if (separator < 0) {
      return err(
        CryptoErrors.invalidSealingKey(
          null,
          `entry ${index + 1} of ${SEALING_KEYS_ENV} must be written id:base64`,
        ),
      );
    }
    keys.push({ id: entry.slice(0, separator).trim(), key: entry.slice(separator + 1).trim() });
  }
  return createKeyring({
    keys,
    ...(current === undefined ? {} : { currentKeyId: current }),
  }).map((keyring) => ({ keyring, ephemeral: false as const }));
}

/**
 * A fresh random key as base64, for `RESTOREKIT_SEALING_KEYS` (the same as
 * `openssl rand -base64 32`).
 *
 * @example
 * ```ts
 * console.log(`RESTOREKIT_SEALING_KEYS=k1:${generateSealingKey()}`);
 * ```
 */
export function generateSealingKey(): string {
  const bytes = randomBytes(SEALING_KEY_BYTES);
  const text = bytes.toString("base64");
  bytes.fill(0);
  return text;
}

/** The AES key of an id, for the envelope; `undefined` when the keyring does not hold it. */
export function sealingKeyOf(keyring: Keyring, keyId: string): KeyObject | undefined {
  return keysOf.get(keyring)?.get(keyId);
}

function ephemeralKeyring(): Result<Keyring, CryptoError> {
  // A random id makes a value sealed by an earlier process an `unknown_key_id`, not a tamper alarm.
  const key = randomBytes(SEALING_KEY_BYTES);
  const keyring = createKeyring({
    keys: [{ id: `ephemeral-${randomBytes(4).toString("hex")}`, key }],
  });
  key.fill(0);
  return keyring;
}

function ephemeralWarning(keyId: string): string {
  return [
    `${SEALING_KEYS_ENV} is not set: encrypted passwords are sealed with an ephemeral key (${keyId}) generated at start.`,
    "Every restore waiting for its password becomes unreadable when this process stops, and other instances cannot open what this one sealed.",
    `Set ${SEALING_KEYS_ENV}="k1:<base64 of 32 random bytes>" (e.g. from \`openssl rand -base64 32\`) for anything but a demo.`,
  ].join(" ");
}

function secretKeyOf(entry: SealingKeyConfig): Result<KeyObject, CryptoError> {
  let bytes: Buffer;
  if (entry.key instanceof Uint8Array) {
    bytes = Buffer.from(entry.key);
  } else if (typeof entry.key === "string" && BASE64.test(entry.key)) {
    bytes = Buffer.from(
      entry.key,
      entry.key.includes("-") || entry.key.includes("_") ? "base64url" : "base64",
    );
  } else {
    const why = entry.key === "" ? "the key is empty" : "the key must be base64";
    return err(CryptoErrors.invalidSealingKey(entry.id, why));
  }
  const length = bytes.length;
  if (length !== SEALING_KEY_BYTES) {
    bytes.fill(0);
    return err(
      CryptoErrors.invalidSealingKey(
        entry.id,
        `the key must be ${SEALING_KEY_BYTES} bytes (44 characters of base64), not ${length}`,
      ),
    );
  }
  // createSecretKey copies the bytes, so ours can be wiped at once.
  const key = createSecretKey(bytes);
  bytes.fill(0);
  return ok(key);
}
