import { err, ok, type Result } from "neverthrow";
import type { z } from "zod";
import { type Issue, type RestoreError, RestoreErrors } from "../errors.js";

function pathOf(path: readonly PropertyKey[]): string {
  return path.map((segment) => String(segment)).join(".");
}

function messageOf(issue: z.core.$ZodIssue): string {
  // The only zod default that quotes input is the list of unrecognized keys; our
  // schemas strip unknown keys, but a key may still hold anything, so never echo it.
  if (issue.code === "unrecognized_keys") return "unexpected fields";
  return issue.message;
}

/**
 * Every problem zod found, each with its dotted path (`Id`, `0.value`,
 * `PublicKey.ExponentHex`). The messages are those our schemas set, or zod's
 * defaults, neither of which quotes the input.
 */
export function issuesOf(error: z.ZodError): Issue[] {
  return error.issues.map((issue) => ({ path: pathOf(issue.path), message: messageOf(issue) }));
}

/**
 * Runs a schema and turns a failure into ONE `invalid_request` error that lists
 * every problem.
 *
 * @example
 * ```ts
 * parseWith(actionRequestSchema, body).map((request) => request.restoreId);
 * ```
 */
export function parseWith<S extends z.ZodType>(
  schema: S,
  input: unknown,
): Result<z.output<S>, RestoreError> {
  const parsed = schema.safeParse(input);
  return parsed.success
    ? ok(parsed.data)
    : err(RestoreErrors.invalidRequest(issuesOf(parsed.error)));
}
