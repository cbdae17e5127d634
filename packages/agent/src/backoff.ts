/** Retry delays: exponential with jitter, so agents that lost the server together do not return together. */
export interface Backoff {
  /** The delay before retry number `attempt` (0 for the first). */
  delay(attempt: number): number;
  /** The delay a `Retry-After` asks for, with a little jitter; null when absent or unreadable. */
  retryAfter(response: Response): number | null;
  readonly maxMs: number;
}

export function backoff(initialMs = 500, maxMs = 30_000): Backoff {
  const initial = Math.max(1, initialMs);
  const max = Math.max(initial, maxMs);
  return {
    maxMs: max,
    delay(attempt) {
      const ceiling = Math.min(max, initial * 2 ** Math.min(attempt, 30));
      return Math.round(ceiling / 2 + (Math.random() * ceiling) / 2);
    },
    retryAfter(response) {
      const value = response.headers.get("retry-after")?.trim();
      if (value === undefined || value === "") return null;
      const ms = /^[0-9]+$/.test(value)
        ? Number(value) * 1000
        : Number.isNaN(Date.parse(value))
          ? null
          : Date.parse(value) - Date.now();
      if (ms === null) return null;
      // Honoured, within reason: a server's hour is not worth an agent's hour of silence.
      const wait = Math.min(Math.max(0, ms), 5 * max);
      return Math.round(wait + Math.random() * Math.min(1000, wait / 10 + 100));
    },
  };
}

/** Resolves after `ms`, or at once when `signal` aborts. */
export function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
  });
}
