export { jwtTokens } from "./auth/jwt-tokens.js";
export {
  DEFAULT_JWT_CLAIMS,
  type JwtClaimNames,
  type JwtTokensOptions,
} from "./auth/jwt-tokens-options.js";
export { readTokenTable, TOKEN_FILE_KEYS } from "./auth/read-token-table.js";
export type { StaticTokenEntry } from "./auth/static-token-entry.js";
export { type StaticTokensOptions, staticTokens } from "./auth/static-tokens.js";
export type { TokenConfigError } from "./auth/token-config-error.js";
export { MAX_TOKEN_LENGTH } from "./auth/token-length.js";
export { createRestoreApp, type RestoreAppOptions } from "./create-restore-app.js";
export {
  ADAPTER_ERROR_STATUS,
  type AdapterError,
  type AdapterErrorCode,
  AdapterErrors,
} from "./errors/adapter-errors.js";
export {
  type ErrorDialect,
  type ErrorResponse,
  type ErrorResponseOptions,
  errorResponse,
  FAULT_KEYS,
  type HttpError,
  httpStatusOf,
  v1JsonText,
} from "./errors/error-response.js";
export type { RestoreAppEnv } from "./http/app-env.js";
export { DEFAULT_BODY_LIMIT } from "./http/read-body.js";
export type { RequestLogger } from "./http/request-logger.js";
export {
  DOCS_CONTENT_SECURITY_POLICY,
  type DocsAppOptions,
  docsApp,
} from "./openapi/docs-app.js";
export {
  OPENAPI_DOCUMENT_VERSION,
  type OpenApiDocumentOptions,
  openApiDocument,
} from "./openapi/openapi-document.js";
export type {
  JsonSchema,
  OpenApiDocument,
  OpenApiHeader,
  OpenApiMediaType,
  OpenApiMethod,
  OpenApiOperation,
  OpenApiParameter,
  OpenApiPathItem,
  OpenApiReference,
  OpenApiRequestBody,
  OpenApiResponse,
  OpenApiSecurityScheme,
} from "./openapi/openapi-types.js";
export { problemDetailsSchema } from "./openapi/problem-details-schema.js";
export { restoreEventsSchema } from "./openapi/restore-events-schema.js";
export {
  type DocsAssets,
  type DocsAssetsUnavailable,
  type ReadSwaggerUiDistOptions,
  readSwaggerUiDist,
  SWAGGER_UI_FILES,
  type SwaggerUiFile,
} from "./openapi/swagger-ui-assets.js";
export { v1FaultSchema } from "./openapi/v1-fault-schema.js";
export { v2ErrorSchema } from "./openapi/v2-error-schema.js";
export type { EventStreamOptions } from "./routes/event-stream.js";
