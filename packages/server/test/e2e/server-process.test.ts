import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { CREATE_EXAMPLE, call, startRestore, waitForState } from "../support/api.js";
import {
  cleanEnv,
  runProcess,
  type ServerProcess,
  startCommand,
  startServerProcess,
} from "../support/server-process.js";

// The server as `pnpm start` runs it, in a process of its own: restarts, signals, settings.

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "rk-server-"));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function started(env: Record<string, string>): Promise<ServerProcess> {
  const server = await startServerProcess({ PORT: "0", ...env });
  cleanups.push(async () => void (await server.stop()));
  return server;
}

describe("a restart on the same DATA_DIR", () => {
  it("finds the demo restores as they were left, seeds nothing twice and keeps counting ids", async () => {
    const dataDir = tempDir();
    const first = await started({ DATA_DIR: dataDir, RESTOREKIT_AGENT_STEP_MS: "100" });
    expect(first.stdout()).toContain(
      "restores 1394, 13692, 13689 (created now, in state Creating)",
    );
    expect(first.stdout()).toContain("(generated now)");
    expect((await startRestore(first.url, 13692)).status).toBe(204);
    await waitForState(first.url, 13692, [3]);
    const created = await call(first.url, "/v1.0/1234/restore", {
      token: "demo-creator",
      method: "PUT",
      body: CREATE_EXAMPLE,
    });
    expect(created.body).toMatchObject({ RestoreId: 13693, RestoreStateId: 0 });
    expect(await first.stop()).toEqual({ code: 0, signal: null });
    expect(existsSync(join(dataDir, "server.pid"))).toBe(false);

    const second = await started({ DATA_DIR: dataDir, RESTOREKIT_AGENT_STEP_MS: "100" });
    expect(second.stdout()).toContain("restores 1394, 13692, 13689 (found in storage)");
    expect(second.stdout()).toContain("(reused)");
    expect(
      (await call(second.url, "/v1.0/1234/restore/13692", { token: "demo-observer" })).body,
    ).toMatchObject({
      RestoreStateId: 3,
    });
    for (const id of [1394, 13689, 13693]) {
      const events = await call(second.url, `/v1.0/1234/restore/${id}/events`, {
        token: "demo-observer",
      });
      expect((events.body as { Events: unknown[] }).Events, `events of ${id}`).toHaveLength(1);
    }
    const next = await call(second.url, "/v1.0/1234/restore", {
      token: "demo-creator",
      method: "PUT",
      body: CREATE_EXAMPLE,
    });
    expect(next.body).toMatchObject({ RestoreId: 13694 });
  });

  it("is refused while another server holds it, saying which", async () => {
    const dataDir = tempDir();
    const holder = await started({ DATA_DIR: dataDir });
    const second = runProcess(
      startCommand().command,
      startCommand().args,
      cleanEnv({ PORT: "0", DATA_DIR: dataDir }),
    );
    expect(await second.exited).toEqual({ code: 1, signal: null });
    expect(second.output()).toContain(
      `another restorekit server (pid ${holder.child.pid}) is using it`,
    );
    expect((await call(holder.url, "/healthz")).status).toBe(200);
  });
});

describe("SIGTERM", () => {
  it("lets a request in flight finish, then exits 0", async () => {
    const server = await started({ DATA_DIR: "memory://", LOG_LEVEL: "debug" });
    const body = JSON.stringify(CREATE_EXAMPLE);
    const { hostname, port } = new URL(server.url);
    const answer = new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(
        {
          hostname,
          port,
          method: "PUT",
          path: "/v1.0/1234/restore",
          headers: {
            "x-auth-token": "demo-creator",
            "content-type": "application/json",
            "content-length": Buffer.byteLength(body),
          },
        },
        (response) => {
          let text = "";
          response.on("data", (chunk: Buffer) => {
            text += chunk.toString();
          });
          response.on("end", () => resolve({ status: response.statusCode ?? 0, body: text }));
        },
      );
      req.on("error", reject);
      // Half the body now; the rest once the server is shutting down.
      req.write(body.slice(0, 20));
      void server
        .waitFor(/"method":"PUT","url":"\/v1\.0\/1234\/restore","msg":"request received"/)
        .then(async () => {
          server.signal("SIGTERM");
          await server.waitFor(/shutting down/);
          req.end(body.slice(20));
        }, reject);
    });
    const { status, body: text } = await answer;
    expect(status).toBe(200);
    expect(JSON.parse(text)).toMatchObject({ RestoreId: 13693 });
    expect(await server.exited).toEqual({ code: 0, signal: null });
    expect(server.output()).toMatch(/"msg":"stopped"/);
  });
});

describe("RESTOREKIT_DEMO=0", () => {
  it("has no demo tokens, restores, catalog or agent; a tokens file's tokens work", async () => {
    const dir = tempDir();
    const tokensFile = join(dir, "tokens.json");
    writeFileSync(
      tokensFile,
      JSON.stringify([{ token: "ops-admin-4f1c", tenant: "1234", roles: ["cloudbackup:admin"] }]),
    );
    const server = await started({
      DATA_DIR: "memory://",
      RESTOREKIT_DEMO: "0",
      RESTOREKIT_TOKENS_FILE: tokensFile,
    });
    expect(server.stdout()).not.toContain("demo tenant");
    expect(server.stdout()).toContain(`1 tokens from ${tokensFile}`);
    expect(server.stdout()).toContain("simulated agent  off");
    expect(server.stdout()).toContain("catalog          empty");
    for (const token of ["demo-admin", "demo-creator", "demo-observer", "demo-agent"]) {
      expect((await call(server.url, "/v1.0/1234/restore/13692", { token })).status, token).toBe(
        401,
      );
    }
    expect(
      (await call(server.url, "/v1.0/1234/restore/13692", { token: "ops-admin-4f1c" })).status,
    ).toBe(404);
    const created = await call(server.url, "/v1.0/1234/restore", {
      token: "ops-admin-4f1c",
      method: "PUT",
      body: CREATE_EXAMPLE,
    });
    expect(created.status).toBe(400);
    expect(JSON.stringify(created.body)).toContain("BackupId");
  });

  it("with no token source at all starts, warns, and refuses every token", async () => {
    const server = await started({ DATA_DIR: "memory://", RESTOREKIT_DEMO: "0" });
    expect(server.output()).toContain("WARNING: No tokens are configured");
    expect((await call(server.url, "/v1.0/1234/restore/1", { token: "demo-admin" })).status).toBe(
      401,
    );
    expect((await call(server.url, "/healthz")).status).toBe(200);
    expect((await call(server.url, "/readyz")).status).toBe(200);
  });
});

describe("a bad setting", () => {
  it("exits 1 with a plain message naming every bad variable, no stack and no secret", async () => {
    const run = runProcess(
      startCommand().command,
      startCommand().args,
      cleanEnv({
        PORT: "eighty",
        RESTOREKIT_DEMO: "maybe",
        DATABASE_URL: "mysql://app:hunter2-secret@db.internal/app",
        RESTOREKIT_SEALING_KEYS: "k1:not-base64!",
      }),
    );
    expect(await run.exited).toEqual({ code: 1, signal: null });
    const output = run.output();
    expect(output).toContain("restorekit did not start. The configuration is invalid:");
    expect(output).toContain('PORT: must be a whole number from 0 to 65535, not "eighty"');
    expect(output).toContain("RESTOREKIT_DEMO: must be 1 or 0");
    expect(output).toContain("DATABASE_URL: must start with postgres:// or postgresql://");
    expect(output).toContain("RESTOREKIT_SEALING_KEYS:");
    expect(output).not.toContain("hunter2");
    expect(output).not.toContain("not-base64");
    expect(output).not.toMatch(/^\s+at /m);
  });

  it("exits 1 when a catalog file holds a weak agent key, naming the machine", async () => {
    const dir = tempDir();
    const catalogFile = join(dir, "catalog.json");
    const weak = { ModulusHex: `C${"5".repeat(254)}7`, ExponentHex: 10001 };
    writeFileSync(
      catalogFile,
      JSON.stringify({
        machines: [{ tenantId: "42", machineId: 7, name: "OLD-AGENT", publicKey: weak }],
        backups: [],
      }),
    );
    const run = runProcess(
      startCommand().command,
      startCommand().args,
      cleanEnv({ PORT: "0", DATA_DIR: "memory://", RESTOREKIT_CATALOG_FILE: catalogFile }),
    );
    expect(await run.exited).toEqual({ code: 1, signal: null });
    expect(run.output()).toContain("machines[0].publicKey: The RSA key has a 1024-bit modulus");
    expect(run.output()).not.toMatch(/^\s+at /m);
  });

  it("exits 1 when the port is taken, saying so", async () => {
    const holder = await started({ DATA_DIR: "memory://" });
    const port = new URL(holder.url).port;
    const run = runProcess(
      startCommand().command,
      startCommand().args,
      cleanEnv({ PORT: port, DATA_DIR: "memory://" }),
    );
    expect(await run.exited).toEqual({ code: 1, signal: null });
    expect(run.output()).toContain(`cannot listen on 127.0.0.1:${port}: the port is in use`);
  });
});
