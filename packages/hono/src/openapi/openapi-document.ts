import {
  actionRequestSchema,
  agentPatchSchema,
  agentRequestsSchema,
  createRestoreSchema,
  ERROR_STATUS,
  IDEMPOTENCY_KEEP_MS,
  IDEMPOTENCY_KEY_MAX,
  LIMITS,
  type Permission,
  publicKeySchema,
  RESTORE_STATES,
  ROLE_PERMISSIONS,
  restoreDetailsSchema,
  restoreReportSchema,
  updateRestoreSchema,
} from "@restorekit/core";
import { z } from "zod";
import { ADAPTER_ERROR_STATUS } from "../errors/adapter-errors.js";
import { FAULT_KEYS } from "../errors/error-response.js";
import { EVENTS_PAGE_DEFAULT } from "../routes/event-page-query.js";
import { healthSchema, readySchema } from "./health-schemas.js";
import { jsonSchemaOf } from "./json-schema-of.js";
import type {
  JsonSchema,
  OpenApiDocument,
  OpenApiHeader,
  OpenApiMediaType,
  OpenApiMethod,
  OpenApiOperation,
  OpenApiParameter,
  OpenApiPathItem,
  OpenApiReference,
  OpenApiResponse,
} from "./openapi-types.js";
import { problemDetailsSchema } from "./problem-details-schema.js";
import { releasedPasswordSchema } from "./released-password-schema.js";
import { restoreEventsSchema } from "./restore-events-schema.js";
import { v1FaultSchemaOf } from "./v1-fault-schema.js";
import { v2ErrorSchema } from "./v2-error-schema.js";

export interface OpenApiDocumentOptions {
  /** Where the API is served, e.g. `https://backup.example.com`; absent, clients use the document's own origin. */
  readonly serverUrl?: string;
  /** Default "restorekit". */
  readonly title?: string;
  /** The document's version; default the package's. */
  readonly version?: string;
}

/** The version of @restorekit/hono, which is the version of the API it describes. */
export const OPENAPI_DOCUMENT_VERSION = "0.1.0";

const AUTH = "authToken";
const JSON_TYPE = "application/json";
const PROBLEM_TYPE = "application/problem+json";
const PATCH_TYPE = "application/json-patch+json";
const EVENT_STREAM_TYPE = "text/event-stream";

type Dialect = "v1" | "v2";

const schemaRef = (name: string): OpenApiReference => ({ $ref: `#/components/schemas/${name}` });
const parameterRef = (name: string): OpenApiReference => ({
  $ref: `#/components/parameters/${name}`,
});
const headerRef = (name: string): OpenApiReference => ({ $ref: `#/components/headers/${name}` });
const responseRef = (name: string): OpenApiReference => ({
  $ref: `#/components/responses/${name}`,
});

/** Notes on single properties, for people reading the page; the shapes come from zod. */
type PropertyNotes = Readonly<Record<string, string>>;

function withNotes(schema: JsonSchema, notes: PropertyNotes, extra: JsonSchema = {}): JsonSchema {
  const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
  const annotated: Record<string, JsonSchema> = {};
  for (const [name, property] of Object.entries(properties)) {
    const note = notes[name];
    const known = typeof property.description === "string" ? ` ${property.description}` : "";
    annotated[name] =
      note === undefined ? property : { ...property, description: `${note}${known}` };
  }
  return { ...schema, ...extra, properties: annotated };
}

/** Replaces every copy of a component inside a schema with a reference to it. */
function referTo(schema: JsonSchema, name: string, component: JsonSchema): JsonSchema {
  const wanted = JSON.stringify(component);
  const walk = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(walk);
    if (node === null || typeof node !== "object") return node;
    if (JSON.stringify(node) === wanted) return schemaRef(name);
    return Object.fromEntries(Object.entries(node).map(([key, value]) => [key, walk(value)]));
  };
  return walk(schema) as JsonSchema;
}

const V1_DATE = "A v1 date: `/Date(<milliseconds since the epoch>)/`.";

const STATE_IDS = RESTORE_STATES.map((state) => state.id);
const STATE_LIST = RESTORE_STATES.map((state) => `${state.id} ${state.name}`).join(", ");

function requestSchemas(): Record<string, JsonSchema> {
  const of = (schema: z.ZodType) => jsonSchemaOf(schema, "input");
  return {
    ActionRequest: withNotes(of(actionRequestSchema), {
      Action:
        "`StartManual` asks the destination agent to start the restore, `StopManual` to stop it.",
      EncryptedPassword:
        "The vault passphrase encrypted with the destination agent's RSA public key (the restore's `PublicKey`), as hex; whitespace is ignored. Required by `StartManual` on an encrypted restore; null or absent otherwise, and always for `StopManual`.",
    }),
    CreateRestore: withNotes(of(createRestoreSchema), {
      DestinationPath: "Where the agent restores the files, on the destination machine.",
      OverwriteFiles: "Whether files already there are replaced. Default false.",
      BackupDataCenter: "Accepted and ignored: the backup catalog knows the data center.",
    }),
    UpdateRestore: withNotes(
      of(updateRestoreSchema),
      {
        RestoreId: "The restore to update; it must still be Creating.",
        OverwriteFiles: "Whether files already there are replaced. Default false.",
        BackupDataCenter: "Accepted and ignored: the backup catalog knows the data center.",
      },
      {
        description:
          "The whole configuration, replaced. `RestoreStateId` and `BackupConfigurationId` may be sent and are ignored.",
      },
    ),
    AgentPatch: of(agentPatchSchema),
  };
}

function responseSchemas(): Record<string, JsonSchema> {
  const of = (schema: z.ZodType) => jsonSchemaOf(schema, "output");
  const publicKey = withNotes(of(publicKeySchema), {
    ModulusHex: "The RSA modulus as hex digits.",
    ExponentHex:
      "The RSA public exponent as hex digits: the JSON number 10001 means 0x10001 = 65537.",
  });
  const details = withNotes(of(restoreDetailsSchema), {
    BackupRestorePoint: V1_DATE,
    EncryptedPassword: "Always null: a secret is never echoed.",
    PublicKey:
      "The destination agent's RSA public key: encrypt the vault passphrase with it for `StartManual`.",
    RestoreStateId: `The restore's state: ${STATE_LIST}.`,
    Progress:
      "restorekit's addition to the v1 details (always sent by this server; absent from the reference API's): what the agent has reported, `null` where it has not. `FilesRestored` and `BytesCompleted` only grow; `TotalBytes` and `BytesRemaining` are the agent's estimates; `PercentComplete` is `BytesCompleted` of `TotalBytes` in whole percent rounded down, 0 to 100, `null` unless both are known and the total is above 0.",
  });
  const detailsProperties = details.properties as Record<string, JsonSchema>;
  return {
    RestoreDetails: referTo(
      {
        ...details,
        properties: {
          ...detailsProperties,
          RestoreStateId: {
            ...detailsProperties.RestoreStateId,
            type: "integer",
            enum: STATE_IDS,
          },
        },
      },
      "PublicKey",
      of(publicKeySchema),
    ),
    PublicKey: publicKey,
    RestoreReport: withNotes(of(restoreReportSchema), {
      RestorePoint: V1_DATE,
      StartTime: V1_DATE,
      CompletedTime: V1_DATE,
      Duration: "`hh:mm:ss`.",
      NumBytesRestored: "Powers of 1024, rounded: `18 MB`.",
    }),
    RestoreEvents: of(restoreEventsSchema),
    ReleasedPassword: of(releasedPasswordSchema),
    AgentRequests: of(agentRequestsSchema),
    Health: of(healthSchema),
    Ready: of(readySchema),
  };
}

function faultName(status: number): string {
  const key = FAULT_KEYS[status] ?? "instanceFault";
  return `V1Fault${key.charAt(0).toUpperCase()}${key.slice(1)}`;
}

const ERROR_STATUSES = Object.keys(FAULT_KEYS).map(Number);

function errorSchemas(): Record<string, JsonSchema> {
  const schemas: Record<string, JsonSchema> = {};
  for (const status of ERROR_STATUSES) {
    const schema = v1FaultSchemaOf(status);
    if (schema !== undefined) schemas[faultName(status)] = jsonSchemaOf(schema, "output");
  }
  schemas.V2Error = jsonSchemaOf(v2ErrorSchema, "output");
  schemas.ProblemDetails = withNotes(jsonSchemaOf(problemDetailsSchema, "output"), {
    type: "A URI naming the kind of problem.",
    code: "The error's stable code: branch on it, not on the prose.",
    errors: "For an invalid request: each problem and where it is.",
  });
  return schemas;
}

const STATUS_MEANING: Readonly<Record<number, string>> = {
  400: "The request is invalid, or the restore's state does not allow it; the message says which.",
  401: "`X-Auth-Token` is missing, unknown or expired.",
  403: "The token's roles do not allow this, or the token is another tenant's.",
  404: "No such restore for this tenant; a restore of another tenant is not revealed.",
  405: "The path does not take this method; `Allow` lists those it takes.",
  409: "The report conflicts with the restore's state.",
  412: "`If-Match` names no version the restore is at: it changed since it was read. Nothing was changed; read it again and decide again.",
  413: "The body is larger than the server's limit (64 KiB unless configured).",
  415: "The body is not of a media type the operation takes, in UTF-8.",
  422: "The `Idempotency-Key` was first sent with another request (another body, path or method). Nothing was changed; send a new key with a new request.",
  500: "A fault of the server; the body tells nothing more.",
  503: "The storage is unavailable or busy; retry after `Retry-After` seconds.",
};

/** The stable codes an error of this status may carry, from the same tables the server uses. */
function codesOf(status: number): string[] {
  const all: Record<string, number> = { ...ERROR_STATUS, ...ADAPTER_ERROR_STATUS };
  return Object.keys(all).filter((code) => all[code] === status);
}

function errorResponse(status: number, dialect: Dialect, note?: string): OpenApiResponse {
  const headers: Record<string, OpenApiReference> = { "X-Request-Id": headerRef("XRequestId") };
  if (status === 503) headers["Retry-After"] = headerRef("RetryAfter");
  if (status === 405) headers.Allow = headerRef("Allow");
  const codes = codesOf(status).map((code) => `\`${code}\``);
  return {
    description: [
      note ?? STATUS_MEANING[status] ?? "An error.",
      `Codes: ${codes.join(", ")}.`,
    ].join(" "),
    headers,
    content: {
      [JSON_TYPE]: { schema: schemaRef(dialect === "v1" ? faultName(status) : "V2Error") },
      [PROBLEM_TYPE]: { schema: schemaRef("ProblemDetails") },
    },
  };
}

function errorResponses(): Record<string, OpenApiResponse> {
  const responses: Record<string, OpenApiResponse> = {};
  for (const dialect of ["v1", "v2"] as const) {
    for (const status of ERROR_STATUSES) {
      responses[`${dialect.toUpperCase()}Error${status}`] = errorResponse(status, dialect);
    }
  }
  return responses;
}

function parameters(): Record<string, OpenApiParameter> {
  const restoreId = jsonSchemaOf(z.string().regex(/^[0-9]+$/), "input");
  const tenant = jsonSchemaOf(z.string().min(1).max(LIMITS.tenantId), "input");
  return {
    TenantId: {
      name: "tenant_id",
      in: "path",
      required: true,
      description: "The tenant (account) the restore belongs to; the token must be for it.",
      schema: tenant,
    },
    RestoreId: {
      name: "restoreId",
      in: "path",
      required: true,
      description: "The restore id, a positive integer.",
      schema: restoreId,
    },
    ProjectId: {
      name: "project_id",
      in: "path",
      required: true,
      description: "The tenant (project) the restore belongs to; the token must be for it.",
      schema: tenant,
    },
    AgentId: {
      name: "agent_id",
      in: "path",
      required: true,
      description: "The agent's machine id, a positive integer: the token must be that agent's.",
      schema: restoreId,
    },
    V2RestoreId: {
      name: "restore_id",
      in: "path",
      required: true,
      description: "The restore id, a positive integer.",
      schema: restoreId,
    },
    Marker: {
      name: "marker",
      in: "query",
      required: false,
      description:
        "The last `seq` you have: the page starts past it, in the page's order (after it oldest first, before it newest first). None starts at the first (or the last).",
      schema: jsonSchemaOf(z.int().min(0), "input"),
    },
    After: {
      name: "after",
      in: "query",
      required: false,
      description: "The earlier name of `marker`, oldest first only.",
      deprecated: true,
      schema: jsonSchemaOf(z.int().min(0), "input"),
    },
    Limit: {
      name: "limit",
      in: "query",
      required: false,
      description: `At most this many events: ${EVENTS_PAGE_DEFAULT} by default, and never more than ${LIMITS.eventsPerPage} whatever the limit.`,
      schema: jsonSchemaOf(z.int().min(0).default(EVENTS_PAGE_DEFAULT), "input"),
    },
    LastEventId: {
      name: "Last-Event-ID",
      in: "header",
      required: false,
      description:
        "With `Accept: text/event-stream`: the `id` (the `seq`) of the last event you had; the stream starts after it. A browser's EventSource sends it by itself when it reconnects.",
      schema: jsonSchemaOf(z.string(), "input"),
    },
    SortDir: {
      name: "sort_dir",
      in: "query",
      required: false,
      description: "`asc` (the default): oldest first; `desc`: newest first.",
      schema: jsonSchemaOf(z.enum(["asc", "desc"]).default("asc"), "input"),
    },
    IfMatch: {
      name: "If-Match",
      in: "header",
      required: false,
      description:
        'Make the change only while the restore is at a version named here: the `ETag` of a read of it, such as `"7"`, or several separated by commas; otherwise 412 and nothing changes. `*` or no header: no condition. Weak tags (`W/"7"`) never match.',
      schema: jsonSchemaOf(z.string(), "input"),
    },
    IdempotencyKey: {
      name: "Idempotency-Key",
      in: "header",
      required: false,
      description: `Makes the request safe to retry (draft-ietf-httpapi-idempotency-key-header): a retry with the same key, method, path and body gets the first response again, status, headers and body, with \`Idempotent-Replayed: true\`, and changes nothing more. Keys are yours and the token's sender's within the tenant, kept ${IDEMPOTENCY_KEEP_MS / 3_600_000} hours; 1 to ${IDEMPOTENCY_KEY_MAX} printable ASCII characters, as a structured-field string (\`"8e03978e"\`) or bare (\`8e03978e\`). The same key with another request is 422; a retry while the first still runs is 409. A 5xx is not kept, so a retry runs again.`,
      schema: jsonSchemaOf(z.string().min(1), "input"),
    },
    IfNoneMatch: {
      name: "If-None-Match",
      in: "header",
      required: false,
      description:
        "The `ETag` of the copy you hold: when the restore is still at that version, the answer is 304 with no body.",
      schema: jsonSchemaOf(z.string(), "input"),
    },
    XRequestId: {
      name: "X-Request-Id",
      in: "header",
      required: false,
      description: `Your id for the request, echoed in the response and recorded on the events it causes; used when it is visible ASCII of at most ${LIMITS.requestId} characters, otherwise the server makes one.`,
      schema: jsonSchemaOf(z.string().min(1).max(LIMITS.requestId), "input"),
    },
  };
}

function headers(): Record<string, OpenApiHeader> {
  return {
    XRequestId: {
      description: "The request's id: the one sent, when usable, or one the server made.",
      required: true,
      schema: jsonSchemaOf(z.string(), "output"),
    },
    ETag: {
      description:
        'The restore\'s version as a strong entity tag, such as `"7"`: every change moves it on. Send it back in `If-Match` to make a change only on the restore as you read it.',
      required: true,
      schema: jsonSchemaOf(z.string(), "output"),
    },
    XRestoreState: {
      description:
        "The restore's state after the request, by its v1 name (`StartRequested`, `Stopped`, ...).",
      required: true,
      schema: jsonSchemaOf(z.string(), "output"),
    },
    XRestoreStateId: {
      description: "The restore's state after the request, as its `RestoreStateId`.",
      required: true,
      schema: jsonSchemaOf(z.string().regex(/^[0-9]$/), "output"),
    },
    IdempotentReplayed: {
      description:
        "`true` on a response replayed for a retried `Idempotency-Key`: the first request's response, sent again; absent on a first response.",
      required: false,
      schema: jsonSchemaOf(z.literal("true"), "output"),
    },
    Link: {
      description:
        'The next page, `<...?marker=..&limit=..&sort_dir=..>; rel="next"`, when this one is full: follow it until a page comes without one.',
      required: false,
      schema: jsonSchemaOf(z.string(), "output"),
    },
    RetryAfter: {
      description: "Seconds to wait before retrying.",
      required: true,
      schema: jsonSchemaOf(z.int().min(0), "output"),
    },
    Allow: {
      description: "The methods the path takes.",
      required: true,
      schema: jsonSchemaOf(z.string(), "output"),
    },
  };
}

function rolesFor(permission: Permission): string {
  const roles = Object.entries(ROLE_PERMISSIONS)
    .filter(([, permissions]) => permissions.includes(permission))
    .map(([role]) => `\`${role}\``);
  return `Roles allowed: ${roles.join(", ")}.`;
}

interface RouteSpec {
  readonly method: OpenApiMethod;
  readonly path: string;
  readonly operationId: string;
  readonly summary: string;
  readonly description: string;
  readonly tag: string;
  /** `null` for a route anyone may call. */
  readonly dialect: Dialect | null;
  readonly parameters: readonly string[];
  readonly body?: { readonly schema: string; readonly types: readonly string[] };
  readonly success: {
    readonly status: number;
    readonly description: string;
    readonly schema?: string;
    /** Also answered as a server-sent event stream, to `Accept: text/event-stream`. */
    readonly stream?: boolean;
    /** Extra response headers, by component name. */
    readonly headers?: readonly string[];
  };
  /** Whether an `If-None-Match` naming the current version answers 304. */
  readonly notModified?: boolean;
  readonly errors: readonly number[];
  /** A description of an error status that says more than the shared one. */
  readonly notes?: Readonly<Record<number, string>>;
}

const V1_ERRORS = [400, 401, 403, 404, 500, 503] as const;
const V1_BODY_ERRORS = [400, 401, 403, 404, 413, 415, 500, 503] as const;

const IN_USE =
  "A request with this `Idempotency-Key` is still being processed (code `idempotency_key_in_use`); retry once it has answered.";

const ROUTES: readonly RouteSpec[] = [
  {
    method: "post",
    path: "/v1.0/{tenant_id}/restore/action-requested",
    operationId: "restoreActionRequested",
    summary: "Start or stop a restore manually",
    description: [
      "Asks the restore's destination agent to start (`StartManual`) or stop (`StopManual`) the restore `Id`.",
      "For an encrypted backup, `StartManual` must carry `EncryptedPassword`: the vault passphrase encrypted with the agent's RSA public key (the `PublicKey` of the restore details), as hex. The server checks it (hex, exactly the key's length, below its modulus), keeps it sealed, hands it only to that agent and destroys it when the restore ends. On an unencrypted backup, and with `StopManual`, it must be null or absent.",
      "A request that already took effect succeeds again and changes nothing, so retries are safe. Stopping a restore the agent has not taken yet ends it at once (Stopped); otherwise it is StopRequested until the agent confirms. A restore that is stopping or finished cannot be started (400).",
      `${rolesFor("start")}`,
    ].join("\n\n"),
    tag: "Restores",
    dialect: "v1",
    parameters: ["TenantId", "IfMatch", "IdempotencyKey"],
    body: { schema: "ActionRequest", types: [JSON_TYPE] },
    success: {
      status: 204,
      description:
        "Done, or already so. No body; the headers say what the restore is now (its state and `ETag`).",
      headers: ["ETag", "XRestoreState", "XRestoreStateId", "IdempotentReplayed"],
    },
    errors: [...V1_BODY_ERRORS, 409, 412, 422],
    notes: { 409: IN_USE },
  },
  {
    method: "put",
    path: "/v1.0/{tenant_id}/restore",
    operationId: "createRestore",
    summary: "Create a restore configuration",
    description: [
      "Creates a restore in state Creating (`RestoreStateId` 0) from a backup, the machine it was taken on and a destination machine. The backup catalog supplies the rest: names, restore point, whether the backup is encrypted and the destination agent's public key. An unknown backup or machine is a 400 that names the field.",
      rolesFor("create"),
    ].join("\n\n"),
    tag: "Restores",
    dialect: "v1",
    parameters: ["TenantId", "IdempotencyKey"],
    body: { schema: "CreateRestore", types: [JSON_TYPE] },
    success: {
      status: 200,
      description: "The restore created.",
      schema: "RestoreDetails",
      headers: ["ETag", "IdempotentReplayed"],
    },
    errors: [400, 401, 403, 409, 413, 415, 422, 500, 503],
    notes: { 409: IN_USE },
  },
  {
    method: "post",
    path: "/v1.0/{tenant_id}/restore",
    operationId: "updateRestore",
    summary: "Update a restore configuration",
    description: [
      "Replaces the configuration of a restore that is still Creating. `RestoreStateId` is accepted and ignored: a restore's state changes only through action-requested and the agent's reports.",
      rolesFor("update"),
    ].join("\n\n"),
    tag: "Restores",
    dialect: "v1",
    parameters: ["TenantId", "IfMatch"],
    body: { schema: "UpdateRestore", types: [JSON_TYPE] },
    success: {
      status: 204,
      description: "Updated. No body; the headers say what the restore is now.",
      headers: ["ETag", "XRestoreState", "XRestoreStateId"],
    },
    errors: [...V1_BODY_ERRORS, 412],
  },
  {
    method: "get",
    path: "/v1.0/{tenant_id}/restore/{restoreId}",
    operationId: "getRestore",
    summary: "Get a restore's details",
    description: `The restore's configuration and state. \`EncryptedPassword\` is always null.\n\n${rolesFor("read")}`,
    tag: "Restores",
    dialect: "v1",
    parameters: ["TenantId", "RestoreId", "IfNoneMatch"],
    success: {
      status: 200,
      description: "The restore.",
      schema: "RestoreDetails",
      headers: ["ETag"],
    },
    notModified: true,
    errors: V1_ERRORS,
  },
  {
    method: "get",
    path: "/v1.0/{tenant_id}/restore/report/{restoreId}",
    operationId: "getRestoreReport",
    summary: "Get the report of a finished restore",
    description: `What the agent reported: times, files and bytes restored, errors.\n\n${rolesFor("read")}`,
    tag: "Restores",
    dialect: "v1",
    parameters: ["TenantId", "RestoreId"],
    success: { status: 200, description: "The report.", schema: "RestoreReport" },
    errors: V1_ERRORS,
    notes: { 404: "No such restore for this tenant, or it has not finished yet." },
  },
  {
    method: "get",
    path: "/v1.0/{tenant_id}/restore/{restoreId}/events",
    operationId: "listRestoreEvents",
    summary: "List a restore's events",
    description: `The restore's event log, for audit: every change, who made it, when and under which request id. Paged as the v2 API pages its lists: \`marker\` (the last \`seq\` you have), \`limit\` and \`sort_dir\`; a full page links to the next in \`Link\`. With \`Accept: text/event-stream\` it is followed live instead.\n\n${rolesFor("read")}`,
    tag: "Restores",
    dialect: "v1",
    parameters: ["TenantId", "RestoreId", "Marker", "Limit", "SortDir", "After", "LastEventId"],
    success: {
      status: 200,
      description:
        "A page of events; or, to `Accept: text/event-stream`, the events as they commit: each as `id` (its `seq`), `event` (its type) and `data` (the event as a page shows it), from after `Last-Event-ID`, ending once the restore has finished and everything is sent. A store that fails mid-stream ends it with an `error` event holding the error's `code`.",
      schema: "RestoreEvents",
      stream: true,
      headers: ["Link"],
    },
    errors: V1_ERRORS,
  },
  {
    method: "patch",
    path: "/v2/{project_id}/restores/{restore_id}",
    operationId: "reportRestore",
    summary: "Report a restore's state and progress (agent)",
    description: [
      "The destination agent reports as a JSON Patch: `op` is `replace` or `add` (the same here); paths `/state`, `/started_time`, `/ended_time`, `/errors`, `/files_restored`, `/bytes_restored`, also spelled `/started-time`, `/ended-time`, `/files-restored`, `/bytes-restored`. restorekit adds `/bytes_completed` (the same count as `/bytes_restored`), `/bytes_remaining` and `/total_bytes`, also spelled `/bytes-completed`, `/bytes-remaining`, `/total-bytes`: non-negative integers, shown in the details' `Progress`. States move forward only, and so do the files and bytes done (the total and what remains are estimates and may move either way); repeating a report changes nothing. An empty patch, `[]`, is the bare heartbeat: every accepted report tells the server the agent is alive, and a restore whose agent stays silent past its deadline (to take it, between reports, to confirm a stop) is given up as Failed (reason `AgentTimeout`) or Stopped.",
      "Only the restore's destination agent may report (an agent token for that machine).",
    ].join("\n\n"),
    tag: "Agent",
    dialect: "v2",
    parameters: ["ProjectId", "V2RestoreId"],
    body: { schema: "AgentPatch", types: [PATCH_TYPE, JSON_TYPE] },
    success: { status: 204, description: "Recorded, or already so. No body." },
    errors: [400, 401, 403, 404, 409, 413, 415, 500, 503],
    notes: {
      409: "The report conflicts with the restore's state, e.g. on a finished restore; a restore being stopped answers a progress report with this to tell the agent to stop (`agent_conflict`). Or it would lower the files or bytes done the restore already has (`progress_regressed`): nothing is recorded.",
    },
  },
  {
    method: "get",
    path: "/v2/{project_id}/restores/{restore_id}/password",
    operationId: "getRestorePassword",
    summary: "Get the encrypted password (agent)",
    description:
      "The `EncryptedPassword` the client sent with `StartManual`, for the restore's destination agent to decrypt with its private key. Held only while the restore is encrypted and active; destroyed when it ends. Answered with `Cache-Control: no-store`.",
    tag: "Agent",
    dialect: "v2",
    parameters: ["ProjectId", "V2RestoreId"],
    success: {
      status: 200,
      description: "The ciphertext, as hex.",
      schema: "ReleasedPassword",
    },
    errors: [400, 401, 403, 404, 500, 503],
    notes: {
      404: "No such restore for this tenant, or no password is held for it (unencrypted, not started, or finished).",
    },
  },
  {
    method: "get",
    path: "/v2/{project_id}/agents/{agent_id}/requests",
    operationId: "listAgentRequests",
    summary: "Hear start and stop requests (agent)",
    description: [
      "The start and stop requests waiting for the agent: its restores in StartRequested (`start`) or StopRequested (`stop`), each with the restore's work order (backup, destination path, overwrite, whether it is encrypted), so the agent needs no other read to begin.",
      "With `Accept: text/event-stream` the route stays open: the pending requests first, then each new one as it commits, each as `id` (`<restore_id>-<action>-<version>`), `event` (`start` or `stop`) and `data` (one request as the list shows it); a comment line after 15 s of silence; `retry: 1000`. Delivery is at least once: a request may come again (on every reconnection the pending ones are sent again), so dedupe on `restore_id` and `action`. A store that fails mid-stream ends it with an `error` event holding the error's `code`; reconnect.",
      "Only the agent's own token, for its own machine id in its own tenant; any other token is 403.",
    ].join("\n\n"),
    tag: "Agent",
    dialect: "v2",
    parameters: ["ProjectId", "AgentId"],
    success: {
      status: 200,
      description:
        "The pending requests, oldest restore first; or, to `Accept: text/event-stream`, the stream described above.",
      schema: "AgentRequests",
      stream: true,
    },
    errors: [400, 401, 403, 500, 503],
  },
  {
    method: "get",
    path: "/healthz",
    operationId: "health",
    summary: "Liveness",
    description: "Answers 200 while the process runs.",
    tag: "Health",
    dialect: null,
    parameters: [],
    success: { status: 200, description: "Alive.", schema: "Health" },
    errors: [],
  },
  {
    method: "get",
    path: "/readyz",
    operationId: "ready",
    summary: "Readiness",
    description: "Answers 200 when the server can serve requests: its storage answers too.",
    tag: "Health",
    dialect: null,
    parameters: [],
    success: { status: 200, description: "Ready.", schema: "Ready" },
    errors: [503],
  },
];

function mediaTypes(schema: string, types: readonly string[]): Record<string, OpenApiMediaType> {
  return Object.fromEntries(types.map((type) => [type, { schema: schemaRef(schema) }]));
}

/** The header each response header component describes. */
const HEADER_NAMES: Readonly<Record<string, string>> = {
  Link: "Link",
  ETag: "ETag",
  XRestoreState: "X-Restore-State",
  XRestoreStateId: "X-Restore-State-Id",
  IdempotentReplayed: "Idempotent-Replayed",
};

function operationOf(route: RouteSpec): OpenApiOperation {
  const successHeaders: Record<string, OpenApiReference> = {
    "X-Request-Id": headerRef("XRequestId"),
  };
  for (const name of route.success.headers ?? []) {
    successHeaders[HEADER_NAMES[name] ?? name] = headerRef(name);
  }
  const success: OpenApiResponse = {
    description: route.success.description,
    headers: successHeaders,
    ...(route.success.schema === undefined
      ? {}
      : {
          content: {
            ...mediaTypes(route.success.schema, [JSON_TYPE]),
            ...(route.success.stream === true
              ? { [EVENT_STREAM_TYPE]: { schema: { type: "string" } } }
              : {}),
          },
        }),
  };
  const responses: Record<string, OpenApiResponse | OpenApiReference> = {
    [String(route.success.status)]: success,
  };
  if (route.notModified === true) {
    responses["304"] = {
      description: "Unchanged since the copy `If-None-Match` names. No body.",
      headers: { "X-Request-Id": headerRef("XRequestId"), ETag: headerRef("ETag") },
    };
  }
  const dialect = route.dialect ?? "v1";
  for (const status of route.errors) {
    const note = route.notes?.[status];
    responses[String(status)] =
      note === undefined
        ? responseRef(`${dialect.toUpperCase()}Error${status}`)
        : errorResponse(status, dialect, note);
  }
  return {
    operationId: route.operationId,
    summary: route.summary,
    description: route.description,
    tags: [route.tag],
    security: route.dialect === null ? [] : [{ [AUTH]: [] }],
    parameters: [...route.parameters, "XRequestId"].map(parameterRef),
    ...(route.body === undefined
      ? {}
      : {
          requestBody: {
            description: "JSON, UTF-8.",
            required: true,
            content: mediaTypes(route.body.schema, route.body.types),
          },
        }),
    responses,
  };
}

function pathsOf(routes: readonly RouteSpec[]): Record<string, OpenApiPathItem> {
  const paths: Record<string, Partial<Record<OpenApiMethod, OpenApiOperation>>> = {};
  for (const route of routes) {
    paths[route.path] = { ...paths[route.path], [route.method]: operationOf(route) };
  }
  return paths;
}

/**
 * The OpenAPI 3.1 document of the restore routes: every schema in it is
 * generated from the zod schemas the routes parse with (request bodies from
 * their input side, responses from their output side), so it cannot drift
 * from what the server accepts. The same options give the same document.
 *
 * @example
 * ```ts
 * const document = openApiDocument({ serverUrl: "https://backup.example.com" });
 * document.paths["/v1.0/{tenant_id}/restore/action-requested"]?.post?.operationId;
 * // "restoreActionRequested"
 * ```
 */
export function openApiDocument(options: OpenApiDocumentOptions = {}): OpenApiDocument {
  return {
    openapi: "3.1.0",
    info: {
      title: options.title ?? "restorekit",
      version: options.version ?? OPENAPI_DOCUMENT_VERSION,
      summary: "Own the lifecycle of a backup restore.",
      description: [
        "The Cloud Backup v1.0 restore operations, first of all **start or stop a restore manually** (`POST /v1.0/{tenant_id}/restore/action-requested`), with the routes around it: create and update a restore configuration, read its details, report and event log; and the routes of the restore's destination agent.",
        'Every call but the health checks takes the caller\'s token in `X-Auth-Token`. Every response carries `X-Request-Id`. Errors on v1.0 routes have the fault body of that API (`{"badRequest": {"code": 400, "message": ..., "details": ...}}`), on the agent\'s v2 routes `{"message", "errors"}`; a client that sends `Accept: application/problem+json` gets RFC 9457 problem details instead, with the error\'s stable `code`.',
      ].join("\n\n"),
      license: { name: "MIT", identifier: "MIT" },
    },
    ...(options.serverUrl === undefined ? {} : { servers: [{ url: options.serverUrl }] }),
    tags: [
      { name: "Restores", description: "The Cloud Backup v1.0 restore operations." },
      { name: "Agent", description: "For the restore's destination agent: agent tokens only." },
      { name: "Health", description: "For load balancers and orchestrators; no token." },
    ],
    paths: pathsOf(ROUTES),
    components: {
      schemas: { ...requestSchemas(), ...responseSchemas(), ...errorSchemas() },
      responses: errorResponses(),
      parameters: parameters(),
      headers: headers(),
      securitySchemes: {
        [AUTH]: {
          type: "apiKey",
          in: "header",
          name: "X-Auth-Token",
          description:
            "The caller's token. A user's roles decide what it may do; an agent's token is for its own machine's restores.",
        },
      },
    },
  };
}
