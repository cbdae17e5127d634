import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DOC_URL, mismatches, type Session, scriptOf, splitOutput } from "./quickstart-doc.js";
import {
  cleanEnv,
  type Exit,
  runProcess,
  type ServerProcess,
  startServerProcess,
} from "./server-process.js";

/** A hang guard for one session's script, not a timing assertion: the agent needs seconds. */
const SCRIPT_DEADLINE_MS = 200_000;

/** What one session of the quickstart did, for the test to hold against the doc. */
export interface SessionRun {
  /** The server the session started; still running. */
  readonly server: ServerProcess;
  /** How the steps' bash script exited. */
  readonly exit: Exit;
  /** What the steps printed, all of them. */
  readonly output: string;
  /** Each step whose output is not what the doc shows after it, as a sentence. */
  readonly problems: readonly string[];
}

/**
 * Runs one session of the quickstart as a reader runs it: a server started
 * as `pnpm start` starts it, with the session's settings and then `env`
 * (e.g. a `DATABASE_URL`) on top, and the session's shell blocks in one bash,
 * in order, against it. Only the URL (the port is any free one) and a data
 * directory the doc names (a fresh temporary one) are swapped; the doc's
 * `memory://` is kept when it names none. Whatever must be undone (the
 * server, the directory) is pushed onto `cleanups`, to run in reverse order.
 */
export async function runQuickstartSession(
  session: Session,
  env: Record<string, string>,
  cleanups: (() => Promise<void>)[],
): Promise<SessionRun> {
  const docDataDir = session.env.DATA_DIR;
  const dataDir = docDataDir === undefined ? null : mkdtempSync(join(tmpdir(), "rk-quickstart-"));
  if (dataDir !== null) {
    cleanups.push(async () => rmSync(dataDir, { recursive: true, force: true }));
  }
  const server = await startServerProcess({
    ...session.env,
    PORT: "0",
    DATA_DIR: dataDir ?? "memory://",
    ...env,
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
  return { server, exit, output: script.output(), problems };
}
