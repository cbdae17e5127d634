import { createPublicKey, KeyObject } from "node:crypto";
import { type AgentPublicKey, parsePublicKey } from "@restorekit/core";
import { err, ok, Result } from "neverthrow";
import { type CryptoError, CryptoErrors, type KeyRole } from "./errors.js";
import { base64UrlToHex, bitLength, hexToBase64Url, stripLeadingZeros } from "./hex.js";

/** The smallest modulus accepted: NIST SP 800-131A disallows RSA under 2048 bits. */
export const MIN_MODULUS_BITS = 2048;
/** The largest modulus accepted: OpenSSL's own limit for RSA (OPENSSL_RSA_MAX_MODULUS_BITS). */
export const MAX_MODULUS_BITS = 16384;
/** The smallest public exponent accepted, 2^16 + 1 (see `parseAgentPublicKey`). */
export const MIN_PUBLIC_EXPONENT = 65537n;
/** Public exponents must stay below 2^256 (FIPS 186-5, A.1.1). */
export const PUBLIC_EXPONENT_LIMIT = 1n << 256n;

/**
 * An agent's RSA public key once checked: the API's form (`publicKey`, hex
 * upper case, no leading zeros), the node:crypto key to encrypt with, and
 * the modulus size, which is also the size of every ciphertext.
 */
export interface AgentKey {
  readonly publicKey: AgentPublicKey;
  readonly keyObject: KeyObject;
  readonly modulusBits: number;
  readonly modulusBytes: number;
}

// Only keys this module built are trusted as already checked; a look-alike object is parsed anew.
const checkedKeys = new WeakSet<AgentKey>();

const BASE64URL = /^[A-Za-z0-9_-]+$/;
const PEM_LABEL = /-----BEGIN ([A-Z0-9 ]+)-----/;

/**
 * Reads and checks an agent's RSA public key, given as:
 * - the API's `PublicKey` object, `{"ModulusHex": "CA75 96...", "ExponentHex": 10001}`
 *   (whitespace in the hex is ignored; `ExponentHex` is hex digits sent as a
 *   JSON number or a string, so 10001 means 0x10001 = 65537), or core's
 *   `AgentPublicKey` (`{ modulusHex, exponentHex }`);
 * - a PEM string, SPKI (`PUBLIC KEY`) or PKCS#1 (`RSA PUBLIC KEY`);
 * - an RSA JWK (`{ kty: "RSA", n, e }`);
 * - a node:crypto `KeyObject`;
 * - an `AgentKey` this function returned (returned as it is).
 *
 * A private key in any of these forms gives its public half (an agent may
 * hand over its key pair); only the public half is kept.
 *
 * The key must be RSA with a modulus of 2048 to 16384 bits (`key_too_small`,
 * `key_too_large`) and an odd public exponent with 65537 <= e < 2^256
 * (`exponent_invalid`). That exponent range is FIPS 186-5's (A.1.1) and NIST
 * SP 800-56B's: small exponents such as 3 or 17 are what Håstad's broadcast
 * attack and Coppersmith's short-message attacks exploit when padding is weak
 * or absent, and this package offers PKCS#1 v1.5 for old agents; 65537 is
 * what every agent key in practice uses. Anything unreadable is
 * `malformed_key`. No error quotes the key: they name its size at most.
 *
 * @example
 * ```ts
 * const key = parseAgentPublicKey({ ModulusHex: restore.PublicKey.ModulusHex, ExponentHex: 10001 });
 * if (key.isOk()) console.log(key.value.modulusBits); // 2048
 * ```
 */
export function parseAgentPublicKey(input: unknown): Result<AgentKey, CryptoError> {
  if (isCheckedKey(input)) return ok(input);
  if (input instanceof KeyObject) {
    if (input.type !== "private") return checkRsaKey(input, "public");
    return safeCreatePublicKey(input)
      .mapErr(() => CryptoErrors.malformedKey("private", "its public half cannot be derived"))
      .andThen((key) => checkRsaKey(key, "public"));
  }
  if (typeof input === "string") return fromPem(input);
  if (typeof input !== "object" || input === null) {
    return err(
      CryptoErrors.malformedKey(
        "public",
        "expected a PublicKey object {ModulusHex, ExponentHex}, a PEM string or a JWK",
      ),
    );
  }
  if ("ModulusHex" in input || "ExponentHex" in input) return fromWire(input);
  if ("modulusHex" in input && "exponentHex" in input) {
    return fromWire({ ModulusHex: input.modulusHex, ExponentHex: input.exponentHex });
  }
  if ("kty" in input) return fromJwk(input);
  return err(
    CryptoErrors.malformedKey(
      "public",
      "expected a PublicKey object {ModulusHex, ExponentHex}, a PEM string or a JWK",
    ),
  );
}

/**
 * Checks an RSA `KeyObject` (public, or private for `role` "private") by the
 * rules of `parseAgentPublicKey` and describes its public half.
 */
export function checkRsaKey(key: KeyObject, role: KeyRole): Result<AgentKey, CryptoError> {
  if (key.type === "secret" || (role === "public") !== (key.type === "public")) {
    return err(CryptoErrors.malformedKey(role, `expected an RSA ${role} key`));
  }
  if (key.asymmetricKeyType !== "rsa") {
    return err(CryptoErrors.malformedKey(role, "it is not an RSA encryption key"));
  }
  const derived = role === "public" ? ok(key) : safeCreatePublicKey(key);
  if (derived.isErr()) {
    return err(CryptoErrors.malformedKey(role, "its public half cannot be derived"));
  }
  const publicKey = derived.value;
  const exported = safeExportJwk(publicKey);
  if (exported.isErr()) return err(CryptoErrors.malformedKey(role, "it cannot be exported"));
  const { n, e } = exported.value;
  if (typeof n !== "string" || typeof e !== "string") {
    return err(CryptoErrors.malformedKey(role, "it has no modulus or exponent"));
  }
  const modulusHex = base64UrlToHex(n);
  const exponentHex = base64UrlToHex(e);
  const checked = checkNumbers(modulusHex, exponentHex, role);
  if (checked.isErr()) return err(checked.error);
  const agentKey: AgentKey = Object.freeze({
    publicKey: Object.freeze({ modulusHex, exponentHex }),
    keyObject: publicKey,
    modulusBits: checked.value,
    modulusBytes: Math.ceil(checked.value / 8),
  });
  checkedKeys.add(agentKey);
  return ok(agentKey);
}

function isCheckedKey(input: unknown): input is AgentKey {
  return typeof input === "object" && input !== null && checkedKeys.has(input as AgentKey);
}

const safeExportJwk = Result.fromThrowable(
  (key: KeyObject) => key.export({ format: "jwk" }),
  () => null,
);

const safeCreatePublicKey = Result.fromThrowable(
  (input: Parameters<typeof createPublicKey>[0]) => createPublicKey(input),
  () => null,
);

/** The size and exponent rules, on hex digits; returns the modulus size in bits. */
function checkNumbers(
  modulusHex: string,
  exponentHex: string,
  role: KeyRole,
): Result<number, CryptoError> {
  const modulus = BigInt(`0x${modulusHex}`);
  const bits = bitLength(modulus);
  if (bits < MIN_MODULUS_BITS) return err(CryptoErrors.keyTooSmall(bits, MIN_MODULUS_BITS));
  if (bits > MAX_MODULUS_BITS) return err(CryptoErrors.keyTooLarge(bits, MAX_MODULUS_BITS));
  if (modulus % 2n === 0n) {
    return err(CryptoErrors.malformedKey(role, "the modulus is even, so it is not an RSA modulus"));
  }
  const exponent = BigInt(`0x${exponentHex}`);
  if (exponent % 2n === 0n) return err(CryptoErrors.exponentInvalid("it must be odd"));
  if (exponent < MIN_PUBLIC_EXPONENT) {
    return err(CryptoErrors.exponentInvalid("it is below 65537 (0x10001), the smallest accepted"));
  }
  if (exponent >= PUBLIC_EXPONENT_LIMIT) {
    return err(CryptoErrors.exponentInvalid("it must be below 2^256"));
  }
  return ok(bits);
}

function fromWire(input: object): Result<AgentKey, CryptoError> {
  const parsed = parsePublicKey(input);
  if (parsed.isErr()) {
    const paths = parsed.error.code === "invalid_request" ? parsed.error.issues : [];
    const field = paths.find(
      (issue) => issue.path === "ModulusHex" || issue.path === "ExponentHex",
    );
    return err(
      CryptoErrors.malformedKey(
        "public",
        field === undefined
          ? "expected a PublicKey object with ModulusHex and ExponentHex"
          : field.message,
      ),
    );
  }
  const modulusHex = stripLeadingZeros(parsed.value.modulusHex);
  const exponentHex = stripLeadingZeros(parsed.value.exponentHex);
  // Sizes first, from the digits: a huge or tiny modulus never reaches OpenSSL.
  const checked = checkNumbers(modulusHex, exponentHex, "public");
  if (checked.isErr()) return err(checked.error);
  return jwkKey({ kty: "RSA", n: hexToBase64Url(modulusHex), e: hexToBase64Url(exponentHex) });
}

function fromJwk(input: object): Result<AgentKey, CryptoError> {
  const { kty, n, e } = input as { kty?: unknown; n?: unknown; e?: unknown };
  if (kty !== "RSA") return err(CryptoErrors.malformedKey("public", 'the JWK "kty" must be "RSA"'));
  if (typeof n !== "string" || typeof e !== "string" || !BASE64URL.test(n) || !BASE64URL.test(e)) {
    return err(CryptoErrors.malformedKey("public", 'the JWK "n" and "e" must be base64url'));
  }
  return jwkKey({ kty, n, e });
}

function jwkKey(jwk: { kty: "RSA"; n: string; e: string }): Result<AgentKey, CryptoError> {
  return safeCreatePublicKey({ key: jwk, format: "jwk" })
    .mapErr(() => CryptoErrors.malformedKey("public", "node:crypto cannot read it"))
    .andThen((key) => checkRsaKey(key, "public"));
}

function fromPem(input: string): Result<AgentKey, CryptoError> {
  const label = PEM_LABEL.exec(input)?.[1];
  if (label === undefined) {
    return err(
      CryptoErrors.malformedKey("public", "a key given as a string must be PEM (-----BEGIN ...)"),
    );
  }
  return safeCreatePublicKey({ key: input, format: "pem" })
    .mapErr(() => CryptoErrors.malformedKey("public", "the PEM does not hold a readable key"))
    .andThen((key) => checkRsaKey(key, "public"));
}
