import { RestoreErrors } from "@restorekit/core";
import { describe, expect, it } from "vitest";
import { reachState, statePatch } from "../support/reach-state.js";
import { routeSuite } from "../support/route-suite.js";

const UNAVAILABLE = RestoreErrors.storageUnavailable();

routeSuite("a store that is unavailable", (harness) => {
  it("503 serviceUnavailable with Retry-After on every v1 route", async () => {
    const tenant = harness().tenant();
    const restoreId = await reachState(tenant, "Queued");
    const before = await tenant.snapshot(restoreId);
    harness().repository.failAlways("load", UNAVAILABLE).failAlways("append", UNAVAILABLE);

    const requests = [
      () => tenant.send("GET", tenant.v1(`/restore/${restoreId}`)),
      () => tenant.send("GET", tenant.v1(`/restore/report/${restoreId}`)),
      () => tenant.send("GET", tenant.v1(`/restore/${restoreId}/events`)),
      () => tenant.act(restoreId, "StopManual"),
      () => tenant.update(restoreId),
      () =>
        tenant.send("PUT", tenant.v1("/restore"), {
          json: {
            BackupId: 133599,
            BackupMachineId: 156953,
            DestinationMachineId: 156751,
            DestinationPath: "/srv",
          },
        }),
    ];
    for (const request of requests) {
      const answer = await request();
      expect(answer.status).toBe(503);
      expect(answer.headers.get("retry-after")).toBe("1");
      expect(answer.json).toEqual({
        serviceUnavailable: {
          code: 503,
          message: "The restore store is unavailable; retry shortly.",
          details: "storage_unavailable",
        },
      });
    }
    harness().repository.heal();
    expect(await tenant.snapshot(restoreId)).toEqual(before);
  });

  it("503 in the agent's dialect, or as problem details when asked", async () => {
    const tenant = harness().tenant();
    const restoreId = await reachState(tenant, "Queued");
    // Append too: the service decides on a restore it changed moments ago without a load.
    harness().repository.failAlways("load", UNAVAILABLE).failAlways("append", UNAVAILABLE);

    const patched = await tenant.report(restoreId, statePatch("in_progress"));
    expect(patched.status).toBe(503);
    expect(patched.headers.get("retry-after")).toBe("1");
    expect(patched.json).toEqual({
      message: "The restore store is unavailable; retry shortly.",
      errors: [],
    });

    const password = await tenant.send("GET", tenant.v2(`/restores/${restoreId}/password`), {
      as: "agent",
      accept: "application/problem+json",
    });
    expect(password.status).toBe(503);
    expect(password.headers.get("retry-after")).toBe("1");
    expect(password.headers.get("content-type")).toBe("application/problem+json; charset=utf-8");
    expect(password.json).toEqual({
      type: "urn:restorekit:problem:storage_unavailable",
      title: "Service Unavailable",
      status: 503,
      detail: "The restore store is unavailable; retry shortly.",
      code: "storage_unavailable",
    });
  });

  it("an append that fails unavailable: 503, and the restore as it was once the store is back", async () => {
    const tenant = harness().tenant();
    const restoreId = await reachState(tenant, "Creating");
    const before = await tenant.snapshot(restoreId);
    harness().repository.failNext("append", UNAVAILABLE);
    const answer = await tenant.act(restoreId, "StartManual");
    expect(answer.status).toBe(503);
    expect(await tenant.snapshot(restoreId)).toEqual(before);
    // The same request again, once the store answers: it goes through.
    expect((await tenant.act(restoreId, "StartManual")).status).toBe(204);
    expect(await tenant.stateOf(restoreId)).toBe("StartRequested");
  });

  describe("/readyz", () => {
    it("200 while the store answers", async () => {
      const answer = await harness().send("GET", "/readyz");
      expect(answer.status).toBe(200);
      expect(answer.json).toEqual({ status: "ready" });
      expect(answer.headers.get("cache-control")).toBe("no-store");
    });

    it("503 with Retry-After while it fails, 200 again once it is back; /healthz stays 200", async () => {
      harness().repository.failAlways("load", UNAVAILABLE);
      const down = await harness().send("GET", "/readyz");
      expect(down.status).toBe(503);
      expect(down.headers.get("retry-after")).toBe("1");
      expect(down.json).toMatchObject({ serviceUnavailable: { details: "storage_unavailable" } });
      expect((await harness().send("GET", "/healthz")).status).toBe(200);

      harness().repository.heal();
      expect((await harness().send("GET", "/readyz")).status).toBe(200);
    });

    it("503 when the check throws rather than answers", async () => {
      harness().repository.throwNext("load", new Error("connection reset"));
      const answer = await harness().send("GET", "/readyz");
      expect(answer.status).toBe(503);
      expect(answer.text).not.toContain("connection reset");
      expect((await harness().send("GET", "/readyz")).status).toBe(200);
    });
  });
});

routeSuite(
  "Retry-After as configured",
  (harness) => {
    it("retryAfterSeconds 7: Retry-After 7 on every 503", async () => {
      const tenant = harness().tenant();
      const restoreId = await tenant.create();
      harness().repository.failAlways("load", UNAVAILABLE).failAlways("append", UNAVAILABLE);
      for (const answer of [
        await tenant.send("GET", tenant.v1(`/restore/${restoreId}`)),
        await tenant.report(restoreId, statePatch("queued")),
        await harness().send("GET", "/readyz"),
      ]) {
        expect(answer.status).toBe(503);
        expect(answer.headers.get("retry-after")).toBe("7");
      }
    });
  },
  { stores: ["memory"], retryAfterSeconds: 7 },
);
