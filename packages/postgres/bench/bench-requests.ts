import {
  type AppendRequest,
  existing,
  fold,
  type Restore,
  type RestoreEvent,
} from "@restorekit/core";
import { restoreEvents } from "@restorekit/testing";

/** Events folded onto `previous` (or into a new restore), as the service would append them. */
export function appendOf(
  tenantId: string,
  restoreId: number,
  previous: Restore | null,
  events: readonly RestoreEvent[],
): AppendRequest {
  const after = previous === null ? fold(events) : fold(events, existing(previous));
  if (after.type !== "Existing") throw new Error("the events made no restore");
  return {
    tenantId,
    restoreId,
    expectedVersion: previous?.version ?? 0,
    previous,
    events,
    restore: after.restore,
  };
}

/** A create of restore `restoreId` in `tenantId`, with the events that take it to `state`. */
export function createOf(
  tenantId: string,
  restoreId: number,
  state: "Creating" | "InProgress",
): AppendRequest {
  return appendOf(tenantId, restoreId, null, restoreEvents({ tenantId, restoreId }).until(state));
}

/** A StartManual on a restore in Creating: the one event the service appends for it. */
export function startOf(previous: Restore): AppendRequest {
  const { tenantId, restoreId } = previous;
  return appendOf(tenantId, restoreId, previous, [
    restoreEvents({ tenantId, restoreId }).startRequested(),
  ]);
}

/** An agent's progress report on a restore in progress: one more file restored. */
export function reportOf(previous: Restore): AppendRequest {
  const { tenantId, restoreId } = previous;
  const files = (previous.progress.filesRestored ?? 0) + 1;
  return appendOf(tenantId, restoreId, previous, [
    restoreEvents({ tenantId, restoreId }).progressReported({
      filesRestored: files,
      bytesRestored: files * 4096,
    }),
  ]);
}
