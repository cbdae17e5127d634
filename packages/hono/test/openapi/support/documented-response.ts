import { expect } from "vitest";
import type { OpenApiDocument, OpenApiOperation } from "../../../src/index.js";
import { resolvePointer, schemaProblems } from "./json-schema-check.js";

/** A response read whole. */
export interface ReadResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  /** The body parsed as JSON, or `undefined` when it is empty. */
  readonly json: unknown;
}

export async function readResponse(response: Response): Promise<ReadResponse> {
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    text,
    json: text === "" ? undefined : (JSON.parse(text) as unknown),
  };
}

function followed<T>(document: OpenApiDocument, node: unknown): T {
  const ref = (node as { $ref?: unknown }).$ref;
  return (typeof ref === "string" ? resolvePointer(document, ref) : node) as T;
}

interface DocumentedResponse {
  readonly headers?: Record<string, unknown>;
  readonly content?: Record<string, { schema: unknown }>;
}

/**
 * Expects a real response to be one the document describes for that
 * operation: its status is listed, every header the document requires is
 * there, and the body matches the schema of its media type (or is empty
 * when the document gives no content).
 */
export function expectDocumented(
  document: OpenApiDocument,
  method: string,
  template: string,
  response: ReadResponse,
): void {
  const where = `${method.toUpperCase()} ${template} ${response.status}`;
  const operation = (document.paths[template] as Record<string, OpenApiOperation> | undefined)?.[
    method
  ];
  expect(operation, `${method} ${template} is documented`).toBeDefined();
  const entry = operation?.responses[String(response.status)];
  expect(entry, `${where} is documented`).toBeDefined();
  const documented = followed<DocumentedResponse>(document, entry);
  for (const [name, header] of Object.entries(documented.headers ?? {})) {
    const required = followed<{ required?: boolean }>(document, header).required === true;
    if (required) expect(response.headers.get(name), `${where} header ${name}`).not.toBeNull();
  }
  if (documented.content === undefined) {
    expect(response.text, `${where} has no body`).toBe("");
    return;
  }
  const mediaType = (response.headers.get("content-type") ?? "").split(";")[0]?.trim() ?? "";
  const media = documented.content[mediaType];
  expect(media, `${where} is documented as ${mediaType}`).toBeDefined();
  expect(schemaProblems(document, media?.schema, response.json), where).toEqual([]);
}
