import { agentRequestsSchema } from "@restorekit/core";
import {
  BACKUP_MACHINE_ID,
  DESTINATION_MACHINE_ID,
  ENCRYPTED_BACKUP_ID,
  UNENCRYPTED_BACKUP_ID,
} from "@restorekit/testing";
import { expect, it, onTestFinished } from "vitest";
import { encryptedPasswordFor, statePatch } from "../support/reach-state.js";
import { routeSuite } from "../support/route-suite.js";
import { sseReader } from "../support/sse-reader.js";
import { OTHER_AGENT_MACHINE_ID } from "../support/tenant-catalog.js";
import type { Tenant, Who } from "../support/tenant-scope.js";

// GET /v2/{project_id}/agents/{agent_id}/requests: the agent's start and stop requests with
// their work orders, as a list or as a stream; only the agent's own token may ask.

const requestsPath = (tenant: Tenant, agentId: number | string = DESTINATION_MACHINE_ID) =>
  tenant.v2(`/agents/${agentId}/requests`);

routeSuite(
  "the agent's requests",
  (harness) => {
    it("lists the pending starts and stops with their work orders", async () => {
      const tenant = harness().tenant();
      const plain = await tenant.create({ destinationPath: "D:\\Plain\\" });
      const encrypted = await tenant.create({ encrypted: true });
      const stopping = await tenant.create();
      const untouched = await tenant.create();
      expect((await tenant.act(plain, "StartManual")).status).toBe(204);
      const password = encryptedPasswordFor("vault passphrase");
      expect(
        (await tenant.act(encrypted, "StartManual", { encryptedPassword: password })).status,
      ).toBe(204);
      await tenant.act(stopping, "StartManual");
      expect((await tenant.report(stopping, statePatch("queued"))).status).toBe(204);
      await tenant.act(stopping, "StopManual");

      const answer = await tenant.send("GET", requestsPath(tenant), { as: "agent" });
      expect(answer.status).toBe(200);
      expect(answer.headers.get("cache-control")).toBe("no-store");
      const body = agentRequestsSchema.parse(answer.json);
      const byId = new Map(body.requests.map((request) => [request.restore_id, request]));
      expect(byId.has(untouched)).toBe(false);
      expect(byId.get(plain)).toEqual({
        restore_id: plain,
        action: "start",
        version: 2,
        backup_id: UNENCRYPTED_BACKUP_ID,
        backup_configuration_id: expect.any(Number),
        backup_machine_id: BACKUP_MACHINE_ID,
        restore_point: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        destination_path: "D:\\Plain\\",
        overwrite_files: false,
        is_encrypted: false,
      });
      expect(byId.get(encrypted)).toMatchObject({
        action: "start",
        backup_id: ENCRYPTED_BACKUP_ID,
        is_encrypted: true,
      });
      expect(byId.get(stopping)).toMatchObject({ action: "stop", version: 4 });
      // No secret travels with a request.
      expect(answer.text).not.toContain(password.slice(0, 32));
    });

    it("streams the pending requests, then a start and a stop as they commit", async () => {
      const tenant = harness().tenant();
      const waiting = await tenant.create();
      await tenant.act(waiting, "StartManual");
      const response = await harness().app.request(requestsPath(tenant), {
        headers: { "x-auth-token": tenant.tokens.agent, accept: "text/event-stream" },
      });
      expect(response.status).toBe(200);
      expect(response.headers.get("content-type")).toMatch(/^text\/event-stream/);
      const events = sseReader(response.body as ReadableStream<Uint8Array>);
      onTestFinished(() => events.cancel());
      expect(await events.next()).toMatchObject({
        id: `${waiting}-start-2`,
        event: "start",
        data: { restore_id: waiting, action: "start", version: 2 },
      });
      expect(events.fields).toContain("retry");

      const later = await tenant.create({ encrypted: true });
      await tenant.act(later, "StartManual", {
        encryptedPassword: encryptedPasswordFor("another passphrase"),
      });
      expect(await events.next()).toMatchObject({
        id: `${later}-start-2`,
        event: "start",
        data: { restore_id: later, action: "start", is_encrypted: true },
      });
      expect((await tenant.report(later, statePatch("queued"))).status).toBe(204);
      expect((await tenant.act(later, "StopManual")).status).toBe(204);
      expect(await events.next()).toMatchObject({
        id: `${later}-stop-4`,
        event: "stop",
        data: { restore_id: later, action: "stop", version: 4 },
      });
    });

    it("says keep-alive while quiet, and hears nothing of other agents' restores", async () => {
      const tenant = harness().tenant();
      const response = await harness().app.request(requestsPath(tenant), {
        headers: { "x-auth-token": tenant.tokens.agent, accept: "text/event-stream" },
      });
      const events = sseReader(response.body as ReadableStream<Uint8Array>);
      onTestFinished(() => events.cancel());
      // Heartbeats come after 200 ms of silence here; the next event waits for a start.
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      const id = await tenant.create();
      await tenant.act(id, "StartManual");
      const next = await events.next();
      expect(next?.data).toMatchObject({ restore_id: id });
      expect(events.comments.length).toBeGreaterThan(0);

      const other = await tenant.send("GET", requestsPath(tenant, OTHER_AGENT_MACHINE_ID), {
        as: "otherAgent",
      });
      expect(other.status).toBe(200);
      expect(agentRequestsSchema.parse(other.json).requests).toEqual([]);
    });

    it("refuses any token but the agent's own, in its own tenant, and a malformed id", async () => {
      const tenant = harness().tenant();
      const refused: readonly [Who | null, string, number][] = [
        ["admin", requestsPath(tenant), 403],
        ["observer", requestsPath(tenant), 403],
        ["otherAgent", requestsPath(tenant), 403],
        ["agent", requestsPath(tenant, OTHER_AGENT_MACHINE_ID), 403],
        ["agent", `/v2/${tenant.otherId}/agents/${DESTINATION_MACHINE_ID}/requests`, 403],
        ["otherAdmin", `/v2/${tenant.otherId}/agents/${DESTINATION_MACHINE_ID}/requests`, 403],
        [null, requestsPath(tenant), 401],
        ["agent", requestsPath(tenant, "0"), 400],
        ["agent", requestsPath(tenant, "12ab"), 400],
        ["agent", requestsPath(tenant, "99999999999999999999"), 400],
      ];
      for (const [who, path, status] of refused) {
        for (const accept of ["application/json", "text/event-stream"]) {
          const answer = await tenant.send("GET", path, { as: who, accept });
          expect(answer.status, `${who} ${path} ${accept}`).toBe(status);
          expect(answer.headers.get("content-type"), `${who} ${path}`).toMatch(
            /^application\/json/,
          );
          expect(answer.json).toMatchObject({
            message: expect.any(String),
            errors: expect.any(Array),
          });
        }
      }
      const posted = await tenant.send("POST", requestsPath(tenant), { as: "agent", json: {} });
      expect(posted.status).toBe(405);
    });
  },
  { eventStream: { pollMs: 20, heartbeatMs: 200 } },
);
