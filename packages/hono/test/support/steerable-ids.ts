import type { IdGenerator, RestoreError } from "@restorekit/core";
import { okAsync, type ResultAsync } from "neverthrow";

/** Restore ids counting up, except where a test says which id the next restore gets. */
export interface SteerableIds extends IdGenerator {
  /** The id the next `nextRestoreId` hands out, without taking it. */
  peek(): number;
  /**
   * Makes the next restore get `id`, as in an example of the API reference.
   * Ids are unique per store only within a tenant, so a test steers ids in a
   * tenant of its own.
   */
  steer(id: number): void;
}

export function steerableIds(start: number): SteerableIds {
  let next = start;
  const steered: number[] = [];
  return {
    nextRestoreId(): ResultAsync<number, RestoreError> {
      const id = steered.shift();
      if (id !== undefined) return okAsync(id);
      next += 1;
      return okAsync(next - 1);
    },
    peek: () => steered[0] ?? next,
    steer(id) {
      steered.push(id);
    },
  };
}
