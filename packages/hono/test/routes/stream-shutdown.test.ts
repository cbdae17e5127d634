import { DESTINATION_MACHINE_ID } from "@restorekit/testing";
import { expect, it, onTestFinished } from "vitest";
import { routeSuite } from "../support/route-suite.js";
import { sseReader } from "../support/sse-reader.js";

// The app's `signal`: a server shutting down ends the streams its clients would otherwise keep
// open for good (an agent's requests, a restore's events), so its close does not wait on them.

const closing = new AbortController();

routeSuite(
  "the streams as the app shuts down",
  (harness) => {
    it("end, the agent's requests and a restore's events, once the app's signal aborts", async () => {
      const tenant = harness().tenant();
      const id = await tenant.create();
      expect((await tenant.act(id, "StartManual")).status).toBe(204);
      const requests = await harness().app.request(
        tenant.v2(`/agents/${DESTINATION_MACHINE_ID}/requests`),
        { headers: { "x-auth-token": tenant.tokens.agent, accept: "text/event-stream" } },
      );
      const events = await harness().app.request(tenant.v1(`/restore/${id}/events`), {
        headers: { "x-auth-token": tenant.tokens.observer, accept: "text/event-stream" },
      });
      const heard = sseReader(requests.body as ReadableStream<Uint8Array>);
      const followed = sseReader(events.body as ReadableStream<Uint8Array>);
      onTestFinished(async () => {
        await heard.cancel();
        await followed.cancel();
      });
      expect((await heard.next())?.data).toMatchObject({ restore_id: id, action: "start" });
      expect((await followed.next())?.event).toBe("RestoreCreated");
      expect((await followed.next())?.event).toBe("RestoreStartRequested");

      closing.abort();
      // Both would otherwise stay open: the restore has not finished, and an agent never does.
      expect(await heard.next()).toBeNull();
      expect(await followed.next()).toBeNull();
      // Nothing was lost: what the agent was told is still pending, for it to hear on reconnection.
      const pending = await tenant.send(
        "GET",
        tenant.v2(`/agents/${DESTINATION_MACHINE_ID}/requests`),
        {
          as: "agent",
        },
      );
      expect(pending.json).toMatchObject({ requests: [{ restore_id: id, action: "start" }] });
    });
  },
  // The signal is one per app, and ending the streams asks nothing of the store.
  { stores: ["memory"], eventStream: { pollMs: 20, heartbeatMs: 200 }, signal: closing.signal },
);
