import { execFile } from "node:child_process";
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterEach, describe, expect, it } from "vitest";
import { ROOT } from "../support/server-process.js";

// `pnpm start` runs the server from a bundle that the launcher rebuilds whenever a file it was built
// from changed. Here the launcher runs on a small repository of its own (a copy of the launcher
// scripts, an entry point that prints its version), so the tests can change sources freely.

const run = promisify(execFile);
const SERVER = join(ROOT, "packages/server");
/** A build spawns esbuild; generous for a loaded machine. */
const TIMEOUT_MS = 120_000;

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

/** A repository with the launcher and `packages/server/src/main.ts` printing `version`. */
function miniRepo(version: string): { root: string; write(path: string, text: string): void } {
  const root = mkdtempSync(join(tmpdir(), "rk-bundle-"));
  cleanups.push(() => rmSync(root, { recursive: true, force: true }));
  const server = join(root, "packages/server");
  mkdirSync(join(server, "src"), { recursive: true });
  cpSync(join(SERVER, "scripts"), join(server, "scripts"), { recursive: true });
  // esbuild and the server's dependencies, as installed for the real server.
  symlinkSync(join(SERVER, "node_modules"), join(server, "node_modules"), "dir");
  const write = (path: string, text: string) => writeFileSync(join(root, path), text);
  write("package.json", '{ "private": true, "type": "module" }\n');
  write("packages/server/package.json", '{ "name": "mini", "type": "module" }\n');
  write("packages/server/src/version.ts", `export const VERSION: string = "${version}";\n`);
  write(
    "packages/server/src/main.ts",
    'import { VERSION } from "./version.js";\nconsole.log("main", VERSION, process.argv.slice(2).join(" "));\n',
  );
  return { root, write };
}

async function start(
  root: string,
  script = "start.mjs",
  args: string[] = [],
): Promise<{ stdout: string; stderr: string }> {
  return run(process.execPath, [join(root, "packages/server/scripts", script), ...args], {
    cwd: root,
    timeout: TIMEOUT_MS,
  });
}

const REBUILT = /built the server bundle in \d+ ms/;

describe("the start launcher", () => {
  it("builds the bundle when there is none, then runs it as it is", {
    timeout: TIMEOUT_MS,
  }, async () => {
    const repo = miniRepo("v1");
    const first = await start(repo.root, "start.mjs", ["a", "b"]);
    expect(first.stdout).toBe("main v1 a b\n");
    expect(first.stderr).toMatch(REBUILT);
    const second = await start(repo.root);
    expect(second.stdout).toBe("main v1 \n");
    expect(second.stderr).toBe("");
  });

  it("never runs a stale bundle: a changed source is rebuilt before the start", {
    timeout: TIMEOUT_MS,
  }, async () => {
    const repo = miniRepo("v1");
    await start(repo.root);
    // Same length and a modification time that may equal the bundle's: only the content differs.
    repo.write("packages/server/src/version.ts", 'export const VERSION: string = "v2";\n');
    const changed = await start(repo.root);
    expect(changed.stdout).toBe("main v2 \n");
    expect(changed.stderr).toMatch(REBUILT);
    expect((await start(repo.root)).stderr).toBe("");
  });

  it("rebuilds when a package.json it was built with changes", {
    timeout: TIMEOUT_MS,
  }, async () => {
    const repo = miniRepo("v1");
    await start(repo.root);
    repo.write("packages/server/package.json", '{ "name": "mini", "type": "module", "x": 1 }\n');
    expect((await start(repo.root)).stderr).toMatch(REBUILT);
  });

  it("rebuilds when the bundle file is gone", { timeout: TIMEOUT_MS }, async () => {
    const repo = miniRepo("v1");
    await start(repo.root);
    const dir = join(repo.root, "packages/server/dist/start");
    const manifest = JSON.parse(readFileSync(join(dir, "main.json"), "utf8")) as {
      bundle: string;
    };
    rmSync(join(dir, manifest.bundle));
    const again = await start(repo.root);
    expect(again.stdout).toBe("main v1 \n");
    expect(again.stderr).toMatch(REBUILT);
  });

  it("refuses to start on a source that does not compile, saying so", {
    timeout: TIMEOUT_MS,
  }, async () => {
    const repo = miniRepo("v1");
    repo.write("packages/server/src/version.ts", "export const VERSION: string = ;\n");
    const failed = await start(repo.root).then(
      () => null,
      (error: { code: number; stderr: string }) => error,
    );
    expect(failed?.code).toBe(1);
    expect(failed?.stderr).toContain("restorekit did not start: its bundle could not be built.");
  });
});

describe("the real server's bundle", () => {
  it("is ignored by git, so it is never committed", async () => {
    const { stdout } = await run("git", ["check-ignore", "packages/server/dist/start/main.json"], {
      cwd: ROOT,
    });
    expect(stdout.trim()).toBe("packages/server/dist/start/main.json");
  });

  it("is what the root start script runs (and the client's tool is what restorekit runs)", () => {
    const scripts = (
      JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as {
        scripts: Record<string, string>;
      }
    ).scripts;
    expect(scripts.start).toBe("node packages/server/scripts/start.mjs");
    expect(scripts.restorekit).toBe("node packages/client/scripts/restorekit.mjs");
  });
});
