import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import {
  DOC_URL,
  mismatches,
  QUICKSTART,
  readQuickstart,
  scriptOf,
  sessionsOf,
  splitOutput,
} from "../support/quickstart-doc.js";
import {
  cleanEnv,
  runProcess,
  type ServerProcess,
  startServerProcess,
} from "../support/server-process.js";

// The quickstart is run as a reader runs it: each `pnpm start` of the doc starts a server (as the
// root start script does, with the settings the doc writes before it), and the shell blocks after
// it run in one bash, in order, against that server. Only the URL (the port is any free one) and
// a data directory the doc names (a fresh temporary one) are swapped. What each block prints is
// held against the block the doc shows after it.

/** A hang guard for one session's script, not a timing assertion: the agent needs seconds. */
const SCRIPT_DEADLINE_MS = 200_000;

const sessions = sessionsOf(readQuickstart());
const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe(`${QUICKSTART}, run as written`, () => {
  it("holds a session with steps for the simulated agent and one to play the agent", () => {
    expect(sessions.map((session) => session.env)).toEqual([
      {},
      { DATA_DIR: "/tmp/restorekit-agent-demo", RESTOREKIT_SIMULATED_AGENT: "0" },
    ]);
    expect(sessions.every((session) => session.steps.length > 0)).toBe(true);
    expect(sessions.flatMap((s) => s.steps).filter((step) => step.expected === null)).toEqual([]);
  });

  sessions.forEach((session, n) => {
    const settings = Object.entries(session.env).map(([name, value]) => `${name}=${value}`);
    it(`session ${n + 1} (pnpm start at line ${session.start.line}${settings.length > 0 ? ` with ${settings.join(" ")}` : ""}): every step prints what the doc shows`, {
      timeout: 300_000,
    }, async () => {
      const docDataDir = session.env.DATA_DIR;
      const dataDir =
        docDataDir === undefined ? null : mkdtempSync(join(tmpdir(), "rk-quickstart-"));
      if (dataDir !== null)
        cleanups.push(async () => rmSync(dataDir, { recursive: true, force: true }));
      const server: ServerProcess = await startServerProcess({
        ...session.env,
        PORT: "0",
        DATA_DIR: dataDir ?? "memory://",
      });
      cleanups.push(async () => void (await server.stop()));

      const swap = (text: string) => {
        const here = text.replaceAll(DOC_URL, server.url);
        return docDataDir === undefined || dataDir === null
          ? here
          : here.replaceAll(docDataDir, dataDir);
      };
      const script = runProcess(
        "bash",
        ["-c", scriptOf(session.steps, swap)],
        cleanEnv({ RESTOREKIT_URL: server.url }),
      );
      const guard = setTimeout(() => {
        if (script.child.pid !== undefined) process.kill(-script.child.pid, "SIGKILL");
      }, SCRIPT_DEADLINE_MS);
      const exit = await script.exited;
      clearTimeout(guard);

      const outputs = splitOutput(script.output(), session.steps.length);
      const problems = session.steps.flatMap((step, i) =>
        step.expected === null ? [] : mismatches(step.expected, outputs[i] ?? ""),
      );
      expect(
        exit,
        `the steps' script failed:\n${script.output()}\n--- server:\n${server.output()}`,
      ).toEqual({ code: 0, signal: null });
      expect(problems, `--- server:\n${server.output()}`).toEqual([]);
      expect(await server.stop()).toEqual({ code: 0, signal: null });
    });
  });
});
