import type { Result } from "neverthrow";
import { z } from "zod";
import type { RestoreError } from "../errors.js";
import { isRecord } from "../internal/plain-data.js";
import type { ActionRequest } from "../service/inputs.js";
import { LIMITS } from "../values/limits.js";
import { positiveIdSchema } from "./ids.js";
import { parseWith } from "./issues.js";

/**
 * The body of `POST /v1.0/{tenant_id}/restore/action-requested`:
 * `{"Action": "StartManual" | "StopManual", "Id": <id>, "EncryptedPassword": <hex | null>}`.
 * Unknown fields are ignored. Whether a password is needed for StartManual
 * depends on the restore, so only StopManual's rule is checked here.
 */
export const actionRequestSchema = z
  .object(
    {
      Action: z.enum(["StartManual", "StopManual"], {
        error: 'Action must be "StartManual" or "StopManual"',
      }),
      Id: positiveIdSchema("Id"),
      EncryptedPassword: z
        .string({ error: "EncryptedPassword must be a string of hex digits or null" })
        .max(LIMITS.encryptedPassword, {
          error: `EncryptedPassword must be at most ${LIMITS.encryptedPassword} characters`,
        })
        .nullable()
        .optional(),
    },
    { error: "the body must be a JSON object" },
  )
  .superRefine(
    (body, ctx) => {
      // Runs on the raw body too (see `when`), so every problem is listed at once.
      const raw: unknown = body;
      if (
        isRecord(raw) &&
        raw.Action === "StopManual" &&
        raw.EncryptedPassword !== null &&
        raw.EncryptedPassword !== undefined
      ) {
        ctx.addIssue({
          code: "custom",
          path: ["EncryptedPassword"],
          message: "EncryptedPassword must be null or absent for StopManual",
        });
      }
    },
    { when: (payload) => isRecord(payload.value) },
  )
  .transform(
    (body): ActionRequest => ({
      action: body.Action,
      restoreId: body.Id,
      encryptedPassword: body.EncryptedPassword ?? null,
    }),
  );

/**
 * Reads an action-requested body (already parsed from JSON). Every problem is
 * listed in one `invalid_request`; no message quotes the body.
 *
 * @example
 * ```ts
 * parseActionRequest({ Action: "StopManual", Id: "13689" });
 * // ok({ action: "StopManual", restoreId: 13689, encryptedPassword: null })
 * ```
 */
export function parseActionRequest(body: unknown): Result<ActionRequest, RestoreError> {
  return parseWith(actionRequestSchema, body);
}
