import { RestoreErrors } from "@restorekit/core";
import { describe, expect, it } from "vitest";
import type { Answer } from "../support/http-answer.js";
import { reachState } from "../support/reach-state.js";
import type { RouteHarness } from "../support/route-harness.js";
import { routeSuite } from "../support/route-suite.js";
import type { Tenant, Who } from "../support/tenant-scope.js";

/** Who calls: a token of the tenant's scope, or none at all. */
type Caller = Who | "none";

const CALLERS: readonly Caller[] = [
  "none",
  "unknown",
  "expired",
  "otherAdmin",
  "observer",
  "creator",
  "admin",
  "otherAgent",
  "agent",
];

type RouteName =
  | "create"
  | "update"
  | "start"
  | "stop"
  | "details"
  | "report"
  | "events"
  | "agent report"
  | "password";

/** The expected status of each route for each caller, in the order of CALLERS. */
// biome-ignore format: a table reads best aligned
const MATRIX: Record<RouteName, readonly number[]> = {
  //               none unknown expired otherAdmin observer creator admin otherAgent agent
  create:         [401, 401,    401,    403,       403,     200,    200,  403,       403],
  update:         [401, 401,    401,    403,       403,     204,    204,  403,       403],
  start:          [401, 401,    401,    403,       403,     204,    204,  403,       403],
  stop:           [401, 401,    401,    403,       403,     204,    204,  403,       403],
  details:        [401, 401,    401,    403,       200,     200,    200,  403,       403],
  report:         [401, 401,    401,    403,       200,     200,    200,  403,       403],
  events:         [401, 401,    401,    403,       200,     200,    200,  403,       403],
  "agent report": [401, 401,    401,    403,       403,     403,    403,  403,       204],
  password:       [401, 401,    401,    403,       403,     403,    403,  403,       200],
};

interface RouteCase {
  readonly name: RouteName;
  readonly dialect: "v1" | "v2";
  /** A restore ready for the request to succeed, in `tenant`; null for create, which needs none. */
  prepare(tenant: Tenant): Promise<number | null>;
  send(tenant: Tenant, restoreId: number, as: Who | null): Promise<Answer>;
}

const ROUTES: readonly RouteCase[] = [
  {
    name: "create",
    dialect: "v1",
    prepare: async () => null,
    send: (tenant, _id, as) =>
      tenant.send("PUT", tenant.v1("/restore"), {
        as,
        json: {
          BackupId: 133599,
          BackupMachineId: 156953,
          DestinationMachineId: 156751,
          DestinationPath: "C:\\FolderPathForRestore\\",
        },
      }),
  },
  {
    name: "update",
    dialect: "v1",
    prepare: (tenant) => tenant.create(),
    send: (tenant, id, as) => tenant.update(id, { as }),
  },
  {
    name: "start",
    dialect: "v1",
    prepare: (tenant) => tenant.create(),
    send: (tenant, id, as) => tenant.act(id, "StartManual", { as }),
  },
  {
    name: "stop",
    dialect: "v1",
    prepare: (tenant) => reachState(tenant, "Queued"),
    send: (tenant, id, as) => tenant.act(id, "StopManual", { as }),
  },
  {
    name: "details",
    dialect: "v1",
    prepare: (tenant) => tenant.create(),
    send: (tenant, id, as) => tenant.send("GET", tenant.v1(`/restore/${id}`), { as }),
  },
  {
    name: "report",
    dialect: "v1",
    prepare: (tenant) => reachState(tenant, "Completed"),
    send: (tenant, id, as) => tenant.send("GET", tenant.v1(`/restore/report/${id}`), { as }),
  },
  {
    name: "events",
    dialect: "v1",
    prepare: (tenant) => tenant.create(),
    send: (tenant, id, as) => tenant.send("GET", tenant.v1(`/restore/${id}/events`), { as }),
  },
  {
    name: "agent report",
    dialect: "v2",
    prepare: (tenant) => reachState(tenant, "StartRequested"),
    send: (tenant, id, as) =>
      tenant.report(id, [{ op: "replace", path: "/state", value: "queued" }], { as }),
  },
  {
    name: "password",
    dialect: "v2",
    prepare: (tenant) => reachState(tenant, "StartRequested", { encrypted: true }),
    send: (tenant, id, as) => tenant.send("GET", tenant.v2(`/restores/${id}/password`), { as }),
  },
];

const asWho = (caller: Caller): Who | null => (caller === "none" ? null : caller);

function expectDenialBody(route: RouteCase, status: number, answer: Answer, caller: Caller) {
  if (route.dialect === "v2") {
    expect(answer.json, caller).toEqual({ message: expect.any(String), errors: [] });
    return;
  }
  expect(answer.json, caller).toEqual(
    status === 401
      ? {
          unauthorized: {
            code: 401,
            message: RestoreErrors.unauthenticated().message,
            details: "unauthenticated",
          },
        }
      : {
          forbidden: {
            code: 403,
            message: expect.stringMatching(/^Access to the requested resource was denied: /),
            details: "forbidden",
          },
        },
  );
}

/** What a denied request must not have changed: the restore and its log, or no restore created. */
async function footprintOf(harness: RouteHarness, tenant: Tenant, restoreId: number | null) {
  if (restoreId !== null) return tenant.snapshot(restoreId);
  const next = harness.ids.peek();
  return { next, created: (await tenant.snapshot(next)).restore };
}

routeSuite("authorization", (harness) => {
  describe("every route × every caller: the status, and no change on a denial", () => {
    it.each(ROUTES)("$name", async (route) => {
      const tenant = harness().tenant();
      const expected = MATRIX[route.name];
      const restoreId = await route.prepare(tenant);
      const before = await footprintOf(harness(), tenant, restoreId);
      const tokens = Object.values(tenant.tokens);

      for (const [index, caller] of CALLERS.entries()) {
        const status = expected[index] as number;
        if (status < 400) continue;
        const answer = await route.send(tenant, restoreId ?? 0, asWho(caller));
        expect(answer.status, caller).toBe(status);
        expectDenialBody(route, status, answer, caller);
        for (const token of tokens) expect(answer.text).not.toContain(token);
        expect(await footprintOf(harness(), tenant, restoreId), caller).toEqual(before);
      }

      // Each caller that may, on a restore of its own: a success changes what the next one sees.
      for (const [index, caller] of CALLERS.entries()) {
        const status = expected[index] as number;
        if (status >= 400) continue;
        const fresh = await route.prepare(tenant);
        const answer = await route.send(tenant, fresh ?? 0, asWho(caller));
        expect(answer.status, `${caller}: ${answer.text}`).toBe(status);
      }
    });
  });

  describe("another tenant's restore id is a 404 byte for byte like an id that exists nowhere", () => {
    it.each(ROUTES.filter((route) => route.name !== "create"))("$name", async (route) => {
      const asker = harness().tenant();
      const owner = harness().tenant();
      const restoreId = harness().ids.peek();
      // The agent routes are asked by the asker's own destination agent, the others by its admin.
      const as: Who = route.dialect === "v2" ? "agent" : "admin";
      const ask = () =>
        // The same request id both times, so that the whole answers can be compared.
        route.send(asker.sending({ requestId: "same-request-id-for-both" }), restoreId, as);

      const missing = await ask();
      expect(await route.prepare(owner)).toBe(restoreId);
      const owned = await owner.snapshot(restoreId);
      const elsewhere = await ask();

      expect(missing.status).toBe(404);
      expect(elsewhere.status).toBe(404);
      expect(elsewhere.text).toBe(missing.text);
      expect([...elsewhere.headers.entries()]).toEqual([...missing.headers.entries()]);
      expect(elsewhere.headers.get("x-request-id")).toBe("same-request-id-for-both");
      expect(await owner.snapshot(restoreId)).toEqual(owned);
      expect(await asker.snapshot(restoreId)).toEqual({ restore: null, events: [] });
    });
  });

  it("an admin's token on the path of the tenant that holds the restore is a 403, not a read", async () => {
    const asker = harness().tenant();
    const owner = harness().tenant();
    const restoreId = await reachState(owner, "StartRequested", { encrypted: true });
    const paths = [
      `/v1.0/${owner.id}/restore/${restoreId}`,
      `/v1.0/${owner.id}/restore/report/${restoreId}`,
      `/v1.0/${owner.id}/restore/${restoreId}/events`,
    ];
    for (const path of paths) {
      const answer = await asker.send("GET", path, { as: "admin" });
      expect(answer.status, path).toBe(403);
    }
    const stop = await asker.send("POST", `/v1.0/${owner.id}/restore/action-requested`, {
      as: "admin",
      json: { Action: "StopManual", Id: restoreId },
    });
    expect(stop.status).toBe(403);
    const password = await asker.send("GET", `/v2/${owner.id}/restores/${restoreId}/password`, {
      as: "agent",
    });
    expect(password.status).toBe(403);
    expect(password.text).not.toContain("EncryptedPassword");
    expect(await owner.stateOf(restoreId)).toBe("StartRequested");
  });
});
