import { type Agent, type AgentOptions, createAgent, type RunRestore } from "@restorekit/agent";
import { createRestoreClient } from "@restorekit/client";
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from "vitest";
import { CREATE_EXAMPLE, call, waitForState } from "../support/api.js";
import { SERVER_URL as DATABASE_URL, postgresAnswers } from "../support/scratch-database.js";
import { startTestServer, type TestServer } from "../support/test-server.js";
import { type ProxyDecision, unavailableProxy } from "../support/unavailable-proxy.js";

// The agent against the real server process (simulated agent off), as `demo-agent` with the demo
// agent's key: an encrypted restore end to end, started by the client with its passphrase, a stop
// mid-run, a server restarted under the agent, and reports answered 503 by a proxy in between.
// On PGlite, and on the Postgres server.

const TEST_TIMEOUT_MS = 240_000;
const postgresUp = await postgresAnswers();
if (!postgresUp) {
  console.warn(
    `No Postgres server answered at ${DATABASE_URL}: the agent's Postgres suite is skipped.`,
  );
}

const CREATE = { ...CREATE_EXAMPLE, DestinationPath: "C:\\AgentTest\\", OverwriteFiles: true };

async function createRestore(url: string): Promise<number> {
  const created = await call(url, "/v1.0/1234/restore", {
    token: "demo-creator",
    method: "PUT",
    body: CREATE,
  });
  const id = (created.body as { RestoreId?: unknown } | null)?.RestoreId;
  if (created.status !== 200 || typeof id !== "number") {
    throw new Error(`create answered ${created.status}`);
  }
  return id;
}

function act(url: string, action: "StartManual" | "StopManual", id: number) {
  return call(url, "/v1.0/1234/restore/action-requested", {
    token: "demo-creator",
    method: "POST",
    body: { Action: action, Id: id },
  });
}

async function eventTypes(url: string, id: number): Promise<string[]> {
  const events = await call(url, `/v1.0/1234/restore/${id}/events`, { token: "demo-observer" });
  return (events.body as { Events: { type: string; data: { state?: string } }[] }).Events.map(
    (event) => (event.data.state === undefined ? event.type : `${event.type}:${event.data.state}`),
  );
}

const stores = [
  { name: "PGlite", backend: "pglite" as const },
  ...(postgresUp ? [{ name: "Postgres server", backend: "postgres" as const }] : []),
];

for (const store of stores) {
  describe(`the agent against the real server on ${store.name}`, () => {
    let test: TestServer;
    const logLines: string[] = [];

    beforeAll(async () => {
      // On disk, so that a restart finds the restores and the agent's key again.
      test = await startTestServer(store.backend, { simulatedAgent: false, persistent: true });
    }, TEST_TIMEOUT_MS);

    afterAll(async () => {
      await test?.close();
    }, TEST_TIMEOUT_MS);

    function agentFor(run: RunRestore, overrides: Partial<AgentOptions> = {}): Agent {
      const created = createAgent({
        baseUrl: test.url,
        tenantId: "1234",
        agentId: 156751,
        token: "demo-agent",
        privateKey: test.agentPrivateKey,
        run,
        heartbeatMs: 300,
        pollMs: 200,
        retry: { initialMs: 100, maxMs: 1_000 },
        log: {
          info: (fields, message) => void logLines.push(`${message} ${JSON.stringify(fields)}`),
          warn: (fields, message) => void logLines.push(`${message} ${JSON.stringify(fields)}`),
        },
        ...overrides,
      });
      if (created.isErr()) throw new Error(created.error.message);
      onTestFinished(() => created.value.stop());
      return created.value;
    }

    it("carries out an encrypted restore: decrypts the password, reports progress, completes", {
      timeout: TEST_TIMEOUT_MS,
    }, async () => {
      const passphrase = "correct horse battery staple";
      let seen: string | null = null;
      const agent = agentFor(async (restore, { password, progress }) => {
        seen = password?.reveal() ?? null;
        expect(restore).toMatchObject({ restoreId: 13689, isEncrypted: true });
        await progress({ phase: "preparing", totalBytes: 1000, bytesRemaining: 1000 });
        await progress({ filesRestored: 3, bytesCompleted: 500, bytesRemaining: 500 });
        return {
          state: "completed",
          progress: { filesRestored: 6, bytesCompleted: 1000, bytesRemaining: 0 },
        };
      });
      await agent.start();
      // The client encrypts the passphrase for the agent itself; what it sent is kept to look at.
      const sent: { url: string; body: string; status: number }[] = [];
      const client = createRestoreClient({
        baseUrl: test.url,
        tenantId: "1234",
        token: "demo-creator",
        fetch: async (request) => {
          const body = await request.clone().text();
          const response = await fetch(request);
          sent.push({ url: request.url, body, status: response.status });
          return response;
        },
      });
      const started = await client.start(13689, { password: passphrase });
      expect(started._unsafeUnwrap()).toMatchObject({ restoreId: 13689, state: "StartRequested" });
      const action = sent.find((request) => request.url.endsWith("/action-requested"));
      expect(action?.status).toBe(204);
      const hex = (JSON.parse(action?.body ?? "{}") as { EncryptedPassword: string })
        .EncryptedPassword;
      expect(hex).toMatch(/^[0-9A-F]{512}$/);
      expect(action?.body).not.toContain(passphrase);

      const done = await waitForState(test.url, 13689, [3, 5, 8]);
      expect(done).toMatchObject({
        RestoreStateId: 3,
        Progress: {
          FilesRestored: 6,
          BytesCompleted: 1000,
          TotalBytes: 1000,
          PercentComplete: 100,
        },
      });
      expect(seen).toBe(passphrase);
      expect(await eventTypes(test.url, 13689)).toEqual([
        "RestoreCreated",
        "RestoreStartRequested",
        "RestoreProgressed:Queued",
        "RestoreProgressed:Preparing",
        "RestoreProgressReported",
        "RestoreProgressed:InProgress",
        "RestoreProgressReported",
        "RestoreFinished:Completed",
      ]);
      // The password is gone once the restore ended, and never reached a log.
      expect(
        (await call(test.url, "/v2/1234/restores/13689/password", { token: "demo-agent" })).status,
      ).toBe(404);
      const logged = logLines.join("\n") + test.server.output();
      expect(logged).not.toContain(passphrase);
      expect(logged).not.toContain(hex.slice(0, 40));
    });

    it("aborts run on a stop request and reports the restore stopped", {
      timeout: TEST_TIMEOUT_MS,
    }, async () => {
      let running: () => void = () => undefined;
      const started = new Promise<void>((resolve) => {
        running = resolve;
      });
      let reason: unknown = null;
      const agent = agentFor(async (_restore, { progress, signal }) => {
        await progress({ totalBytes: 10 });
        running();
        await new Promise((resolve) => signal.addEventListener("abort", resolve, { once: true }));
        reason = signal.reason;
        return { state: "completed" };
      });
      await agent.start();
      expect((await act(test.url, "StartManual", 13692)).status).toBe(204);
      await started;
      expect((await act(test.url, "StopManual", 13692)).status).toBe(204);
      await waitForState(test.url, 13692, [4]);
      expect(reason).toBe("stop");
      const types = await eventTypes(test.url, 13692);
      expect(types.slice(-2)).toEqual(["RestoreStopRequested", "RestoreStopped"]);
      expect(types).not.toContain("RestoreFinished:Completed");
    });

    it("retries reports a proxy answers 503, honouring Retry-After, until the restore completes", {
      timeout: TEST_TIMEOUT_MS,
    }, async () => {
      // Every other report is refused once: each must be sent again to land.
      let patches = 0;
      const proxy = await unavailableProxy(test.url, (seen): ProxyDecision => {
        if (seen.method !== "PATCH") return { kind: "forward" };
        patches += 1;
        return patches % 2 === 1 ? { kind: "unavailable", retryAfter: "1" } : { kind: "forward" };
      });
      onTestFinished(() => proxy.close());
      const agent = agentFor(
        async (_restore, { progress }) => {
          await progress({ phase: "preparing", totalBytes: 100 });
          await progress({ filesRestored: 1, bytesCompleted: 50 });
          return {
            state: "completed_with_errors",
            errors: { count: 1, reason: "unable_to_process_some_files", list: [] },
          };
        },
        { baseUrl: proxy.url },
      );
      await agent.start();
      const id = await createRestore(test.url);
      expect((await act(test.url, "StartManual", id)).status).toBe(204);
      const done = await waitForState(test.url, id, [3, 4, 5, 8]).catch((e) => {
        console.log(logLines.join("\n"));
        throw e;
      });
      expect(done.RestoreStateId).toBe(8);
      const reports = proxy.decisions.filter((_, index) => proxy.seen[index]?.method === "PATCH");
      expect(reports.filter((made) => made.kind === "unavailable").length).toBeGreaterThanOrEqual(
        4,
      );
      expect(reports.filter((made) => made.kind === "forward").length).toBeGreaterThanOrEqual(4);
      const report = await call(test.url, `/v1.0/1234/restore/report/${id}`, {
        token: "demo-observer",
      });
      expect(report.body).toMatchObject({ State: "CompletedWithErrors", NumFilesRestored: "1" });
    });

    it("reconnects after the server restarts under it and takes a start made since", {
      timeout: TEST_TIMEOUT_MS,
    }, async () => {
      const ran: number[] = [];
      const agent = agentFor(async (restore) => {
        ran.push(restore.restoreId);
        return { state: "completed" };
      });
      await agent.start();
      await test.restart();
      const id = await createRestore(test.url);
      expect((await act(test.url, "StartManual", id)).status).toBe(204);
      await waitForState(test.url, id, [3]);
      expect(ran).toEqual([id]);
    });
  });
}
