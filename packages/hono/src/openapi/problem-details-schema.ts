import { ERROR_STATUS } from "@restorekit/core";
import { z } from "zod";
import { ADAPTER_ERROR_STATUS } from "../errors/adapter-errors.js";

/** Every stable error code an HTTP answer may carry: core's and the adapter's. */
export const ERROR_CODES = [...Object.keys(ERROR_STATUS), ...Object.keys(ADAPTER_ERROR_STATUS)];

/**
 * RFC 9457 problem details, the error body sent to a client that accepts
 * `application/problem+json`: `type`, `title`, `status`, `detail`, an
 * optional `instance`, and two extensions: the stable `code` and, for an
 * invalid request, `errors` with each problem's `path` and `message`.
 *
 * @example
 * ```ts
 * problemDetailsSchema.safeParse(await response.json()).success;
 * ```
 */
export const problemDetailsSchema = z.strictObject({
  type: z.string().min(1),
  title: z.string(),
  status: z.number().int().min(400).max(599),
  detail: z.string(),
  instance: z.string().optional(),
  code: z.enum(ERROR_CODES),
  errors: z.array(z.strictObject({ path: z.string(), message: z.string() })).optional(),
});
