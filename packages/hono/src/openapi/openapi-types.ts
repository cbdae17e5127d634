/**
 * A JSON Schema of the 2020-12 dialect, which is the one OpenAPI 3.1 uses,
 * as plain data.
 */
export interface JsonSchema {
  readonly [keyword: string]: unknown;
}

/** A pointer to a component of the same document, e.g. `#/components/schemas/ActionRequest`. */
// A type, not an interface, so that a reference is also a `JsonSchema` (a schema may be one).
export type OpenApiReference = { readonly $ref: string };

export interface OpenApiParameter {
  readonly name: string;
  readonly in: "path" | "query" | "header";
  readonly required: boolean;
  readonly description: string;
  readonly deprecated?: boolean;
  readonly schema: JsonSchema;
}

export interface OpenApiHeader {
  readonly description: string;
  readonly required?: boolean;
  readonly schema: JsonSchema;
}

export interface OpenApiMediaType {
  readonly schema: JsonSchema;
}

export interface OpenApiResponse {
  readonly description: string;
  readonly headers?: Readonly<Record<string, OpenApiHeader | OpenApiReference>>;
  readonly content?: Readonly<Record<string, OpenApiMediaType>>;
}

export interface OpenApiRequestBody {
  readonly description: string;
  readonly required: boolean;
  readonly content: Readonly<Record<string, OpenApiMediaType>>;
}

export interface OpenApiOperation {
  readonly operationId: string;
  readonly summary: string;
  readonly description: string;
  readonly tags: readonly string[];
  /** `[]` for an operation anyone may call. */
  readonly security: readonly Readonly<Record<string, readonly string[]>>[];
  readonly parameters: readonly (OpenApiParameter | OpenApiReference)[];
  readonly requestBody?: OpenApiRequestBody;
  /** Keyed by status code, as text. */
  readonly responses: Readonly<Record<string, OpenApiResponse | OpenApiReference>>;
}

export type OpenApiMethod = "get" | "put" | "post" | "patch";

export type OpenApiPathItem = Partial<Readonly<Record<OpenApiMethod, OpenApiOperation>>>;

export interface OpenApiSecurityScheme {
  readonly type: "apiKey";
  readonly in: "header";
  readonly name: string;
  readonly description: string;
}

/** An OpenAPI 3.1 document as plain JSON data: `JSON.stringify` it to serve it. */
export interface OpenApiDocument {
  readonly openapi: "3.1.0";
  readonly info: {
    readonly title: string;
    readonly version: string;
    readonly summary: string;
    readonly description: string;
    readonly license: { readonly name: string; readonly identifier: string };
  };
  readonly servers?: readonly { readonly url: string }[];
  readonly tags: readonly { readonly name: string; readonly description: string }[];
  /** Keyed by path template, e.g. `/v1.0/{tenant_id}/restore/action-requested`. */
  readonly paths: Readonly<Record<string, OpenApiPathItem>>;
  readonly components: {
    readonly schemas: Readonly<Record<string, JsonSchema>>;
    readonly responses: Readonly<Record<string, OpenApiResponse>>;
    readonly parameters: Readonly<Record<string, OpenApiParameter>>;
    readonly headers: Readonly<Record<string, OpenApiHeader>>;
    readonly securitySchemes: Readonly<Record<string, OpenApiSecurityScheme>>;
  };
}
