import { z } from "zod";
import type { JsonSchema } from "./openapi-types.js";

/**
 * Which side of a schema to describe: `input` is what a request may carry
 * (what the routes parse), `output` what a response carries.
 */
export type SchemaSide = "input" | "output";

type Mutable = Record<string, unknown>;

const DIGITS = "^[0-9]+$";

/**
 * Core reads every id with one rule: a JSON number or a string of digits,
 * made a positive safe integer by a transform. Its input side comes out of zod
 * as `number | digit-string`; that shape ahead of a transform is the id rule.
 */
function isIdInput(json: Mutable): boolean {
  const options = json.anyOf;
  if (!Array.isArray(options) || options.length !== 2 || Object.keys(json).length !== 1) {
    return false;
  }
  const text = JSON.stringify(options);
  return (
    text === JSON.stringify([{ type: "number" }, { type: "string", pattern: DIGITS }]) ||
    text === JSON.stringify([{ type: "string", pattern: DIGITS }, { type: "number" }])
  );
}

const POSITIVE_ID = { type: "integer", minimum: 1, maximum: Number.MAX_SAFE_INTEGER };

function idSchema(side: SchemaSide): Mutable {
  return side === "input"
    ? {
        anyOf: [POSITIVE_ID, { type: "string", pattern: DIGITS }],
        description: "A positive integer, sent as a JSON number or as a string of digits.",
      }
    : { ...POSITIVE_ID };
}

function replaceContents(target: Mutable, source: Mutable): void {
  for (const key of Object.keys(target)) delete target[key];
  Object.assign(target, source);
}

type ZodDef = { readonly type: string; readonly in?: z.ZodType; readonly out?: z.ZodType };

function defOf(schema: unknown): ZodDef {
  return (schema as { _zod: { def: ZodDef } })._zod.def;
}

/** A `.transform(...)`: a pipe whose second half is a function zod cannot describe. */
function transformInput(schema: unknown): z.ZodType | undefined {
  const def = defOf(schema);
  return def.type === "pipe" && def.out !== undefined && defOf(def.out).type === "transform"
    ? def.in
    : undefined;
}

/**
 * The JSON Schema (draft 2020-12) of a zod schema, from zod's own converter.
 * A transform's result has no JSON Schema, so on the output side it is
 * described by what goes into it: the wire form, which core's response
 * schemas only canonicalize. An id is shown as what it is, a positive integer
 * (on input also as a string of digits), rather than zod's plain `number`.
 * Anything else zod cannot describe is a bug here, not a silent `{}`.
 *
 * @example
 * ```ts
 * jsonSchemaOf(actionRequestSchema, "input").required; // ["Action", "Id"]
 * ```
 */
export function jsonSchemaOf(schema: z.ZodType, side: SchemaSide): JsonSchema {
  const converted = z.toJSONSchema(schema, {
    target: "draft-2020-12",
    io: side,
    reused: "inline",
    cycles: "throw",
    unrepresentable: ({ zodSchema }) =>
      // Only a transform's own node: the pipe holding it is described below.
      defOf(zodSchema).type === "transform" ? "any" : "throw",
    override: ({ zodSchema, jsonSchema }) => {
      const json = jsonSchema as Mutable;
      const input = transformInput(zodSchema);
      if (input === undefined) return;
      const inputSide = side === "input" ? json : jsonSchemaOf(input, "input");
      if (isIdInput(inputSide)) replaceContents(json, idSchema(side));
      else if (side === "output") replaceContents(json, { ...jsonSchemaOf(input, "output") });
    },
  }) as Mutable;
  const { $schema: _dialect, ...body } = converted;
  return body;
}
