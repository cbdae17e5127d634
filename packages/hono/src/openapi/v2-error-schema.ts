import { z } from "zod";

/**
 * The error body of the agent's v2 routes: `{"message": "...", "errors": [...]}`,
 * `errors` listing each problem found in the request (empty when there is no list).
 *
 * @example
 * ```ts
 * v2ErrorSchema.parse({ message: "Restore 13689 was not found.", errors: [] });
 * ```
 */
export const v2ErrorSchema = z.strictObject({
  message: z.string(),
  errors: z.array(z.string()),
});
