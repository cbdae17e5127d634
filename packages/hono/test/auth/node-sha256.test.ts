import fc from "fast-check";
import { afterEach, describe, expect, it, vi } from "vitest";
import { nodeSha256 } from "../../src/auth/node-sha256.js";

async function webSha256(text: string): Promise<Uint8Array> {
  return new Uint8Array(
    await globalThis.crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)),
  );
}

describe("nodeSha256", () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it("is there on Node, without importing node:crypto", () => {
    expect(nodeSha256()).toBeTypeOf("function");
  });

  it("gives Web Crypto's digest of the UTF-8 bytes, for every text", {
    timeout: 60_000,
  }, async () => {
    const sync = nodeSha256();
    if (sync === undefined) throw new Error("node:crypto is not reachable");
    await fc.assert(
      fc.asyncProperty(
        // Lone surrogates included: both sides must encode them as U+FFFD alike.
        fc.oneof(fc.string({ unit: "binary", maxLength: 300 }), fc.string({ maxLength: 40 })),
        async (text) => {
          expect([...sync(text)]).toEqual([...(await webSha256(text))]);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("is undefined where the runtime hands out no node:crypto", () => {
    vi.spyOn(process, "getBuiltinModule").mockReturnValue(undefined);
    expect(nodeSha256()).toBeUndefined();
  });

  it("is undefined when asking for node:crypto throws", () => {
    vi.spyOn(process, "getBuiltinModule").mockImplementation(() => {
      throw new Error("not here");
    });
    expect(nodeSha256()).toBeUndefined();
  });

  it("is undefined when node:crypto answers a wrong digest", () => {
    const wrong = { createHash: () => ({ update: () => ({ digest: () => new Uint8Array(32) }) }) };
    vi.spyOn(process, "getBuiltinModule").mockReturnValue(wrong as never);
    expect(nodeSha256()).toBeUndefined();
  });

  it("uses createHash where node:crypto has no one-shot hash", () => {
    const real = process.getBuiltinModule("node:crypto");
    const older = { createHash: real.createHash };
    vi.spyOn(process, "getBuiltinModule").mockReturnValue(older as never);
    const sync = nodeSha256();
    expect(sync).toBeTypeOf("function");
    expect(Buffer.from(sync?.("abc") ?? []).toString("hex")).toBe(
      "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
    );
  });
});
