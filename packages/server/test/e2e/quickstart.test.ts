import { afterEach, describe, expect, it } from "vitest";
import { QUICKSTART, readQuickstart, sessionsOf } from "../support/quickstart-doc.js";
import { runQuickstartSession } from "../support/quickstart-session.js";

// The quickstart is run as a reader runs it: each `pnpm start` of the doc starts a server (as the
// root start script does, with the settings the doc writes before it), and the shell blocks after
// it run in one bash, in order, against that server. Only the URL (the port is any free one) and
// a data directory the doc names (a fresh temporary one) are swapped. What each block prints is
// held against the block the doc shows after it.

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
      const run = await runQuickstartSession(session, {}, cleanups);
      expect(
        run.exit,
        `the steps' script failed:\n${run.output}\n--- server:\n${run.server.output()}`,
      ).toEqual({ code: 0, signal: null });
      expect(run.problems, `--- server:\n${run.server.output()}`).toEqual([]);
      expect(await run.server.stop()).toEqual({ code: 0, signal: null });
    });
  });
});
