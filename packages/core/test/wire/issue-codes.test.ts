import { describe, expect, it } from "vitest";
import type { z } from "zod";
import {
  actionRequestSchema,
  agentPatchSchema,
  createRestoreSchema,
  positiveIdSchema,
  publicKeySchema,
  restoreDetailsSchema,
  v1DateSchema,
} from "../../src/index.js";
import { fixtureJson } from "./read-fixture.js";

/**
 * The exported schemas are for clients too (restoreDetailsSchema reads our
 * own responses). A rule of ours that zod does not know, such as "a known
 * state id" or "storable text", is reported as a zod `custom` issue, with its
 * path and message, so a client can tell it from zod's own type checks.
 */
function issues(schema: z.ZodType, input: unknown) {
  const parsed = schema.safeParse(input);
  if (parsed.success) throw new Error("expected a failure");
  return parsed.error.issues.map((issue) => ({
    code: issue.code,
    path: issue.path.join("."),
    message: issue.message,
  }));
}

describe("our own rules are custom issues", () => {
  it("in actionRequestSchema: no password for StopManual", () => {
    expect(
      issues(actionRequestSchema, { Action: "StopManual", Id: 1, EncryptedPassword: "AB" }),
    ).toEqual([
      {
        code: "custom",
        path: "EncryptedPassword",
        message: "EncryptedPassword must be null or absent for StopManual",
      },
    ]);
  });

  it("in positiveIdSchema: a number or digits that are not a positive safe integer", () => {
    for (const id of [0, "0", -3, 1.5, "9007199254740992"]) {
      expect(issues(positiveIdSchema("Id"), id)).toEqual([
        {
          code: "custom",
          path: "",
          message: "Id must be a positive integer (a JSON number or a string of digits)",
        },
      ]);
    }
  });

  it("in agentPatchSchema: an unknown path, an unknown state, a bad time, and a bad value", () => {
    expect(
      issues(agentPatchSchema, [
        { op: "add", path: "/colour", value: 1 },
        { op: "add", path: "/state", value: "done" },
        { op: "add", path: "/started_time", value: "2014-02-31T00:00:00Z" },
        { op: "add", path: "/files_restored", value: -1 },
        { op: "add", path: "/errors", value: { reason: "\u0000" } },
      ]).map(({ code, path }) => ({ code, path })),
    ).toEqual([
      { code: "custom", path: "0.path" },
      { code: "custom", path: "1.value" },
      { code: "custom", path: "2.value" },
      { code: "custom", path: "3.value" },
      { code: "custom", path: "4.value.reason" },
    ]);
  });

  it("in publicKeySchema: hex that is not hex", () => {
    expect(issues(publicKeySchema, { ModulusHex: "XYZ", ExponentHex: -1 })).toEqual([
      {
        code: "custom",
        path: "ModulusHex",
        message: "ModulusHex must be hex digits (whitespace is ignored)",
      },
      {
        code: "custom",
        path: "ExponentHex",
        message:
          "ExponentHex must be hex digits, sent as a JSON number or a string (10001 means 0x10001)",
      },
    ]);
  });

  it("in restoreDetailsSchema: an unknown state id", () => {
    const details = fixtureJson("v1-create-restore-response.json") as Record<string, unknown>;
    expect(issues(restoreDetailsSchema, { ...details, RestoreStateId: 10 })).toEqual([
      {
        code: "custom",
        path: "RestoreStateId",
        message: "RestoreStateId must be a known restore state id",
      },
    ]);
  });

  it("in createRestoreSchema: text a store cannot hold", () => {
    expect(
      issues(createRestoreSchema, {
        BackupId: 1,
        BackupMachineId: 2,
        DestinationMachineId: 3,
        DestinationPath: "a\u0000",
      }),
    ).toEqual([
      {
        code: "custom",
        path: "DestinationPath",
        message: "DestinationPath must not contain a NUL character (\\u0000)",
      },
    ]);
  });

  it("in v1DateSchema: a text that is not a v1 date", () => {
    expect(issues(v1DateSchema("When"), "/Date(x)/")).toEqual([
      {
        code: "custom",
        path: "",
        message:
          "When must be a date in the form /Date(<milliseconds since the epoch>)/ between the years 0001 and 9999",
      },
    ]);
  });
});
