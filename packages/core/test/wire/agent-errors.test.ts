import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  agentErrorsSchema,
  errorStatus,
  LIMITS,
  parseAgentPatch,
  type RestoreErrorSummary,
} from "../../src/index.js";

/** Long property runs get their own timeout, so a loaded 2-core machine cannot fail them. */
const PROPERTY_TIMEOUT_MS = 60_000;

/** The report's errors of a patch that sets only `/errors`. */
function readErrors(value: unknown): RestoreErrorSummary | undefined {
  return parseAgentPatch([{ op: "add", path: "/errors", value }])._unsafeUnwrap().report.errors;
}

/** The issues of a patch that sets only `/errors`, which must be refused with a 400. */
function errorsIssues(value: unknown) {
  const result = parseAgentPatch([{ op: "add", path: "/errors", value }]);
  if (result.isOk()) throw new Error("expected invalid_request");
  if (result.error.code !== "invalid_request") throw new Error(result.error.code);
  expect(errorStatus(result.error)).toBe(400);
  return result.error.issues;
}

/** Where each text of `/errors` sits, its limit, and a value holding `text` there. */
const TEXT_FIELDS = [
  {
    field: "reason",
    max: LIMITS.errorName,
    path: "0.value.reason",
    value: (text: string) => ({ reason: text }),
  },
  {
    field: "diagnostics",
    max: LIMITS.errorText,
    path: "0.value.diagnostics",
    value: (text: string) => ({ diagnostics: text }),
  },
  {
    field: "path",
    max: LIMITS.errorText,
    path: "0.value.list.0.path",
    value: (text: string) => ({ list: [{ path: text }] }),
  },
  {
    field: "type",
    max: LIMITS.errorName,
    path: "0.value.list.0.type",
    value: (text: string) => ({ list: [{ type: text }] }),
  },
  {
    field: "description",
    max: LIMITS.errorDescription,
    path: "0.value.list.0.exception.description",
    value: (text: string) => ({ list: [{ exception: { description: text } }] }),
  },
  {
    field: "details",
    max: LIMITS.errorText,
    path: "0.value.list.0.exception.details",
    value: (text: string) => ({ list: [{ exception: { details: text } }] }),
  },
] as const;

/** Reads the text back from where `value` put it. */
function textAt(field: (typeof TEXT_FIELDS)[number]["field"], errors: RestoreErrorSummary) {
  const item = errors.list[0];
  switch (field) {
    case "reason":
      return errors.reason;
    case "diagnostics":
      return errors.diagnostics;
    case "path":
      return item?.path;
    case "type":
      return item?.type;
    case "description":
      return item?.exception?.description;
    case "details":
      return item?.exception?.details;
  }
}

describe("the /errors value", () => {
  it("reads every field of a full summary, each in its place", () => {
    const value = {
      count: 7,
      reason: "unable_to_process_some_files",
      diagnostics: "Some files may not have been restored.",
      list: [
        {
          index: 3,
          path: "/usr/bin/h2xs",
          type: "phx_exception",
          exception: { code: 9016, description: "WRITE failed", details: "Ex Code(9016)" },
        },
        {
          index: 0,
          path: "/etc/passwd",
          type: "io_error",
          exception: null,
        },
        {
          index: 12,
          path: "/var/log",
          type: "other",
          exception: { code: -1, description: null, details: null },
        },
      ],
    };
    expect(readErrors(value)).toStrictEqual({
      count: 7,
      reason: "unable_to_process_some_files",
      diagnostics: "Some files may not have been restored.",
      list: [
        {
          index: 3,
          path: "/usr/bin/h2xs",
          type: "phx_exception",
          exception: { code: 9016, description: "WRITE failed", details: "Ex Code(9016)" },
        },
        { index: 0, path: "/etc/passwd", type: "io_error", exception: null },
        {
          index: 12,
          path: "/var/log",
          type: "other",
          exception: { code: -1, description: null, details: null },
        },
      ],
    });
  });

  it("reads an empty object as no errors, and absent fields of an exception as null", () => {
    expect(readErrors({})).toStrictEqual({
      count: 0,
      reason: null,
      diagnostics: null,
      list: [],
    });
    expect(readErrors({ list: [{ exception: {} }] })).toStrictEqual({
      count: 1,
      reason: null,
      diagnostics: null,
      list: [
        {
          index: null,
          path: null,
          type: null,
          exception: { code: null, description: null, details: null },
        },
      ],
    });
  });

  it("reads explicit nulls as null", () => {
    expect(
      readErrors({
        reason: null,
        diagnostics: null,
        list: [
          {
            index: null,
            path: null,
            type: null,
            exception: { code: null, description: null, details: null },
          },
          { exception: null },
        ],
      }),
    ).toStrictEqual({
      count: 2,
      reason: null,
      diagnostics: null,
      list: [
        {
          index: null,
          path: null,
          type: null,
          exception: { code: null, description: null, details: null },
        },
        { index: null, path: null, type: null, exception: null },
      ],
    });
  });

  it("keeps a count the agent sent even when the list is shorter or longer", () => {
    expect(readErrors({ count: 5, list: [{}, {}] })?.count).toBe(5);
    expect(readErrors({ count: 0, list: [{}, {}] })?.count).toBe(0);
    expect(readErrors({ count: 1 })).toStrictEqual({
      count: 1,
      reason: null,
      diagnostics: null,
      list: [],
    });
  });

  it("takes the list's length for a missing count", () => {
    fc.assert(
      fc.property(fc.nat({ max: 20 }), (n) => {
        const list = Array.from({ length: n }, (_, i) => ({ index: i }));
        const errors = readErrors({ list });
        expect(errors?.count).toBe(n);
        expect(errors?.list.map((item) => item.index)).toEqual(list.map((item) => item.index));
      }),
    );
  });

  it("accepts every non-negative safe integer as count and index, 0 included", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.constantFrom(0, 1, Number.MAX_SAFE_INTEGER),
          fc.nat({ max: Number.MAX_SAFE_INTEGER }),
        ),
        (n) => {
          const errors = readErrors({ count: n, list: [{ index: n }] });
          expect(errors?.count).toBe(n);
          expect(errors?.list[0]?.index).toBe(n);
        },
      ),
    );
  });

  it("refuses a count or index that is negative, fractional, unsafe or not a number, naming it", () => {
    const bad = fc.oneof(
      fc.integer({ max: -1 }),
      fc.constantFrom(-1, -0.5, 0.5, 1.5, Number.MAX_SAFE_INTEGER + 1, Number.NaN, Infinity),
      fc.double().filter((d) => !Number.isSafeInteger(d)),
      fc.constantFrom("1", "0", true, [], {}),
    );
    fc.assert(
      fc.property(bad, bad, (count, index) => {
        expect(errorsIssues({ count, list: [{ index }] })).toEqual([
          { path: "0.value.count", message: "count must be a non-negative integer" },
          { path: "0.value.list.0.index", message: "index must be a non-negative integer" },
        ]);
      }),
    );
    expect(errorsIssues({ count: -1 })).toEqual([
      { path: "0.value.count", message: "count must be a non-negative integer" },
    ]);
    expect(errorsIssues({ list: [{ index: -1 }] })).toEqual([
      { path: "0.value.list.0.index", message: "index must be a non-negative integer" },
    ]);
  });

  it("accepts any integer exception code, negative ones included, and refuses others", () => {
    expect(readErrors({ list: [{ exception: { code: -42 } }] })?.list[0]?.exception?.code).toBe(
      -42,
    );
    expect(readErrors({ list: [{ exception: { code: 0 } }] })?.list[0]?.exception?.code).toBe(0);
    expect(errorsIssues({ list: [{ exception: { code: "9016" } }] })).toEqual([
      { path: "0.value.list.0.exception.code", message: "code must be a number or null" },
    ]);
    expect(errorsIssues({ list: [{ exception: { code: 1.5 } }] })).toEqual([
      { path: "0.value.list.0.exception.code", message: "code must be an integer or null" },
    ]);
    expect(errorsIssues({ list: [{ exception: { code: Number.MAX_SAFE_INTEGER + 1 } }] })).toEqual([
      { path: "0.value.list.0.exception.code", message: "code must be an integer or null" },
    ]);
  });

  it("says what each part must be when it has the wrong type", () => {
    expect(errorsIssues("nothing")).toEqual([
      {
        path: "0.value",
        message: "must be an object with count, reason, diagnostics and list",
      },
    ]);
    expect(errorsIssues(null)).toEqual([
      {
        path: "0.value",
        message: "must be an object with count, reason, diagnostics and list",
      },
    ]);
    expect(errorsIssues({ list: "x" })).toEqual([
      { path: "0.value.list", message: "list must be an array" },
    ]);
    expect(errorsIssues({ list: [1, null] })).toEqual([
      { path: "0.value.list.0", message: "each entry of list must be an object" },
      { path: "0.value.list.1", message: "each entry of list must be an object" },
    ]);
    expect(errorsIssues({ list: [{ exception: "boom" }] })).toEqual([
      { path: "0.value.list.0.exception", message: "exception must be an object or null" },
    ]);
    expect(
      errorsIssues({
        reason: 1,
        diagnostics: 2,
        list: [{ path: 3, type: 4, exception: { description: 5, details: 6 } }],
      }),
    ).toEqual([
      { path: "0.value.reason", message: "reason must be a string" },
      { path: "0.value.diagnostics", message: "diagnostics must be a string" },
      { path: "0.value.list.0.path", message: "path must be a string" },
      { path: "0.value.list.0.type", message: "type must be a string" },
      { path: "0.value.list.0.exception.description", message: "description must be a string" },
      { path: "0.value.list.0.exception.details", message: "details must be a string" },
    ]);
  });

  it("holds up to LIMITS.errorList entries and refuses one more, naming the limit", () => {
    const full = Array.from({ length: LIMITS.errorList }, () => ({}));
    expect(readErrors({ list: full })?.list).toHaveLength(LIMITS.errorList);
    expect(errorsIssues({ list: [...full, {}] })).toEqual([
      {
        path: "0.value.list",
        message: `list must hold at most ${LIMITS.errorList} entries`,
      },
    ]);
  });

  describe.each(TEXT_FIELDS)("its text $field", ({ field, max, path, value }) => {
    it(`holds ${max} characters and refuses ${max + 1}, naming the field`, () => {
      const longest = "x".repeat(max);
      const errors = readErrors(value(longest));
      expect(errors && textAt(field, errors)).toBe(longest);
      expect(errorsIssues(value(`${longest}y`))).toEqual([
        { path, message: `${field} must be at most ${max} characters` },
      ]);
    });

    it("refuses a NUL character", () => {
      expect(errorsIssues(value("before\u0000after"))).toEqual([
        { path, message: `${field} must not contain a NUL character (\\u0000)` },
      ]);
    });

    it("refuses an unpaired surrogate, high or low", () => {
      for (const text of ["a\uD800b", "\uDC00", "end\uD83D"]) {
        expect(errorsIssues(value(text))).toEqual([
          { path, message: `${field} must be valid Unicode (it holds an unpaired surrogate)` },
        ]);
      }
    });

    it("keeps any storable text as sent, astral characters and blanks included", () => {
      fc.assert(
        fc.property(fc.string({ unit: "grapheme", maxLength: 40 }), (text) => {
          fc.pre(!text.includes("\u0000"));
          const errors = readErrors(value(text));
          expect(errors && textAt(field, errors)).toBe(text);
        }),
      );
      const errors = readErrors(value(""));
      expect(errors && textAt(field, errors)).toBe("");
    });
  });

  it("lists every unstorable text at once", { timeout: PROPERTY_TIMEOUT_MS }, () => {
    const issues = errorsIssues({
      reason: "\u0000",
      diagnostics: "\uD800",
      list: [
        {
          path: "x".repeat(LIMITS.errorText + 1),
          type: "t\u0000",
          exception: { description: "x".repeat(LIMITS.errorDescription + 1), details: "\uDFFF" },
        },
      ],
    });
    expect(issues.map((issue) => issue.path)).toEqual(TEXT_FIELDS.map((f) => f.path));
  });
});

describe("agentErrorsSchema", () => {
  it("is the schema the patch uses for /errors", () => {
    fc.assert(
      fc.property(
        fc.record(
          {
            count: fc.nat(),
            reason: fc.option(fc.string(), { nil: null }),
            diagnostics: fc.option(fc.string(), { nil: null }),
            list: fc.array(
              fc.record(
                {
                  index: fc.option(fc.nat(), { nil: null }),
                  path: fc.option(fc.string(), { nil: null }),
                },
                { requiredKeys: [] },
              ),
              { maxLength: 3 },
            ),
          },
          { requiredKeys: [] },
        ),
        (value) => {
          const direct = agentErrorsSchema.safeParse(value);
          expect(direct.success).toBe(true);
          expect(readErrors(value)).toStrictEqual(direct.data);
        },
      ),
    );
  });
});
