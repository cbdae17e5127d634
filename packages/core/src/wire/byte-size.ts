const UNITS = ["B", "KB", "MB", "GB", "TB"] as const;

/**
 * A byte count as the v1 report shows it (`"18 MB"`). The rule: units are
 * powers of 1024 (B, KB, MB, GB, TB); the largest unit is taken in which the
 * count, rounded half up to a whole number, is below 1024 (TB has no upper
 * bound); the number shown is that rounded value. A count that is not a
 * non-negative number shows as `"0 B"`.
 *
 * @example
 * ```ts
 * formatByteSize(18 * 1024 * 1024); // "18 MB"
 * formatByteSize(1512); // "1 KB"
 * formatByteSize(1023); // "1023 B"
 * ```
 */
export function formatByteSize(bytes: number): string {
  let value = Number.isFinite(bytes) && bytes > 0 ? bytes : 0;
  let unit = 0;
  while (unit < UNITS.length - 1 && Math.round(value) >= 1024) {
    value /= 1024;
    unit++;
  }
  return `${Math.round(value)} ${UNITS[unit]}`;
}
