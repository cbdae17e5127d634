import { describe, expect, it } from "vitest";
import type { Issue } from "../../src/errors.js";
import type { Issues } from "../../src/values/checks.js";
import { readCommand, readCommandContext } from "../../src/values/command-values.js";
import { readActor, readEvent, readMetadata } from "../../src/values/event-values.js";
import {
  readConfig,
  readErrorSummary,
  readProgress,
  readProgressReport,
  readResolvedBackup,
  readRestore,
} from "../../src/values/restore-values.js";

// Every reader, on a value with every field set: it gives back an equal fresh copy
// without extra properties, and for each field (or object, or list entry) replaced
// by a value no field may hold, it refuses the whole value with exactly one issue,
// at that field's path.

type Reader = (issues: Issues, value: unknown, path: string) => unknown;

const at = "2024-01-02T03:04:05.006Z";
const config = {
  backupId: 11,
  backupMachineId: 12,
  destinationMachineId: 13,
  destinationPath: "/restore",
  overwriteFiles: true,
};
const backup = {
  backupConfigurationId: 21,
  backupConfigurationName: "nightly",
  restorePoint: at,
  backupMachineName: "web01",
  backupFlavor: "RaxCloudServer",
  backupDataCenter: "DFW",
  destinationMachineName: "web02",
  isEncrypted: true,
  publicKey: { modulusHex: "CA75", exponentHex: "10001" },
};
const errors = {
  count: 2,
  reason: "unable_to_process_some_files",
  diagnostics: "some files",
  list: [
    {
      index: 3,
      path: "/usr/bin/h2xs",
      type: "phx_exception",
      exception: { code: -9016, description: "WRITE failed", details: "no space" },
    },
    { index: null, path: null, type: null, exception: null },
  ],
};
const progress = {
  startedTime: at,
  endedTime: at,
  filesRestored: 2,
  bytesRestored: 1512,
  totalBytes: 4096,
  bytesRemaining: 2584,
  errors,
};
const restore = {
  tenantId: "123456",
  restoreId: 7,
  state: "InProgress",
  version: 4,
  config,
  backup,
  passwordSealed: true,
  progress,
  createdAt: at,
  updatedAt: at,
};
const metadata = { actor: { type: "user", id: "u-1" }, at, requestId: "req-1" };

const SAMPLES: Record<string, [Reader, unknown]> = {
  config: [readConfig, config],
  backup: [readResolvedBackup, backup],
  errors: [readErrorSummary, errors],
  progress: [readProgress, progress],
  report: [readProgressReport, progress],
  restore: [readRestore, restore],
  metadata: [readMetadata, metadata],
  context: [readCommandContext, { actor: { type: "agent", id: 5 }, now: at, requestId: "r" }],
  created: [
    readEvent,
    { type: "RestoreCreated", data: { tenantId: "t", restoreId: 7, config, backup }, metadata },
  ],
  configUpdated: [readEvent, { type: "RestoreConfigUpdated", data: { config, backup }, metadata }],
  startRequested: [
    readEvent,
    { type: "RestoreStartRequested", data: { passwordSealed: false }, metadata },
  ],
  cancelled: [readEvent, { type: "RestoreCancelled", data: { endedTime: at }, metadata }],
  stopRequested: [readEvent, { type: "RestoreStopRequested", data: {}, metadata }],
  progressed: [readEvent, { type: "RestoreProgressed", data: { state: "Preparing" }, metadata }],
  progressReported: [readEvent, { type: "RestoreProgressReported", data: { progress }, metadata }],
  finished: [
    readEvent,
    { type: "RestoreFinished", data: { state: "CompletedWithErrors", progress }, metadata },
  ],
  stopped: [readEvent, { type: "RestoreStopped", data: { progress }, metadata }],
  createCommand: [
    readCommand,
    { type: "CreateRestore", data: { tenantId: "t", restoreId: 7, config, backup } },
  ],
  updateCommand: [readCommand, { type: "UpdateConfig", data: { restoreId: 7, config, backup } }],
  startCommand: [
    readCommand,
    { type: "StartManual", data: { restoreId: 7, sealedPassword: Uint8Array.of(1, 2) } },
  ],
  stopCommand: [readCommand, { type: "StopManual", data: { restoreId: 7 } }],
  reportCommand: [
    readCommand,
    { type: "RecordAgentReport", data: { restoreId: 7, state: "Failed", report: progress } },
  ],
};

/** Every path below the root: each object, each array entry and each leaf. */
function pathsOf(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  if (typeof value !== "object" || value === null || value instanceof Uint8Array) return [];
  const entries = Array.isArray(value)
    ? value.map((item, i) => [i, item] as const)
    : Object.entries(value);
  return entries.flatMap(([key, item]) => [[...prefix, key], ...pathsOf(item, [...prefix, key])]);
}

function replaced(value: unknown, path: (string | number)[], by: unknown): unknown {
  if (path.length === 0) return by;
  const [head, ...rest] = path as [string | number, ...(string | number)[]];
  const copy = Array.isArray(value) ? [...value] : { ...(value as object) };
  (copy as Record<string | number, unknown>)[head] = replaced(
    (value as Record<string | number, unknown>)[head],
    rest,
    by,
  );
  return copy;
}

function read(reader: Reader, value: unknown): { value: unknown; issues: Issue[] } {
  const issues: Issues = [];
  return { value: reader(issues, value, "v"), issues };
}

describe("the value readers", () => {
  it.each(Object.keys(SAMPLES))("read %s into an equal copy, dropping extra properties", (name) => {
    const [reader, sample] = SAMPLES[name] as [Reader, unknown];
    const withExtra = { ...(sample as object), extra: "dropped" };
    const result = read(reader, withExtra);
    expect(result.issues).toEqual([]);
    expect(result.value).toStrictEqual(sample);
    expect(result.value).not.toBe(sample);
  });

  it.each(Object.keys(SAMPLES))(
    "refuse %s when any one field, object or entry in it cannot be held, naming only that one",
    (name) => {
      const [reader, sample] = SAMPLES[name] as [Reader, unknown];
      for (const path of pathsOf(sample)) {
        // A report's fields are optional and StopRequested's data has none to break.
        const result = read(reader, replaced(sample, path, Symbol("held by no field")));
        expect(result.value, `v.${path.join(".")}`).toBeUndefined();
        expect(
          result.issues.map((issue) => issue.path),
          `v.${path.join(".")}`,
        ).toEqual([["v", ...path].join(".")]);
      }
      expect(read(reader, null)).toEqual({
        value: undefined,
        issues: [{ path: "v", message: "must be an object" }],
      });
    },
  );

  it("name each rule they apply", () => {
    const issuesOf = (reader: Reader, value: unknown) => read(reader, value).issues;
    expect(
      issuesOf(readResolvedBackup, {
        ...backup,
        publicKey: { modulusHex: "CA7X", exponentHex: "" },
      }),
    ).toEqual([
      { path: "v.publicKey.modulusHex", message: "must be hex digits" },
      { path: "v.publicKey.exponentHex", message: "must be hex digits" },
    ]);
    expect(issuesOf(readRestore, { ...restore, version: 2_147_483_648 })).toEqual([
      { path: "v.version", message: "must be at most 2147483647" },
    ]);
    expect(issuesOf(readRestore, { ...restore, version: 2_147_483_647 })).toEqual([]);
    expect(issuesOf(readRestore, { ...restore, state: "constructor" })).toEqual([
      {
        path: "v.state",
        message:
          "must be one of Creating, StartRequested, Queued, Preparing, InProgress, StopRequested, Completed, CompletedWithErrors, Failed, Stopped",
      },
    ]);
    expect(
      issuesOf(readErrorSummary, {
        ...errors,
        list: [{ ...errors.list[0], exception: { code: 1.5, description: null, details: null } }],
      }),
    ).toEqual([{ path: "v.list.0.exception.code", message: "must be an integer or null" }]);
    expect(
      issuesOf(readErrorSummary, { ...errors, list: Array(1001).fill(errors.list[1]) }),
    ).toEqual([{ path: "v.list", message: "must hold at most 1000 entries" }]);
    expect(issuesOf(readErrorSummary, { ...errors, list: { 0: errors.list[1] } })).toEqual([
      { path: "v.list", message: "must be an array" },
    ]);
    expect(issuesOf(readConfig, { ...config, destinationPath: " " })).toEqual([
      { path: "v.destinationPath", message: "must not be empty" },
    ]);
    expect(issuesOf(readActor, { type: "robot", id: 1 })).toEqual([
      { path: "v.type", message: "must be one of user, agent, system" },
    ]);
    expect(issuesOf(readActor, { type: "user", id: "" })).toEqual([
      { path: "v.id", message: "must not be empty" },
    ]);
    expect(issuesOf(readActor, { type: "agent", id: "5" })).toEqual([
      { path: "v.id", message: "must be a positive integer" },
    ]);
    expect(
      issuesOf(readCommand, { type: "StartManual", data: { restoreId: 7, sealedPassword: [1] } }),
    ).toEqual([
      { path: "v.data.sealedPassword", message: "must be the vault's sealed bytes or null" },
    ]);
  });

  it("say what each field must be", () => {
    const issuesOf = (reader: Reader, value: unknown) => read(reader, value).issues;
    expect(issuesOf(readConfig, { ...config, destinationPath: 5, overwriteFiles: "yes" })).toEqual([
      { path: "v.destinationPath", message: "must be a string" },
      { path: "v.overwriteFiles", message: "must be true or false" },
    ]);
    expect(issuesOf(readProgress, { ...progress, filesRestored: -1, startedTime: "2024" })).toEqual(
      [
        {
          path: "v.startedTime",
          message:
            "must be an instant in the form YYYY-MM-DDTHH:mm:ss.sssZ between years 0001 and 9999",
        },
        { path: "v.filesRestored", message: "must be a non-negative integer" },
      ],
    );
    expect(
      issuesOf(readResolvedBackup, {
        ...backup,
        publicKey: { modulusHex: "XCA7", exponentHex: "3" },
      }),
    ).toEqual([{ path: "v.publicKey.modulusHex", message: "must be hex digits" }]);
  });

  it("read the byte estimates a log from before they existed lacks as never reported", () => {
    const { totalBytes: _total, bytesRemaining: _remaining, ...older } = progress;
    const expected = { ...progress, totalBytes: null, bytesRemaining: null };
    expect(read(readProgress, older)).toEqual({ value: expected, issues: [] });
    const finished = {
      type: "RestoreFinished",
      data: { state: "Failed", progress: older },
      metadata,
    };
    expect(read(readEvent, finished).value).toStrictEqual({
      ...finished,
      data: { state: "Failed", progress: expected },
    });
    expect(read(readRestore, { ...restore, progress: older }).value).toStrictEqual({
      ...restore,
      progress: expected,
    });
    // The done counts were always there: a progress without them is still refused.
    const { filesRestored: _files, ...withoutFiles } = progress;
    expect(read(readProgress, withoutFiles).issues.map((issue) => issue.path)).toEqual([
      "v.filesRestored",
    ]);
  });

  it("check the byte estimates as counts, in a progress and in a report", () => {
    for (const bad of [-1, 1.5, "18 MB", Number.MAX_SAFE_INTEGER + 1]) {
      expect(read(readProgress, { ...progress, totalBytes: bad }).issues).toEqual([
        { path: "v.totalBytes", message: expect.any(String) },
      ]);
      expect(read(readProgressReport, { bytesRemaining: bad }).issues).toEqual([
        { path: "v.bytesRemaining", message: expect.any(String) },
      ]);
    }
    expect(read(readProgressReport, { totalBytes: 0, bytesRemaining: null }).value).toStrictEqual({
      totalBytes: 0,
    });
  });

  it("read -0, which JSON can carry, as the 0 every store gives back", () => {
    const report = read(readProgressReport, { filesRestored: -0, bytesRestored: -0 }).value;
    expect(Object.is((report as { filesRestored: number }).filesRestored, 0)).toBe(true);
    const item = {
      index: -0,
      path: null,
      type: null,
      exception: { code: -0, description: null, details: null },
    };
    const summary = read(readErrorSummary, { ...errors, count: -0, list: [item] })
      .value as typeof errors;
    expect(Object.is(summary.count, 0)).toBe(true);
    expect(Object.is(summary.list[0]?.index, 0)).toBe(true);
    expect(Object.is(summary.list[0]?.exception?.code, 0)).toBe(true);
  });

  it("read what a report leaves out, or sets to null, as left as it was", () => {
    for (const absent of [undefined, null]) {
      const report = {
        startedTime: absent,
        endedTime: absent,
        filesRestored: absent,
        bytesRestored: absent,
        totalBytes: absent,
        bytesRemaining: absent,
        errors: absent,
      };
      expect(read(readProgressReport, report)).toEqual({ value: {}, issues: [] });
    }
    expect(read(readCommand, { type: "StartManual", data: { restoreId: 7 } }).value).toStrictEqual({
      type: "StartManual",
      data: { restoreId: 7, sealedPassword: null },
    });
  });
});
