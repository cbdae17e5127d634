import { Result } from "neverthrow";
import { type RestoreError, RestoreErrors } from "../errors.js";
import { lineAndColumn, locateJsonError } from "./json-error-locator.js";

function invalidJsonAt(text: string): RestoreError {
  const located = locateJsonError(text) ?? { offset: 0, hint: "the body could not be parsed" };
  const { line, column } = lineAndColumn(text, located.offset);
  return RestoreErrors.invalidJson(line, column, located.hint);
}

/**
 * Parses a request body as JSON. On failure the `invalid_json` error gives
 * the line and column of the first offending character and a hint that names
 * the problem without quoting the body (which may hold a password).
 *
 * @example
 * ```ts
 * parseJsonBody(`{"Action": 'x'}`); // err: invalid_json, line 1, column 12
 * ```
 */
export function parseJsonBody(text: string): Result<unknown, RestoreError> {
  // JSON.parse's own message is dropped on purpose: Node 20 quotes the body in it.
  return Result.fromThrowable(
    (body: string): unknown => JSON.parse(body),
    () => invalidJsonAt(text),
  )(text);
}
