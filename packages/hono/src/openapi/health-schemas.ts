import { z } from "zod";

/** The body of `GET /healthz`: the process answers. */
export const healthSchema = z.strictObject({ status: z.literal("ok") });

/** The body of a 200 from `GET /readyz`: the process and its storage answer. */
export const readySchema = z.strictObject({ status: z.literal("ready") });
