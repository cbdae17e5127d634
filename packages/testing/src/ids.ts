import type { IdGenerator, RestoreError } from "@restorekit/core";
import { okAsync, type ResultAsync } from "neverthrow";

/** An `IdGenerator` that counts up, and can tell which id comes next. */
export interface SequentialIds extends IdGenerator {
  nextRestoreId(): ResultAsync<number, RestoreError>;
  /** The id the next `nextRestoreId` hands out, without taking it. */
  peek(): number;
}

/**
 * Restore ids `start`, `start + 1`, ... in order.
 *
 * @example
 * ```ts
 * const ids = sequentialIds(13689);
 * ids.peek(); // 13689
 * ```
 */
export function sequentialIds(start = 1): SequentialIds {
  let next = start;
  return {
    nextRestoreId() {
      const id = next;
      next += 1;
      return okAsync(id);
    },
    peek: () => next,
  };
}
