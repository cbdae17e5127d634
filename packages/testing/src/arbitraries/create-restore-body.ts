import fc from "fast-check";
import { arbDestinationPath } from "./restore-config.js";
import {
  arbBadWireId,
  arbNotAnObject,
  arbWireId,
  deeplyNested,
  hiddenUnderSpecialKey,
  longString,
  withUnknownFields,
} from "./wire-values.js";

const ID_FIELDS = ["BackupId", "BackupMachineId", "DestinationMachineId"] as const;

function arbCreateFields(): fc.Arbitrary<Record<string, unknown>> {
  return fc.record({
    BackupId: arbWireId(),
    BackupMachineId: arbWireId(),
    DestinationMachineId: arbWireId(),
    DestinationPath: arbDestinationPath(),
    BackupDataCenter: fc.constantFrom("DFW", "ORD", "IAD", "LON", "HKG", "SYD"),
    OverwriteFiles: fc.boolean(),
  });
}

/**
 * Valid `PUT /v1.0/{tenant_id}/restore` bodies, ids as numbers or digit
 * strings, now and then with unknown fields.
 *
 * @example
 * ```ts
 * fc.assert(fc.property(arbCreateRestoreBody(), (body) => parseCreateRestore(body).isOk()));
 * ```
 */
export function arbCreateRestoreBody(): fc.Arbitrary<Record<string, unknown>> {
  return withUnknownFields(arbCreateFields());
}

function without(body: Record<string, unknown>, key: string): Record<string, unknown> {
  const { [key]: _dropped, ...rest } = body;
  return rest;
}

/**
 * Invalid create bodies: not an object, an id missing or not a positive
 * integer, a path or overwrite flag of the wrong type, fields only under
 * `__proto__`/`constructor`, deep nesting, very long strings.
 *
 * @example
 * ```ts
 * fc.assert(fc.property(arbHostileCreateRestoreBody(), (body) => parseCreateRestore(body).isErr()));
 * ```
 */
export function arbHostileCreateRestoreBody(): fc.Arbitrary<unknown> {
  const valid = arbCreateFields();
  const idField = fc.constantFrom(...ID_FIELDS);
  return fc.oneof(
    arbNotAnObject(),
    fc
      .tuple(valid, fc.constantFrom(...ID_FIELDS, "DestinationPath"))
      .map(([body, key]) => without(body, key)),
    fc
      .tuple(valid, idField, fc.oneof(arbBadWireId(), deeplyNested()))
      .map(([body, key, bad]) => ({ ...body, [key]: bad })),
    fc
      .tuple(
        valid,
        fc.oneof(
          fc.constantFrom<unknown>(0, 42, true, [], ["C:\\"], { path: "C:\\" }),
          deeplyNested(),
        ),
      )
      .map(([body, bad]) => ({ ...body, DestinationPath: bad })),
    fc
      .tuple(
        valid,
        fc.oneof(
          fc.constantFrom<unknown>("yes", 2, -1, [], {}, [true]),
          longString(),
          deeplyNested(),
        ),
      )
      .map(([body, bad]) => ({ ...body, OverwriteFiles: bad })),
    valid.chain((body) => hiddenUnderSpecialKey(body)),
    fc.tuple(valid, idField).chain(([body, key]) =>
      hiddenUnderSpecialKey({ [key]: body[key] }).map((hidden) => ({
        ...without(body, key),
        ...(hidden as object),
      })),
    ),
  );
}
