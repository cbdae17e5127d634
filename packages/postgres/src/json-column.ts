import { Result } from "neverthrow";

const parse = Result.fromThrowable(
  (text: string): unknown => JSON.parse(text),
  () => "not json",
);

/** A json column's value: both drivers parse it already; a client that does not hands over text. */
export function jsonValue(value: unknown): unknown {
  if (typeof value !== "string") return value;
  return parse(value).unwrapOr(undefined);
}
