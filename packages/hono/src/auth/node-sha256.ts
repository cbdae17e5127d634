/** A synchronous SHA-256 of a text's UTF-8 bytes. */
export type SyncSha256 = (text: string) => Uint8Array;

/** What is used of `node:crypto`: `hash` (Node >= 20.12) or `createHash`. */
interface NodeCrypto {
  readonly hash?: (algorithm: string, data: string, outputEncoding: "buffer") => Uint8Array;
  readonly createHash: (algorithm: string) => {
    update(data: string, encoding: "utf8"): { digest(): Uint8Array };
  };
}

interface ProcessWithBuiltins {
  readonly getBuiltinModule?: (id: string) => unknown;
}

function isNodeCrypto(value: unknown): value is NodeCrypto {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as { createHash?: unknown }).createHash === "function"
  );
}

// SHA-256("abc"): a runtime whose node:crypto answers anything else is not trusted with tokens.
const ABC_DIGEST = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

function hex(bytes: Uint8Array): string {
  let text = "";
  for (let i = 0; i < bytes.length; i += 1) text += (bytes[i] ?? 0).toString(16).padStart(2, "0");
  return text;
}

/**
 * `node:crypto`'s SHA-256 where the runtime hands it over without an import
 * (`process.getBuiltinModule`, Node >= 20.16, Bun, Deno), else undefined and
 * the caller keeps to Web Crypto. It is an order of magnitude cheaper per
 * token than Web Crypto on Node, whose `subtle.digest` is a round trip
 * through the thread pool; a top-level `node:` import would break Workers.
 */
export function nodeSha256(): SyncSha256 | undefined {
  try {
    const process = (globalThis as { process?: ProcessWithBuiltins }).process;
    const crypto = process?.getBuiltinModule?.("node:crypto");
    if (!isNodeCrypto(crypto)) return undefined;
    const { hash, createHash } = crypto;
    const sync: SyncSha256 =
      typeof hash === "function"
        ? (text) => hash("sha256", text, "buffer")
        : (text) => createHash("sha256").update(text, "utf8").digest();
    return hex(sync("abc")) === ABC_DIGEST ? sync : undefined;
  } catch {
    return undefined;
  }
}
