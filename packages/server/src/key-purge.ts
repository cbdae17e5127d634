import type { Clock, IdempotencyKeys } from "@restorekit/core";
import type { Logger } from "pino";

/** Once in 10 minutes is plenty: an expired key is already ignored by every claim. */
export const PURGE_INTERVAL_MS = 10 * 60_000;
const BATCH = 1_000;
/** A purge ends after this many batches, so one that never catches up still yields. */
const MAX_BATCHES = 100;

export interface KeyPurge {
  /** One purge now: deletes keys past their retention, a batch at a time; answers how many. */
  purge(): Promise<number>;
  stop(): Promise<void>;
}

/**
 * Deletes `Idempotency-Key`s past their 24 h retention every
 * `PURGE_INTERVAL_MS`. They are only clutter by then (a claim treats an
 * expired key as new), so a failed purge is logged and tried again at the
 * next round, never fatal.
 */
export function startKeyPurge(keys: IdempotencyKeys, clock: Clock, logger: Logger): KeyPurge {
  let running: Promise<unknown> = Promise.resolve();
  async function purge(): Promise<number> {
    let deleted = 0;
    for (let batch = 0; batch < MAX_BATCHES; batch += 1) {
      const result = await keys.purgeExpired(clock.now(), BATCH);
      if (result.isErr()) {
        logger.warn({ code: result.error.code }, "could not purge expired idempotency keys");
        break;
      }
      deleted += result.value;
      if (result.value < BATCH) break;
    }
    if (deleted > 0) logger.debug({ deleted }, "purged expired idempotency keys");
    return deleted;
  }
  const timer = setInterval(() => {
    running = running.then(purge);
  }, PURGE_INTERVAL_MS);
  // The purge alone must not keep a process alive.
  timer.unref();
  return {
    purge: () => {
      const next = running.then(purge);
      running = next;
      return next;
    },
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
