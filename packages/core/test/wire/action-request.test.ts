import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { LIMITS, parseActionRequest, parseJsonBody } from "../../src/index.js";
import { fixtureJson } from "./read-fixture.js";

function issuesOf(body: unknown) {
  const result = parseActionRequest(body);
  if (result.isOk()) throw new Error("expected invalid_request");
  const error = result.error;
  if (error.code !== "invalid_request")
    throw new Error(`expected invalid_request, got ${error.code}`);
  return error;
}

const action = fc.constantFrom("StartManual" as const, "StopManual" as const);

// Every value that is not a positive safe integer, nor a string of its digits.
const badId = fc.oneof(
  fc.integer({ max: 0 }),
  fc.integer({ max: 0 }).map(String),
  fc.double().filter((d) => !(Number.isSafeInteger(d) && d > 0)),
  fc
    .double({ min: 0.0001, max: 1e9, noNaN: true })
    .filter((d) => !Number.isInteger(d))
    .map(String),
  fc
    .string()
    .filter((s) => !/^[0-9]+$/.test(s) || !(Number(s) > 0 && Number.isSafeInteger(Number(s)))),
  fc.bigInt({ min: BigInt(Number.MAX_SAFE_INTEGER) + 1n }).map(String),
  fc.constantFrom(null, true, false, [], {}, [1], " 1", "1 ", "+1", "1e3", "0x10", "١٢"),
);

describe("parseActionRequest", () => {
  it("reads the seed's unencrypted start example", () => {
    expect(parseActionRequest(fixtureJson("v1-action-requested-start-unencrypted.json"))).toEqual(
      parseActionRequest({ Action: "StartManual", Id: 13692 }),
    );
    expect(
      parseActionRequest(fixtureJson("v1-action-requested-start-unencrypted.json"))._unsafeUnwrap(),
    ).toEqual({ action: "StartManual", restoreId: 13692, encryptedPassword: null });
  });

  it("reads the seed's stop example", () => {
    expect(
      parseActionRequest(fixtureJson("v1-action-requested-stop.json"))._unsafeUnwrap(),
    ).toEqual({ action: "StopManual", restoreId: 13689, encryptedPassword: null });
  });

  it("passes an EncryptedPassword on as sent, and reads null as no password", () => {
    expect(
      parseActionRequest({
        Action: "StartManual",
        Id: 1,
        EncryptedPassword: "ab cd",
      })._unsafeUnwrap().encryptedPassword,
    ).toBe("ab cd");
    expect(
      parseActionRequest({ Action: "StartManual", Id: 1, EncryptedPassword: null })._unsafeUnwrap()
        .encryptedPassword,
    ).toBeNull();
  });

  it("accepts every positive safe integer Id, as a JSON number and as a string of digits", () => {
    fc.assert(
      fc.property(
        action,
        fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
        fc.boolean(),
        (a, id, asString) => {
          const result = parseActionRequest({ Action: a, Id: asString ? String(id) : id });
          expect(result._unsafeUnwrap().restoreId).toBe(id);
        },
      ),
    );
  });

  it("rejects every other Id with a message that says Id must be a positive integer", () => {
    fc.assert(
      fc.property(action, badId, (a, id) => {
        const error = issuesOf({ Action: a, Id: id });
        expect(error.issues).toEqual([
          { path: "Id", message: expect.stringContaining("Id must be a positive integer") },
        ]);
        expect(error.message).toContain("Id must be a positive integer");
      }),
    );
  });

  it("rejects a missing Id and an unknown Action, listing both", () => {
    const error = issuesOf({ Action: "Restart" });
    expect(error.issues.map((i) => i.path).sort()).toEqual(["Action", "Id"]);
  });

  it("rejects an EncryptedPassword for StopManual, saying it must be null or absent", () => {
    const error = issuesOf({ Action: "StopManual", Id: 5, EncryptedPassword: "ABCDEF" });
    expect(error.issues).toEqual([
      {
        path: "EncryptedPassword",
        message: "EncryptedPassword must be null or absent for StopManual",
      },
    ]);
    expect(error.message).not.toContain("ABCDEF");
  });

  it("lists every problem at once", () => {
    const error = issuesOf({ Action: "StopManual", Id: 0, EncryptedPassword: 42 });
    expect(error.issues.map((i) => i.path)).toEqual([
      "Id",
      "EncryptedPassword",
      "EncryptedPassword",
    ]);
  });

  it.each([[null], [[]], ["StartManual"], [13689], [true]])(
    "rejects the body %j, which is not an object",
    (body) => {
      const error = issuesOf(body);
      expect(error.issues).toEqual([{ path: "", message: "the body must be a JSON object" }]);
    },
  );

  it("ignores unknown fields", () => {
    expect(
      parseActionRequest({
        Action: "StopManual",
        Id: 7,
        Extra: { deep: [1] },
        RestoreStateId: 3,
      })._unsafeUnwrap(),
    ).toEqual({ action: "StopManual", restoreId: 7, encryptedPassword: null });
  });

  it("never puts an EncryptedPassword in an error message, whatever the body", () => {
    const secret = fc.string({ minLength: 6 }).map((s) => `PW-${s}-PW`);
    const hostileField = fc.oneof(
      fc.anything(),
      secret,
      fc.constantFrom("StartManual", "StopManual"),
      fc.integer(),
    );
    fc.assert(
      fc.property(
        secret,
        hostileField,
        hostileField,
        fc.dictionary(fc.string(), fc.anything()),
        (pw, a, id, extra) => {
          const bodies = [
            { ...extra, Action: a, Id: id, EncryptedPassword: pw },
            { ...extra, Action: pw, Id: pw, EncryptedPassword: pw },
            { ...extra, Action: "StopManual", Id: id, EncryptedPassword: pw },
            { ...extra, Action: a, Id: pw, EncryptedPassword: { [pw]: pw } },
            [pw, { EncryptedPassword: pw }],
            pw,
          ];
          for (const body of bodies) {
            const result = parseActionRequest(body);
            if (result.isErr()) {
              expect(result.error.message).not.toContain(pw);
              expect(JSON.stringify(result.error)).not.toContain(pw);
            }
            const asText = parseJsonBody(JSON.stringify(body).replaceAll('"', "'"));
            if (asText.isErr()) expect(asText.error.message).not.toContain(pw);
          }
        },
      ),
    );
  });
});

describe("parseActionRequest, edges", () => {
  it("holds an EncryptedPassword of LIMITS.encryptedPassword characters and refuses one more", () => {
    const longest = "A".repeat(LIMITS.encryptedPassword);
    expect(
      parseActionRequest({
        Action: "StartManual",
        Id: 1,
        EncryptedPassword: longest,
      })._unsafeUnwrap().encryptedPassword,
    ).toBe(longest);
    expect(
      issuesOf({ Action: "StartManual", Id: 1, EncryptedPassword: `${longest}A` }).issues,
    ).toEqual([
      {
        path: "EncryptedPassword",
        message: `EncryptedPassword must be at most ${LIMITS.encryptedPassword} characters`,
      },
    ]);
  });

  it("says what Action, EncryptedPassword and Id must be", () => {
    expect(issuesOf({ Action: "startmanual", Id: true, EncryptedPassword: 42 }).issues).toEqual([
      { path: "Action", message: 'Action must be "StartManual" or "StopManual"' },
      {
        path: "Id",
        message: "Id must be a positive integer (a JSON number or a string of digits)",
      },
      {
        path: "EncryptedPassword",
        message: "EncryptedPassword must be a string of hex digits or null",
      },
    ]);
  });

  it("lets StopManual go with a null or absent password, and StartManual with one", () => {
    expect(
      parseActionRequest({ Action: "StopManual", Id: 3, EncryptedPassword: null })._unsafeUnwrap(),
    ).toStrictEqual({ action: "StopManual", restoreId: 3, encryptedPassword: null });
    expect(parseActionRequest({ Action: "StopManual", Id: 3 })._unsafeUnwrap()).toStrictEqual({
      action: "StopManual",
      restoreId: 3,
      encryptedPassword: null,
    });
    expect(
      parseActionRequest({
        Action: "StartManual",
        Id: "4",
        EncryptedPassword: "ABCD",
      })._unsafeUnwrap(),
    ).toStrictEqual({ action: "StartManual", restoreId: 4, encryptedPassword: "ABCD" });
  });

  it("refuses any password sent with StopManual, even an empty one, and still checks the rest", () => {
    for (const password of ["", "ABCD", 0, false, {}]) {
      const error = issuesOf({ Action: "StopManual", Id: 3, EncryptedPassword: password });
      expect(error.issues).toContainEqual({
        path: "EncryptedPassword",
        message: "EncryptedPassword must be null or absent for StopManual",
      });
    }
    expect(issuesOf({ Action: "StopManual", EncryptedPassword: "ABCD" }).issues).toEqual([
      {
        path: "Id",
        message: "Id must be a positive integer (a JSON number or a string of digits)",
      },
      {
        path: "EncryptedPassword",
        message: "EncryptedPassword must be null or absent for StopManual",
      },
    ]);
  });

  it("reads 1 and the largest safe integer as ids, and refuses 0 and one past the largest", () => {
    for (const id of [1, "1", Number.MAX_SAFE_INTEGER, String(Number.MAX_SAFE_INTEGER)]) {
      expect(parseActionRequest({ Action: "StopManual", Id: id })._unsafeUnwrap().restoreId).toBe(
        Number(id),
      );
    }
    for (const id of [0, "0", "00", Number.MAX_SAFE_INTEGER + 1, "9007199254740992", ""]) {
      expect(issuesOf({ Action: "StopManual", Id: id }).issues).toEqual([
        {
          path: "Id",
          message: "Id must be a positive integer (a JSON number or a string of digits)",
        },
      ]);
    }
  });
});
