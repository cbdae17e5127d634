import { IDEMPOTENCY_KEEP_MS, IDEMPOTENCY_LOCK_MS, RestoreErrors } from "@restorekit/core";
import { fixedClock, inMemoryIdempotencyKeys } from "@restorekit/testing";
import { errAsync } from "neverthrow";
import pino from "pino";
import { describe, expect, it } from "vitest";
import { startKeyPurge } from "../src/key-purge.js";

const scope = { tenantId: "1234", principal: "user:alice" };

function logged(): { logger: pino.Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const logger = pino(
    { level: "debug" },
    { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) },
  );
  return { logger, lines };
}

describe("the idempotency key purge", () => {
  it("deletes every key past its retention, in batches, and keeps the rest", async () => {
    const keys = inMemoryIdempotencyKeys();
    const clock = fixedClock();
    const claim = (key: string) =>
      keys.claim({
        scope,
        key,
        fingerprint: "f",
        now: clock.now(),
        lockMs: IDEMPOTENCY_LOCK_MS,
        keepMs: IDEMPOTENCY_KEEP_MS,
      });
    for (let i = 0; i < 2_500; i += 1) (await claim(`old-${i}`))._unsafeUnwrap();
    clock.advance(IDEMPOTENCY_KEEP_MS / 2);
    (await claim("young"))._unsafeUnwrap();
    clock.advance(IDEMPOTENCY_KEEP_MS / 2 + 1);
    const { logger, lines } = logged();
    const purge = startKeyPurge(keys, clock, logger);
    try {
      expect(await purge.purge()).toBe(2_500);
      expect(await purge.purge()).toBe(0);
    } finally {
      await purge.stop();
    }
    // The young key is still held: a different request under it is refused.
    const again = await keys.claim({
      scope,
      key: "young",
      fingerprint: "other",
      now: clock.now(),
      lockMs: IDEMPOTENCY_LOCK_MS,
      keepMs: IDEMPOTENCY_KEEP_MS,
    });
    expect(again._unsafeUnwrap().kind).toBe("reused");
    expect(lines.some((line) => line.deleted === 2_500)).toBe(true);
  });

  it("logs a store that fails, without its cause, and carries on", async () => {
    const keys = {
      ...inMemoryIdempotencyKeys(),
      purgeExpired: () => errAsync(RestoreErrors.storageUnavailable()),
    };
    const { logger, lines } = logged();
    const purge = startKeyPurge(keys, fixedClock(), logger);
    expect(await purge.purge()).toBe(0);
    await purge.stop();
    expect(lines).toMatchObject([
      { level: 40, code: "storage_unavailable", msg: "could not purge expired idempotency keys" },
    ]);
  });
});
