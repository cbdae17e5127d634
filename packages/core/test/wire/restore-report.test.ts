import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  formatByteSize,
  formatDuration,
  RESTORE_STATE_NAMES,
  type Restore,
  restoreReportSchema,
  toRestoreReport,
} from "../../src/index.js";
import { distinctRestore } from "../support/distinct-restore.js";
import { noProgress, referenceRestore } from "../support/reference-restore.js";
import { fixtureJson } from "./read-fixture.js";
import { restoreArb } from "./restore-arbitrary.js";

const report = fixtureJson("v1-restore-report-response.json") as Record<string, unknown>;

const finished: Restore = {
  ...referenceRestore,
  state: "CompletedWithErrors",
  version: 6,
  progress: {
    startedTime: "2013-01-03T15:22:01.000Z",
    endedTime: "2013-01-03T15:22:15.000Z",
    filesRestored: 35,
    bytesRestored: 18 * 1024 * 1024 + 300_000,
    totalBytes: null,
    bytesRemaining: null,
    errors: {
      count: 1,
      reason: "unable_to_process_some_files",
      diagnostics: "Some files may not have been restored",
      list: [],
    },
  },
};

describe("toRestoreReport", () => {
  it("writes exactly what the API's report example shows for the same restore", () => {
    expect(toRestoreReport(finished)).toEqual(report);
    expect(Object.keys(toRestoreReport(finished))).toEqual(Object.keys(report));
  });

  it("writes error items with PascalCase keys", () => {
    const withItems: Restore = {
      ...finished,
      progress: {
        ...finished.progress,
        errors: {
          count: 2,
          reason: "unable_to_process_some_files",
          diagnostics: null,
          list: [
            {
              index: 3,
              path: "/usr/bin/h2xs",
              type: "phx_exception",
              exception: { code: 9016, description: "WRITE failed", details: null },
            },
            { index: null, path: null, type: null, exception: null },
          ],
        },
      },
    };
    expect(toRestoreReport(withItems).ErrorList).toEqual([
      {
        Index: 3,
        Path: "/usr/bin/h2xs",
        Type: "phx_exception",
        Exception: { Code: 9016, Description: "WRITE failed", Details: null },
      },
      { Index: null, Path: null, Type: null, Exception: null },
    ]);
  });

  it("shows what the agent never reported as null times and zero counts", () => {
    const blank: Restore = {
      ...finished,
      state: "Stopped",
      progress: noProgress,
    };
    expect(toRestoreReport(blank)).toMatchObject({
      StartTime: null,
      CompletedTime: null,
      Duration: null,
      NumFilesRestored: "0",
      NumBytesRestored: "0 B",
      NumErrors: "0",
      Reason: null,
      Diagnostics: null,
      ErrorList: [],
      State: "Stopped",
    });
  });

  it("is read back unchanged by restoreReportSchema after a trip through JSON", () => {
    fc.assert(
      fc.property(restoreArb, (restore) => {
        const written = toRestoreReport(restore);
        const parsed = restoreReportSchema.safeParse(JSON.parse(JSON.stringify(written)));
        expect(parsed.success && parsed.data).toEqual(written);
      }),
    );
  });
});

describe("restoreReportSchema", () => {
  it("reads the report example of the reference", () => {
    const parsed = restoreReportSchema.parse(report);
    expect(parsed.State).toBe("CompletedWithErrors");
    expect(parsed.StartTime).toBe("/Date(1357226521000)/");
  });

  it("rejects counts that are not strings of digits and an unknown state", () => {
    const parsed = restoreReportSchema.safeParse({ ...report, NumErrors: 1, State: "Done" });
    expect(parsed.error?.issues.map((i) => i.path.join("."))).toEqual(["State", "NumErrors"]);
  });
});

describe("formatByteSize", () => {
  it.each([
    [0, "0 B"],
    [1023, "1023 B"],
    [1024, "1 KB"],
    [1512, "1 KB"],
    [1536, "2 KB"],
    [1024 * 1024 - 1, "1 MB"],
    [18 * 1024 * 1024, "18 MB"],
    [5 * 1024 ** 3, "5 GB"],
    [2048 * 1024 ** 4, "2048 TB"],
    [-5, "0 B"],
  ])("%i bytes is %s", (bytes, text) => {
    expect(formatByteSize(bytes)).toBe(text);
  });

  it("shows a whole number below 1024 in the largest unit that allows it (TB has no limit)", () => {
    fc.assert(
      fc.property(fc.nat({ max: Number.MAX_SAFE_INTEGER }), (bytes) => {
        const match = /^(\d+) (B|KB|MB|GB|TB)$/.exec(formatByteSize(bytes));
        expect(match).not.toBeNull();
        const [, digits = "", unit = ""] = match ?? [];
        const power = ["B", "KB", "MB", "GB", "TB"].indexOf(unit);
        const shown = Number(digits);
        if (unit !== "TB") expect(shown).toBeLessThan(1024);
        expect(Math.abs(shown * 1024 ** power - bytes)).toBeLessThanOrEqual(1024 ** power / 2);
        if (unit !== "B") expect(shown).toBeGreaterThanOrEqual(1);
      }),
    );
  });
});

describe("formatDuration", () => {
  it("writes hh:mm:ss from whole seconds", () => {
    expect(formatDuration("2013-01-03T15:22:01Z", "2013-01-03T15:22:15.900Z")).toBe("00:00:14");
    expect(formatDuration("2013-01-03T00:00:00Z", "2013-01-08T01:02:03Z")).toBe("121:02:03");
    expect(formatDuration(null, "2013-01-03T00:00:00Z")).toBeNull();
    expect(formatDuration("2013-01-03T00:00:01Z", "2013-01-03T00:00:00Z")).toBeNull();
  });
});

/** The restore whose every field differs from every other, finished with errors. */
const distinct: Restore = {
  ...distinctRestore,
  state: "CompletedWithErrors",
  config: { ...distinctRestore.config, overwriteFiles: true },
  progress: {
    ...distinctRestore.progress,
    errors: {
      count: 4,
      reason: "some_files_were_locked",
      diagnostics: "Locked files were skipped.",
      list: [
        {
          index: 7,
          path: "/var/lib/db",
          type: "lock_exception",
          exception: { code: 9016, description: "file is locked", details: "held by pid 42" },
        },
        { index: 8, path: "/var/run/pid", type: "io_exception", exception: null },
      ],
    },
  },
};

const DISTINCT_REPORT = {
  BackupConfigurationId: 505,
  BackupConfigurationName: "Nightly configuration",
  BackupReportId: 202,
  RestorePoint: "/Date(1582979696789)/",
  StartTime: "/Date(1583056800000)/",
  CompletedTime: "/Date(1583060523500)/",
  Duration: "01:02:03",
  OriginatingComputerName: "source-machine",
  State: "CompletedWithErrors",
  NumFilesRestored: "17",
  NumBytesRestored: "5 GB",
  RestoreDestination: "destination-machine",
  RestoreDestinationMachineId: 404,
  NumErrors: "4",
  Reason: "SomeFilesWereLocked",
  Diagnostics: "Locked files were skipped.",
  ErrorList: [
    {
      Index: 7,
      Path: "/var/lib/db",
      Type: "lock_exception",
      Exception: { Code: 9016, Description: "file is locked", Details: "held by pid 42" },
    },
    { Index: 8, Path: "/var/run/pid", Type: "io_exception", Exception: null },
  ],
} as const;

function withProgress(progress: Partial<Restore["progress"]>): Restore {
  return { ...distinct, progress: { ...distinct.progress, ...progress } };
}

describe("toRestoreReport, field by field", () => {
  it("writes each field of a restore whose fields all differ in its own place", () => {
    expect(toRestoreReport(distinct)).toStrictEqual(DISTINCT_REPORT);
  });

  it("writes a restore the agent reported nothing about with null times and zero counts", () => {
    expect(toRestoreReport({ ...distinct, state: "Stopped", progress: noProgress })).toStrictEqual({
      ...DISTINCT_REPORT,
      State: "Stopped",
      StartTime: null,
      CompletedTime: null,
      Duration: null,
      NumFilesRestored: "0",
      NumBytesRestored: "0 B",
      NumErrors: "0",
      Reason: null,
      Diagnostics: null,
      ErrorList: [],
    });
  });

  it("writes a start without an end, and an end without a start, with no duration", () => {
    expect(toRestoreReport(withProgress({ endedTime: null }))).toStrictEqual({
      ...DISTINCT_REPORT,
      CompletedTime: null,
      Duration: null,
    });
    expect(toRestoreReport(withProgress({ startedTime: null }))).toStrictEqual({
      ...DISTINCT_REPORT,
      StartTime: null,
      Duration: null,
    });
  });

  it("writes a zero-length restore's duration as 00:00:00", () => {
    const instant = "2020-03-01T10:00:00.000Z";
    expect(
      toRestoreReport(withProgress({ startedTime: instant, endedTime: instant })),
    ).toStrictEqual({
      ...DISTINCT_REPORT,
      StartTime: "/Date(1583056800000)/",
      CompletedTime: "/Date(1583056800000)/",
      Duration: "00:00:00",
    });
  });

  it("writes errors with a null reason, null diagnostics and an empty list as null and []", () => {
    expect(
      toRestoreReport(
        withProgress({ errors: { count: 3, reason: null, diagnostics: null, list: [] } }),
      ),
    ).toStrictEqual({
      ...DISTINCT_REPORT,
      NumErrors: "3",
      Reason: null,
      Diagnostics: null,
      ErrorList: [],
    });
  });

  it("writes an error item whose every field is null, and an exception whose every field is null", () => {
    const list = [
      { index: null, path: null, type: null, exception: null },
      { index: 0, path: "", type: "", exception: { code: null, description: null, details: null } },
      { index: 1, path: "/a", type: "b", exception: { code: -2, description: "c", details: null } },
    ];
    expect(
      toRestoreReport(withProgress({ errors: { count: 0, reason: "x", diagnostics: "", list } }))
        .ErrorList,
    ).toStrictEqual([
      { Index: null, Path: null, Type: null, Exception: null },
      { Index: 0, Path: "", Type: "", Exception: { Code: null, Description: null, Details: null } },
      { Index: 1, Path: "/a", Type: "b", Exception: { Code: -2, Description: "c", Details: null } },
    ]);
  });

  it.each([
    ["unable_to_process_some_files", "UnableToProcessSomeFiles"],
    ["failed", "Failed"],
    ["x", "X"],
    ["already_PascalCase", "AlreadyPascalCase"],
    ["AlreadyPascal", "AlreadyPascal"],
    ["disk_full_2", "DiskFull2"],
    ["double__underscore", "DoubleUnderscore"],
    ["_leading", "Leading"],
    ["", ""],
  ])("writes the reason %j as %j", (reason, pascal) => {
    const written = toRestoreReport(
      withProgress({ errors: { count: 1, reason, diagnostics: null, list: [] } }),
    );
    expect(written.Reason).toBe(pascal);
    expect(written.NumErrors).toBe("1");
  });

  it("writes zero counts as 0, not as absent", () => {
    const written = toRestoreReport(
      withProgress({
        filesRestored: 0,
        bytesRestored: 0,
        errors: { count: 0, reason: null, diagnostics: null, list: [] },
      }),
    );
    expect([written.NumFilesRestored, written.NumBytesRestored, written.NumErrors]).toEqual([
      "0",
      "0 B",
      "0",
    ]);
  });

  it("writes every state by its v1 name", () => {
    for (const state of RESTORE_STATE_NAMES) {
      expect(toRestoreReport({ ...distinct, state }).State).toBe(state);
    }
  });
});

describe("restoreReportSchema, field by field", () => {
  const parse = (body: unknown) => restoreReportSchema.safeParse(body);
  const issuesOf = (body: unknown) =>
    parse(body).error?.issues.map((i) => [i.path.join("."), i.message]);

  it("reads the distinct report to itself, in canonical form", () => {
    expect(parse(DISTINCT_REPORT).data).toStrictEqual(DISTINCT_REPORT);
    expect(
      parse({
        ...DISTINCT_REPORT,
        BackupConfigurationId: "505",
        BackupReportId: "202",
        RestoreDestinationMachineId: "404",
        RestorePoint: "\\/Date(1582979696789)\\/",
        StartTime: "/Date(1583056800000+0100)/",
        CompletedTime: "\\/Date(1583060523500-0500)\\/",
      }).data,
    ).toStrictEqual(DISTINCT_REPORT);
  });

  it("reads null times, duration, reason and diagnostics, and an empty error list", () => {
    const blank = {
      ...DISTINCT_REPORT,
      StartTime: null,
      CompletedTime: null,
      Duration: null,
      Reason: null,
      Diagnostics: null,
      ErrorList: [],
    };
    expect(parse(blank).data).toStrictEqual(blank);
  });

  it.each([["00:00:00"], ["99:59:59"], ["121:02:03"], ["123456:00:00"], ["01:30:05"]])(
    "reads the duration %s",
    (duration) => {
      expect(parse({ ...DISTINCT_REPORT, Duration: duration }).data?.Duration).toBe(duration);
    },
  );

  it.each([
    ["0:00:00"],
    ["00:0:00"],
    ["00:00:0"],
    ["00:60:00"],
    ["00:00:60"],
    ["00:00"],
    ["00-00-00"],
    ["x00:00:00"],
    ["00:00:00x"],
    [" 00:00:00"],
    ["00:00:00 "],
    ["00:00:00\n"],
    ["aa:00:00"],
    ["00:aa:00"],
    ["00:00:aa"],
    [""],
  ])("refuses the duration %j", (duration) => {
    expect(issuesOf({ ...DISTINCT_REPORT, Duration: duration })).toEqual([
      ["Duration", "Duration must be hh:mm:ss or null"],
    ]);
  });

  it("says a duration that is not text must be hh:mm:ss or null", () => {
    expect(issuesOf({ ...DISTINCT_REPORT, Duration: 14 })).toEqual([
      ["Duration", "Duration must be hh:mm:ss or null"],
    ]);
  });

  it.each([["0 B"], ["1023 B"], ["1 KB"], ["18 MB"], ["5 GB"], ["2048 TB"]])(
    "reads the size %s",
    (size) => {
      expect(parse({ ...DISTINCT_REPORT, NumBytesRestored: size }).data?.NumBytesRestored).toBe(
        size,
      );
    },
  );

  it.each([
    ["18MB"],
    ["18 mb"],
    ["18 PB"],
    ["18 M"],
    ["18  MB"],
    [" MB"],
    ["x18 MB"],
    ["18 MBx"],
    ["18 MB "],
    [" 18 MB"],
    ["18 BB"],
    ["18 KBB"],
    ["1.5 MB"],
    ["-1 B"],
    ["18"],
    [""],
  ])("refuses the size %j", (size) => {
    expect(issuesOf({ ...DISTINCT_REPORT, NumBytesRestored: size })).toEqual([
      ["NumBytesRestored", "NumBytesRestored must be a size such as 18 MB"],
    ]);
  });

  it("refuses any junk before or after a valid count, size or duration", () => {
    // Digits alone before a count, a size or a duration make another valid one.
    const junk = fc.string({ minLength: 1, maxLength: 6 }).filter((s) => !/^[0-9]+$/.test(s));
    fc.assert(
      fc.property(
        fc.constantFrom("NumFilesRestored", "NumErrors", "NumBytesRestored", "Duration"),
        junk,
        fc.boolean(),
        (field, extra, before) => {
          const valid = DISTINCT_REPORT[field as keyof typeof DISTINCT_REPORT] as string;
          const text = before ? `${extra}${valid}` : `${valid}${extra}`;
          expect(issuesOf({ ...DISTINCT_REPORT, [field]: text })?.map(([path]) => path)).toEqual([
            field,
          ]);
        },
      ),
    );
  });

  it.each([["0"], ["7"], ["0042"], ["9007199254740993"]])("reads the count %s", (digits) => {
    const parsed = parse({ ...DISTINCT_REPORT, NumFilesRestored: digits, NumErrors: digits }).data;
    expect([parsed?.NumFilesRestored, parsed?.NumErrors]).toEqual([digits, digits]);
  });

  it.each([[""], ["x1"], ["1x"], [" 1"], ["1 "], ["-1"], ["1.5"], ["1e3"], [7], [null]])(
    "refuses the count %j, naming the field",
    (digits) => {
      expect(issuesOf({ ...DISTINCT_REPORT, NumFilesRestored: digits, NumErrors: digits })).toEqual(
        [
          ["NumFilesRestored", "NumFilesRestored must be a string of digits"],
          ["NumErrors", "NumErrors must be a string of digits"],
        ],
      );
    },
  );

  it("says what each field must be, naming it", () => {
    const wrong = Object.fromEntries(Object.keys(DISTINCT_REPORT).map((key) => [key, {}]));
    const positive = "must be a positive integer (a JSON number or a string of digits)";
    const date =
      "must be a date in the form /Date(<milliseconds since the epoch>)/ between the years 0001 and 9999";
    expect(issuesOf(wrong)).toEqual([
      ["BackupConfigurationId", `BackupConfigurationId ${positive}`],
      ["BackupConfigurationName", "BackupConfigurationName must be a string"],
      ["BackupReportId", `BackupReportId ${positive}`],
      ["RestorePoint", `RestorePoint ${date}`],
      ["StartTime", `StartTime ${date}`],
      ["CompletedTime", `CompletedTime ${date}`],
      ["Duration", "Duration must be hh:mm:ss or null"],
      ["OriginatingComputerName", "OriginatingComputerName must be a string"],
      ["State", "State must be a restore state name"],
      ["NumFilesRestored", "NumFilesRestored must be a string of digits"],
      ["NumBytesRestored", "NumBytesRestored must be a size such as 18 MB"],
      ["RestoreDestination", "RestoreDestination must be a string"],
      ["RestoreDestinationMachineId", `RestoreDestinationMachineId ${positive}`],
      ["NumErrors", "NumErrors must be a string of digits"],
      ["Reason", "Reason must be a string or null"],
      ["Diagnostics", "Diagnostics must be a string or null"],
      ["ErrorList", "ErrorList must be an array"],
    ]);
    for (const body of [null, "report", []]) {
      expect(issuesOf(body)).toEqual([["", "the restore report must be a JSON object"]]);
    }
  });

  it("says what each part of an ErrorList entry must be", () => {
    expect(
      issuesOf({
        ...DISTINCT_REPORT,
        ErrorList: [
          "entry",
          { Index: "1", Path: 2, Type: 3, Exception: "boom" },
          {
            Index: null,
            Path: null,
            Type: null,
            Exception: { Code: "1", Description: 2, Details: 3 },
          },
        ],
      }),
    ).toEqual([
      ["ErrorList.0", "each ErrorList entry must be an object"],
      ["ErrorList.1.Index", "Index must be a number or null"],
      ["ErrorList.1.Path", "Path must be a string or null"],
      ["ErrorList.1.Type", "Type must be a string or null"],
      ["ErrorList.1.Exception", "Exception must be an object or null"],
      ["ErrorList.2.Exception.Code", "Code must be a number or null"],
      ["ErrorList.2.Exception.Description", "Description must be a string or null"],
      ["ErrorList.2.Exception.Details", "Details must be a string or null"],
    ]);
  });
});

describe("formatByteSize, edges", () => {
  it.each([
    [Number.NaN, "0 B"],
    [Number.POSITIVE_INFINITY, "0 B"],
    [Number.NEGATIVE_INFINITY, "0 B"],
    [-0, "0 B"],
    [0.4, "0 B"],
    [0.5, "1 B"],
    [1023.4, "1023 B"],
    [1023.5, "1 KB"],
    [1024 * 1024, "1 MB"],
    [1024 ** 4, "1 TB"],
    [1024 ** 5, "1024 TB"],
    [1024 ** 6, "1048576 TB"],
  ])("%d bytes is %s", (bytes, text) => {
    expect(formatByteSize(bytes)).toBe(text);
  });
});

describe("formatDuration, edges", () => {
  it.each([
    ["2013-01-03T15:22:01.000Z", "2013-01-03T15:22:01.000Z", "00:00:00"],
    ["2013-01-03T15:22:01.000Z", "2013-01-03T15:22:01.999Z", "00:00:00"],
    ["2013-01-03T15:22:01.000Z", "2013-01-03T15:22:02.000Z", "00:00:01"],
    ["2013-01-03T15:22:01.000Z", "2013-01-03T15:23:00.000Z", "00:00:59"],
    ["2013-01-03T15:22:01.000Z", "2013-01-03T15:23:01.000Z", "00:01:00"],
    ["2013-01-03T15:00:00.000Z", "2013-01-03T15:59:59.000Z", "00:59:59"],
    ["2013-01-03T15:00:00.000Z", "2013-01-03T16:00:00.000Z", "01:00:00"],
    ["2013-01-03T00:00:00.000Z", "2013-01-07T03:00:00.000Z", "99:00:00"],
    ["2013-01-03T00:00:00.000Z", "2013-01-07T04:00:00.000Z", "100:00:00"],
    ["0001-01-01T00:00:00.000Z", "9999-12-31T23:59:59.999Z", "87649415:59:59"],
  ])("from %s to %s is %s", (start, end, text) => {
    expect(formatDuration(start, end)).toBe(text);
  });

  it("is null when either end is unknown or unreadable, or the end is before the start", () => {
    expect(formatDuration("2013-01-03T00:00:00.000Z", null)).toBeNull();
    expect(formatDuration(null, null)).toBeNull();
    expect(formatDuration("not a time", "2013-01-03T00:00:00.000Z")).toBeNull();
    expect(formatDuration("2013-01-03T00:00:00.000Z", "not a time")).toBeNull();
    expect(formatDuration("2013-01-03T00:00:00.001Z", "2013-01-03T00:00:00.000Z")).toBeNull();
  });

  it("writes the whole seconds between any two ordered instants", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 4_102_444_800_000 }),
        fc.integer({ min: 0, max: 10 * 366 * 24 * 3600_000 }),
        (startMs, lengthMs) => {
          const text = formatDuration(
            new Date(startMs).toISOString(),
            new Date(startMs + lengthMs).toISOString(),
          );
          const match = /^(\d{2,}):([0-5]\d):([0-5]\d)$/.exec(text ?? "");
          expect(match).not.toBeNull();
          const [, h = "", m = "", s = ""] = match ?? [];
          expect(Number(h) * 3600 + Number(m) * 60 + Number(s)).toBe(Math.floor(lengthMs / 1000));
        },
      ),
    );
  });
});
