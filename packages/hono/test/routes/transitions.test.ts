import {
  type AgentReportedState,
  type RestoreStateName,
  stateId,
  stateV2Name,
} from "@restorekit/core";
import { transitionTables } from "@restorekit/testing";
import { describe, expect, it } from "vitest";
import type { Answer } from "../support/http-answer.js";
import { reachState, statePatch } from "../support/reach-state.js";
import { routeSuite } from "../support/route-suite.js";
import type { Snapshot, Tenant } from "../support/tenant-scope.js";

const { agentCell, isTarget, REPORTED, STATES, USER_COMMANDS, USER_TABLE } = transitionTables;
type Cell = transitionTables.Cell;
type UserCommandName = transitionTables.UserCommandName;

// Every cell of both transition tables, through the routes: the restore is brought to the
// row's state by HTTP requests alone, the column's request is sent, and the answer, the
// state the details show afterwards and the event log are checked.

const JSON_TYPE = "application/json; charset=utf-8";

/** The message of a rejection names the state the restore is in (whole word: Completed is not CompletedWithErrors). */
const naming = (state: RestoreStateName) => new RegExp(`\\b${state}\\b`);

async function expectUnchanged(tenant: Tenant, restoreId: number, before: Snapshot) {
  expect(await tenant.snapshot(restoreId)).toEqual(before);
}

async function expectMoved(
  tenant: Tenant,
  restoreId: number,
  answer: Answer,
  before: Snapshot,
  target: RestoreStateName,
) {
  expect(answer.status).toBe(204);
  expect(answer.text).toBe("");
  const details = await tenant.details(restoreId);
  expect(details.RestoreStateId).toBe(stateId(target));
  expect((await tenant.snapshot(restoreId)).events.length).toBeGreaterThan(before.events.length);
}

const userCells = STATES.flatMap((state) =>
  USER_COMMANDS.map((command) => [state, command, USER_TABLE[state][command]] as const),
);

const agentCells = STATES.flatMap((state) =>
  [...REPORTED, null].map((reported) => [state, reported, agentCell(state, reported)] as const),
);

/** The v2 name of a report's state, or "data only" for a report without one. */
const reportName = (reported: AgentReportedState | null) =>
  reported === null ? "data only" : stateV2Name(reported);

routeSuite("the transition tables through HTTP", (harness) => {
  describe("user commands (v1: 204 or 400 badRequest naming the state)", () => {
    it.each(userCells)("%s + %s -> %s", async (state, command: UserCommandName, cell: Cell) => {
      const tenant = harness().tenant();
      const restoreId = await reachState(tenant, state);
      const before = await tenant.snapshot(restoreId);

      const answer =
        command === "UpdateConfig"
          ? await tenant.update(restoreId, { destinationPath: "C:\\Updated\\" })
          : await tenant.act(restoreId, command);

      if (isTarget(cell)) {
        await expectMoved(tenant, restoreId, answer, before, cell);
        if (command === "UpdateConfig") {
          const details = await tenant.details(restoreId);
          expect(details.DestinationPath).toBe("C:\\Updated\\");
          expect(details.OverwriteFiles).toBe(true);
        }
      } else if (cell === "noop") {
        expect(answer.status).toBe(204);
        expect(answer.text).toBe("");
        expect((await tenant.details(restoreId)).RestoreStateId).toBe(stateId(state));
        await expectUnchanged(tenant, restoreId, before);
      } else {
        expect(answer.status).toBe(400);
        expect(answer.headers.get("content-type")).toBe(JSON_TYPE);
        expect(answer.json).toEqual({
          badRequest: { code: 400, message: expect.stringMatching(naming(state)), details: cell },
        });
        expect((await tenant.details(restoreId)).RestoreStateId).toBe(stateId(state));
        await expectUnchanged(tenant, restoreId, before);
      }
    });
  });

  describe("agent reports (v2 PATCH: 204, or 409 with a v2 body)", () => {
    it.each(agentCells)("%s + report %s -> %s", async (state, reported, cell: Cell) => {
      const tenant = harness().tenant();
      const restoreId = await reachState(tenant, state);
      const before = await tenant.snapshot(restoreId);

      const answer = await tenant.report(
        restoreId,
        reported === null
          ? [{ op: "add", path: "/files_restored", value: 7 }]
          : statePatch(stateV2Name(reported)),
      );

      if (isTarget(cell)) {
        await expectMoved(tenant, restoreId, answer, before, cell);
      } else if (cell === "noop") {
        expect(answer.status).toBe(204);
        expect(answer.text).toBe("");
        expect((await tenant.details(restoreId)).RestoreStateId).toBe(stateId(state));
        if (reported === null) {
          // Data on an active restore is recorded, and the state kept.
          const after = await tenant.snapshot(restoreId);
          expect(after.events.length).toBe(before.events.length + 1);
          expect(after.restore?.progress.filesRestored).toBe(7);
        } else {
          await expectUnchanged(tenant, restoreId, before);
        }
      } else {
        expect(cell).toBe("agent_conflict");
        expect(answer.status).toBe(409);
        expect(answer.headers.get("content-type")).toBe(JSON_TYPE);
        expect(answer.json).toEqual({ message: expect.any(String), errors: [] });
        const { message } = answer.json as { message: string };
        expect(message).toContain(`Restore ${restoreId} is ${stateV2Name(state)}`);
        expect((await tenant.details(restoreId)).RestoreStateId).toBe(stateId(state));
        await expectUnchanged(tenant, restoreId, before);
      }
    });
  });

  it("names each cell once: 30 user cells and 90 agent cells", () => {
    expect(userCells).toHaveLength(30);
    expect(agentCells).toHaveLength(90);
    expect(new Set(agentCells.map(([s, r]) => `${s}/${reportName(r)}`)).size).toBe(90);
  });
});
