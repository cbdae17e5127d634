import { Console } from "node:console";
import { Writable } from "node:stream";
import { format, inspect } from "node:util";
import { type RestoreError, validateEncryptedPassword } from "@restorekit/core";
import { describe, expect, it } from "vitest";
import {
  type CryptoError,
  type CryptoErrorCode,
  CryptoErrors,
  createKeyring,
  createPasswordVault,
  decryptPassword,
  encryptPassword,
  keyringFromEnv,
  open,
  parseAgentPrivateKey,
  parseAgentPublicKey,
  SEALING_KEYS_ENV,
  Secret,
  seal,
} from "../src/index.js";
import { randomKey } from "./support/keyrings.js";
import { rsaPair } from "./support/keys.js";

const pair = rsaPair(2048);
const PASSPHRASE = "hunter2 Ünïcødé 秘密 🔑 vault passphrase";
const binding = { tenantId: "123456", restoreId: 13689 };
const sealingKey = randomKey();
const keyring = createKeyring({ keys: [{ id: "k1", key: sealingKey }] })._unsafeUnwrap();
const ciphertext = encryptPassword(PASSPHRASE, pair.agentPublicKey)._unsafeUnwrap();
const sealed = seal(keyring, Buffer.from(ciphertext, "hex"), binding)._unsafeUnwrap();
const privateJwk = pair.privateKey.export({ format: "jwk" });

/** Everything that must never be printed, in each spelling it could take. */
function forbidden(): string[] {
  const spellings = (bytes: Buffer) => [
    bytes.toString("hex").toUpperCase(),
    bytes.toString("hex").toLowerCase(),
    bytes.toString("base64"),
    bytes.toString("base64url"),
  ];
  // Long values are also checked by a 16-character window, which finds them in any slice.
  const windows = (text: string) =>
    text.length <= 24 ? [text] : [text, text.slice(0, 16), text.slice(-16)];
  return [
    PASSPHRASE,
    "hunter2",
    ...spellings(Buffer.from(PASSPHRASE, "utf8")),
    ...spellings(Buffer.from(ciphertext, "hex")),
    ...spellings(Buffer.from(sealed)),
    sealingKey,
    ...spellings(Buffer.from(sealingKey, "base64")),
    privateJwk.d ?? "",
    ...spellings(Buffer.from(privateJwk.d ?? "", "base64url")),
  ].flatMap(windows);
}

/** One real instance of every CryptoError code, from inputs full of secrets where possible. */
function everyCryptoError(): Record<CryptoErrorCode, CryptoError> {
  const other = createKeyring({ keys: [{ id: "k9", key: randomKey() }] })._unsafeUnwrap();
  const altered = new Uint8Array(sealed);
  altered[altered.length - 1] = (altered.at(-1) ?? 0) ^ 1;
  const err = <E>(result: { _unsafeUnwrapErr(): E }): E => result._unsafeUnwrapErr();
  return {
    malformed_key: err(parseAgentPublicKey(`-----BEGIN PUBLIC KEY-----${PASSPHRASE}${ciphertext}`)),
    key_too_small: err(
      parseAgentPublicKey({ ModulusHex: ciphertext.slice(0, 500), ExponentHex: 10001 }),
    ),
    key_too_large: err(
      parseAgentPublicKey({ ModulusHex: ciphertext.repeat(9), ExponentHex: 10001 }),
    ),
    exponent_invalid: err(
      parseAgentPublicKey({
        ModulusHex: pair.agentPublicKey.modulusHex,
        // Made even, so that it is invalid whatever the random ciphertext's digits are.
        ExponentHex: `${ciphertext.slice(0, 39)}0`,
      }),
    ),
    padding_unknown: err(
      encryptPassword(PASSPHRASE, pair.agentPublicKey, { padding: PASSPHRASE as "oaep-sha1" }),
    ),
    padding_refused: err(decryptPassword(ciphertext, pair.privateKey, { padding: "pkcs1-v1_5" })),
    passphrase_invalid: err(encryptPassword(`${PASSPHRASE}\uD800`, pair.agentPublicKey)),
    passphrase_too_long: err(encryptPassword(PASSPHRASE.repeat(20), pair.agentPublicKey)),
    ciphertext_invalid: err(decryptPassword(`${ciphertext}ZZ`, pair.privateKey)),
    decrypt_failed: err(decryptPassword(ciphertext, pair.privateKey, { padding: "oaep-sha256" })),
    unknown_key_id: err(open(other, sealed, binding)),
    sealed_value_invalid: err(open(keyring, altered, binding)),
    binding_invalid: err(seal(keyring, Buffer.from(PASSPHRASE), { tenantId: "t", restoreId: -1 })),
    invalid_sealing_key: err(keyringFromEnv({ [SEALING_KEYS_ENV]: `k1:${sealingKey}AAAA` })),
    crypto_failed: CryptoErrors.cryptoFailed(),
  };
}

async function vaultErrors(): Promise<RestoreError[]> {
  const vault = createPasswordVault({ keyring });
  const publicKey = pair.agentPublicKey;
  const tooBig = `${ciphertext}00`;
  return [
    (await vault.seal({ ...binding, encryptedPassword: tooBig, publicKey }))._unsafeUnwrapErr(),
    (
      await vault.seal({ ...binding, encryptedPassword: `${PASSPHRASE}${ciphertext}`, publicKey })
    )._unsafeUnwrapErr(),
    (
      await vault.seal({ ...binding, encryptedPassword: ciphertext, publicKey: null })
    )._unsafeUnwrapErr(),
    (
      await vault.open(sealed as never, { tenantId: "654321", restoreId: 13689 })
    )._unsafeUnwrapErr(),
  ];
}

/** Every way a value ends up as text in a log or a response. */
function renderings(value: unknown): string[] {
  const out: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      out.push(String(chunk));
      done();
    },
  });
  const logger = new Console({ stdout: sink, stderr: sink });
  logger.log(value);
  logger.log("%s %o %O %j", value, value, value, value);
  logger.error({ value });
  logger.dir(value, { depth: null, showHidden: true });
  logger.table([{ value }]);
  try {
    throw value;
  } catch (caught) {
    out.push(String(caught), inspect(caught, { depth: null, showHidden: true }));
    const wrapped = new Error("failed", { cause: caught });
    out.push(inspect(wrapped, { depth: null }), String(wrapped.stack));
  }
  out.push(
    JSON.stringify(value) ?? "",
    JSON.stringify({ value }, null, 2),
    `${value as string}`,
    String(value),
    inspect(value, { depth: null, showHidden: true, getters: true }),
    format("%s|%o|%O|%j", value, value, value, value),
  );
  return out;
}

describe("no secret is ever printed", () => {
  it("covers every CryptoError code", () => {
    const errors = everyCryptoError();
    for (const [code, error] of Object.entries(errors)) expect(error.code).toBe(code);
  });

  it("not by any error, however it is serialised", async () => {
    const errors: unknown[] = [...Object.values(everyCryptoError()), ...(await vaultErrors())];
    const secrets = forbidden();
    for (const error of errors) {
      for (const text of renderings(error)) {
        for (const secret of secrets) expect(text).not.toContain(secret);
      }
    }
  });

  it("not by any Secret, however it is serialised", () => {
    const decrypted = decryptPassword(ciphertext, pair.privateKey)._unsafeUnwrap();
    expect(decrypted.reveal()).toBe(PASSPHRASE);
    const opened = open(keyring, sealed, binding)._unsafeUnwrap();
    expect(Buffer.from(opened.reveal()).toString("hex").toUpperCase()).toBe(ciphertext);
    const values = [
      decrypted,
      opened,
      new Secret(PASSPHRASE),
      new Secret(Buffer.from(PASSPHRASE)),
      new Secret({ passphrase: PASSPHRASE, ciphertext }),
      { nested: { deeper: [decrypted, opened] } },
    ];
    const secrets = forbidden();
    for (const value of values) {
      const texts = renderings(value);
      // console.dir bypasses custom inspection, and still finds nothing: the value is a #private field.
      expect(texts.filter((text) => text.includes("[REDACTED]")).length).toBeGreaterThanOrEqual(5);
      for (const text of texts) {
        for (const secret of secrets) expect(text).not.toContain(secret);
      }
    }
  });

  it("not by a keyring or a checked key", () => {
    const agentKey = parseAgentPrivateKey(pair.privateKey)._unsafeUnwrap().agentKey;
    for (const value of [keyring, agentKey]) {
      for (const text of renderings(value)) {
        for (const secret of forbidden()) expect(text).not.toContain(secret);
      }
    }
  });

  it("checks the spellings it looks for: they do appear when a secret is printed raw", () => {
    // Guards the test above against looking for the wrong text.
    const raw = [PASSPHRASE, Buffer.from(ciphertext, "hex").toString("hex"), sealingKey].join(" ");
    const secrets = forbidden();
    expect(secrets.some((secret) => raw.includes(secret))).toBe(true);
    expect(validateEncryptedPassword(ciphertext, pair.agentPublicKey).isOk()).toBe(true);
  });
});
