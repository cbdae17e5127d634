import type { Issue } from "../errors.js";
import { isRecord } from "../internal/plain-data.js";
import type { Timestamp } from "../restore.js";
import { textProblem } from "./text.js";
import { isTimestamp } from "./timestamp.js";

/**
 * Readers for values that arrive from code we do not control (callers of
 * the pure functions, ports, stores). Each returns the value, or `undefined`
 * after adding an issue that names the path; none throws or quotes the value.
 */
export type Issues = Issue[];

export function pathTo(path: string, key: string | number): string {
  return path === "" ? String(key) : `${path}.${key}`;
}

function problem(issues: Issues, path: string, message: string): undefined {
  issues.push({ path, message });
  return undefined;
}

export function readRecord(
  issues: Issues,
  value: unknown,
  path: string,
): Record<string, unknown> | undefined {
  return isRecord(value) && !Array.isArray(value)
    ? value
    : problem(issues, path, "must be an object");
}

export function readText(
  issues: Issues,
  value: unknown,
  path: string,
  max: number,
  options: { readonly nonEmpty?: boolean } = {},
): string | undefined {
  if (typeof value !== "string") return problem(issues, path, "must be a string");
  const found = textProblem(value, max);
  if (found !== null) return problem(issues, path, found);
  if (options.nonEmpty === true && value.trim().length === 0) {
    return problem(issues, path, "must not be empty");
  }
  return value;
}

export function readNullableText(
  issues: Issues,
  value: unknown,
  path: string,
  max: number,
): string | null | undefined {
  return value === null ? null : readText(issues, value, path, max);
}

export function readPositiveId(issues: Issues, value: unknown, path: string): number | undefined {
  // Number.isSafeInteger is false for anything that is not a number.
  return Number.isSafeInteger(value) && (value as number) > 0
    ? (value as number)
    : problem(issues, path, "must be a positive integer");
}

export function readCount(issues: Issues, value: unknown, path: string): number | undefined {
  // + 0 turns -0 (which JSON can carry) into 0, the only zero a store gives back.
  return Number.isSafeInteger(value) && (value as number) >= 0
    ? (value as number) + 0
    : problem(issues, path, "must be a non-negative integer");
}

export function readNullableCount(
  issues: Issues,
  value: unknown,
  path: string,
): number | null | undefined {
  return value === null ? null : readCount(issues, value, path);
}

export function readBoolean(issues: Issues, value: unknown, path: string): boolean | undefined {
  return typeof value === "boolean" ? value : problem(issues, path, "must be true or false");
}

export function readTimestamp(issues: Issues, value: unknown, path: string): Timestamp | undefined {
  return isTimestamp(value)
    ? value
    : problem(
        issues,
        path,
        "must be an instant in the form YYYY-MM-DDTHH:mm:ss.sssZ between years 0001 and 9999",
      );
}

export function readNullableTimestamp(
  issues: Issues,
  value: unknown,
  path: string,
): Timestamp | null | undefined {
  return value === null ? null : readTimestamp(issues, value, path);
}

/** One of `allowed`, compared by identity, so a prototype key such as "constructor" is never one. */
export function readOneOf<T extends string>(
  issues: Issues,
  value: unknown,
  path: string,
  allowed: readonly T[],
): T | undefined {
  return (allowed as readonly unknown[]).includes(value)
    ? (value as T)
    : problem(issues, path, `must be one of ${allowed.join(", ")}`);
}
