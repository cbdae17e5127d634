import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type AgentReport, parseAgentPatch, stateV2Name } from "../../src/index.js";
import { fixtureJson } from "./read-fixture.js";
import { reportableStateArb, timestampArb } from "./restore-arbitrary.js";

function issues(body: unknown) {
  const result = parseAgentPatch(body);
  if (result.isOk()) throw new Error("expected invalid_request");
  if (result.error.code !== "invalid_request") throw new Error(result.error.code);
  return result.error;
}

const op = fc.constantFrom("replace", "add");

describe("parseAgentPatch", () => {
  it("reads the v2 reference's example", () => {
    const expected: AgentReport = {
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
                details: expect.stringContaining("Ex Code(9016)") as unknown as string,
              },
            },
          ],
        },
        filesRestored: 2,
        bytesRestored: 1512,
      },
    };
    expect(parseAgentPatch(fixtureJson("v2-update-restore-patch.json"))._unsafeUnwrap()).toEqual(
      expected,
    );
  });

  it("reads an empty patch as a report that changes nothing", () => {
    expect(parseAgentPatch([])._unsafeUnwrap()).toEqual({ state: null, report: {} });
  });

  it("reads every reportable state by its v2 name, with either op", () => {
    fc.assert(
      fc.property(reportableStateArb, op, (state, o) => {
        const body = [{ op: o, path: "/state", value: stateV2Name(state) }];
        expect(parseAgentPatch(body)._unsafeUnwrap()).toEqual({ state, report: {} });
      }),
    );
  });

  it.each([["creating"], ["start_requested"]])(
    "refuses state %s: the agent cannot report it",
    (v2) => {
      const error = issues([{ op: "replace", path: "/state", value: v2 }]);
      expect(error.issues).toEqual([
        { path: "0.value", message: expect.stringContaining(`cannot report state ${v2}`) },
      ]);
    },
  );

  it("refuses unknown states, other ops and unknown paths, naming where", () => {
    const error = issues([
      { op: "replace", path: "/state", value: "Completed" },
      { op: "remove", path: "/state" },
      { op: "replace", path: "/colour", value: 1 },
      { op: "add", path: "/files_restored", value: -1 },
    ]);
    expect(error.issues.map((i) => i.path)).toEqual(["0.value", "1.op", "2.path", "3.value"]);
    expect(error.message).toContain("unknown path /colour");
  });

  it("says what a missing value must be", () => {
    const error = issues([{ op: "add", path: "/bytes_restored" }]);
    expect(error.issues).toEqual([{ path: "0.value", message: "must be a non-negative integer" }]);
  });

  it("does not echo an unknown path that does not look like one", () => {
    const secret = "/ABCDEF 0123456789 not a path";
    const error = issues([{ op: "add", path: secret, value: 1 }]);
    expect(error.message).not.toContain(secret);
    expect(error.message).toContain("unknown path");
  });

  it.each([[{ op: "replace", path: "/state", value: "queued" }], [null], ["[]"]])(
    "refuses a body that is not an array: %j",
    (body) => {
      expect(issues(body).issues).toEqual([
        { path: "", message: "the body must be a JSON array of patch operations" },
      ]);
    },
  );

  it("accepts both spellings of each path and normalises times to ISO in UTC", () => {
    const spellings = {
      startedTime: ["/started_time", "/started-time"],
      endedTime: ["/ended_time", "/ended-time"],
      filesRestored: ["/files_restored", "/files_restores", "/files-restored"],
      bytesRestored: ["/bytes_restored", "/bytes-restored"],
    } as const;
    fc.assert(
      fc.property(
        fc.constantFrom(...spellings.startedTime),
        fc.constantFrom(...spellings.endedTime),
        fc.constantFrom(...spellings.filesRestored),
        fc.constantFrom(...spellings.bytesRestored),
        timestampArb,
        timestampArb,
        fc.nat({ max: Number.MAX_SAFE_INTEGER }),
        fc.nat({ max: Number.MAX_SAFE_INTEGER }),
        op,
        (startedPath, endedPath, filesPath, bytesPath, started, ended, files, bytes, o) => {
          // The same instant with an offset instead of Z.
          const offsetEnded = new Date(Date.parse(ended) + 2 * 3600_000)
            .toISOString()
            .replace("Z", "+02:00");
          const body = [
            { op: o, path: startedPath, value: started },
            { op: o, path: endedPath, value: offsetEnded },
            { op: o, path: filesPath, value: files },
            { op: o, path: bytesPath, value: bytes },
          ];
          expect(parseAgentPatch(body)._unsafeUnwrap()).toEqual({
            state: null,
            report: {
              startedTime: started,
              endedTime: ended,
              filesRestored: files,
              bytesRestored: bytes,
            },
          });
        },
      ),
    );
  });

  it.each([
    ["/bytes_completed", "bytesRestored"],
    ["/bytes-completed", "bytesRestored"],
    ["/bytes_remaining", "bytesRemaining"],
    ["/bytes-remaining", "bytesRemaining"],
    ["/total_bytes", "totalBytes"],
    ["/total-bytes", "totalBytes"],
  ])("reads %s as the report's %s", (path, field) => {
    for (const value of [0, 1512, Number.MAX_SAFE_INTEGER]) {
      expect(parseAgentPatch([{ op: "add", path, value }])._unsafeUnwrap()).toEqual({
        state: null,
        report: { [field]: value },
      });
    }
  });

  it("reads bytes completed and bytes restored as one count: the later operation wins", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(
            fc.constantFrom(
              "/bytes_restored",
              "/bytes-restored",
              "/bytes_completed",
              "/bytes-completed",
            ),
            fc.maxSafeNat(),
          ),
          { minLength: 1, maxLength: 6 },
        ),
        (bytes) => {
          const body = bytes.map(([path, value]) => ({ op: "replace", path, value }));
          const { report } = parseAgentPatch(body)._unsafeUnwrap();
          expect(report).toEqual({ bytesRestored: bytes.at(-1)?.[1] });
        },
      ),
    );
  });

  it("reads a whole progress report with a state", () => {
    const body = [
      { op: "replace", path: "/state", value: "in_progress" },
      { op: "add", path: "/files_restored", value: 60 },
      { op: "add", path: "/bytes_completed", value: 9_437_184 },
      { op: "add", path: "/bytes_remaining", value: 9_437_184 },
      { op: "add", path: "/total_bytes", value: 18_874_368 },
    ];
    expect(parseAgentPatch(body)._unsafeUnwrap()).toEqual({
      state: "InProgress",
      report: {
        filesRestored: 60,
        bytesRestored: 9_437_184,
        bytesRemaining: 9_437_184,
        totalBytes: 18_874_368,
      },
    });
  });

  it("lets a later operation win over an earlier one for the same field, whatever the spelling", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(
            fc.constantFrom("/files_restored", "/files_restores", "/files-restored"),
            fc.nat(),
          ),
          {
            minLength: 1,
            maxLength: 6,
          },
        ),
        fc.array(reportableStateArb, { minLength: 1, maxLength: 4 }),
        (files, states) => {
          const body = [
            ...states.map((s) => ({ op: "replace", path: "/state", value: stateV2Name(s) })),
            ...files.map(([path, value]) => ({ op: "add", path, value })),
          ];
          const report = parseAgentPatch(body)._unsafeUnwrap();
          expect(report.state).toBe(states.at(-1));
          expect(report.report.filesRestored).toBe(files.at(-1)?.[1]);
        },
      ),
    );
  });

  it("fills missing fields of /errors with null and a missing count with the list's length", () => {
    const report = parseAgentPatch([
      { op: "add", path: "/errors", value: { list: [{ index: 1 }, {}] } },
    ])._unsafeUnwrap();
    expect(report.report.errors).toEqual({
      count: 2,
      reason: null,
      diagnostics: null,
      list: [
        { index: 1, path: null, type: null, exception: null },
        { index: null, path: null, type: null, exception: null },
      ],
    });
  });

  it("names the inner field of a bad /errors value", () => {
    const error = issues([
      { op: "add", path: "/errors", value: { count: 1.5, list: [{ exception: { code: "x" } }] } },
    ]);
    expect(error.issues.map((i) => i.path)).toEqual([
      "0.value.count",
      "0.value.list.0.exception.code",
    ]);
  });

  it.each([
    ["2014-10-20"],
    ["2014-10-20T13:11:58"],
    ["yesterday"],
    ["2014-13-45T99:00:00Z"],
    [1413810718985],
  ])("refuses the time %j", (value) => {
    expect(issues([{ op: "add", path: "/started_time", value }]).issues.map((i) => i.path)).toEqual(
      ["0.value"],
    );
  });

  it("refuses counts that are negative, fractional, unsafe or not numbers", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(
          "/files_restored",
          "/bytes_restored",
          "/bytes_completed",
          "/bytes-remaining",
          "/total_bytes",
        ),
        fc.oneof(
          fc.integer({ max: -1 }),
          fc.double().filter((d) => !Number.isSafeInteger(d)),
          fc.string(),
          fc.constant(null),
        ),
        (path, value) => {
          expect(issues([{ op: "add", path, value }]).issues.map((i) => i.path)).toEqual([
            "0.value",
          ]);
        },
      ),
    );
  });
});

const TIME_MESSAGE =
  "must be an ISO 8601 date-time with a time zone, between the years 0001 and 9999, e.g. 2014-10-20T13:11:58Z";
const REPORTABLE =
  "queued, preparing, in_progress, stop_requested, completed, completed_with_errors, failed, stopped";
const EXPECTED_PATHS =
  "expected one of /state, /started_time, /ended_time, /errors, /files_restored, /bytes_restored (or /bytes_completed), /bytes_remaining, /total_bytes";

describe("parseAgentPatch: times", () => {
  it.each([
    [
      "whole seconds, the example of its own message",
      "2014-10-20T13:11:58Z",
      "2014-10-20T13:11:58.000Z",
    ],
    ["no seconds", "2014-10-20T13:11Z", "2014-10-20T13:11:00.000Z"],
    ["no seconds and an offset", "2014-10-20T14:11+01:00", "2014-10-20T13:11:00.000Z"],
    ["an offset with a colon", "2014-10-20T14:11:58+01:00", "2014-10-20T13:11:58.000Z"],
    ["an offset without a colon", "2014-10-20T14:11:58+0100", "2014-10-20T13:11:58.000Z"],
    ["a negative offset", "2014-10-20T08:41:58-04:30", "2014-10-20T13:11:58.000Z"],
    ["a negative offset without a colon", "2014-10-20T08:41:58-0430", "2014-10-20T13:11:58.000Z"],
    ["an offset of zero", "2014-10-20T13:11:58+00:00", "2014-10-20T13:11:58.000Z"],
    ["lower-case t and z", "2014-10-20t13:11:58z", "2014-10-20T13:11:58.000Z"],
    ["a tenth of a second", "2014-10-20T13:11:58.9Z", "2014-10-20T13:11:58.900Z"],
    ["microseconds, truncated", "2014-10-20T13:11:58.985999Z", "2014-10-20T13:11:58.985Z"],
    ["a day crossed by the offset", "2014-10-21T01:00:00+02:00", "2014-10-20T23:00:00.000Z"],
    ["29 February of a leap year", "2016-02-29T00:00:00Z", "2016-02-29T00:00:00.000Z"],
    ["29 February 2000", "2000-02-29T23:59:59Z", "2000-02-29T23:59:59.000Z"],
    ["a year before 100", "0099-03-01T00:00:00Z", "0099-03-01T00:00:00.000Z"],
  ])("reads %s: %s", (_what, text, iso) => {
    for (const path of ["/started_time", "/started-time"]) {
      expect(parseAgentPatch([{ op: "add", path, value: text }])._unsafeUnwrap()).toStrictEqual({
        state: null,
        report: { startedTime: iso },
      });
    }
    for (const path of ["/ended_time", "/ended-time"]) {
      expect(parseAgentPatch([{ op: "replace", path, value: text }])._unsafeUnwrap()).toStrictEqual(
        { state: null, report: { endedTime: iso } },
      );
    }
  });

  it("reads any instant of the stored range, however its zone is written", () => {
    const earliest = Date.parse("0001-01-01T00:00:00.000Z");
    const latest = Date.parse("9999-12-31T23:59:59.999Z");
    fc.assert(
      fc.property(
        fc.integer({ min: earliest, max: latest }),
        fc.integer({ min: -23 * 60 - 59, max: 23 * 60 + 59 }),
        fc.boolean(),
        (ms, offsetMinutes, colon) => {
          const local = new Date(ms + offsetMinutes * 60_000).toISOString();
          fc.pre(/^\d{4}-/.test(local));
          const sign = offsetMinutes < 0 ? "-" : "+";
          const abs = Math.abs(offsetMinutes);
          const hh = String(Math.floor(abs / 60)).padStart(2, "0");
          const mm = String(abs % 60).padStart(2, "0");
          const text = local.replace("Z", `${sign}${hh}${colon ? ":" : ""}${mm}`);
          expect(
            parseAgentPatch([{ op: "add", path: "/started_time", value: text }])._unsafeUnwrap()
              .report.startedTime,
          ).toBe(new Date(ms).toISOString());
        },
      ),
    );
  });

  it.each([[null], [1413810718985], [true], [{}], [undefined]])(
    "says what a time must be when it is %j",
    (value) => {
      expect(issues([{ op: "add", path: "/ended_time", value }]).issues).toEqual([
        { path: "0.value", message: TIME_MESSAGE },
      ]);
    },
  );
});

describe("parseAgentPatch: states", () => {
  it("names the reportable states when a state is unknown or not a string", () => {
    for (const value of ["Completed", "done", "", 3, null]) {
      expect(issues([{ op: "replace", path: "/state", value }]).issues).toEqual([
        { path: "0.value", message: `must be one of ${REPORTABLE}` },
      ]);
    }
  });

  it("says the agent cannot report a state before it took the restore", () => {
    expect(issues([{ op: "replace", path: "/state", value: "creating" }]).issues).toEqual([
      {
        path: "0.value",
        message: `the agent cannot report state creating; it may report ${REPORTABLE}`,
      },
    ]);
  });

  it("reads each v2 name to its state", () => {
    const expected = {
      queued: "Queued",
      preparing: "Preparing",
      in_progress: "InProgress",
      stop_requested: "StopRequested",
      completed: "Completed",
      completed_with_errors: "CompletedWithErrors",
      failed: "Failed",
      stopped: "Stopped",
    } as const;
    for (const [v2, state] of Object.entries(expected)) {
      expect(
        parseAgentPatch([{ op: "replace", path: "/state", value: v2 }])._unsafeUnwrap(),
      ).toStrictEqual({ state, report: {} });
    }
  });
});

describe("parseAgentPatch: counts", () => {
  it("accepts 0 and the largest safe integer for both counts", () => {
    for (const value of [0, 1, Number.MAX_SAFE_INTEGER]) {
      expect(
        parseAgentPatch([
          { op: "add", path: "/files_restored", value },
          { op: "add", path: "/bytes_restored", value },
        ])._unsafeUnwrap(),
      ).toStrictEqual({ state: null, report: { filesRestored: value, bytesRestored: value } });
    }
  });

  it("says a count must be a non-negative integer", () => {
    for (const value of [-1, 0.5, Number.MAX_SAFE_INTEGER + 1, "3", null]) {
      expect(issues([{ op: "add", path: "/files-restored", value }]).issues).toEqual([
        { path: "0.value", message: "must be a non-negative integer" },
      ]);
    }
  });
});

describe("parseAgentPatch: every field at once", () => {
  it("puts each value in its own field", () => {
    const errors = {
      count: 9,
      reason: "r",
      diagnostics: "d",
      list: [{ index: 4, path: "/p", type: "t", exception: null }],
    };
    expect(
      parseAgentPatch([
        { op: "replace", path: "/state", value: "failed" },
        { op: "add", path: "/started_time", value: "2014-10-20T13:11:58Z" },
        { op: "add", path: "/ended_time", value: "2014-10-20T13:12:59Z" },
        { op: "add", path: "/files_restored", value: 11 },
        { op: "add", path: "/bytes_restored", value: 22 },
        { op: "add", path: "/errors", value: errors },
      ])._unsafeUnwrap(),
    ).toStrictEqual({
      state: "Failed",
      report: {
        startedTime: "2014-10-20T13:11:58.000Z",
        endedTime: "2014-10-20T13:12:59.000Z",
        filesRestored: 11,
        bytesRestored: 22,
        errors,
      },
    });
  });

  it("lets a later /errors win over an earlier one", () => {
    expect(
      parseAgentPatch([
        { op: "add", path: "/errors", value: { count: 1 } },
        { op: "replace", path: "/errors", value: { count: 2 } },
      ])._unsafeUnwrap().report.errors?.count,
    ).toBe(2);
  });
});

describe("parseAgentPatch: the shape of operations", () => {
  it("says what op, path and an operation must be", () => {
    expect(
      issues([
        { op: "remove", path: "/state", value: "queued" },
        { op: "replace", path: 5, value: "queued" },
        "replace /state queued",
        null,
        { path: "/state", value: "queued" },
      ]).issues,
    ).toEqual([
      { path: "0.op", message: 'op must be "replace" or "add"' },
      { path: "1.path", message: "path must be a string such as /state" },
      { path: "2", message: "each operation must be an object with op, path and value" },
      { path: "3", message: "each operation must be an object with op, path and value" },
      { path: "4.op", message: 'op must be "replace" or "add"' },
    ]);
  });

  it("gives the full message of an unknown path", () => {
    expect(issues([{ op: "add", path: "/colour", value: 1 }]).issues).toEqual([
      { path: "0.path", message: `unknown path /colour; ${EXPECTED_PATHS}` },
    ]);
  });

  it.each([
    ["/a"],
    ["/Z"],
    ["/9"],
    ["/_"],
    ["/-"],
    ["/state_Of-the-ART_2"],
    [`/${"a".repeat(40)}`],
  ])("names the unknown path %s, which looks like a path", (path) => {
    expect(issues([{ op: "add", path, value: 1 }]).issues).toEqual([
      { path: "0.path", message: `unknown path ${path}; ${EXPECTED_PATHS}` },
    ]);
  });

  it.each([
    [""],
    ["/"],
    ["state"],
    ["x/state"],
    ["/state/"],
    ["/state x"],
    ["/sta.te"],
    ["//state"],
    ["/state\n"],
    [`/${"a".repeat(41)}`],
    ["/ümlaut"],
  ])("does not echo %j, which does not look like a path", (path) => {
    expect(issues([{ op: "add", path, value: 1 }]).issues).toEqual([
      { path: "0.path", message: `unknown path; ${EXPECTED_PATHS}` },
    ]);
  });

  it.each([["toString"], ["__proto__"], ["constructor"], ["hasOwnProperty"], ["valueOf"]])(
    "treats the prototype key %s as an unknown path",
    (path) => {
      for (const p of [path, `/${path}`]) {
        const error = issues([{ op: "add", path: p, value: 1 }]);
        expect(error.issues).toHaveLength(1);
        expect(error.issues[0]?.path).toBe("0.path");
        expect(error.issues[0]?.message).toContain("unknown path");
      }
    },
  );

  it("never echoes an unknown path that does not look like one", () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), (junk) => {
        const path = `/x${junk}!`;
        const error = issues([{ op: "add", path, value: 1 }]);
        expect(error.message).not.toContain(path);
        expect(error.issues).toEqual([
          { path: "0.path", message: `unknown path; ${EXPECTED_PATHS}` },
        ]);
      }),
    );
  });

  it("reports the value's own path under value", () => {
    expect(
      issues([
        { op: "add", path: "/state", value: "queued" },
        { op: "add", path: "/errors", value: { list: [{}, { exception: { code: "x" } }] } },
      ]).issues,
    ).toEqual([
      { path: "1.value.list.1.exception.code", message: "code must be a number or null" },
    ]);
  });
});
