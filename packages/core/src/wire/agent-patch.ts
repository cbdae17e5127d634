import type { Result } from "neverthrow";
import { z } from "zod";
import type { RestoreError } from "../errors.js";
import type { RestoreErrorSummary, Timestamp } from "../restore.js";
import type { AgentReport } from "../service/inputs.js";
import {
  AGENT_REPORTABLE_STATES,
  type AgentReportedState,
  isAgentReportedState,
  stateFromV2Name,
  stateV2Name,
} from "../states.js";
import { parseTimestamp } from "../values/timestamp.js";
import { agentErrorsSchema } from "./agent-errors.js";
import { parseWith } from "./issues.js";

const REPORTABLE_V2 = AGENT_REPORTABLE_STATES.map(stateV2Name).join(", ");

const stateSchema = z
  .string({ error: `must be one of ${REPORTABLE_V2}` })
  .transform((v2, ctx): AgentReportedState => {
    const state = stateFromV2Name(v2);
    if (state !== undefined && isAgentReportedState(state)) return state;
    const message =
      state === undefined
        ? `must be one of ${REPORTABLE_V2}`
        : `the agent cannot report state ${stateV2Name(state)}; it may report ${REPORTABLE_V2}`;
    ctx.issues.push({ code: "custom", message, input: v2 });
    return z.NEVER;
  });

const TIME_MESSAGE =
  "must be an ISO 8601 date-time with a time zone, between the years 0001 and 9999, e.g. 2014-10-20T13:11:58Z";

const timeSchema = z.string({ error: TIME_MESSAGE }).transform((text, ctx): Timestamp => {
  const timestamp = parseTimestamp(text);
  if (timestamp === undefined) {
    ctx.issues.push({ code: "custom", message: TIME_MESSAGE, input: text });
    return z.NEVER;
  }
  return timestamp;
});

const COUNT_MESSAGE = "must be a non-negative integer";
const countSchema = z
  .number({ error: COUNT_MESSAGE })
  .refine((n) => Number.isSafeInteger(n) && n >= 0, { error: COUNT_MESSAGE });

/** One field an operation sets, after its value was read. */
type FieldUpdate =
  | { readonly field: "state"; readonly value: AgentReportedState }
  | { readonly field: "startedTime" | "endedTime"; readonly value: Timestamp }
  | {
      readonly field: "filesRestored" | "bytesRestored" | "totalBytes" | "bytesRemaining";
      readonly value: number;
    }
  | { readonly field: "errors"; readonly value: RestoreErrorSummary };

type Field = FieldUpdate["field"];

// Both spellings of the v2 reference: its example and its parameter table. Bytes done are
// reported as restored or as completed: one count under two names.
const PATHS: Readonly<Record<string, Field>> = {
  "/state": "state",
  "/started_time": "startedTime",
  "/started-time": "startedTime",
  "/ended_time": "endedTime",
  "/ended-time": "endedTime",
  "/errors": "errors",
  "/files_restored": "filesRestored",
  "/files_restores": "filesRestored",
  "/files-restored": "filesRestored",
  "/bytes_restored": "bytesRestored",
  "/bytes-restored": "bytesRestored",
  "/bytes_completed": "bytesRestored",
  "/bytes-completed": "bytesRestored",
  "/bytes_remaining": "bytesRemaining",
  "/bytes-remaining": "bytesRemaining",
  "/total_bytes": "totalBytes",
  "/total-bytes": "totalBytes",
};

const VALUE_SCHEMAS = {
  state: stateSchema,
  startedTime: timeSchema,
  endedTime: timeSchema,
  filesRestored: countSchema,
  bytesRestored: countSchema,
  totalBytes: countSchema,
  bytesRemaining: countSchema,
  errors: agentErrorsSchema,
} as const satisfies Record<Field, z.ZodType>;

const EXPECTED_PATHS =
  "/state, /started_time, /ended_time, /errors, /files_restored, /bytes_restored (or /bytes_completed), /bytes_remaining, /total_bytes";

/** Names an unknown path only when it looks like one, so a stray secret is never echoed. */
function unknownPathMessage(path: string): string {
  const named = /^\/[A-Za-z0-9_-]{1,40}$/.test(path) ? `unknown path ${path}` : "unknown path";
  return `${named}; expected one of ${EXPECTED_PATHS}`;
}

const operationSchema = z
  .object(
    {
      op: z.enum(["replace", "add"], { error: 'op must be "replace" or "add"' }),
      path: z.string({ error: "path must be a string such as /state" }),
      // A missing value is reported by the value schema of the path, which says what it must be.
      value: z.unknown().optional(),
    },
    { error: "each operation must be an object with op, path and value" },
  )
  .transform((operation, ctx): FieldUpdate => {
    const field = Object.hasOwn(PATHS, operation.path) ? PATHS[operation.path] : undefined;
    if (field === undefined) {
      ctx.issues.push({
        code: "custom",
        path: ["path"],
        message: unknownPathMessage(operation.path),
        input: operation.path,
      });
      return z.NEVER;
    }
    const parsed = VALUE_SCHEMAS[field].safeParse(operation.value);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        ctx.issues.push({
          code: "custom",
          path: ["value", ...issue.path],
          message: issue.message,
          input: operation.value,
        });
      }
      return z.NEVER;
    }
    // The schema table pairs each field with its value type.
    return { field, value: parsed.data } as FieldUpdate;
  });

/**
 * The body of the agent's `PATCH /v2/{project_id}/restores/{restore_id}`: a
 * JSON Patch array of `{op, path, value}` with `op` "replace" or "add" (same
 * meaning). Later operations win over earlier ones for the same field; an
 * empty array is a valid report that changes nothing.
 */
export const agentPatchSchema = z
  .array(operationSchema, { error: "the body must be a JSON array of patch operations" })
  .transform((updates): AgentReport => {
    let state: AgentReportedState | null = null;
    const report: {
      startedTime?: Timestamp;
      endedTime?: Timestamp;
      filesRestored?: number;
      bytesRestored?: number;
      totalBytes?: number;
      bytesRemaining?: number;
      errors?: RestoreErrorSummary;
    } = {};
    for (const update of updates) {
      switch (update.field) {
        case "state":
          state = update.value;
          break;
        case "startedTime":
        case "endedTime":
          report[update.field] = update.value;
          break;
        case "filesRestored":
        case "bytesRestored":
        case "totalBytes":
        case "bytesRemaining":
          report[update.field] = update.value;
          break;
        case "errors":
          report.errors = update.value;
          break;
      }
    }
    return { state, report };
  });

/**
 * Reads an agent's JSON Patch into the report it makes.
 *
 * @example
 * ```ts
 * parseAgentPatch([{ op: "replace", path: "/state", value: "queued" }]);
 * // ok({ state: "Queued", report: {} })
 * ```
 */
export function parseAgentPatch(body: unknown): Result<AgentReport, RestoreError> {
  return parseWith(agentPatchSchema, body);
}
