import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  formatByteSize,
  formatDuration,
  type Restore,
  restoreReportSchema,
  toRestoreReport,
} from "../../src/index.js";
import { fixtureJson } from "./read-fixture.js";
import { restoreArb } from "./restore-arbitrary.js";
import { noProgress, referenceRestore } from "./support-reference-restore.js";

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
