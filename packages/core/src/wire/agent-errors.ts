import { z } from "zod";
import type { RestoreErrorItem, RestoreErrorSummary } from "../restore.js";
import { LIMITS } from "../values/limits.js";
import { storableText } from "./text.js";

function nonNegativeInteger(field: string) {
  const message = `${field} must be a non-negative integer`;
  return z
    .number({ error: message })
    .refine((n) => Number.isSafeInteger(n) && n >= 0, { error: message });
}

function optionalText(field: string, max: number) {
  return storableText(field, max)
    .nullish()
    .transform((value) => value ?? null);
}

const exceptionSchema = z
  .object(
    {
      code: z
        .number({ error: "code must be a number or null" })
        .refine(Number.isSafeInteger, { error: "code must be an integer or null" })
        .nullish()
        .transform((value) => value ?? null),
      description: optionalText("description", LIMITS.errorDescription),
      details: optionalText("details", LIMITS.errorText),
    },
    { error: "exception must be an object or null" },
  )
  .nullish()
  .transform((value) => value ?? null);

const errorItemSchema = z
  .object(
    {
      index: nonNegativeInteger("index")
        .nullish()
        .transform((value) => value ?? null),
      path: optionalText("path", LIMITS.errorText),
      type: optionalText("type", LIMITS.errorName),
      exception: exceptionSchema,
    },
    { error: "each entry of list must be an object" },
  )
  .transform((item): RestoreErrorItem => item);

/**
 * The value of an agent's `/errors` patch:
 * `{count, reason, diagnostics, list: [{index, path, type, exception: {code, description, details}}]}`.
 * Missing fields are `null`; a missing `count` is the length of `list`.
 */
export const agentErrorsSchema = z
  .object(
    {
      count: nonNegativeInteger("count").optional(),
      reason: optionalText("reason", LIMITS.errorName),
      diagnostics: optionalText("diagnostics", LIMITS.errorText),
      list: z
        .array(errorItemSchema, { error: "list must be an array" })
        .max(LIMITS.errorList, { error: `list must hold at most ${LIMITS.errorList} entries` })
        .optional(),
    },
    { error: "must be an object with count, reason, diagnostics and list" },
  )
  .transform((value): RestoreErrorSummary => {
    const list = value.list ?? [];
    return {
      count: value.count ?? list.length,
      reason: value.reason,
      diagnostics: value.diagnostics,
      list,
    };
  });
