import { createServer } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, startRestore, waitForState } from "../support/api.js";
import {
  cleanEnv,
  type Exit,
  runProcess,
  type ServerProcess,
  startCommand,
  startServerProcess,
} from "../support/server-process.js";

// `pnpm restorekit encrypt-password` against a running demo server, as the root script runs it.

let server: ServerProcess;

beforeAll(async () => {
  server = await startServerProcess({
    PORT: "0",
    DATA_DIR: "memory://",
    RESTOREKIT_AGENT_STEP_MS: "100",
  });
});

afterAll(async () => {
  await server?.stop();
});

async function cli(
  args: readonly string[],
  options: { stdin?: string; env?: Record<string, string> } = {},
): Promise<{ exit: Exit; stdout: string; output: string }> {
  const { command, args: scriptArgs } = startCommand("restorekit");
  const run = runProcess(command, [...scriptArgs, ...args], cleanEnv(options.env ?? {}));
  run.child.stdin?.end(options.stdin ?? "");
  const exit = await run.exited;
  return { exit, stdout: run.stdout(), output: run.output() };
}

/** A port nothing listens on: one the system handed out and took back. */
async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const { port } = probe.address() as { port: number };
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

describe("restorekit encrypt-password", () => {
  it("encrypts a passphrase read from standard input, and the agent decrypts it and completes", async () => {
    const run = await cli(["encrypt-password", "--restore", "13689", "--url", server.url], {
      stdin: "correct horse battery staple\n",
    });
    expect(run.exit, run.output).toEqual({ code: 0, signal: null });
    const hex = run.stdout.trim();
    expect(hex).toMatch(/^[0-9A-F]{512}$/);

    expect((await startRestore(server.url, 13689, hex)).status).toBe(204);
    await waitForState(server.url, 13689, [3]);
    const events = await call(server.url, "/v1.0/1234/restore/13689/events", {
      token: "demo-observer",
    });
    const types = (events.body as { Events: { type: string }[] }).Events.map((e) => e.type);
    expect(types.at(-1)).toBe("RestoreFinished");
    expect(server.output()).toContain("simulated agent: decrypted the restore's password");
    expect(server.output()).not.toContain("correct horse battery staple");
    expect(server.output()).not.toContain(hex);
  });

  it("takes the URL and token from RESTOREKIT_URL and RESTOREKIT_TOKEN", async () => {
    const run = await cli(["encrypt-password", "--restore", "1394", "--passphrase", "x"], {
      env: { RESTOREKIT_URL: server.url, RESTOREKIT_TOKEN: "nobody" },
    });
    expect(run.exit).toEqual({ code: 1, signal: null });
    expect(run.output).toContain("The server answered 401");
    expect(run.output).toContain("Check --token (or RESTOREKIT_TOKEN).");
  });

  it("refuses an unencrypted restore, an unknown one and another tenant's, with exit code 1", async () => {
    const plain = await cli([
      "encrypt-password",
      "--restore",
      "13692",
      "--url",
      server.url,
      "--passphrase",
      "x",
    ]);
    expect(plain.exit).toEqual({ code: 1, signal: null });
    expect(plain.output).toContain(
      "Restore 13692 is not encrypted: start it without an EncryptedPassword.",
    );
    const unknown = await cli([
      "encrypt-password",
      "--restore",
      "99",
      "--url",
      server.url,
      "--passphrase",
      "x",
    ]);
    expect(unknown.exit).toEqual({ code: 1, signal: null });
    expect(unknown.output).toContain("The server answered 404: Restore 99 was not found.");
    const other = await cli([
      "encrypt-password",
      "--restore=13689",
      `--url=${server.url}`,
      "--tenant=5678",
      "--passphrase=x",
    ]);
    expect(other.exit).toEqual({ code: 1, signal: null });
    expect(other.output).toContain("The server answered 403");
  });

  it("says when the server cannot be reached, with exit code 1", async () => {
    const url = `http://127.0.0.1:${await closedPort()}`;
    const run = await cli([
      "encrypt-password",
      "--restore",
      "13689",
      "--url",
      url,
      "--passphrase",
      "x",
    ]);
    expect(run.exit).toEqual({ code: 1, signal: null });
    expect(run.output).toContain(`Cannot reach the server at ${url} (ECONNREFUSED)`);
  });

  it("shows the usage with exit code 2 for a command line it cannot run, and 0 for --help", async () => {
    const missing = await cli(["encrypt-password"]);
    expect(missing.exit).toEqual({ code: 2, signal: null });
    expect(missing.output).toContain("restorekit: --restore <id> is required");
    expect(missing.output).toContain("Usage: restorekit encrypt-password");
    const help = await cli(["--help"]);
    expect(help.exit).toEqual({ code: 0, signal: null });
    expect(help.stdout).toContain("Usage: restorekit encrypt-password");
  });
});
