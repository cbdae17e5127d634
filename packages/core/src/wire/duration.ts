import type { Timestamp } from "../restore.js";

function twoDigits(n: number): string {
  return String(n).padStart(2, "0");
}

/**
 * The time between two instants as the v1 report shows it, `"hh:mm:ss"`
 * (whole seconds, rounded down; hours grow past 99 if they must). `null` when
 * either end is unknown or the end is before the start.
 *
 * @example
 * ```ts
 * formatDuration("2013-01-03T15:22:01Z", "2013-01-03T15:22:15Z"); // "00:00:14"
 * ```
 */
export function formatDuration(start: Timestamp | null, end: Timestamp | null): string | null {
  // An unknown end is "" here, which Date.parse reads as NaN, like any text that is no date.
  const ms = Date.parse(end ?? "") - Date.parse(start ?? "");
  if (!Number.isFinite(ms) || ms < 0) return null;
  const seconds = Math.floor(ms / 1000);
  const hours = Math.floor(seconds / 3600);
  const minutes = Math.floor((seconds % 3600) / 60);
  return `${twoDigits(hours)}:${twoDigits(minutes)}:${twoDigits(seconds % 60)}`;
}
