/** How a client retries network failures and 503s. */
export interface RetryOptions {
  /** Tries in all, the first included. Default 4; 1 never retries. */
  readonly attempts?: number;
  /** The backoff's first ceiling, doubled at each retry. Default 200 ms. */
  readonly baseDelayMs?: number;
  /** The most a backoff waits, before `Retry-After`. Default 5000 ms. */
  readonly maxDelayMs?: number;
  /** The most a call waits between tries in all; a `Retry-After` past it ends the call. Default 30 s. */
  readonly budgetMs?: number;
  /** A number in [0, 1), for the jitter. Default `Math.random`. */
  readonly random?: () => number;
  /** How a pause is taken. Default a timer; tests pass their own to see the pauses. */
  readonly sleep?: (ms: number) => Promise<void>;
}

/** The options with every default filled in. */
export type RetryPolicy = Required<RetryOptions>;

const wait = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * The options with their defaults; out-of-range numbers are brought into range.
 *
 * @example
 * ```ts
 * retryPolicy({ attempts: 1 }).budgetMs; // 30000
 * ```
 */
export function retryPolicy(options: RetryOptions = {}): RetryPolicy {
  const nonNegative = (value: number | undefined, fallback: number) =>
    value !== undefined && Number.isFinite(value) && value >= 0 ? value : fallback;
  return {
    attempts: Math.max(1, Math.floor(nonNegative(options.attempts, 4))),
    baseDelayMs: nonNegative(options.baseDelayMs, 200),
    maxDelayMs: nonNegative(options.maxDelayMs, 5000),
    budgetMs: nonNegative(options.budgetMs, 30_000),
    random: options.random ?? Math.random,
    sleep: options.sleep ?? wait,
  };
}

/**
 * The pause before retry number `retry` (1 for the first): exponential
 * backoff with full jitter, a random time up to `min(maxDelayMs,
 * baseDelayMs * 2^(retry-1))`, so clients that failed together do not come
 * back together. A `Retry-After` the server sent is a floor.
 *
 * @example
 * ```ts
 * backoffMs(retryPolicy(), 3, null); // between 0 and 800
 * ```
 */
export function backoffMs(policy: RetryPolicy, retry: number, retryAfterMs: number | null): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, retry - 1));
  const jittered = Math.floor(policy.random() * ceiling);
  return Math.max(jittered, retryAfterMs ?? 0);
}

/**
 * A `Retry-After` header in milliseconds: seconds (`"1"`) or an HTTP date
 * (then from `now`, never negative); `null` when absent or unreadable.
 *
 * @example
 * ```ts
 * parseRetryAfter("2"); // 2000
 * ```
 */
export function parseRetryAfter(value: string | null, now: number = Date.now()): number | null {
  if (value === null) return null;
  const text = value.trim();
  if (/^\d{1,9}$/.test(text)) return Number(text) * 1000;
  const date = Date.parse(text);
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}
