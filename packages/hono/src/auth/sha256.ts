import { type RestoreError, RestoreErrors } from "@restorekit/core";
import { ResultAsync } from "neverthrow";

const encoder = new TextEncoder();

async function digest(text: string): Promise<Uint8Array> {
  return new Uint8Array(await globalThis.crypto.subtle.digest("SHA-256", encoder.encode(text)));
}

/**
 * The SHA-256 digest of a text's UTF-8 bytes, through Web Crypto so that it
 * runs on every runtime. Web Crypto missing or failing is a fault of ours.
 */
export const sha256: (text: string) => ResultAsync<Uint8Array, RestoreError> =
  ResultAsync.fromThrowable(digest, () => RestoreErrors.internal());
