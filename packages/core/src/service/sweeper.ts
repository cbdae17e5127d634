import { ok, type ResultAsync, safeTry } from "neverthrow";
import { DEFAULT_DEADLINES, type Deadlines, deadlineProblems } from "../deadlines.js";
import type { RestoreError } from "../errors.js";
import type { Clock, DueRestores } from "../ports.js";
import type { Restore } from "../restore.js";
import type { RestoreService, RestoreTarget } from "./restore-service.js";

export interface SweeperOptions {
  readonly service: RestoreService;
  /** Where due restores are found: the store's `DueRestores`. */
  readonly due: DueRestores;
  readonly clock: Clock;
  /** The service's deadlines; a restore the service finds not yet due is left as it is. */
  readonly deadlines?: Deadlines;
  /** How many due restores one query fetches. Default 100. */
  readonly batchSize?: number;
  /** How many batches one sweep works through at most, so a sweep always ends. Default 10. */
  readonly maxBatches?: number;
  /** Told of every restore the sweep gave up, for the log. */
  readonly onExpired?: (restore: Restore) => void;
  /** Told of every failure: the query's, or one restore's (named by `target`). */
  readonly onError?: (error: RestoreError, target?: RestoreTarget) => void;
}

/** What one sweep did. */
export interface SweepReport {
  /** Restores the store named as due. */
  readonly found: number;
  readonly expired: number;
  /** Named as due, but heard from (or changed) before the expiry was decided. */
  readonly unchanged: number;
  readonly failed: number;
}

export interface Sweeper {
  /** One sweep now; fails only when the store cannot be asked. */
  sweep(): ResultAsync<SweepReport, RestoreError>;
  /** Sweeps every `intervalMs` until `stop`; a sweep still running delays the next one. */
  start(intervalMs: number): void;
  /** Stops the timer and waits for a sweep in progress to end. */
  stop(): Promise<void>;
}

/**
 * How often to sweep so a restore is expired within a second or so of its
 * deadline: every second, or every tenth of the shortest deadline when that
 * is shorter (never under 50 ms).
 */
export function sweepIntervalFor(deadlines: Deadlines): number {
  const shortest = Math.min(deadlines.pickupMs, deadlines.heartbeatMs, deadlines.stopMs);
  return Math.max(50, Math.min(1_000, Math.floor(shortest / 10)));
}

/**
 * Expires the restores whose agents went silent: asks the store for due
 * restores (an indexed query) and sends each the `Expire` command through
 * the service. Several instances may sweep at once: each expiry is decided
 * on the restore's current version and appended at it, so a restore is
 * expired once, and never after its agent was heard.
 *
 * @example
 * ```ts
 * const sweeper = createSweeper({ service, due: repository, clock });
 * sweeper.start(sweepIntervalFor(DEFAULT_DEADLINES));
 * // on shutdown
 * await sweeper.stop();
 * ```
 */
export function createSweeper(options: SweeperOptions): Sweeper {
  const { service, due, clock } = options;
  const deadlines = options.deadlines ?? DEFAULT_DEADLINES;
  const problems = deadlineProblems(deadlines);
  if (problems.length > 0) throw new TypeError(`createSweeper: ${problems.join("; ")}`);
  const batchSize = Math.max(1, Math.floor(options.batchSize ?? 100));
  const maxBatches = Math.max(1, Math.floor(options.maxBatches ?? 10));
  const onError = options.onError ?? (() => undefined);
  let timer: ReturnType<typeof setTimeout> | undefined;
  let running: Promise<unknown> = Promise.resolve();
  let stopped = true;

  function sweep(): ResultAsync<SweepReport, RestoreError> {
    return safeTry(async function* () {
      let found = 0;
      let expired = 0;
      let unchanged = 0;
      let failed = 0;
      // A restore that failed to expire would be found again in the next batch: skip it until the next sweep.
      const tried = new Set<string>();
      for (let batch = 0; batch < maxBatches; batch += 1) {
        const now = clock.now().toISOString();
        // Asks past the ones already tried, so they cannot crowd out the rest.
        const limit = batchSize + tried.size;
        const targets = yield* due.findDue({ now, deadlines, limit });
        const fresh = targets.filter((t) => !tried.has(`${t.tenantId}/${t.restoreId}`));
        for (const target of fresh) {
          tried.add(`${target.tenantId}/${target.restoreId}`);
          found += 1;
          const result = await service.expireRestore(target, `sweep-${now}`);
          if (result.isErr()) {
            failed += 1;
            onError(result.error, target);
          } else if (result.value.expired) {
            expired += 1;
            options.onExpired?.(result.value.restore);
          } else {
            unchanged += 1;
          }
        }
        if (targets.length < limit || fresh.length === 0) break;
      }
      return ok({ found, expired, unchanged, failed });
    });
  }

  function schedule(intervalMs: number): void {
    if (stopped) return;
    timer = setTimeout(() => {
      running = sweep()
        .match(
          () => undefined,
          (error) => onError(error),
        )
        .finally(() => schedule(intervalMs));
    }, intervalMs);
    // A sweeper alone must not keep a process alive.
    timer.unref?.();
  }

  return {
    sweep,
    start(intervalMs) {
      if (!Number.isSafeInteger(intervalMs) || intervalMs < 1) {
        throw new TypeError("Sweeper.start: intervalMs must be a positive whole number");
      }
      if (!stopped) return;
      stopped = false;
      schedule(intervalMs);
    },
    async stop() {
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
      await running;
    },
  };
}
