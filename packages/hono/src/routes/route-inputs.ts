import {
  type Issue,
  parseJsonBody,
  parseWith,
  positiveIdSchema,
  type RequestContext,
  type RestoreError,
  RestoreErrors,
} from "@restorekit/core";
import type { Context } from "hono";
import { err, ok, type Result, type ResultAsync } from "neverthrow";
import type { RestoreAppEnv } from "../http/app-env.js";
import { type BodyError, readBody } from "../http/read-body.js";

const restoreIdSchema = positiveIdSchema("restoreId");

/** The restore id of the path, by the same rule as a body's `Id`. */
export function restoreIdOf(
  c: Context<RestoreAppEnv>,
  param: string,
): Result<number, RestoreError> {
  return parseWith(restoreIdSchema, c.req.param(param));
}

/** Who asks, for which tenant (the path's), under which request id. */
export function contextOf(c: Context<RestoreAppEnv>, tenantParam: string): RequestContext {
  return {
    principal: c.get("principal"),
    tenantId: c.req.param(tenantParam) ?? "",
    requestId: c.get("requestId"),
  };
}

/** The body read within the limit, parsed as JSON and read by `parse`. */
export function jsonBodyOf<T>(
  c: Context<RestoreAppEnv>,
  accepted: readonly string[],
  limit: number,
  parse: (body: unknown) => Result<T, RestoreError>,
): ResultAsync<T, BodyError> {
  // One step after the read, not two: each step of a ResultAsync is a promise hop.
  return readBody(c.req.raw, accepted, limit).andThen((text) => parseJsonBody(text).andThen(parse));
}

const COUNT = /^[0-9]{1,16}$/;

/** A query parameter that must be a non-negative integer when present. */
export function countQuery(
  c: Context<RestoreAppEnv>,
  name: string,
  issues: Issue[],
): number | undefined {
  const value = c.req.query(name);
  if (value === undefined) return undefined;
  const count = Number(value);
  if (!COUNT.test(value) || !Number.isSafeInteger(count)) {
    issues.push({ path: name, message: `${name} must be a non-negative integer` });
    return undefined;
  }
  return count;
}

export function issuesResult<T>(issues: readonly Issue[], value: T): Result<T, RestoreError> {
  return issues.length > 0 ? err(RestoreErrors.invalidRequest(issues)) : ok(value);
}
