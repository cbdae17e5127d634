import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseCreateRestore, parseUpdateRestore } from "../../src/index.js";
import { fixtureJson } from "./read-fixture.js";

const validCreate = {
  BackupId: 133599,
  BackupMachineId: 156953,
  DestinationMachineId: 156751,
  DestinationPath: "C:\\FolderPathForRestore\\",
};

function invalidRequest(result: ReturnType<typeof parseCreateRestore>) {
  if (result.isOk()) throw new Error("expected invalid_request");
  if (result.error.code !== "invalid_request") throw new Error(result.error.code);
  return result.error;
}

describe("parseCreateRestore", () => {
  it("reads the create example, ignoring BackupDataCenter", () => {
    expect(
      parseCreateRestore(fixtureJson("v1-create-restore-request.json"))._unsafeUnwrap(),
    ).toEqual({
      backupId: 133599,
      backupMachineId: 156953,
      destinationMachineId: 156751,
      destinationPath: "C:\\FolderPathForRestore\\",
      overwriteFiles: false,
    });
  });

  it("defaults OverwriteFiles to false", () => {
    expect(parseCreateRestore(validCreate)._unsafeUnwrap().overwriteFiles).toBe(false);
    expect(
      parseCreateRestore({ ...validCreate, OverwriteFiles: true })._unsafeUnwrap().overwriteFiles,
    ).toBe(true);
  });

  it("reads every id as a JSON number or a string of digits", () => {
    fc.assert(
      fc.property(
        fc.tuple(
          fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
          fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
          fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
        ),
        fc.tuple(fc.boolean(), fc.boolean(), fc.boolean()),
        ([b, m, d], [sb, sm, sd]) => {
          const input = parseCreateRestore({
            ...validCreate,
            BackupId: sb ? String(b) : b,
            BackupMachineId: sm ? String(m) : m,
            DestinationMachineId: sd ? String(d) : d,
          })._unsafeUnwrap();
          expect([input.backupId, input.backupMachineId, input.destinationMachineId]).toEqual([
            b,
            m,
            d,
          ]);
        },
      ),
    );
  });

  it("lists every problem with its field", () => {
    const error = invalidRequest(
      parseCreateRestore({
        BackupId: "x",
        DestinationMachineId: -3,
        DestinationPath: "  ",
        OverwriteFiles: "yes",
      }),
    );
    expect(error.issues.map((i) => i.path).sort()).toEqual([
      "BackupId",
      "BackupMachineId",
      "DestinationMachineId",
      "DestinationPath",
      "OverwriteFiles",
    ]);
    expect(error.message).toContain("BackupMachineId must be a positive integer");
    expect(error.message).toContain("DestinationPath must be a non-empty string");
  });

  it("rejects a body that is not an object", () => {
    expect(invalidRequest(parseCreateRestore([validCreate])).issues).toEqual([
      { path: "", message: "the body must be a JSON object" },
    ]);
  });
});

describe("parseUpdateRestore", () => {
  it("reads the update example, accepting and ignoring RestoreStateId and BackupConfigurationId", () => {
    expect(
      parseUpdateRestore(fixtureJson("v1-update-restore-request.json"))._unsafeUnwrap(),
    ).toEqual({
      restoreId: 14387,
      backupId: 133599,
      backupMachineId: 156953,
      destinationMachineId: 156953,
      destinationPath: "C:\\RestoredPath",
      overwriteFiles: true,
    });
  });

  it("ignores RestoreStateId whatever it holds", () => {
    fc.assert(
      fc.property(fc.anything(), fc.anything(), (stateId, configurationId) => {
        const result = parseUpdateRestore({
          ...validCreate,
          RestoreId: 9,
          RestoreStateId: stateId,
          BackupConfigurationId: configurationId,
        });
        expect(result._unsafeUnwrap()).toEqual(
          parseUpdateRestore({ ...validCreate, RestoreId: 9 })._unsafeUnwrap(),
        );
      }),
    );
  });

  it("needs a RestoreId", () => {
    expect(invalidRequest(parseUpdateRestore(validCreate)).issues).toEqual([
      {
        path: "RestoreId",
        message: expect.stringContaining("RestoreId must be a positive integer"),
      },
    ]);
  });
});

describe("restore configuration bodies, messages", () => {
  it("says what each field must be, naming it", () => {
    const positive = "must be a positive integer (a JSON number or a string of digits)";
    expect(
      invalidRequest(
        parseUpdateRestore({
          RestoreId: "x",
          BackupId: 0,
          BackupMachineId: 1.5,
          DestinationMachineId: "-1",
          DestinationPath: 7,
          OverwriteFiles: 1,
          BackupDataCenter: 2,
        }),
      ).issues,
    ).toEqual([
      { path: "RestoreId", message: `RestoreId ${positive}` },
      { path: "BackupId", message: `BackupId ${positive}` },
      { path: "BackupMachineId", message: `BackupMachineId ${positive}` },
      { path: "DestinationMachineId", message: `DestinationMachineId ${positive}` },
      { path: "DestinationPath", message: "DestinationPath must be a non-empty string" },
      { path: "OverwriteFiles", message: "OverwriteFiles must be true or false" },
      { path: "BackupDataCenter", message: "BackupDataCenter must be a string" },
    ]);
  });

  it("says an update body must be an object", () => {
    for (const body of [null, [], "body", 1]) {
      expect(invalidRequest(parseUpdateRestore(body)).issues).toEqual([
        { path: "", message: "the body must be a JSON object" },
      ]);
      expect(invalidRequest(parseCreateRestore(body)).issues).toEqual([
        { path: "", message: "the body must be a JSON object" },
      ]);
    }
  });

  it("reads every field of an update into its own place", () => {
    expect(
      parseUpdateRestore({
        RestoreId: 1,
        BackupId: "2",
        BackupMachineId: 3,
        DestinationMachineId: "4",
        DestinationPath: " /five ",
        OverwriteFiles: false,
        BackupDataCenter: null,
      })._unsafeUnwrap(),
    ).toStrictEqual({
      restoreId: 1,
      backupId: 2,
      backupMachineId: 3,
      destinationMachineId: 4,
      destinationPath: " /five ",
      overwriteFiles: false,
    });
    expect(
      parseUpdateRestore({ ...validCreate, RestoreId: 9, OverwriteFiles: true })._unsafeUnwrap(),
    ).toStrictEqual({
      restoreId: 9,
      backupId: 133599,
      backupMachineId: 156953,
      destinationMachineId: 156751,
      destinationPath: "C:\\FolderPathForRestore\\",
      overwriteFiles: true,
    });
  });
});
