import type {
  ClaimOutcome,
  IdempotencyKeys,
  IdempotencyScope,
  IdempotentCompletion,
  StoredResponse,
} from "@restorekit/core";
import { okAsync } from "neverthrow";

/** One key as the Postgres table holds it. */
export interface IdempotencyKeyRow {
  readonly fingerprint: string;
  /** Null while the first request runs. */
  readonly response: StoredResponse | null;
  readonly lockedUntil: Date | null;
  readonly createdAt: Date;
  readonly expiresAt: Date;
}

/** `IdempotencyKeys` in memory, with what the in-memory repository needs to answer a key in its append. */
export interface InMemoryIdempotencyKeys extends IdempotencyKeys {
  /**
   * Writes the response into a key still unanswered, synchronously: the
   * in-memory repository calls it in the same step as it commits the change,
   * which is what makes the two atomic here.
   */
  answer(completion: IdempotentCompletion): void;
  /** The row of a key, copied, or null: for tests. */
  row(scope: IdempotencyScope, key: string): IdempotencyKeyRow | null;
  /** How many keys are held, expired ones included. */
  size(): number;
}

/**
 * An `IdempotencyKeys` in memory with the Postgres store's semantics: a key
 * is taken when new, past its retention, or held by a lapsed claim of the
 * same request; the first response stays; `release` forgets only an
 * unanswered key. Pass it to `inMemoryRepository({ idempotencyKeys })` (or
 * use the one `inMemoryRepository()` makes, `repository.idempotencyKeys`) so
 * that an append under a key answers it in the same step.
 *
 * @example
 * ```ts
 * const repository = inMemoryRepository();
 * const keys = repository.idempotencyKeys;
 * const outcome = await keys.claim({ scope, key: "k1", fingerprint, now, lockMs: 60_000, keepMs: 86_400_000 });
 * ```
 */
export function inMemoryIdempotencyKeys(): InMemoryIdempotencyKeys {
  const rows = new Map<string, IdempotencyKeyRow>();
  const id = (scope: IdempotencyScope, key: string) =>
    JSON.stringify([scope.tenantId, scope.principal, key]);

  function outcomeOf(
    row: IdempotencyKeyRow | undefined,
    fingerprint: string,
    now: number,
  ): ClaimOutcome | null {
    if (row === undefined || row.expiresAt.getTime() <= now) return null;
    if (row.fingerprint !== fingerprint) return { kind: "reused" };
    if (row.response !== null) return { kind: "replay", response: structuredClone(row.response) };
    if (row.lockedUntil !== null && row.lockedUntil.getTime() > now) return { kind: "in_use" };
    return null;
  }

  function answer({ scope, key, response }: IdempotentCompletion): void {
    const row = rows.get(id(scope, key));
    if (row === undefined || row.response !== null) return;
    rows.set(id(scope, key), { ...row, response: structuredClone(response), lockedUntil: null });
  }

  return {
    claim({ scope, key, fingerprint, now, lockMs, keepMs }) {
      const at = now.getTime();
      const found = outcomeOf(rows.get(id(scope, key)), fingerprint, at);
      if (found !== null) return okAsync(found);
      rows.set(id(scope, key), {
        fingerprint,
        response: null,
        lockedUntil: new Date(at + lockMs),
        createdAt: new Date(at),
        expiresAt: new Date(at + keepMs),
      });
      return okAsync({ kind: "claimed" });
    },

    complete(scope, key, response) {
      answer({ scope, key, response });
      return okAsync(undefined);
    },

    answer,

    release(scope, key) {
      if (rows.get(id(scope, key))?.response === null) rows.delete(id(scope, key));
      return okAsync(undefined);
    },

    purgeExpired(now, limit) {
      const expired = [...rows.entries()]
        .filter(([, row]) => row.expiresAt.getTime() <= now.getTime())
        .sort(([, a], [, b]) => a.expiresAt.getTime() - b.expiresAt.getTime())
        .slice(0, Math.max(0, Math.floor(limit)) || 0);
      for (const [key] of expired) rows.delete(key);
      return okAsync(expired.length);
    },

    row(scope, key) {
      const row = rows.get(id(scope, key));
      return row === undefined ? null : structuredClone(row);
    },

    size: () => rows.size,
  };
}
