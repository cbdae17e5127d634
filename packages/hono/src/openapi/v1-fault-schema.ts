import { z } from "zod";
import { FAULT_KEYS } from "../errors/error-response.js";

function faultDetailSchema(status: number) {
  return z.strictObject({
    code: z.literal(status),
    message: z.string(),
    details: z.string(),
  });
}

/**
 * The v1 fault body of one status, e.g. `{"itemNotFound": {"code": 404,
 * "message": "...", "details": "..."}}`; `undefined` for a status that has no
 * fault key.
 */
export function v1FaultSchemaOf(status: number) {
  const key = FAULT_KEYS[status];
  return key === undefined ? undefined : z.strictObject({ [key]: faultDetailSchema(status) });
}

const FAULTS = Object.keys(FAULT_KEYS).flatMap((status) => {
  const schema = v1FaultSchemaOf(Number(status));
  return schema === undefined ? [] : [schema];
});

/**
 * Any error body of the v1.0 routes: one key naming the fault (`badRequest`
 * 400, `unauthorized` 401, `forbidden` 403, `itemNotFound` 404, `badMethod`
 * 405, `conflictingRequest` 409, `preconditionFailed` 412, `overLimit` 413,
 * `badMediaType` 415, `unprocessableEntity` 422, `instanceFault` 500,
 * `serviceUnavailable` 503) holding
 * the status as `code`,
 * a `message` for people and `details` (the problems found, or the error's
 * stable code). Nothing else may appear in it.
 *
 * @example
 * ```ts
 * v1FaultSchema.safeParse(await response.json()).success; // true for every v1 error
 * ```
 */
export const v1FaultSchema = z.union(FAULTS);
