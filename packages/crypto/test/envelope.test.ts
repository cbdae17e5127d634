import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createKeyring, ENVELOPE_VERSION, open, seal, sealedKeyId } from "../src/index.js";
import { keyringOf, randomKey } from "./support/keyrings.js";

const binding = { tenantId: "123456", restoreId: 13689 };
const arbBinding = fc.record({
  tenantId: fc.string({ unit: "binary", maxLength: 24 }),
  restoreId: fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
});
const arbBytes = fc.uint8Array({ maxLength: 600 });

function opened(result: ReturnType<typeof open>): Uint8Array {
  return result._unsafeUnwrap().reveal();
}

describe("seal and open", () => {
  const { keyring } = keyringOf("k1");

  it("opens what it sealed, for any bytes and any binding", () => {
    fc.assert(
      fc.property(arbBytes, arbBinding, (bytes, bound) => {
        const envelope = seal(keyring, bytes, bound)._unsafeUnwrap();
        expect(opened(open(keyring, envelope, bound))).toEqual(bytes);
      }),
    );
  });

  it("writes version 1, the key id, a 12-byte nonce, the ciphertext and a 16-byte tag", () => {
    const bytes = new Uint8Array([1, 2, 3, 4, 5]);
    const envelope = seal(keyring, bytes, binding)._unsafeUnwrap();
    expect(envelope[0]).toBe(ENVELOPE_VERSION);
    expect(envelope[1]).toBe(2);
    expect(Buffer.from(envelope.subarray(2, 4)).toString("latin1")).toBe("k1");
    expect(envelope.length).toBe(1 + 1 + 2 + 12 + bytes.length + 16);
    expect(sealedKeyId(envelope)._unsafeUnwrap()).toBe("k1");
  });

  it("draws a fresh nonce for every seal", () => {
    const bytes = new Uint8Array(32);
    const nonces = new Set<string>();
    for (let i = 0; i < 500; i += 1) {
      const envelope = seal(keyring, bytes, binding)._unsafeUnwrap();
      nonces.add(Buffer.from(envelope.subarray(4, 16)).toString("hex"));
    }
    expect(nonces.size).toBe(500);
  });

  it("leaves the caller's bytes as they were", () => {
    const bytes = new Uint8Array([9, 8, 7]);
    seal(keyring, bytes, binding)._unsafeUnwrap();
    expect([...bytes]).toEqual([9, 8, 7]);
  });

  it("gives the bytes as a Secret that dispose() zeroes", () => {
    const envelope = seal(keyring, new Uint8Array([7, 7, 7]), binding)._unsafeUnwrap();
    const secret = open(keyring, envelope, binding)._unsafeUnwrap();
    const bytes = secret.reveal();
    secret.dispose();
    expect([...bytes]).toEqual([0, 0, 0]);
  });
});

describe("tampering", () => {
  const { keyring } = keyringOf("k1", "k2");

  it("fails when any bit of any byte of the envelope changes", () => {
    const envelope = seal(
      keyring,
      new TextEncoder().encode("ciphertext bytes"),
      binding,
    )._unsafeUnwrap();
    // Every position, each with a random non-zero mask.
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 255 }), {
          minLength: envelope.length,
          maxLength: envelope.length,
        }),
        (masks) => {
          for (const [at, mask] of masks.entries()) {
            const altered = new Uint8Array(envelope);
            altered[at] = (altered[at] ?? 0) ^ mask;
            expect(open(keyring, altered, binding).isErr()).toBe(true);
          }
        },
      ),
      { numRuns: 20 },
    );
  });

  it("fails for any byte changed in any envelope, with a clear code", () => {
    fc.assert(
      fc.property(arbBytes, fc.nat(), fc.integer({ min: 1, max: 255 }), (bytes, at, mask) => {
        const envelope = seal(keyring, bytes, binding)._unsafeUnwrap();
        const i = at % envelope.length;
        const altered = new Uint8Array(envelope);
        altered[i] = (altered[i] ?? 0) ^ mask;
        const error = open(keyring, altered, binding)._unsafeUnwrapErr();
        expect(["sealed_value_invalid", "unknown_key_id"]).toContain(error.code);
      }),
    );
  });

  it("fails when the nonce changes", () => {
    const envelope = seal(keyring, new Uint8Array(16), binding)._unsafeUnwrap();
    const altered = new Uint8Array(envelope);
    altered.set(new Uint8Array(12).fill(0x42), 4);
    expect(open(keyring, altered, binding)._unsafeUnwrapErr()).toMatchObject({
      code: "sealed_value_invalid",
      problem: "authentication_failed",
    });
  });

  it("fails when opened for another tenant or another restore", () => {
    fc.assert(
      fc.property(arbBytes, arbBinding, arbBinding, (bytes, sealedFor, openedFor) => {
        fc.pre(
          sealedFor.tenantId !== openedFor.tenantId || sealedFor.restoreId !== openedFor.restoreId,
        );
        const envelope = seal(keyring, bytes, sealedFor)._unsafeUnwrap();
        expect(open(keyring, envelope, openedFor)._unsafeUnwrapErr()).toMatchObject({
          code: "sealed_value_invalid",
          problem: "authentication_failed",
        });
      }),
    );
  });

  it("binds tenant and restore unambiguously: moving digits between them fails", () => {
    const envelope = seal(keyring, new Uint8Array(8), {
      tenantId: "12",
      restoreId: 34,
    })._unsafeUnwrap();
    for (const other of [
      { tenantId: "123", restoreId: 4 },
      { tenantId: "1", restoreId: 234 },
      { tenantId: "1234", restoreId: 0 },
    ]) {
      expect(open(keyring, envelope, other).isErr()).toBe(true);
    }
    expect(open(keyring, envelope, { tenantId: "12", restoreId: 34 }).isOk()).toBe(true);
  });

  it("fails when the key id in the header is swapped for another held key", () => {
    const envelope = seal(keyring, new Uint8Array(8), binding)._unsafeUnwrap();
    const swapped = new Uint8Array(envelope);
    swapped.set(Buffer.from("k2", "latin1"), 2);
    expect(open(keyring, swapped, binding)._unsafeUnwrapErr().code).toBe("sealed_value_invalid");
  });

  it("says what is wrong with a value that is not an envelope", () => {
    const envelope = seal(keyring, new Uint8Array(8), binding)._unsafeUnwrap();
    const cases: [Uint8Array, string][] = [
      [new Uint8Array(0), "malformed"],
      [new Uint8Array([1]), "malformed"],
      [envelope.subarray(0, 20), "malformed"],
      [new Uint8Array([1, 0, ...new Uint8Array(40)]), "malformed"],
      [new Uint8Array([2, ...envelope.subarray(1)]), "unsupported_version"],
      [new Uint8Array([1, 2, 0x00, 0x01, ...new Uint8Array(40)]), "malformed"],
    ];
    for (const [value, problem] of cases) {
      expect(open(keyring, value, binding)._unsafeUnwrapErr()).toMatchObject({
        code: "sealed_value_invalid",
        problem,
      });
    }
    expect(open(keyring, "not bytes" as never, binding)._unsafeUnwrapErr().code).toBe(
      "sealed_value_invalid",
    );
  });

  it("refuses a binding that is not a string tenant and an integer restore", () => {
    for (const bad of [
      { tenantId: 1 as never, restoreId: 1 },
      { tenantId: "1", restoreId: 1.5 },
      { tenantId: "1", restoreId: -1 },
    ]) {
      expect(seal(keyring, new Uint8Array(1), bad)._unsafeUnwrapErr().code).toBe("binding_invalid");
    }
  });
});

describe("rotation", () => {
  it("opens a value sealed under an old key once a new key is current; new seals use the new key", () => {
    const k1 = randomKey();
    const k2 = randomKey();
    const before = createKeyring({ keys: [{ id: "k1", key: k1 }] })._unsafeUnwrap();
    const sealedBefore = seal(before, new Uint8Array([1, 2, 3]), binding)._unsafeUnwrap();

    const after = createKeyring({
      keys: [
        { id: "k2", key: k2 },
        { id: "k1", key: k1 },
      ],
    })._unsafeUnwrap();
    expect(after.currentKeyId).toBe("k2");
    expect([...opened(open(after, sealedBefore, binding))]).toEqual([1, 2, 3]);
    const sealedAfter = seal(after, new Uint8Array([4]), binding)._unsafeUnwrap();
    expect(sealedKeyId(sealedAfter)._unsafeUnwrap()).toBe("k2");
    expect(open(before, sealedAfter, binding)._unsafeUnwrapErr()).toMatchObject({
      code: "unknown_key_id",
      keyId: "k2",
    });
  });

  it("says which key id is missing once an old key is dropped", () => {
    const { keyring: old } = keyringOf("2024-01");
    const sealed = seal(old, new Uint8Array([5]), binding)._unsafeUnwrap();
    const { keyring: current } = keyringOf("2025-01");
    const error = open(current, sealed, binding)._unsafeUnwrapErr();
    expect(error).toMatchObject({ code: "unknown_key_id", keyId: "2024-01" });
    expect(error.message).toContain('"2024-01"');
  });

  it("cannot open a value when the id is reused for other key bytes", () => {
    const { keyring: first } = keyringOf("k1");
    const { keyring: second } = keyringOf("k1");
    const sealed = seal(first, new Uint8Array([5]), binding)._unsafeUnwrap();
    expect(open(second, sealed, binding)._unsafeUnwrapErr().code).toBe("sealed_value_invalid");
  });
});
