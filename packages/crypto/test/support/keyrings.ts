import { randomBytes } from "node:crypto";
import { createKeyring, type Keyring } from "../../src/index.js";

/** A fresh random 32-byte key in base64. */
export function randomKey(): string {
  return randomBytes(32).toString("base64");
}

/** A keyring of the given ids with random keys (the first is current), and the keys. */
export function keyringOf(...ids: string[]): { keyring: Keyring; keys: Record<string, string> } {
  const keys = Object.fromEntries(ids.map((id) => [id, randomKey()]));
  const keyring = createKeyring({
    keys: ids.map((id) => ({ id, key: keys[id] ?? "" })),
  })._unsafeUnwrap();
  return { keyring, keys };
}
