import { type RestoreDetailsWire, stateFromId } from "@restorekit/core";
import type { ChangeOutcome } from "../client.js";
import type { RestoreEventWire } from "../events.js";

/** Rows as columns padded to their widest cell, two spaces apart; no trailing spaces. */
export function alignedTable(rows: readonly (readonly string[])[]): string {
  const widths: number[] = [];
  for (const row of rows) {
    row.forEach((cell, i) => {
      widths[i] = Math.max(widths[i] ?? 0, cell.length);
    });
  }
  return rows
    .map((row) =>
      row
        .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
}

function stateText(stateId: number): string {
  return `${stateFromId(stateId) ?? "unknown"} (${stateId})`;
}

function countText(value: number | null | undefined): string {
  return value === null || value === undefined ? "-" : String(value);
}

/** A restore's details for a person: a field per line. */
export function detailsText(details: RestoreDetailsWire, etag: string | null): string {
  const progress = details.Progress;
  const percent = progress?.PercentComplete;
  return alignedTable([
    ["Restore", String(details.RestoreId)],
    ["State", stateText(details.RestoreStateId)],
    ["Encrypted", details.IsEncrypted ? "yes" : "no"],
    ["Backup", `${details.BackupId} (${details.BackupConfigurationName})`],
    ["From machine", `${details.BackupMachineId} (${details.BackupMachineName})`],
    ["To machine", `${details.DestinationMachineId} (${details.DestinationMachineName})`],
    ["Destination", details.DestinationPath],
    ["Overwrite files", details.OverwriteFiles ? "yes" : "no"],
    [
      "Progress",
      progress === undefined
        ? "-"
        : `${percent === null || percent === undefined ? "-" : `${percent}%`}, ${countText(progress.FilesRestored)} files, ${countText(progress.BytesCompleted)} of ${countText(progress.TotalBytes)} bytes`,
    ],
    ["ETag", etag ?? "-"],
  ]);
}

/** What a start or stop did, for a person. */
export function outcomeText(verb: string, outcome: ChangeOutcome): string {
  const state = outcome.state === null ? "" : `: now ${outcome.state}`;
  const etag = outcome.etag === null ? "" : ` (ETag ${outcome.etag})`;
  return `Restore ${outcome.restoreId} ${verb}${state}${etag}`;
}

/** What a start or stop did, for a script. */
export function outcomeJson(outcome: ChangeOutcome): object {
  return {
    RestoreId: outcome.restoreId,
    State: outcome.state,
    RestoreStateId: outcome.stateId,
    ETag: outcome.etag,
  };
}

/** The event log for a person: one line per event, without its data. */
export function eventsText(events: readonly RestoreEventWire[]): string {
  return alignedTable([
    ["SEQ", "TYPE", "ACTOR", "AT", "REQUEST"],
    ...events.map((event) => [
      String(event.seq),
      event.type,
      `${event.metadata.actor.type} ${event.metadata.actor.id}`,
      event.metadata.at,
      event.metadata.requestId,
    ]),
  ]);
}
