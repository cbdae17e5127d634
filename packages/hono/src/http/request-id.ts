import { LIMITS } from "@restorekit/core";

// Visible ASCII only: the id is echoed in a header and written to logs and events.
const SANE_REQUEST_ID = /^[\x21-\x7e]+$/;

/**
 * The client's `X-Request-Id` when it is one we can echo and record (visible
 * ASCII, at most `LIMITS.requestId` characters), or a new random one.
 */
export function requestIdFor(sent: string | undefined | null): string {
  if (
    typeof sent === "string" &&
    sent.length > 0 &&
    sent.length <= LIMITS.requestId &&
    SANE_REQUEST_ID.test(sent)
  ) {
    return sent;
  }
  return globalThis.crypto.randomUUID();
}
