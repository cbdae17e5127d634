import fc from "fast-check";
import type { Result } from "neverthrow";
import { describe, expect, it } from "vitest";
import {
  errorStatus,
  LIMITS,
  parseAgentPatch,
  parseCreateRestore,
  parseUpdateRestore,
  type RestoreError,
} from "../../src/index.js";
import { fixtureJson } from "./read-fixture.js";

/**
 * What a store cannot hold must be refused where it comes in: a 400
 * `invalid_request` whose issue names the field, never an error later in a
 * database.
 */

const TIME_MESSAGE =
  "must be an ISO 8601 date-time with a time zone, between the years 0001 and 9999, e.g. 2014-10-20T13:11:58Z";

function refused(result: Result<unknown, RestoreError>) {
  if (result.isOk()) throw new Error("expected invalid_request");
  expect(errorStatus(result.error)).toBe(400);
  if (result.error.code !== "invalid_request") throw new Error(result.error.code);
  return result.error;
}

const config = {
  BackupId: 133599,
  BackupMachineId: 156953,
  DestinationMachineId: 156751,
  DestinationPath: "C:\\FolderPathForRestore\\",
};

const PARSERS = [
  { name: "parseCreateRestore", parse: (body: object) => parseCreateRestore(body) },
  {
    name: "parseUpdateRestore",
    parse: (body: object) => parseUpdateRestore({ RestoreId: 14387, ...body }),
  },
] as const;

describe.each(PARSERS)("$name", ({ parse }) => {
  it.each([
    ["an over-long", "x".repeat(LIMITS.destinationPath + 1), "must be at most 4096 characters"],
    ["a NUL in the", "C:\\a\u0000b", "must not contain a NUL character (\\u0000)"],
    [
      "a lone high surrogate in the",
      "C:\\\uD83D",
      "must be valid Unicode (it holds an unpaired surrogate)",
    ],
    [
      "a lone low surrogate in the",
      "\uDE00C:\\",
      "must be valid Unicode (it holds an unpaired surrogate)",
    ],
  ])("refuses %s DestinationPath, naming it", (_what, path, problem) => {
    const error = refused(parse({ ...config, DestinationPath: path }));
    expect(error.issues).toEqual([
      { path: "DestinationPath", message: `DestinationPath ${problem}` },
    ]);
    expect(error.message).toContain(`DestinationPath ${problem}`);
  });

  it("holds a DestinationPath of exactly LIMITS.destinationPath characters, and astral ones", () => {
    const longest = `/${"x".repeat(LIMITS.destinationPath - 1)}`;
    expect(parse({ ...config, DestinationPath: longest })._unsafeUnwrap().destinationPath).toBe(
      longest,
    );
    expect(parse({ ...config, DestinationPath: "/😀/ü" })._unsafeUnwrap().destinationPath).toBe(
      "/😀/ü",
    );
  });

  it("keeps any storable, non-blank DestinationPath as sent", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme", minLength: 1, maxLength: 60 }), (path) => {
        fc.pre(path.trim().length > 0 && !path.includes("\u0000"));
        expect(parse({ ...config, DestinationPath: path })._unsafeUnwrap().destinationPath).toBe(
          path,
        );
      }),
    );
  });

  it("refuses a blank or missing DestinationPath, or one that is not a string, as not a non-empty string", () => {
    for (const path of ["", " ", "\t\n", 5, null, undefined]) {
      expect(refused(parse({ ...config, DestinationPath: path })).issues).toEqual([
        { path: "DestinationPath", message: "DestinationPath must be a non-empty string" },
      ]);
    }
  });

  it.each([
    ["an over-long", "x".repeat(LIMITS.catalogText + 1), "must be at most 256 characters"],
    ["a NUL in the", "D\u0000FW", "must not contain a NUL character (\\u0000)"],
    [
      "an unpaired surrogate in the",
      "DFW\uD800",
      "must be valid Unicode (it holds an unpaired surrogate)",
    ],
  ])(
    "refuses %s BackupDataCenter though it ignores it, naming it",
    (_what, dataCenter, problem) => {
      expect(refused(parse({ ...config, BackupDataCenter: dataCenter })).issues).toEqual([
        { path: "BackupDataCenter", message: `BackupDataCenter ${problem}` },
      ]);
    },
  );

  it("accepts a BackupDataCenter of LIMITS.catalogText characters, null or absent, and ignores it", () => {
    const expected = parse(config)._unsafeUnwrap();
    for (const dataCenter of ["x".repeat(LIMITS.catalogText), "", " ", null, undefined]) {
      expect(parse({ ...config, BackupDataCenter: dataCenter })._unsafeUnwrap()).toStrictEqual(
        expected,
      );
    }
  });

  it("says a BackupDataCenter must be a string (blank is fine: it is not non-empty)", () => {
    expect(refused(parse({ ...config, BackupDataCenter: 5 })).issues).toEqual([
      { path: "BackupDataCenter", message: "BackupDataCenter must be a string" },
    ]);
  });

  it("lists each unstorable field together with the other problems", () => {
    const error = refused(
      parse({
        ...config,
        BackupId: 0,
        DestinationPath: "\u0000",
        BackupDataCenter: "\uDC00",
        OverwriteFiles: "no",
      }),
    );
    expect(error.issues.map((issue) => issue.path)).toEqual([
      "BackupId",
      "DestinationPath",
      "OverwriteFiles",
      "BackupDataCenter",
    ]);
  });
});

describe("parseAgentPatch refuses times a store cannot hold", () => {
  it.each([
    ["year 0", "0000-06-01T00:00:00Z"],
    ["year 0, just before 0001", "0000-12-31T23:59:59.999Z"],
    ["year 10000", "10000-01-01T00:00:00Z"],
    ["an extended year", "+010000-01-01T00:00:00Z"],
    ["a negative year", "-000001-01-01T00:00:00Z"],
    ["0001 pulled before the range by its offset", "0001-01-01T00:30:00+01:00"],
    ["9999 pushed past the range by its offset", "9999-12-31T23:30:00-01:00"],
    ["31 February", "2014-02-31T00:00:00Z"],
    ["29 February of a common year", "2014-02-29T00:00:00Z"],
    ["29 February 1900", "1900-02-29T00:00:00Z"],
    ["31 April", "2014-04-31T00:00:00Z"],
    ["month 0", "2014-00-10T00:00:00Z"],
    ["month 13", "2014-13-10T00:00:00Z"],
    ["day 0", "2014-10-00T00:00:00Z"],
    ["24:00", "2014-10-20T24:00:00Z"],
    ["minute 60", "2014-10-20T13:60:00Z"],
    ["a leap second", "2016-12-31T23:59:60Z"],
    ["an offset hour of 24", "2014-10-20T13:11:58+24:00"],
    ["an offset minute of 60", "2014-10-20T13:11:58+01:60"],
    ["no zone", "2014-10-20T13:11:58"],
    ["no time", "2014-10-20"],
    ["a space for T", "2014-10-20 13:11:58Z"],
    ["junk after", "2014-10-20T13:11:58Zjunk"],
    ["junk before", "on 2014-10-20T13:11:58Z"],
    ["an empty text", ""],
  ])("%s: %s", (_what, time) => {
    for (const path of ["/started_time", "/ended_time"]) {
      const error = refused(parseAgentPatch([{ op: "add", path, value: time }]));
      expect(error.issues).toEqual([{ path: "0.value", message: TIME_MESSAGE }]);
    }
  });

  it("reads the first and last instants a store can hold", () => {
    const report = parseAgentPatch([
      { op: "add", path: "/started_time", value: "0001-01-01T00:00:00Z" },
      { op: "add", path: "/ended_time", value: "9999-12-31T23:59:59.999999Z" },
    ])._unsafeUnwrap().report;
    expect(report).toStrictEqual({
      startedTime: "0001-01-01T00:00:00.000Z",
      endedTime: "9999-12-31T23:59:59.999Z",
    });
  });

  it("names which operation holds the unstorable time", () => {
    const error = refused(
      parseAgentPatch([
        { op: "add", path: "/started_time", value: "2014-10-20T13:11:58Z" },
        { op: "add", path: "/ended_time", value: "2014-02-31T13:11:58Z" },
      ]),
    );
    expect(error.issues).toEqual([{ path: "1.value", message: TIME_MESSAGE }]);
    expect(error.message).toContain(TIME_MESSAGE);
  });

  it("refuses an unstorable /errors text with the field's path (see agent-errors.test.ts)", () => {
    const error = refused(
      parseAgentPatch([
        { op: "replace", path: "/state", value: "failed" },
        { op: "add", path: "/errors", value: { diagnostics: "\u0000" } },
      ]),
    );
    expect(error.issues).toEqual([
      {
        path: "1.value.diagnostics",
        message: "diagnostics must not contain a NUL character (\\u0000)",
      },
    ]);
  });
});

describe("the seed's bodies", () => {
  it("still parse as before", () => {
    expect(
      parseCreateRestore(fixtureJson("v1-create-restore-request.json"))._unsafeUnwrap(),
    ).toStrictEqual({
      backupId: 133599,
      backupMachineId: 156953,
      destinationMachineId: 156751,
      destinationPath: "C:\\FolderPathForRestore\\",
      overwriteFiles: false,
    });
    expect(
      parseUpdateRestore(fixtureJson("v1-update-restore-request.json"))._unsafeUnwrap(),
    ).toStrictEqual({
      restoreId: 14387,
      backupId: 133599,
      backupMachineId: 156953,
      destinationMachineId: 156953,
      destinationPath: "C:\\RestoredPath",
      overwriteFiles: true,
    });
    const patch = parseAgentPatch(fixtureJson("v2-update-restore-patch.json"))._unsafeUnwrap();
    expect(patch).toStrictEqual({
      state: "CompletedWithErrors",
      report: {
        startedTime: "2014-10-20T13:11:58.985Z",
        endedTime: "2014-10-20T13:12:58.985Z",
        errors: {
          count: 1,
          reason: "unable_to_process_some_files",
          diagnostics: "Some files may not have been restored.",
          list: [
            {
              index: 3,
              path: "/usr/bin/h2xs",
              type: "phx_exception",
              exception: {
                code: 9016,
                description: "WRITE failed (3042): No space left on device",
                details:
                  "1: [virtual void phx::LinuxFs::Write(boost::shared_ptr<phx::AbstractFileRef>, phx::BinaryStream&, phx::file_size_t): 290-virtual void phx::LinuxFs::Write(boost::shared_ptr<phx::AbstractFileRef>, phx::BinaryStream&, phx::file_size_t)] Ex Code(9016): WRITE failed (3042): No space left on device",
              },
            },
          ],
        },
        filesRestored: 2,
        bytesRestored: 1512,
      },
    });
  });
});
