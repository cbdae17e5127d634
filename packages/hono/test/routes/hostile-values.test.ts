import { beforeAll, describe, expect, it } from "vitest";
import { reachState } from "../support/reach-state.js";
import { routeSuite } from "../support/route-suite.js";
import { answerProblems } from "../support/sane-answer.js";
import type { Tenant } from "../support/tenant-scope.js";

// Edge numbers in ids and counts, on every store: a value the parsers accept must be one
// each store can hold, and one they refuse must be a 400 before any store is asked.

const ACTION = "/restore/action-requested";

/** Ids as raw JSON text, with what a StopManual naming them answers when no such restore exists. */
const BODY_IDS: ReadonlyArray<readonly [string, number]> = [
  ["1e309", 400],
  ["-1e309", 400],
  ["-0", 400],
  ["0", 400],
  ["-1", 400],
  ["1.5", 400],
  ["9007199254740992", 400],
  ["9007199254740993", 400],
  ['"9007199254740992"', 400],
  ["1e300", 400],
  ['"1e3"', 400],
  ['"+13689"', 400],
  ['" 13689"', 400],
  ['"13689 "', 400],
  ['"0x3579"', 400],
  ['"١٣٦٨٩"', 400],
  ['""', 400],
  ["null", 400],
  ["true", 400],
  ["[13689]", 400],
  ['{"$numberLong":"13689"}', 400],
  // Positive integers that exist nowhere: past int4 and up to the largest safe integer.
  ["2147483647", 404],
  ["2147483648", 404],
  ["4294967296", 404],
  ["9007199254740991", 404],
  ['"9007199254740991"', 404],
  ["1e3", 404],
  ["1.0", 404],
];

/** Path ids, with what a details read answers when no such restore exists. */
const PATH_IDS: ReadonlyArray<readonly [string, number]> = [
  ["0", 400],
  ["-1", 400],
  ["-0", 400],
  ["1.5", 400],
  ["1e3", 400],
  ["9007199254740992", 400],
  ["99999999999999999999999", 400],
  ["%2B1", 400],
  ["%20", 400],
  ["%D9%A1", 400],
  ["2147483648", 404],
  ["9007199254740991", 404],
];

routeSuite("edge values", (harness) => {
  describe("Id in an action-requested body", () => {
    // None of these names it, so one restore serves them all: no request may change it.
    let tenant: Tenant;
    let mine: number;
    beforeAll(async () => {
      tenant = harness().tenant();
      mine = await reachState(tenant, "Queued");
    });

    it.each(BODY_IDS)("%s: %i, and nothing changed", async (id, status) => {
      const before = await tenant.snapshot(mine);
      const path = tenant.v1(ACTION);
      const answer = await tenant.send("POST", path, {
        body: `{"Action":"StopManual","Id":${id}}`,
        accept: "application/problem+json",
      });
      expect(answer.status).toBe(status);
      expect(answerProblems(answer, { path, problem: true })).toEqual([]);
      expect((answer.json as { code: string }).code).toBe(
        status === 400 ? "invalid_request" : "restore_not_found",
      );
      expect(await tenant.snapshot(mine)).toEqual(before);
    });

    it('"0013689" names restore 13689, as 13689 does', async () => {
      const tenant = harness().tenant();
      harness().ids.steer(13689);
      expect(await reachState(tenant, "Queued")).toBe(13689);
      const answer = await tenant.send("POST", tenant.v1(ACTION), {
        body: '{"Action":"StopManual","Id":"0013689"}',
      });
      expect(answer.status).toBe(204);
      expect(await tenant.stateOf(13689)).toBe("StopRequested");
      const read = await tenant.send("GET", tenant.v1("/restore/0013689"));
      expect(read.status).toBe(200);
      expect((read.json as { RestoreId: number }).RestoreId).toBe(13689);
    });
  });

  describe("restore id in the path", () => {
    it.each(PATH_IDS)("%s: %i on every route that takes one", async (id, status) => {
      const tenant = harness().tenant();
      const paths = [
        ["GET", tenant.v1(`/restore/${id}`)],
        ["GET", tenant.v1(`/restore/report/${id}`)],
        ["GET", tenant.v1(`/restore/${id}/events`)],
      ] as const;
      for (const [method, path] of paths) {
        const answer = await tenant.send(method, path);
        expect(answer.status, path).toBe(status);
        expect(answerProblems(answer, { path, method })).toEqual([]);
      }
      const patchPath = tenant.v2(`/restores/${id}`);
      const patched = await tenant.send("PATCH", patchPath, {
        as: "agent",
        json: [{ op: "replace", path: "/state", value: "queued" }],
        contentType: "application/json-patch+json",
      });
      expect(patched.status, patchPath).toBe(status);
      expect(answerProblems(patched, { path: patchPath, method: "PATCH" })).toEqual([]);
      const passwordPath = tenant.v2(`/restores/${id}/password`);
      const password = await tenant.send("GET", passwordPath, { as: "agent" });
      expect(password.status, passwordPath).toBe(status);
    });
  });

  describe("counts and times in an agent report", () => {
    it.each([
      ["files_restored", "2147483648", 204],
      ["bytes_restored", "9007199254740991", 204],
      ["files_restored", "-0", 204],
      ["bytes_restored", "0", 204],
      ["files_restored", "9007199254740992", 400],
      ["bytes_restored", "1e309", 400],
      ["files_restored", "-1", 400],
      ["files_restored", "1.5", 400],
      ["files_restored", '"12"', 400],
      ["started_time", '"0001-01-01T00:00:00Z"', 204],
      ["started_time", '"9999-12-31T23:59:59.999Z"', 204],
      ["started_time", '"10000-01-01T00:00:00Z"', 400],
      ["started_time", '"0000-12-31T23:59:59Z"', 400],
      ["ended_time", '"2014-10-20T13:12:58.985151Z"', 204],
      ["ended_time", '"2014-10-20T13:12:58"', 400],
      ["ended_time", '"2014-02-30T00:00:00Z"', 400],
    ])(
      "/%s %s: %i, and the store holds what the details and report then show",
      async (field, value, status) => {
        const tenant = harness().tenant();
        const restoreId = await reachState(tenant, "InProgress");
        const before = await tenant.snapshot(restoreId);
        const path = tenant.v2(`/restores/${restoreId}`);
        const answer = await tenant.send("PATCH", path, {
          as: "agent",
          body: `[{"op":"add","path":"/${field}","value":${value}}]`,
          contentType: "application/json-patch+json",
        });
        expect(answer.status, answer.text).toBe(status);
        expect(answerProblems(answer, { path, method: "PATCH" })).toEqual([]);
        if (status !== 204) {
          expect(await tenant.snapshot(restoreId)).toEqual(before);
          return;
        }
        // Finish it, so that the report shows what was stored.
        const finished = await tenant.report(restoreId, [
          { op: "replace", path: "/state", value: "completed" },
        ]);
        expect(finished.status).toBe(204);
        const report = await tenant.send("GET", tenant.v1(`/restore/report/${restoreId}`));
        expect(report.status).toBe(200);
        const shown = report.json as Record<string, unknown>;
        if (field === "files_restored") {
          expect(shown.NumFilesRestored).toBe(String(Math.abs(JSON.parse(value) as number)));
        }
        if (field === "started_time") {
          expect(shown.StartTime).toBe(`/Date(${Date.parse(JSON.parse(value) as string)})/`);
        }
      },
    );
  });
});
