import { readFileSync } from "node:fs";
import {
  actionRequestSchema,
  agentPatchSchema,
  createRestoreSchema,
  restoreDetailsSchema,
  restoreReportSchema,
  updateRestoreSchema,
} from "@restorekit/core";
import {
  arbActionRequestBody,
  arbAgentPatchBody,
  arbCreateRestoreBody,
  arbHostileActionRequestBody,
  arbHostileAgentPatchBody,
  arbHostileCreateRestoreBody,
} from "@restorekit/testing";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { z } from "zod";
import {
  type OpenApiDocument,
  type OpenApiOperation,
  openApiDocument,
  problemDetailsSchema,
  v1FaultSchema,
  v2ErrorSchema,
} from "../../src/index.js";
import { OPENAPI_DOCUMENT_VERSION } from "../../src/openapi/openapi-document.js";
import {
  assertKnownKeywords,
  resolvePointer,
  schemaProblems,
} from "./support/json-schema-check.js";

const document = openApiDocument();

function fixture(name: string): string {
  return readFileSync(new URL(`../../../core/test/fixtures/${name}`, import.meta.url), "utf8");
}

function operation(method: string, path: string): OpenApiOperation {
  const found = (document.paths[path] as Record<string, OpenApiOperation> | undefined)?.[method];
  if (found === undefined) throw new Error(`no ${method.toUpperCase()} ${path} in the document`);
  return found;
}

function component(name: string): unknown {
  return resolvePointer(document, `#/components/schemas/${name}`);
}

function problemsOf(name: string, value: unknown): string[] {
  return schemaProblems(document, component(name), value);
}

/** Every `$ref` in a JSON value, with where it is. */
function refsIn(node: unknown, path = "$"): { path: string; ref: string }[] {
  if (Array.isArray(node)) return node.flatMap((item, index) => refsIn(item, `${path}[${index}]`));
  if (node === null || typeof node !== "object") return [];
  return Object.entries(node).flatMap(([key, value]) =>
    key === "$ref" && typeof value === "string"
      ? [{ path, ref: value }]
      : refsIn(value, `${path}.${key}`),
  );
}

/** A response or parameter of an operation, with its reference followed. */
function followed<T>(node: unknown): T {
  const ref = (node as { $ref?: unknown }).$ref;
  return (typeof ref === "string" ? resolvePointer(document, ref) : node) as T;
}

/** A valid body, or a near miss: one field replaced, dropped or added. */
function nearly(valid: fc.Arbitrary<Record<string, unknown>>): fc.Arbitrary<unknown> {
  const anything = fc.oneof(
    fc.integer(),
    fc.constant(null),
    fc.boolean(),
    fc.string({ maxLength: 6 }),
    fc.constant(1.5),
    fc.constant([]),
  );
  return valid.chain((body) => {
    const keys = Object.keys(body);
    return fc.oneof(
      { weight: 2, arbitrary: fc.constant(body) },
      {
        weight: 1,
        arbitrary: fc
          .tuple(fc.constantFrom(...keys), anything)
          .map(([key, value]) => ({ ...body, [key]: value })),
      },
      {
        weight: 1,
        arbitrary: fc.constantFrom(...keys).map((key) => {
          const { [key]: _dropped, ...rest } = body;
          return rest;
        }),
      },
      { weight: 1, arbitrary: anything.map((value) => ({ ...body, stack: value })) },
    );
  });
}

interface ExpectedRoute {
  readonly method: string;
  readonly path: string;
  readonly statuses: readonly number[];
  readonly dialect: "v1" | "v2" | null;
}

// What each route must document at the least: its success and the errors clients meet.
const EXPECTED: readonly ExpectedRoute[] = [
  {
    method: "post",
    path: "/v1.0/{tenant_id}/restore/action-requested",
    statuses: [204, 400, 401, 403, 404, 413, 415, 500, 503],
    dialect: "v1",
  },
  {
    method: "put",
    path: "/v1.0/{tenant_id}/restore",
    statuses: [200, 400, 401, 403],
    dialect: "v1",
  },
  {
    method: "post",
    path: "/v1.0/{tenant_id}/restore",
    statuses: [204, 400, 401, 403, 404],
    dialect: "v1",
  },
  {
    method: "get",
    path: "/v1.0/{tenant_id}/restore/{restoreId}",
    statuses: [200, 401, 403, 404],
    dialect: "v1",
  },
  {
    method: "get",
    path: "/v1.0/{tenant_id}/restore/report/{restoreId}",
    statuses: [200, 401, 403, 404],
    dialect: "v1",
  },
  {
    method: "get",
    path: "/v1.0/{tenant_id}/restore/{restoreId}/events",
    statuses: [200, 401, 403, 404],
    dialect: "v1",
  },
  {
    method: "patch",
    path: "/v2/{project_id}/restores/{restore_id}",
    statuses: [204, 400, 401, 403, 404, 409],
    dialect: "v2",
  },
  {
    method: "get",
    path: "/v2/{project_id}/restores/{restore_id}/password",
    statuses: [200, 401, 403, 404],
    dialect: "v2",
  },
  {
    method: "get",
    path: "/v2/{project_id}/agents/{agent_id}/requests",
    statuses: [200, 400, 401, 403],
    dialect: "v2",
  },
  { method: "get", path: "/healthz", statuses: [200], dialect: null },
  { method: "get", path: "/readyz", statuses: [200, 503], dialect: null },
];

describe("the OpenAPI document", () => {
  it("is OpenAPI 3.1 with the package's version", () => {
    expect(document.openapi).toBe("3.1.0");
    const manifest = JSON.parse(
      readFileSync(new URL("../../package.json", import.meta.url), "utf8"),
    ) as { version: string };
    expect(document.info.version).toBe(manifest.version);
    expect(OPENAPI_DOCUMENT_VERSION).toBe(manifest.version);
    expect(document.servers).toBeUndefined();
  });

  it("resolves every $ref inside itself", () => {
    const refs = refsIn(document);
    expect(refs.length).toBeGreaterThan(50);
    const broken = refs.filter(({ ref }) => {
      try {
        resolvePointer(document, ref);
        return false;
      } catch {
        return true;
      }
    });
    expect(broken).toEqual([]);
  });

  it("uses only JSON Schema keywords the checks here understand", () => {
    for (const [name, schema] of Object.entries(document.components.schemas)) {
      expect(() => assertKnownKeywords(schema, name)).not.toThrow();
    }
  });

  it("documents every route with its statuses", () => {
    for (const route of EXPECTED) {
      const op = operation(route.method, route.path);
      const statuses = Object.keys(op.responses).map(Number);
      expect(statuses, `${route.method} ${route.path}`).toEqual(
        expect.arrayContaining([...route.statuses]),
      );
    }
    const documented = Object.entries(document.paths).flatMap(([path, item]) =>
      Object.keys(item).map((method) => `${method} ${path}`),
    );
    expect(documented.sort()).toEqual(EXPECTED.map((r) => `${r.method} ${r.path}`).sort());
  });

  it("puts the seed operation first, with its summary", () => {
    const [firstPath] = Object.keys(document.paths);
    expect(firstPath).toBe("/v1.0/{tenant_id}/restore/action-requested");
    const seed = operation("post", "/v1.0/{tenant_id}/restore/action-requested");
    expect(seed.operationId).toBe("restoreActionRequested");
    expect(seed.summary).toBe("Start or stop a restore manually");
    expect(document.tags[0]?.name).toBe(seed.tags[0]);
    expect(document.info.description).toContain("action-requested");
  });

  it("takes X-Auth-Token on every route but the health checks", () => {
    expect(document.components.securitySchemes.authToken).toMatchObject({
      type: "apiKey",
      in: "header",
      name: "X-Auth-Token",
    });
    for (const route of EXPECTED) {
      const op = operation(route.method, route.path);
      expect(op.security, `${route.method} ${route.path}`).toEqual(
        route.dialect === null ? [] : [{ authToken: [] }],
      );
    }
  });

  it("gives every response X-Request-Id, and a 503 Retry-After", () => {
    for (const route of EXPECTED) {
      for (const [status, response] of Object.entries(
        operation(route.method, route.path).responses,
      )) {
        const headers = followed<{ headers?: Record<string, unknown> }>(response).headers ?? {};
        expect(Object.keys(headers), `${route.path} ${status}`).toContain("X-Request-Id");
        if (status === "503") expect(Object.keys(headers)).toContain("Retry-After");
      }
    }
  });

  it("describes errors in the route's dialect and as problem details", () => {
    for (const route of EXPECTED) {
      for (const [status, response] of Object.entries(
        operation(route.method, route.path).responses,
      )) {
        if (Number(status) < 400) continue;
        const content = followed<{ content: Record<string, { schema: { $ref: string } }> }>(
          response,
        ).content;
        expect(Object.keys(content).sort()).toEqual([
          "application/json",
          "application/problem+json",
        ]);
        expect(content["application/problem+json"]?.schema.$ref).toBe(
          "#/components/schemas/ProblemDetails",
        );
        const body = content["application/json"]?.schema.$ref;
        if (route.dialect === "v2") expect(body).toBe("#/components/schemas/V2Error");
        else expect(body).toMatch(/^#\/components\/schemas\/V1Fault[A-Z]/);
      }
    }
  });

  it("names each v1 fault by its status", () => {
    const keys: Record<number, string> = {
      400: "badRequest",
      401: "unauthorized",
      403: "forbidden",
      404: "itemNotFound",
      405: "badMethod",
      409: "conflictingRequest",
      413: "overLimit",
      415: "badMediaType",
      500: "instanceFault",
      503: "serviceUnavailable",
    };
    for (const [status, key] of Object.entries(keys)) {
      const ref = followed<{ content: Record<string, { schema: unknown }> }>(
        document.components.responses[`V1Error${status}`],
      ).content["application/json"]?.schema;
      const body = { [key]: { code: Number(status), message: "m", details: "d" } };
      expect(schemaProblems(document, ref, body)).toEqual([]);
      expect(v1FaultSchema.safeParse(body).success).toBe(true);
      const wrongCode = { [key]: { code: 418, message: "m", details: "d" } };
      expect(schemaProblems(document, ref, wrongCode)).not.toEqual([]);
      expect(v1FaultSchema.safeParse(wrongCode).success).toBe(false);
    }
  });

  it("takes the agent's patch as JSON Patch or JSON", () => {
    const patch = operation("patch", "/v2/{project_id}/restores/{restore_id}");
    expect(Object.keys(patch.requestBody?.content ?? {})).toEqual([
      "application/json-patch+json",
      "application/json",
    ]);
  });

  it("pages the events with marker, limit and sort_dir, and links the next page", () => {
    const events = operation("get", "/v1.0/{tenant_id}/restore/{restoreId}/events");
    const query = events.parameters
      .map((p) =>
        followed<{
          name: string;
          in: string;
          deprecated?: boolean;
          schema: Record<string, unknown>;
        }>(p),
      )
      .filter((p) => p.in === "query");
    expect(
      query.map((p) => [p.name, p.schema.default, p.schema.minimum, p.deprecated ?? false]),
    ).toEqual([
      ["marker", undefined, 0, false],
      ["limit", 100, 0, false],
      ["sort_dir", "asc", undefined, false],
      ["after", undefined, 0, true],
    ]);
    const ok = events.responses["200"] as { headers: Record<string, unknown> };
    expect(Object.keys(ok.headers)).toContain("Link");
  });

  it("says that an update's RestoreStateId is accepted and ignored", () => {
    const update = operation("post", "/v1.0/{tenant_id}/restore");
    expect(update.description).toMatch(/RestoreStateId` is accepted and ignored/);
  });
});

describe("the schemas, generated from the routes' zod schemas", () => {
  const ID_FORMS = {
    anyOf: [
      { type: "integer", minimum: 1, maximum: Number.MAX_SAFE_INTEGER },
      { type: "string", pattern: "^[0-9]+$" },
    ],
  };

  it("read an id as an integer or a string of digits", () => {
    const ids: [string, string][] = [
      ["ActionRequest", "Id"],
      ["CreateRestore", "BackupId"],
      ["CreateRestore", "DestinationMachineId"],
      ["UpdateRestore", "RestoreId"],
    ];
    for (const [name, property] of ids) {
      const schema = (component(name) as { properties: Record<string, unknown> }).properties[
        property
      ];
      expect(schema, `${name}.${property}`).toMatchObject(ID_FORMS);
    }
    expect(problemsOf("ActionRequest", { Action: "StopManual", Id: "13689" })).toEqual([]);
    expect(problemsOf("ActionRequest", { Action: "StopManual", Id: 13689 })).toEqual([]);
    expect(problemsOf("ActionRequest", { Action: "StopManual", Id: 1.5 })).not.toEqual([]);
    expect(problemsOf("ActionRequest", { Action: "StopManual", Id: "12a" })).not.toEqual([]);
    expect(problemsOf("ActionRequest", { Action: "StopManual", Id: 0 })).not.toEqual([]);
  });

  it("show ids in responses as integers", () => {
    const details = component("RestoreDetails") as { properties: Record<string, unknown> };
    expect(details.properties.RestoreId).toEqual(ID_FORMS.anyOf[0]);
  });

  it("describe nothing as an empty schema but a patch operation's value", () => {
    const empties: string[] = [];
    const walk = (node: unknown, path: string): void => {
      if (node === null || typeof node !== "object") return;
      if (!Array.isArray(node) && Object.keys(node).length === 0) empties.push(path);
      for (const [key, value] of Object.entries(node)) walk(value, `${path}.${key}`);
    };
    walk(document.components.schemas, "schemas");
    expect(empties.sort()).toEqual([
      "schemas.AgentPatch.items.properties.value",
      "schemas.RestoreEvents.properties.Events.items.properties.data.additionalProperties",
    ]);
  });

  it("accept the reference's example request bodies, as the routes do", () => {
    const examples: [string, string, z.ZodType][] = [
      ["ActionRequest", "v1-action-requested-start-unencrypted.json", actionRequestSchema],
      ["ActionRequest", "v1-action-requested-stop.json", actionRequestSchema],
      ["CreateRestore", "v1-create-restore-request.json", createRestoreSchema],
      ["UpdateRestore", "v1-update-restore-request.json", updateRestoreSchema],
      ["AgentPatch", "v2-update-restore-patch.json", agentPatchSchema],
    ];
    for (const [name, file, schema] of examples) {
      const body: unknown = JSON.parse(fixture(file));
      expect(schema.safeParse(body).success, file).toBe(true);
      expect(problemsOf(name, body), file).toEqual([]);
    }
  });

  it("describe the reference's example responses, as core reads them", () => {
    const examples: [string, string, z.ZodType][] = [
      ["RestoreDetails", "v1-create-restore-response.json", restoreDetailsSchema],
      ["RestoreReport", "v1-restore-report-response.json", restoreReportSchema],
    ];
    for (const [name, file, schema] of examples) {
      const body: unknown = JSON.parse(fixture(file));
      expect(schema.safeParse(body).success, file).toBe(true);
      expect(problemsOf(name, body), file).toEqual([]);
    }
  });

  it("leave the single-quoted example to the JSON parser, which refuses it", () => {
    expect(() => JSON.parse(fixture("v1-action-requested-start-encrypted.txt"))).toThrow();
  });

  it("never refuse a body the routes accept", () => {
    const cases: [string, z.ZodType, fc.Arbitrary<unknown>][] = [
      [
        "ActionRequest",
        actionRequestSchema,
        fc.oneof(arbActionRequestBody(), arbHostileActionRequestBody()),
      ],
      [
        "CreateRestore",
        createRestoreSchema,
        fc.oneof(arbCreateRestoreBody(), arbHostileCreateRestoreBody()),
      ],
      ["AgentPatch", agentPatchSchema, fc.oneof(arbAgentPatchBody(), arbHostileAgentPatchBody())],
    ];
    for (const [name, schema, bodies] of cases) {
      let accepted = 0;
      fc.assert(
        fc.property(bodies, (body) => {
          // The document may be looser than the routes (refinements do not translate), never stricter.
          if (!schema.safeParse(body).success) return;
          accepted += 1;
          expect(problemsOf(name, body)).toEqual([]);
        }),
        { numRuns: 300 },
      );
      expect(accepted, `${name}: bodies the route accepts`).toBeGreaterThan(30);
    }
  }, 60_000);

  it("check the error bodies exactly as their zod schemas do", () => {
    const text = fc.string({ maxLength: 8 });
    const faults = fc
      .constantFrom<[number, string]>(
        [400, "badRequest"],
        [404, "itemNotFound"],
        [503, "serviceUnavailable"],
        [404, "badRequest"],
      )
      .chain(([code, key]) =>
        nearly(fc.record({ code: fc.constant(code), message: text, details: text })).map(
          (fault) => ({ [key]: fault }),
        ),
      );
    const v2 = nearly(fc.record({ message: text, errors: fc.array(text, { maxLength: 3 }) }));
    const problems = nearly(
      fc.record(
        {
          type: fc.constantFrom("urn:restorekit:problem:forbidden", "about:blank"),
          title: text,
          status: fc.constantFrom(400, 404, 503, 200, 700),
          detail: text,
          instance: text,
          code: fc.constantFrom("forbidden", "body_too_large", "route_not_found", "not_a_code"),
          errors: fc.array(fc.record({ path: text, message: text }), { maxLength: 2 }),
        },
        { requiredKeys: ["type", "title", "status", "detail", "code"] },
      ),
    );
    const cases: [z.ZodType, unknown, fc.Arbitrary<unknown>][] = [
      [
        v1FaultSchema,
        {
          anyOf: Object.keys(document.components.schemas)
            .filter((n) => n.startsWith("V1Fault"))
            .map((n) => ({ $ref: `#/components/schemas/${n}` })),
        },
        faults,
      ],
      [v2ErrorSchema, component("V2Error"), v2],
      [problemDetailsSchema, component("ProblemDetails"), problems],
    ];
    for (const [schema, jsonSchema, values] of cases) {
      const seen = { accepted: 0, refused: 0 };
      fc.assert(
        fc.property(values, (value) => {
          const documented = schemaProblems(document, jsonSchema, value).length === 0;
          expect(documented).toBe(schema.safeParse(value).success);
          seen[documented ? "accepted" : "refused"] += 1;
        }),
        { numRuns: 300 },
      );
      // Both answers must come up, or the property says little.
      expect(seen.accepted).toBeGreaterThan(5);
      expect(seen.refused).toBeGreaterThan(5);
    }
  }, 60_000);
});

describe("the document's determinism", () => {
  const arbOptions = fc.record(
    {
      serverUrl: fc.webUrl(),
      title: fc.string({ minLength: 1, maxLength: 30 }),
      version: fc.stringMatching(/^[0-9]{1,2}\.[0-9]{1,2}\.[0-9]{1,2}$/),
    },
    { requiredKeys: [] },
  );

  it("is the same text every time it is made", () => {
    const text = JSON.stringify(document);
    expect(JSON.stringify(openApiDocument())).toBe(text);
    expect(JSON.stringify(openApiDocument({}))).toBe(text);
  });

  it("changes with its options only in what they name", () => {
    const base: OpenApiDocument = document;
    fc.assert(
      fc.property(arbOptions, (options) => {
        const made = openApiDocument(options);
        expect(JSON.stringify(openApiDocument(options))).toBe(JSON.stringify(made));
        expect(made.paths).toEqual(base.paths);
        expect(made.components).toEqual(base.components);
        expect(made.info.title).toBe(options.title ?? "restorekit");
        expect(made.info.version).toBe(options.version ?? base.info.version);
        expect(made.servers).toEqual(
          options.serverUrl === undefined ? undefined : [{ url: options.serverUrl }],
        );
      }),
      { numRuns: 25 },
    );
  }, 60_000);
});
