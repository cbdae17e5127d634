import fc from "fast-check";
import { arbNotAnObject, deeplyNested, hiddenUnderSpecialKey, longString } from "./wire-values.js";

/** The states an agent reports, by their v2 names (the agent table of docs/state-diagram.md). */
const REPORTED_V2 = [
  "queued",
  "preparing",
  "in_progress",
  "stop_requested",
  "completed",
  "completed_with_errors",
  "failed",
  "stopped",
] as const;

/** A v2 timestamp: ISO 8601 in UTC, with milliseconds or, as the reference shows, microseconds. */
function arbWireTime(): fc.Arbitrary<string> {
  return fc
    .tuple(
      fc.date({
        min: new Date("2010-01-01T00:00:00.000Z"),
        max: new Date("2040-01-01T00:00:00.000Z"),
        noInvalidDate: true,
      }),
      fc.option(fc.integer({ min: 0, max: 999 })),
    )
    .map(([date, micros]) => {
      const iso = date.toISOString();
      return micros === null ? iso : `${iso.slice(0, -1)}${String(micros).padStart(3, "0")}Z`;
    });
}

function arbWireErrors(): fc.Arbitrary<Record<string, unknown>> {
  const text = fc.string({ minLength: 1, maxLength: 40 });
  return fc
    .array(
      fc.record({
        index: fc.nat({ max: 10_000 }),
        path: fc.constantFrom("/usr/bin/h2xs", "C:\\Data\\a.txt"),
        type: fc.constantFrom("phx_exception", "io_error"),
        exception: fc.record({ code: fc.nat({ max: 99_999 }), description: text, details: text }),
      }),
      { maxLength: 3 },
    )
    .chain((list) =>
      fc.record({
        count: fc.integer({ min: list.length, max: list.length + 50 }),
        reason: fc.constantFrom("unable_to_process_some_files", "agent_error"),
        diagnostics: text,
        list: fc.constant(list),
      }),
    );
}

/**
 * Each patchable field with both of its spellings in the v2 reference (bytes
 * done also under its other name, completed) and a valid value.
 */
const FIELDS = [
  { paths: ["/state"], value: () => fc.constantFrom(...REPORTED_V2) },
  { paths: ["/started_time", "/started-time"], value: arbWireTime },
  { paths: ["/ended_time", "/ended-time"], value: arbWireTime },
  { paths: ["/files_restored", "/files_restores"], value: () => fc.nat({ max: 10_000_000 }) },
  {
    paths: ["/bytes_restored", "/bytes-restored", "/bytes_completed", "/bytes-completed"],
    value: () => fc.maxSafeNat(),
  },
  { paths: ["/bytes_remaining", "/bytes-remaining"], value: () => fc.maxSafeNat() },
  { paths: ["/total_bytes", "/total-bytes"], value: () => fc.maxSafeNat() },
  { paths: ["/errors"], value: arbWireErrors },
] as const;

type Operation = { op: string; path: string; value: unknown };

function arbOperation(field: (typeof FIELDS)[number]): fc.Arbitrary<Operation> {
  return fc.record({
    op: fc.constantFrom("replace", "add"),
    path: fc.constantFrom(...field.paths),
    value: field.value() as fc.Arbitrary<unknown>,
  });
}

function arbValidOperations(): fc.Arbitrary<Operation[]> {
  return fc
    .shuffledSubarray([...FIELDS], { minLength: 1 })
    .chain((fields) => fc.tuple(...fields.map(arbOperation)));
}

/**
 * Valid agent JSON Patch bodies: one to eight distinct fields, `replace` or
 * `add`, every path in both spellings of the v2 reference (`/started_time`
 * and `/started-time`, `/files_restored` and `/files_restores`, ...), bytes
 * done also as `/bytes_completed`.
 *
 * @example
 * ```ts
 * fc.assert(fc.property(arbAgentPatchBody(), (body) => parseAgentPatch(body).isOk()));
 * ```
 */
export function arbAgentPatchBody(): fc.Arbitrary<Array<Record<string, unknown>>> {
  return arbValidOperations();
}

const BAD_VALUES: Record<string, readonly unknown[]> = {
  "/state": ["creating", "start_requested", "bogus", "completed ", "", 3, true, {}, ["queued"]],
  "/started_time": ["yesterday", "2014-13-45T99:00:00Z", "", true, {}, []],
  "/ended_time": ["tomorrow", "20141020", "", false, {}, []],
  "/files_restored": [-1, 1.5, "many", true, {}, []],
  "/bytes_restored": [-1, 0.25, "18 MB", false, {}, []],
  "/bytes_completed": [-1, 2.5, "18 MB", null, {}, []],
  "/bytes_remaining": [-2, 0.5, "lots", true, {}, [], Number.MAX_SAFE_INTEGER + 1],
  "/total_bytes": [-1, 1e300, "18 MB", false, {}, []],
  "/errors": ["lots", 5, true],
};

function arbBadOperation(): fc.Arbitrary<unknown> {
  const validOp = fc.oneof(...FIELDS.map(arbOperation));
  return fc.oneof(
    fc.constantFrom<unknown>(1, null, "x", [], true),
    validOp.map(({ path, value }) => ({ path, value })),
    fc
      .tuple(
        validOp,
        fc.constantFrom<unknown>("remove", "move", "copy", "test", "REPLACE", "", 1, null),
      )
      .map(([operation, op]) => ({ ...operation, op })),
    validOp.map(({ op, path }) => ({ op, path })),
    fc
      .tuple(
        validOp,
        fc.oneof(
          fc.constantFrom<unknown>(
            "/foo",
            "/State",
            "state",
            "",
            "/",
            "/state/0",
            "/restore_id",
            1,
            null,
          ),
          longString(),
        ),
      )
      .map(([operation, path]) => ({ ...operation, path })),
    validOp.map(({ op, value }) => ({ op, value })),
    fc
      .tuple(fc.constantFrom(...Object.keys(BAD_VALUES)), fc.constantFrom("replace", "add"))
      .chain(([path, op]) =>
        fc.constantFrom(...(BAD_VALUES[path] ?? [])).map((value) => ({ op, path, value })),
      ),
    fc
      .tuple(
        fc.constantFrom("/state", "/files_restored", "/started_time"),
        fc.oneof(deeplyNested(), longString()),
      )
      .map(([path, value]) => ({ op: "replace", path, value })),
    validOp.chain((operation) => hiddenUnderSpecialKey(operation)),
  );
}

/**
 * Invalid agent patches: not an array, or a valid patch with one bad
 * operation slipped in (unknown op or path, missing member, wrong value type,
 * a state an agent may not report, members only under `__proto__`, deep
 * nesting, very long strings).
 *
 * @example
 * ```ts
 * fc.assert(fc.property(arbHostileAgentPatchBody(), (body) => parseAgentPatch(body).isErr()));
 * ```
 */
export function arbHostileAgentPatchBody(): fc.Arbitrary<unknown> {
  return fc.oneof(
    arbNotAnObject().filter((value) => !Array.isArray(value)),
    arbValidOperations().chain((operations) => hiddenUnderSpecialKey({ 0: operations[0] })),
    fc.tuple(arbValidOperations(), arbBadOperation(), fc.nat()).map(([operations, bad, at]) => {
      const i = at % (operations.length + 1);
      return [...operations.slice(0, i), bad, ...operations.slice(i)];
    }),
  );
}
