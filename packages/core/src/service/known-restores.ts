import type { Restore } from "../restore.js";

/**
 * The last state this process saw of recently changed restores, so that a
 * command can be decided without reading the store first. Nothing taken
 * from it is trusted: a change decided on it is appended with its version,
 * which the store checks, and any other outcome is decided again on a fresh
 * read (see `execute` in the service).
 */
export interface KnownRestores {
  get(tenantId: string, restoreId: number): Restore | undefined;
  remember(restore: Restore): void;
  /** How many restores it holds now: never more than its capacity. */
  size(): number;
}

/** Least recently used first out; a `capacity` of 0 (or less) remembers nothing. */
export function knownRestores(capacity: number): KnownRestores {
  const entries = new Map<string, Restore>();
  // The restore id is all digits, so the colon cannot be confused with one inside a tenant id.
  const keyOf = (tenantId: string, restoreId: number) => `${restoreId}:${tenantId}`;
  return {
    get(tenantId, restoreId) {
      const key = keyOf(tenantId, restoreId);
      const restore = entries.get(key);
      if (restore !== undefined) {
        entries.delete(key);
        entries.set(key, restore);
      }
      return restore;
    },
    remember(restore) {
      const key = keyOf(restore.tenantId, restore.restoreId);
      entries.delete(key);
      // A copy: callers own what the service returns, and may mutate it.
      entries.set(key, structuredClone(restore));
      // The oldest out; with a capacity of 0 that is the one just set.
      if (entries.size > capacity) entries.delete(entries.keys().next().value as string);
    },
    size: () => entries.size,
  };
}
