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
        fc.constantFrom("/files_restored", "/bytes_restored"),
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
