/**
 * A JSON Schema (2020-12) checker for the keywords the OpenAPI document uses,
 * with `$ref`s resolved inside the document. No validator library is a
 * dependency here; this one refuses any keyword it does not know, so a
 * schema cannot pass a check by using something it ignores.
 */

type Schema = Readonly<Record<string, unknown>>;

/** Keywords that only describe and never constrain. */
const ANNOTATIONS = new Set(["description", "title", "default", "examples", "format", "readOnly"]);

const ASSERTIONS = new Set([
  "$ref",
  "type",
  "properties",
  "required",
  "additionalProperties",
  "propertyNames",
  "items",
  "anyOf",
  "oneOf",
  "allOf",
  "enum",
  "const",
  "pattern",
  "minLength",
  "maxLength",
  "minimum",
  "maximum",
  "minItems",
  "maxItems",
]);

/** Follows a local JSON pointer (`#/components/schemas/X`) in the document. */
export function resolvePointer(root: unknown, ref: string): unknown {
  if (!ref.startsWith("#/")) throw new Error(`not a local reference: ${ref}`);
  let node: unknown = root;
  for (const raw of ref.slice(2).split("/")) {
    const key = raw.replaceAll("~1", "/").replaceAll("~0", "~");
    if (node === null || typeof node !== "object" || !Object.hasOwn(node, key)) {
      throw new Error(`unresolved reference: ${ref}`);
    }
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

function typeOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  return typeof value;
}

function hasType(value: unknown, type: string): boolean {
  switch (type) {
    case "integer":
      return typeof value === "number" && Number.isInteger(value);
    case "number":
      return typeof value === "number" && Number.isFinite(value);
    case "object":
      return typeOf(value) === "object";
    default:
      return typeOf(value) === type;
  }
}

function deepEqual(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Code points, as JSON Schema counts a string's length. */
function lengthOf(text: string): number {
  return [...text].length;
}

/**
 * Every way `value` breaks `schema`, each as `path: problem`; empty when it
 * conforms. `root` is the document that `$ref`s point into.
 */
export function schemaProblems(
  root: unknown,
  schema: unknown,
  value: unknown,
  path = "$",
): string[] {
  if (
    schema === true ||
    (typeof schema === "object" && schema !== null && Object.keys(schema).length === 0)
  ) {
    return [];
  }
  if (schema === false) return [`${path}: nothing is allowed here`];
  if (typeof schema !== "object" || schema === null) throw new Error(`${path}: not a schema`);
  const s = schema as Schema;
  const problems: string[] = [];
  for (const keyword of Object.keys(s)) {
    if (!ASSERTIONS.has(keyword) && !ANNOTATIONS.has(keyword)) {
      throw new Error(`${path}: unknown keyword ${keyword}`);
    }
  }
  if (typeof s.$ref === "string") {
    problems.push(...schemaProblems(root, resolvePointer(root, s.$ref), value, path));
  }
  if (s.type !== undefined) {
    const types = Array.isArray(s.type) ? (s.type as string[]) : [s.type as string];
    if (!types.some((type) => hasType(value, type))) {
      return [...problems, `${path}: is ${typeOf(value)}, not ${types.join(" or ")}`];
    }
  }
  if (s.enum !== undefined && !(s.enum as unknown[]).some((option) => deepEqual(option, value))) {
    problems.push(`${path}: not one of the enum`);
  }
  if (Object.hasOwn(s, "const") && !deepEqual(s.const, value)) {
    problems.push(`${path}: not ${JSON.stringify(s.const)}`);
  }
  if (typeof value === "string") {
    if (typeof s.pattern === "string" && !new RegExp(s.pattern, "u").test(value)) {
      problems.push(`${path}: does not match ${s.pattern}`);
    }
    if (typeof s.minLength === "number" && lengthOf(value) < s.minLength) {
      problems.push(`${path}: shorter than ${s.minLength}`);
    }
    if (typeof s.maxLength === "number" && lengthOf(value) > s.maxLength) {
      problems.push(`${path}: longer than ${s.maxLength}`);
    }
  }
  if (typeof value === "number") {
    if (typeof s.minimum === "number" && value < s.minimum) {
      problems.push(`${path}: below ${s.minimum}`);
    }
    if (typeof s.maximum === "number" && value > s.maximum) {
      problems.push(`${path}: above ${s.maximum}`);
    }
  }
  if (Array.isArray(value)) {
    if (typeof s.minItems === "number" && value.length < s.minItems) {
      problems.push(`${path}: fewer than ${s.minItems} items`);
    }
    if (typeof s.maxItems === "number" && value.length > s.maxItems) {
      problems.push(`${path}: more than ${s.maxItems} items`);
    }
    if (s.items !== undefined) {
      value.forEach((item, index) => {
        problems.push(...schemaProblems(root, s.items, item, `${path}[${index}]`));
      });
    }
  }
  if (typeOf(value) === "object") {
    const object = value as Record<string, unknown>;
    const properties = (s.properties ?? {}) as Record<string, unknown>;
    for (const name of (s.required ?? []) as string[]) {
      if (!Object.hasOwn(object, name)) problems.push(`${path}: ${name} is missing`);
    }
    for (const [name, property] of Object.entries(object)) {
      if (Object.hasOwn(properties, name)) {
        problems.push(...schemaProblems(root, properties[name], property, `${path}.${name}`));
      } else if (s.additionalProperties !== undefined) {
        problems.push(...schemaProblems(root, s.additionalProperties, property, `${path}.${name}`));
      }
      if (s.propertyNames !== undefined) {
        problems.push(...schemaProblems(root, s.propertyNames, name, `${path} key ${name}`));
      }
    }
  }
  if (s.anyOf !== undefined) {
    const options = s.anyOf as unknown[];
    if (!options.some((option) => schemaProblems(root, option, value, path).length === 0)) {
      problems.push(`${path}: matches none of anyOf`);
    }
  }
  if (s.oneOf !== undefined) {
    const matching = (s.oneOf as unknown[]).filter(
      (option) => schemaProblems(root, option, value, path).length === 0,
    );
    if (matching.length !== 1) problems.push(`${path}: matches ${matching.length} of oneOf`);
  }
  if (s.allOf !== undefined) {
    for (const option of s.allOf as unknown[]) {
      problems.push(...schemaProblems(root, option, value, path));
    }
  }
  return problems;
}

/** Throws on the first keyword the checker does not know, anywhere in a schema. */
export function assertKnownKeywords(schema: unknown, path = "$"): void {
  if (typeof schema === "boolean") return;
  if (typeof schema !== "object" || schema === null) throw new Error(`${path}: not a schema`);
  for (const [keyword, value] of Object.entries(schema)) {
    if (!ASSERTIONS.has(keyword) && !ANNOTATIONS.has(keyword)) {
      throw new Error(`${path}: unknown keyword ${keyword}`);
    }
    if (keyword === "properties") {
      for (const [name, property] of Object.entries(value as object)) {
        assertKnownKeywords(property, `${path}.properties.${name}`);
      }
    } else if (["items", "additionalProperties", "propertyNames"].includes(keyword)) {
      assertKnownKeywords(value, `${path}.${keyword}`);
    } else if (["anyOf", "oneOf", "allOf"].includes(keyword)) {
      (value as unknown[]).forEach((option, index) => {
        assertKnownKeywords(option, `${path}.${keyword}[${index}]`);
      });
    }
  }
}
