import type { Hono } from "hono";
import { expect, it } from "vitest";
import type { RestoreAppEnv } from "../../src/index.js";
import { statePatch } from "../support/reach-state.js";
import { routeSuite } from "../support/route-suite.js";
import { sseReader } from "../support/sse-reader.js";
import type { Tenant } from "../support/tenant-scope.js";

// GET .../events with Accept: text/event-stream: each event once, in order, as it commits,
// from Last-Event-ID on, and the end of the stream once the restore has finished.

async function open(
  app: Hono<RestoreAppEnv>,
  tenant: Tenant,
  restoreId: number,
  headers: Record<string, string> = {},
) {
  const response = await app.request(tenant.v1(`/restore/${restoreId}/events`), {
    headers: { "x-auth-token": tenant.tokens.observer, accept: "text/event-stream", ...headers },
  });
  return response;
}

routeSuite(
  "the event stream",
  (harness) => {
    it("streams what is there, then each change as it commits, and ends once the restore has", async () => {
      const tenant = harness().tenant();
      const id = await tenant.create();
      const response = await open(harness().app, tenant, id);
      expect(response.status).toBe(200);
      expect(response.headers.get("content-type")).toMatch(/^text\/event-stream/);
      const events = sseReader(response.body as ReadableStream<Uint8Array>);
      expect(await events.next()).toMatchObject({
        id: "1",
        event: "RestoreCreated",
        data: { seq: 1, type: "RestoreCreated" },
      });

      expect((await tenant.act(id, "StartManual")).status).toBe(204);
      expect(await events.next()).toMatchObject({ id: "2", event: "RestoreStartRequested" });
      for (const state of ["queued", "in_progress", "completed"]) {
        expect((await tenant.report(id, statePatch(state))).status).toBe(204);
      }
      const rest: (string | null)[] = [];
      for (let e = await events.next(); e !== null; e = await events.next()) rest.push(e.id);
      expect(rest).toEqual(["3", "4", "5"]);
    });

    it("resumes after Last-Event-ID, and ends at once on a finished restore", async () => {
      const tenant = harness().tenant();
      const id = await tenant.create();
      await tenant.act(id, "StartManual");
      await tenant.act(id, "StopManual");
      const response = await open(harness().app, tenant, id, { "last-event-id": "1" });
      const events = sseReader(response.body as ReadableStream<Uint8Array>);
      const ids: (string | null)[] = [];
      for (let e = await events.next(); e !== null; e = await events.next()) ids.push(e.id);
      expect(ids).toEqual(["2", "3"]);
    });

    it("says keep-alive while quiet, and refuses before streaming what a read would refuse", async () => {
      const tenant = harness().tenant();
      const id = await tenant.create();
      const response = await open(harness().app, tenant, id);
      const events = sseReader(response.body as ReadableStream<Uint8Array>);
      await events.next();
      // Heartbeats come after 200 ms of silence here; the next event waits for a start.
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      await tenant.act(id, "StartManual");
      await events.next();
      expect(events.comments.length).toBeGreaterThan(0);
      await events.cancel();

      const missing = await open(harness().app, tenant, 987_654_321);
      expect(missing.status).toBe(404);
      const other = await harness().app.request(tenant.v1(`/restore/${id}/events`), {
        headers: { "x-auth-token": tenant.tokens.otherAdmin, accept: "text/event-stream" },
      });
      expect(other.status).toBe(403);
      const anonymous = await harness().app.request(tenant.v1(`/restore/${id}/events`), {
        headers: { accept: "text/event-stream" },
      });
      expect(anonymous.status).toBe(401);
    });
  },
  { eventStream: { pollMs: 20, heartbeatMs: 200 } },
);
