import { describe, expect, it } from "vitest";
import { statePatch } from "../support/reach-state.js";
import { routeSuite } from "../support/route-suite.js";
import type { Tenant } from "../support/tenant-scope.js";

// ETag, If-Match and If-None-Match on the v1 routes, and the state a change left in its 204.

const startBody = (restoreId: number) => ({ json: { Action: "StartManual", Id: restoreId } });

async function etagOf(tenant: Tenant, restoreId: number): Promise<string> {
  const answer = await tenant.send("GET", tenant.v1(`/restore/${restoreId}`));
  expect(answer.status).toBe(200);
  const etag = answer.headers.get("etag");
  expect(etag).toMatch(/^"\d+"$/);
  return etag as string;
}

routeSuite("conditional requests", (harness) => {
  describe("ETag", () => {
    it("is the restore's version, on the create, the details and every change's 204", async () => {
      const tenant = harness().tenant();
      const created = await tenant.send("PUT", tenant.v1("/restore"), {
        json: {
          BackupId: 133599,
          BackupMachineId: 156953,
          DestinationMachineId: 156751,
          DestinationPath: "C:\\Restore\\",
          OverwriteFiles: false,
        },
      });
      expect(created.status).toBe(200);
      expect(created.headers.get("etag")).toBe('"1"');
      const id = Number((created.json as { RestoreId: number }).RestoreId);
      expect(await etagOf(tenant, id)).toBe('"1"');

      const started = await tenant.act(id, "StartManual");
      expect(started.status).toBe(204);
      expect(started.headers.get("etag")).toBe('"2"');
      expect(started.headers.get("x-restore-state")).toBe("StartRequested");
      expect(started.headers.get("x-restore-state-id")).toBe("6");
      expect(await etagOf(tenant, id)).toBe('"2"');

      // A no-op changes nothing, and says so: same version, same state.
      const again = await tenant.act(id, "StartManual");
      expect(again.status).toBe(204);
      expect(again.headers.get("etag")).toBe('"2"');
      expect(again.headers.get("x-restore-state-id")).toBe("6");

      const stopped = await tenant.act(id, "StopManual");
      expect(stopped.headers.get("x-restore-state")).toBe("Stopped");
      expect(stopped.headers.get("x-restore-state-id")).toBe("4");
      expect(stopped.headers.get("etag")).toBe('"3"');
    });

    it("answers If-None-Match naming the current version with 304 and no body", async () => {
      const tenant = harness().tenant();
      const id = await tenant.create();
      const etag = await etagOf(tenant, id);
      for (const value of [etag, `W/${etag}`, `"999", ${etag}`, "*"]) {
        const answer = await tenant.send("GET", tenant.v1(`/restore/${id}`), {
          headers: { "if-none-match": value },
        });
        expect(answer.status, value).toBe(304);
        expect(answer.text).toBe("");
        expect(answer.headers.get("etag")).toBe(etag);
      }
      await tenant.act(id, "StartManual");
      const changed = await tenant.send("GET", tenant.v1(`/restore/${id}`), {
        headers: { "if-none-match": etag },
      });
      expect(changed.status).toBe(200);
      expect(changed.headers.get("etag")).not.toBe(etag);
    });
  });

  describe("If-Match", () => {
    it("makes the change while the restore is at a version it names", async () => {
      const tenant = harness().tenant();
      const id = await tenant.create();
      const etag = await etagOf(tenant, id);
      for (const value of [etag, `"77", ${etag}`, "*"]) {
        const fresh = await tenant.create();
        const answer = await tenant.send("POST", tenant.v1("/restore/action-requested"), {
          ...startBody(fresh),
          headers: { "if-match": value === etag ? await etagOf(tenant, fresh) : value },
        });
        expect(answer.status, value).toBe(204);
        expect(answer.headers.get("x-restore-state")).toBe("StartRequested");
      }
    });

    it("refuses with 412 a change on a version the restore has moved past, and changes nothing", async () => {
      const tenant = harness().tenant();
      const id = await tenant.create();
      const seen = await etagOf(tenant, id);
      expect((await tenant.act(id, "StartManual")).status).toBe(204);
      const before = await tenant.snapshot(id);

      const stop = await tenant.send("POST", tenant.v1("/restore/action-requested"), {
        json: { Action: "StopManual", Id: id },
        headers: { "if-match": seen },
      });
      expect(stop.status).toBe(412);
      expect(stop.json).toMatchObject({ preconditionFailed: { code: 412 } });
      expect(JSON.stringify(stop.json)).toContain(`Restore ${id} is at version 2, not 1`);

      const update = await tenant.send("POST", tenant.v1("/restore"), {
        json: {
          RestoreId: id,
          BackupId: 133599,
          BackupMachineId: 156953,
          DestinationMachineId: 156751,
          DestinationPath: "C:\\Elsewhere\\",
          OverwriteFiles: true,
        },
        headers: { "if-match": seen },
      });
      expect(update.status).toBe(412);
      expect(await tenant.snapshot(id)).toEqual(before);
    });

    it("never matches a weak tag or a tag it did not write, and refuses what is not a tag", async () => {
      const tenant = harness().tenant();
      const id = await tenant.create();
      const etag = await etagOf(tenant, id);
      for (const value of [`W/${etag}`, '"abc"', '"0"', '"99999999999"']) {
        const answer = await tenant.send("POST", tenant.v1("/restore/action-requested"), {
          ...startBody(id),
          headers: { "if-match": value },
        });
        expect(answer.status, value).toBe(412);
      }
      for (const value of ["1", "'1'", '"1', '"1" junk', '"a b"']) {
        const answer = await tenant.send("POST", tenant.v1("/restore/action-requested"), {
          ...startBody(id),
          headers: { "if-match": value },
        });
        expect(answer.status, value).toBe(400);
        expect(JSON.stringify(answer.json)).toContain("If-Match");
      }
      expect(await tenant.stateOf(id)).toBe("Creating");
    });

    it("answers 404 before 412 for a restore that is not there, and 412 for an agent's race", async () => {
      const tenant = harness().tenant();
      const missing = await tenant.send("POST", tenant.v1("/restore/action-requested"), {
        ...startBody(987_654_321),
        headers: { "if-match": '"1"' },
      });
      expect(missing.status).toBe(404);

      // The client read the restore, then the agent moved it on: the client's stop is refused.
      const id = await tenant.create();
      expect((await tenant.act(id, "StartManual")).status).toBe(204);
      const seen = await etagOf(tenant, id);
      expect((await tenant.report(id, statePatch("queued"))).status).toBe(204);
      const stop = await tenant.send("POST", tenant.v1("/restore/action-requested"), {
        json: { Action: "StopManual", Id: id },
        headers: { "if-match": seen },
      });
      expect(stop.status).toBe(412);
      expect(await tenant.stateOf(id)).toBe("Queued");
    });
  });
});
