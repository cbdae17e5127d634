import { inspect } from "node:util";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  createKeyring,
  generateSealingKey,
  keyringFromEnv,
  open,
  SEALING_KEY_CURRENT_ENV,
  SEALING_KEYS_ENV,
  seal,
} from "../src/index.js";
import { randomKey } from "./support/keyrings.js";

const binding = { tenantId: "t", restoreId: 1 };

describe("createKeyring", () => {
  it("takes the first key as current unless told otherwise", () => {
    const keys = [
      { id: "a", key: randomKey() },
      { id: "b", key: randomKey() },
    ];
    expect(createKeyring({ keys })._unsafeUnwrap()).toEqual({
      currentKeyId: "a",
      keyIds: ["a", "b"],
    });
    expect(createKeyring({ keys, currentKeyId: "b" })._unsafeUnwrap().currentKeyId).toBe("b");
  });

  it("reads standard base64, base64url and raw bytes alike", () => {
    const bytes = new Uint8Array(32).map((_, i) => 250 - i);
    const forms = [
      Buffer.from(bytes).toString("base64"),
      Buffer.from(bytes).toString("base64url"),
      bytes,
    ];
    const sealed = seal(
      createKeyring({ keys: [{ id: "k", key: bytes }] })._unsafeUnwrap(),
      new Uint8Array([1]),
      binding,
    )._unsafeUnwrap();
    for (const key of forms) {
      const keyring = createKeyring({ keys: [{ id: "k", key }] })._unsafeUnwrap();
      expect(open(keyring, sealed, binding).isOk()).toBe(true);
    }
  });

  it("rejects keys of any length but 32 bytes, naming the key and the length", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 1, maxLength: 80 }).filter((b) => b.length !== 32),
        (bytes) => {
          const error = createKeyring({
            keys: [{ id: "k9", key: Buffer.from(bytes).toString("base64") }],
          })._unsafeUnwrapErr();
          expect(error).toMatchObject({ code: "invalid_sealing_key", keyId: "k9" });
          expect(error.message).toContain(`not ${bytes.length}`);
        },
      ),
    );
  });

  it("rejects what is not base64, without quoting it", () => {
    const error = createKeyring({
      keys: [{ id: "k", key: "this is not base64 at all!" }],
    })._unsafeUnwrapErr();
    expect(error.code).toBe("invalid_sealing_key");
    expect(error.message).not.toContain("this is not");
  });

  it("rejects an empty key", () => {
    expect(createKeyring({ keys: [{ id: "k", key: "" }] })._unsafeUnwrapErr().message).toContain(
      "empty",
    );
  });

  it("rejects no keys, a bad or repeated id, and a current id it does not hold", () => {
    const key = randomKey();
    const configs = [
      { keys: [] },
      { keys: [{ id: "", key }] },
      { keys: [{ id: "has:colon", key }] },
      { keys: [{ id: "x".repeat(65), key }] },
      {
        keys: [
          { id: "k", key },
          { id: "k", key: randomKey() },
        ],
      },
      { keys: [{ id: "k", key }], currentKeyId: "other" },
    ];
    for (const config of configs) {
      expect(createKeyring(config)._unsafeUnwrapErr().code).toBe("invalid_sealing_key");
    }
  });

  it("never shows its key bytes when printed", () => {
    const key = randomKey();
    const keyring = createKeyring({ keys: [{ id: "k", key }] })._unsafeUnwrap();
    const hex = Buffer.from(key, "base64").toString("hex");
    for (const text of [
      JSON.stringify(keyring),
      inspect(keyring, { depth: 10, showHidden: true }),
    ]) {
      expect(text).not.toContain(key);
      expect(text).not.toContain(hex);
    }
  });
});

describe("keyringFromEnv", () => {
  it("reads id:base64 pairs, the first current, spaces around entries ignored", () => {
    const k1 = randomKey();
    const k2 = randomKey();
    const result = keyringFromEnv({ [SEALING_KEYS_ENV]: ` k2:${k2} , k1:${k1} ` })._unsafeUnwrap();
    expect(result.ephemeral).toBe(false);
    expect(result.keyring).toEqual({ currentKeyId: "k2", keyIds: ["k2", "k1"] });
  });

  it("takes the current key from RESTOREKIT_SEALING_KEY_CURRENT", () => {
    const result = keyringFromEnv({
      [SEALING_KEYS_ENV]: `k2:${randomKey()},k1:${randomKey()}`,
      [SEALING_KEY_CURRENT_ENV]: "k1",
    })._unsafeUnwrap();
    expect(result.keyring.currentKeyId).toBe("k1");
  });

  it("opens with a rotated environment what the old one sealed", () => {
    const k1 = randomKey();
    const old = keyringFromEnv({ [SEALING_KEYS_ENV]: `k1:${k1}` })._unsafeUnwrap().keyring;
    const sealed = seal(old, new Uint8Array([3]), binding)._unsafeUnwrap();
    const rotated = keyringFromEnv({
      [SEALING_KEYS_ENV]: `k2:${randomKey()},k1:${k1}`,
    })._unsafeUnwrap().keyring;
    expect([...open(rotated, sealed, binding)._unsafeUnwrap().reveal()]).toEqual([3]);
  });

  it("generates an ephemeral key when none is configured, and says so loudly", () => {
    for (const env of [{}, { [SEALING_KEYS_ENV]: "" }, { [SEALING_KEYS_ENV]: "   " }]) {
      const result = keyringFromEnv(env)._unsafeUnwrap();
      expect(result.ephemeral).toBe(true);
      if (!result.ephemeral) continue;
      expect(result.keyring.currentKeyId).toMatch(/^ephemeral-[0-9a-f]{8}$/);
      expect(result.warning).toContain(SEALING_KEYS_ENV);
      expect(result.warning).toContain("unreadable");
      const sealed = seal(result.keyring, new Uint8Array([1]), binding)._unsafeUnwrap();
      expect(open(result.keyring, sealed, binding).isOk()).toBe(true);
    }
  });

  it("makes a new ephemeral key each time: a restart cannot read what was sealed before", () => {
    const first = keyringFromEnv({})._unsafeUnwrap().keyring;
    const second = keyringFromEnv({})._unsafeUnwrap().keyring;
    const sealed = seal(first, new Uint8Array([1]), binding)._unsafeUnwrap();
    expect(open(second, sealed, binding)._unsafeUnwrapErr().code).toBe("unknown_key_id");
  });

  it("refuses a malformed configuration instead of falling back to an ephemeral key", () => {
    const secretLooking = randomKey();
    const envs = [
      { [SEALING_KEYS_ENV]: secretLooking },
      { [SEALING_KEYS_ENV]: `k1:${secretLooking.slice(4)}` },
      { [SEALING_KEYS_ENV]: `k1:${randomKey()},` },
      { [SEALING_KEYS_ENV]: `k1:${randomKey()}`, [SEALING_KEY_CURRENT_ENV]: "k2" },
      { [SEALING_KEY_CURRENT_ENV]: "k1" },
    ];
    for (const env of envs) {
      const error = keyringFromEnv(env)._unsafeUnwrapErr();
      expect(error.code).toBe("invalid_sealing_key");
      expect(error.message).not.toContain(secretLooking);
      expect(error.message).not.toContain(secretLooking.slice(4));
    }
  });
});

describe("generateSealingKey", () => {
  it("makes 32 random bytes in base64 that a keyring accepts", () => {
    const key = generateSealingKey();
    expect(Buffer.from(key, "base64")).toHaveLength(32);
    expect(generateSealingKey()).not.toBe(key);
    expect(createKeyring({ keys: [{ id: "k", key }] }).isOk()).toBe(true);
  });
});
