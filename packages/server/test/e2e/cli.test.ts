import { createServer } from "node:net";
import { createRestoreClient } from "@restorekit/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call } from "../support/api.js";
import { cleanEnv, type Exit, runProcess, startCommand } from "../support/server-process.js";
import { ENCRYPTED_BACKUP, startTestServer, type TestServer } from "../support/test-server.js";

// `pnpm restorekit` (the root script runs packages/client/scripts/restorekit.mjs) against a
// running demo server: restores get|start|stop|events and encrypt-password, with exit codes.

let test: TestServer;
let url: string;

beforeAll(async () => {
  // No simulated agent: a started restore waits, so a stop cancels it and nothing races.
  test = await startTestServer("pglite", { simulatedAgent: false });
  url = test.server.url;
});

afterAll(async () => {
  await test?.close();
});

const client = () => createRestoreClient({ baseUrl: url, tenantId: "1234", token: "demo-creator" });

/** Runs `pnpm restorekit` with `args` as the root script does, `stdin` piped in. */
async function runCliProcess(
  args: readonly string[],
  options: { stdin?: string; env?: Record<string, string> } = {},
): Promise<{ exit: Exit; stdout: string; output: string }> {
  const { command, args: script } = startCommand("restorekit");
  const run = runProcess(command, [...script, ...args], cleanEnv(options.env ?? {}));
  run.child.stdin?.end(options.stdin ?? "");
  const exit = await run.exited;
  return { exit, stdout: run.stdout(), output: run.output() };
}

/** The EncryptedPassword the server releases to the restore's agent, as the agent fetches it. */
async function releasedPassword(id: number): Promise<string> {
  const released = await call(url, `/v2/1234/restores/${id}/password`, { token: "demo-agent" });
  expect(released.status).toBe(200);
  return (released.body as { EncryptedPassword: string }).EncryptedPassword;
}

/** A port nothing listens on: one the system handed out and took back. */
async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const { port } = probe.address() as { port: number };
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

describe("restorekit restores", () => {
  it("starts an encrypted restore with --password-stdin, follows it and lists its events, as JSON and as tables", async () => {
    const id = (await client().create(ENCRYPTED_BACKUP))._unsafeUnwrap().details.RestoreId;
    const env = {
      RESTOREKIT_URL: url,
      RESTOREKIT_TENANT: "1234",
      RESTOREKIT_TOKEN: "demo-creator",
    };
    const start = await runCliProcess(
      ["restores", "start", String(id), "--password-stdin", "--json"],
      {
        stdin: "correct horse battery staple\n",
        env,
      },
    );
    expect(start.exit, start.output).toEqual({ code: 0, signal: null });
    expect(JSON.parse(start.stdout)).toEqual({
      RestoreId: id,
      State: "StartRequested",
      RestoreStateId: 6,
      ETag: '"2"',
    });
    // The agent's key opens what the server releases to it: the passphrase typed.
    expect(test.decrypt(await releasedPassword(id))).toBe("correct horse battery staple");
    expect(test.server.output()).not.toContain("correct horse battery staple");
    (await client().stop(id))._unsafeUnwrap();

    const get = await runCliProcess(["restores", "get", String(id), "--json"], { env });
    expect(get.exit).toEqual({ code: 0, signal: null });
    expect(JSON.parse(get.stdout)).toMatchObject({
      RestoreId: id,
      RestoreStateId: 4,
      IsEncrypted: true,
    });
    const table = await runCliProcess(["restores", "get", String(id)], { env });
    expect(table.stdout).toMatch(/^Restore {10}\d+\nState {12}Stopped \(4\)\nEncrypted {8}yes\n/);

    const events = await runCliProcess(
      ["restores", "events", String(id), "--page-size", "1", "--json"],
      { env },
    );
    const listed = (JSON.parse(events.stdout) as { Events: { seq: number; type: string }[] })
      .Events;
    expect(listed.map((event) => event.seq)).toEqual(listed.map((_, i) => i + 1));
    expect(listed.map((event) => event.type)).toEqual([
      "RestoreCreated",
      "RestoreStartRequested",
      "RestoreCancelled",
    ]);
    const rows = (await runCliProcess(["restores", "events", String(id)], { env })).stdout
      .trimEnd()
      .split("\n");
    expect(rows[0]).toMatch(/^SEQ {2}TYPE {2,}ACTOR {2,}AT {2,}REQUEST$/);
    expect(rows).toHaveLength(listed.length + 1);
    // Aligned: every row's second column starts where the header's does.
    expect(
      new Set(rows.map((row) => row.indexOf(" ") + row.slice(row.indexOf(" ")).search(/\S/))).size,
    ).toBe(1);
  });

  it("stops a started restore (cancelled: no agent took it) and says what it did; a start of a stopped one fails with exit code 1", async () => {
    const start = await runCliProcess(["restores", "start", "13692", "--url", url]);
    expect(start.exit, start.output).toEqual({ code: 0, signal: null });
    expect(start.stdout).toMatch(/^Restore 13692 started: now StartRequested \(ETag "\d+"\)\n$/);
    const stop = await runCliProcess(["restores", "stop", "13692", `--url=${url}`, "--json"]);
    expect(stop.exit, stop.output).toEqual({ code: 0, signal: null });
    expect(JSON.parse(stop.stdout)).toMatchObject({
      RestoreId: 13692,
      State: "Stopped",
      RestoreStateId: 4,
    });
    const again = await runCliProcess(["restores", "start", "13692", "--url", url]);
    expect(again.exit).toEqual({ code: 1, signal: null });
    expect(again.output).toContain("(restore_finished, HTTP 400)");
  });

  it("fails with exit code 1 and a hint: no password, a wrong token, another tenant, no server", async () => {
    const id = (await client().create(ENCRYPTED_BACKUP))._unsafeUnwrap().details.RestoreId;
    const bare = await runCliProcess(["restores", "start", String(id), "--url", url]);
    expect(bare.exit).toEqual({ code: 1, signal: null });
    expect(bare.output).toContain(
      "(password_required, HTTP 400) Give the vault passphrase with --password-stdin.",
    );
    const token = await runCliProcess(["restores", "get", String(id)], {
      env: { RESTOREKIT_URL: url, RESTOREKIT_TOKEN: "nobody" },
    });
    expect(token.exit).toEqual({ code: 1, signal: null });
    expect(token.output).toContain("Check --token (or RESTOREKIT_TOKEN).");
    const other = await runCliProcess([
      "restores",
      "get",
      String(id),
      "--url",
      url,
      "--tenant",
      "5678",
    ]);
    expect(other.exit).toEqual({ code: 1, signal: null });
    expect(other.output).toContain("(forbidden, HTTP 403)");
    const missing = await runCliProcess(["restores", "get", "99", "--url", url]);
    expect(missing.output).toContain("Restore 99 was not found. (restore_not_found, HTTP 404)");
    const down = `http://127.0.0.1:${await closedPort()}`;
    const unreachable = await runCliProcess(["restores", "get", "1", "--url", down]);
    expect(unreachable.exit).toEqual({ code: 1, signal: null });
    expect(unreachable.output).toContain(`Cannot reach the server at ${down}`);
    expect(unreachable.output).toContain("ECONNREFUSED");
  });

  it("shows the usage with exit code 2 for a command line it cannot run, and 0 for --help", async () => {
    const wrong = await runCliProcess(["restores", "start"]);
    expect(wrong.exit).toEqual({ code: 2, signal: null });
    expect(wrong.output).toContain("restorekit: restores start needs a restore id");
    expect(wrong.output).toContain("Usage:");
    const help = await runCliProcess(["--help"]);
    expect(help.exit).toEqual({ code: 0, signal: null });
    expect(help.stdout).toContain("restorekit restores start <id> [--password-stdin]");
  });
});

describe("restorekit encrypt-password", () => {
  it("encrypts a passphrase from standard input with the restore's agent key; the agent's key opens it", async () => {
    const run = await runCliProcess(["encrypt-password", "--restore", "13689"], {
      stdin: "correct horse battery staple\n",
      env: { RESTOREKIT_URL: url },
    });
    expect(run.exit, run.output).toEqual({ code: 0, signal: null });
    const hex = run.stdout.trim();
    expect(hex).toMatch(/^[0-9A-F]{512}$/);
    expect(test.decrypt(hex)).toBe("correct horse battery staple");
  });

  it("refuses an unencrypted restore and an unknown one with exit code 1, and a missing --restore with 2", async () => {
    const plain = await runCliProcess([
      "encrypt-password",
      "--restore",
      "1394",
      "--url",
      url,
      "--passphrase",
      "x",
    ]);
    expect(plain.exit).toEqual({ code: 1, signal: null });
    expect(plain.output).toContain(
      "Restore 1394 is not encrypted: start it without an EncryptedPassword.",
    );
    const unknown = await runCliProcess([
      "encrypt-password",
      "--restore=99",
      `--url=${url}`,
      "--passphrase=x",
    ]);
    expect(unknown.exit).toEqual({ code: 1, signal: null });
    expect(unknown.output).toContain("Restore 99 was not found.");
    const missing = await runCliProcess(["encrypt-password"]);
    expect(missing.exit).toEqual({ code: 2, signal: null });
    expect(missing.output).toContain("restorekit: --restore <id> is required");
  });
});
