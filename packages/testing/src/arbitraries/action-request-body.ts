import fc from "fast-check";
import {
  arbBadWireId,
  arbHexWithWhitespace,
  arbNotAnObject,
  arbWireId,
  deeplyNested,
  hiddenUnderSpecialKey,
  longString,
  withUnknownFields,
} from "./wire-values.js";

/** `EncryptedPassword` as absent (`undefined` key dropped by the caller), null, or hex. */
type PasswordField = { EncryptedPassword?: string | null };

function arbStartBody(): fc.Arbitrary<Record<string, unknown>> {
  return fc
    .tuple(
      arbWireId(),
      fc.oneof(
        fc.constant<PasswordField>({}),
        fc.constant<PasswordField>({ EncryptedPassword: null }),
        arbHexWithWhitespace().map((hex): PasswordField => ({ EncryptedPassword: hex })),
      ),
    )
    .map(([Id, password]) => ({ Action: "StartManual", Id, ...password }));
}

function arbStopBody(): fc.Arbitrary<Record<string, unknown>> {
  return fc
    .tuple(arbWireId(), fc.constantFrom<PasswordField>({}, { EncryptedPassword: null }))
    .map(([Id, password]) => ({ Action: "StopManual", Id, ...password }));
}

/**
 * Valid `action-requested` bodies in every form real clients send: `Id` as a
 * number or a digit string, `EncryptedPassword` absent, null, or (StartManual
 * only) hex wrapped with whitespace; now and then with unknown fields.
 *
 * @example
 * ```ts
 * fc.assert(fc.property(arbActionRequestBody(), (body) => parseActionRequest(body).isOk()));
 * ```
 */
export function arbActionRequestBody(): fc.Arbitrary<Record<string, unknown>> {
  return withUnknownFields(fc.oneof(arbStartBody(), arbStopBody()));
}

const BAD_ACTIONS: readonly unknown[] = [
  "startmanual",
  "STARTMANUAL",
  "Start",
  "Stop",
  "StopAll",
  "",
  " StartManual",
  "StopManual ",
  0,
  1,
  null,
  true,
  ["StartManual"],
  { name: "StartManual" },
];

/**
 * Invalid `action-requested` bodies: not an object, Action missing or
 * unknown, Id missing or not a positive integer (0, negative, fractional,
 * "12a", huge), a password on StopManual or of the wrong type, fields only
 * under `__proto__`/`constructor`, deep nesting, very long strings. A parser
 * must reject each with `invalid_request` and never throw.
 *
 * @example
 * ```ts
 * fc.assert(fc.property(arbHostileActionRequestBody(), (body) => parseActionRequest(body).isErr()));
 * ```
 */
export function arbHostileActionRequestBody(): fc.Arbitrary<unknown> {
  const action = fc.constantFrom("StartManual", "StopManual");
  const id = arbWireId();
  return fc.oneof(
    arbNotAnObject(),
    fc.record({ Id: id }),
    fc.record({ Id: id, EncryptedPassword: fc.constant(null) }),
    fc.record({ Action: action }),
    fc.record({ Action: fc.constantFrom(...BAD_ACTIONS), Id: id }),
    fc.record({ Action: fc.oneof(longString(), deeplyNested()), Id: id }),
    fc.record({ Action: action, Id: fc.oneof(arbBadWireId(), deeplyNested()) }),
    fc.record({
      Action: fc.constant("StopManual"),
      Id: id,
      EncryptedPassword: fc.oneof(arbHexWithWhitespace(), longString(), fc.constant("x")),
    }),
    fc.record({
      Action: action,
      Id: id,
      EncryptedPassword: fc.oneof(
        fc.constantFrom<unknown>(0, 1, true, false, [], ["AB"], { hex: "AB" }),
        deeplyNested(),
      ),
    }),
    fc.tuple(action, id).chain(([Action, Id]) => hiddenUnderSpecialKey({ Action, Id })),
    fc
      .tuple(action, id)
      .chain(([Action, Id]) =>
        hiddenUnderSpecialKey({ Action }).map((hidden) => ({ ...(hidden as object), Id })),
      ),
  );
}
