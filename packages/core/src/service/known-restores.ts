import type { Restore, RestoreErrorSummary } from "../restore.js";

/**
 * The last state this process saw of recently changed restores, so that a
 * command can be decided without reading the store first. Nothing taken
 * from it is trusted: a change decided on it is appended with its version,
 * which the store checks, and any other outcome is decided again on a fresh
 * read (see `execute` in the service).
 *
 * It watches how often what it remembers turns out stale (another instance
 * changed the restore since): a stale memory costs a failed append, which is
 * dearer than the read it meant to save, so past `STALE_LIMIT` it is only
 * consulted once in `PROBE_EVERY` times, enough to notice when it pays again.
 */
export interface KnownRestores {
  /** The remembered restore, if there is one and the memory is worth consulting now. */
  get(tenantId: string, restoreId: number): Restore | undefined;
  remember(restore: Restore): void;
  /** How a change decided on a remembered restore went: appended at its version, or stale. */
  record(outcome: "current" | "stale"): void;
  /** How many restores it holds now: never more than its capacity. */
  size(): number;
}

/**
 * The share of stale outcomes (a moving average over about the last 32)
 * beyond which the memory stops being consulted. Measured: with two
 * instances and random routing about half the remembered states are stale,
 * and each costs more than the read it saves; one instance sees none.
 */
export const STALE_LIMIT = 0.25;
/** While past the limit, one lookup in this many still uses the memory, to keep measuring. */
export const PROBE_EVERY = 16;
const WEIGHT = 1 / 32;

/** Least recently used first out; a `capacity` of 0 (or less) remembers nothing. */
export function knownRestores(capacity: number): KnownRestores {
  const entries = new Map<string, Restore>();
  // The restore id is all digits, so the colon cannot be confused with one inside a tenant id.
  const keyOf = (tenantId: string, restoreId: number) => `${restoreId}:${tenantId}`;
  let staleShare = 0;
  let lookups = 0;
  return {
    get(tenantId, restoreId) {
      const key = keyOf(tenantId, restoreId);
      const restore = entries.get(key);
      if (restore === undefined) return undefined;
      entries.delete(key);
      entries.set(key, restore);
      if (staleShare > STALE_LIMIT) {
        lookups += 1;
        if (lookups % PROBE_EVERY !== 0) return undefined;
      }
      return restore;
    },
    remember(restore) {
      if (capacity <= 0) return;
      const key = keyOf(restore.tenantId, restore.restoreId);
      entries.delete(key);
      // A copy: callers own what the service returns, and may mutate it.
      entries.set(key, copyRestore(restore));
      if (entries.size > capacity) entries.delete(entries.keys().next().value as string);
    },
    record(outcome) {
      staleShare += ((outcome === "stale" ? 1 : 0) - staleShare) * WEIGHT;
    },
    size: () => entries.size,
  };
}

/** A deep copy of a restore's plain fields: far cheaper than `structuredClone` for this shape. */
function copyRestore(restore: Restore): Restore {
  const { config, backup, progress } = restore;
  return {
    ...restore,
    config: { ...config },
    backup: { ...backup, publicKey: backup.publicKey === null ? null : { ...backup.publicKey } },
    progress: {
      ...progress,
      errors: progress.errors === null ? null : copyErrors(progress.errors),
    },
  };
}

function copyErrors(errors: RestoreErrorSummary): RestoreErrorSummary {
  return {
    ...errors,
    list: errors.list.map((item) => ({
      ...item,
      exception: item.exception === null ? null : { ...item.exception },
    })),
  };
}
