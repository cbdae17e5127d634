import type { Restore, StoredEvent } from "@restorekit/core";

/** A stored restore row as the store holds it, read around the port. */
export interface InspectedRow {
  readonly restore: Restore;
  readonly sealedPassword: Uint8Array | null;
}

/**
 * Raw access to what a store holds, bypassing the `RestoreRepository` methods
 * (for Postgres: plain SQL), so the contract suite can check the adapter
 * against the data rather than against itself.
 *
 * @example
 * ```ts
 * const row = await inspect.row("123456", 13689);
 * expect(row?.sealedPassword).toBeNull();
 * ```
 */
export interface RepositoryInspector {
  /** The stored row and sealed bytes, or `null` when the restore does not exist. */
  row(tenantId: string, restoreId: number): Promise<InspectedRow | null>;
  /** Every stored event of the restore, ordered by `seq`; empty when it does not exist. */
  events(tenantId: string, restoreId: number): Promise<StoredEvent[]>;
}
