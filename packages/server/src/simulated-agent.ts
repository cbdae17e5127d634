import type { KeyObject } from "node:crypto";
import {
  type AgentLog,
  type AgentRestore,
  createAgent,
  type RunContext,
  type RunResult,
} from "@restorekit/agent";
import { type RestoreError, RestoreErrors } from "@restorekit/core";
import { errAsync, ResultAsync } from "neverthrow";

export interface SimulatedAgentOptions {
  /** The app's `fetch`: the agent hears and reports over the routes a real agent uses, in process. */
  readonly fetch: (request: Request) => Response | Promise<Response>;
  readonly tenantId: string;
  readonly agentId: number;
  /** The agent's `X-Auth-Token`. */
  readonly token: string;
  /** Opens the passwords of encrypted restores (RSA-OAEP). */
  readonly privateKey: KeyObject;
  /** The pause before each report. */
  readonly stepMs: number;
  readonly log: AgentLog;
}

export interface RunningAgent {
  /** Stops listening and leaves every restore where it is; resolves once nothing is in flight. */
  stop(): Promise<void>;
}

/** What the simulated restore amounts to: the 18 MB of the reference's report example. */
const TOTAL_FILES = 120;
const TOTAL_BYTES = 18 * 1024 * 1024;

/**
 * A destination agent in the server's own process, for trying the API
 * without one: `@restorekit/agent` over the app's own `fetch`, so it hears
 * and reports exactly as a real agent would, with its own token. It reports
 * `queued` at once; on an encrypted restore it fetches the password and
 * decrypts it with its private key (reporting `failed` if it cannot); then,
 * `stepMs` apart, `preparing` with the total, `in_progress` with half the
 * files and bytes, and `completed` with all of them. A stop request while it
 * works, or a report refused because the restore is being stopped, makes it
 * report `stopped`. Each restore is walked on its own, so two run side by side.
 *
 * @example
 * ```ts
 * const agent = await startSimulatedAgent({ fetch: app.fetch, tenantId: "1234",
 *   agentId: 156751, token: "demo-agent", privateKey, stepMs: 1000, log });
 * ```
 */
export function startSimulatedAgent(
  options: SimulatedAgentOptions,
): ResultAsync<RunningAgent, RestoreError> {
  const { stepMs } = options;
  const created = createAgent({
    baseUrl: "http://agent.internal",
    tenantId: options.tenantId,
    agentId: options.agentId,
    token: options.token,
    privateKey: options.privateKey,
    fetch: options.fetch,
    log: options.log,
    name: "simulated agent",
    requestIdPrefix: `simulated-agent-${options.agentId}`,
    // In process the app always answers at once; a retry need not wait long.
    retry: { initialMs: 100, maxMs: 2_000 },
    run: (restore, context) => walk(restore, context, stepMs),
  });
  if (created.isErr()) {
    // Our own options and the server's own key: a bug, said by its code (no key material in it).
    options.log.warn({ code: created.error.code }, "simulated agent: not started");
    return errAsync(RestoreErrors.internal());
  }
  const agent = created.value;
  return ResultAsync.fromSafePromise(agent.start()).map(() => ({ stop: () => agent.stop() }));
}

/** The simulated work: a step before each report, cut short by a stop. */
async function walk(
  _restore: AgentRestore,
  { progress, signal }: RunContext,
  stepMs: number,
): Promise<RunResult> {
  const step = () => pause(stepMs, signal);
  await step();
  await progress({ phase: "preparing", totalBytes: TOTAL_BYTES, bytesRemaining: TOTAL_BYTES });
  await step();
  await progress({
    phase: "in_progress",
    filesRestored: TOTAL_FILES / 2,
    bytesCompleted: TOTAL_BYTES / 2,
    bytesRemaining: TOTAL_BYTES / 2,
  });
  await step();
  return {
    state: "completed",
    progress: { filesRestored: TOTAL_FILES, bytesCompleted: TOTAL_BYTES, bytesRemaining: 0 },
  };
}

/** Resolves after `ms`, or at once when the work is stopped (whose report the agent then makes). */
function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
  });
}
