import type { Restore, RestoreErrorSummary } from "../restore.js";

/**
 * The last state this process saw of recently changed restores, so that a
 * command can be decided without reading the store first. Nothing taken
 * from it is trusted: a change decided on it is appended with its version,
 * which the store checks, and any other outcome is decided again on a fresh
 * read (see `execute` in the service).
 *
 * It watches whether it pays. A lookup pays when it finds the restore and
 * the change decided on it is accepted; it does not when a full memory finds
 * nothing (more active restores than it holds) or it finds a stale state (another
 * instance changed the restore since: a failed append, dearer than the read
 * it meant to save). Keeping every changed restore costs a copy and, held
 * until it is pushed out, work for the garbage collector. So while less than
 * `PAYING_SHARE` of lookups pay, it keeps the restore of only one change in
 * `SAMPLE_EVERY` (dropping it at the others) and judges itself on those
 * alone, and it keeps everything again once most of those pay
 * (`RECOVERED_SHARE`).
 */
export interface KnownRestores {
  /** The remembered restore, if there is one. */
  get(tenantId: string, restoreId: number): Restore | undefined;
  remember(restore: Restore): void;
  /** How a change decided on a remembered restore went: appended at its version, or stale. */
  record(outcome: "current" | "stale"): void;
  /** How many restores it holds now: never more than its capacity. */
  size(): number;
  /** Whether it keeps every restore it is given, or only a sample because it does not pay. */
  mode(): "all" | "sample";
}

/**
 * Below this share of paying lookups (a moving average over about the last
 * 64) it keeps only a sample. Measured: one instance over restores it holds
 * pays on nearly every lookup; 10 000 active restores over a memory of 1 000
 * paid on one in ten and ran 4-12 % slower than no memory; two instances with
 * random routing find half of what they hold stale. Each sampled restore
 * found stale costs a failed append: one change in 32 keeps that near 3 %.
 */
export const PAYING_SHARE = 0.3;
/** Judged on its sample, it keeps everything again at this share. */
export const RECOVERED_SHARE = 0.6;
/** While sampling, one restore in this many is kept. */
export const SAMPLE_EVERY = 32;
const WEIGHT = 1 / 64;

/** Least recently used first out; a `capacity` of 0 (or less) remembers nothing. */
export function knownRestores(capacity: number): KnownRestores {
  const entries = new Map<string, Restore>();
  // The restore id is all digits, so the colon cannot be confused with one inside a tenant id.
  const keyOf = (tenantId: string, restoreId: number) => `${restoreId}:${tenantId}`;
  let paying = 1;
  let sampling = false;
  let offered = 0;

  const judge = (paid: boolean) => {
    paying += ((paid ? 1 : 0) - paying) * WEIGHT;
    if (!sampling && paying < PAYING_SHARE) sampling = true;
    else if (sampling && paying >= RECOVERED_SHARE) sampling = false;
  };

  return {
    get(tenantId, restoreId) {
      if (capacity <= 0) return undefined;
      const key = keyOf(tenantId, restoreId);
      const restore = entries.get(key);
      if (restore === undefined) {
        // Only a miss of a full memory says it is too small: one that is still filling has not
        // met the restore yet. While sampling, most are left out on purpose: not judged either.
        if (!sampling && entries.size >= capacity) judge(false);
        return undefined;
      }
      entries.delete(key);
      entries.set(key, restore);
      return restore;
    },
    remember(restore) {
      if (capacity <= 0) return;
      const key = keyOf(restore.tenantId, restore.restoreId);
      entries.delete(key);
      if (sampling) {
        offered += 1;
        // One in SAMPLE_EVERY is kept; the others are dropped rather than left behind, so what
        // it holds is always the latest this process saw and a stale find means another writer.
        if (offered % SAMPLE_EVERY !== 0) return;
      }
      // A copy: callers own what the service returns, and may mutate it.
      entries.set(key, copyRestore(restore));
      if (entries.size > capacity) entries.delete(entries.keys().next().value as string);
    },
    record(outcome) {
      judge(outcome === "current");
    },
    size: () => entries.size,
    mode: () => (sampling ? "sample" : "all"),
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
