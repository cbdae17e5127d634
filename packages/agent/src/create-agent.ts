import { type CryptoError, parseAgentPrivateKey } from "@restorekit/crypto";
import { err, ok, type Result } from "neverthrow";
import { agentHttp } from "./agent-http.js";
import type { AgentLog, AgentOptions, AgentRequestOrder, AgentRestore } from "./agent-types.js";
import { backoff } from "./backoff.js";
import { hearRequests } from "./request-feed.js";
import { type Job, startJob } from "./restore-job.js";

/** A running agent. */
export interface Agent {
  /**
   * Starts hearing requests and carrying out restores. Resolves once the
   * server has answered the first time (the request stream opened, or a poll
   * came back); while it cannot be reached the agent keeps trying in the
   * background, so awaiting this waits for the server. Calling it again does nothing.
   */
  start(): Promise<void>;
  /**
   * Stops hearing requests, aborts every `run` (`signal.reason` is
   * `"shutdown"`) and resolves once nothing is in flight. Restores are left
   * as they are: nothing more is reported on them. Safe to call twice.
   */
  stop(): Promise<void>;
}

/** Why `createAgent` refused its options. */
export type AgentConfigError =
  | { readonly code: "invalid_options"; readonly message: string }
  | CryptoError;

const SILENT: AgentLog = { info: () => undefined, warn: () => undefined };
/** How many finished restores are remembered, so a request heard again is not taken twice. */
const REMEMBERED = 10_000;

/**
 * A destination agent: it hears the start and stop requests of its machine
 * over `GET /v2/{project_id}/agents/{agent_id}/requests` (a server-sent
 * event stream, polled when the stream cannot be used, reconnecting with
 * backoff), and carries out each started restore once, however often its
 * request comes: it reports `queued`, opens the password of an encrypted
 * restore with its private key, calls `run` with it, reports the progress
 * `run` gives and a heartbeat while it is quiet, then the outcome `run`
 * returns. A stop request aborts `run` and the restore is reported
 * `stopped`. Every report is retried until the server acknowledges it
 * (network failures and 503 with backoff, honouring `Retry-After`); a 409 means the
 * restore was stopped, expired or finished elsewhere, and stops the work.
 * The password and its ciphertext never reach the log.
 *
 * @example
 * ```ts
 * const agent = createAgent({
 *   baseUrl: "https://backup.example.com",
 *   tenantId: "1234",
 *   agentId: 156751,
 *   token: process.env.AGENT_TOKEN ?? "",
 *   privateKey: readFileSync("agent-key.pem", "utf8"),
 *   async run(restore, { password, progress, signal }) {
 *     await progress({ phase: "preparing", totalBytes: 1024 });
 *     await copyFiles(restore.destinationPath, password?.reveal(), signal);
 *     return { state: "completed", progress: { filesRestored: 3, bytesCompleted: 1024 } };
 *   },
 * });
 * if (agent.isErr()) throw new Error(agent.error.message);
 * await agent.value.start();
 * ```
 */
export function createAgent(options: AgentOptions): Result<Agent, AgentConfigError> {
  const invalid = optionProblem(options);
  if (invalid !== null) return err({ code: "invalid_options", message: invalid });
  const key = parseAgentPrivateKey(options.privateKey);
  if (key.isErr()) return err(key.error);

  const log = options.log ?? SILENT;
  const name = options.name ?? "agent";
  const retry = backoff(options.retry?.initialMs, options.retry?.maxMs);
  const shutdown = new AbortController();
  const http = agentHttp({
    baseUrl: options.baseUrl,
    tenantId: options.tenantId,
    token: options.token,
    fetch: options.fetch ?? ((request) => fetch(request)),
    backoff: retry,
    log,
    name,
    requestIdPrefix: options.requestIdPrefix ?? `agent-${options.agentId}`,
  });
  const jobs = new Map<number, Job>();
  // Restores this agent took or answered: a request for one of them heard again is old news.
  const handled = new Map<number, true>();
  const remember = (restoreId: number) => {
    handled.set(restoreId, true);
    if (handled.size > REMEMBERED) handled.delete(handled.keys().next().value as number);
  };
  const stopping = new Set<Promise<void>>();
  let listening: Promise<void> | null = null;

  const jobDeps = {
    http,
    run: options.run,
    privateKey: key.value.privateKey,
    padding: options.padding,
    log,
    name,
    heartbeatMs: Math.max(10, options.heartbeatMs ?? 60_000),
    stopGraceMs: Math.max(0, options.stopGraceMs ?? 30_000),
    shutdown: shutdown.signal,
  };

  /** A stop for a restore no job of this agent works on: the server waits for `stopped`. */
  function confirmStop(restoreId: number): void {
    const sent = http
      .report(
        restoreId,
        [
          { op: "replace", path: "/state", value: "stopped" },
          { op: "replace", path: "/ended_time", value: new Date().toISOString() },
        ],
        shutdown.signal,
      )
      .then((outcome) => {
        if (outcome.kind === "ok") log.info({ restoreId }, `${name}: stopped`);
      });
    stopping.add(sent);
    void sent.finally(() => stopping.delete(sent));
  }

  function handle(order: AgentRequestOrder): void {
    if (shutdown.signal.aborted) return;
    const restoreId = order.restore_id;
    const job = jobs.get(restoreId);
    if (order.action === "stop") {
      if (job !== undefined) job.requestStop();
      else if (!handled.has(restoreId)) {
        remember(restoreId);
        confirmStop(restoreId);
      }
      return;
    }
    if (job !== undefined || handled.has(restoreId)) return;
    remember(restoreId);
    const started = startJob(jobDeps, restoreOf(order));
    jobs.set(restoreId, started);
    void started.done.finally(() => jobs.delete(restoreId));
  }

  return ok({
    start() {
      if (listening !== null || shutdown.signal.aborted) return Promise.resolve();
      let heard: () => void = () => undefined;
      const first = new Promise<void>((resolve) => {
        heard = resolve;
      });
      listening = hearRequests({
        http,
        agentId: options.agentId,
        backoff: retry,
        pollMs: Math.max(10, options.pollMs ?? 5_000),
        log,
        name,
        onRequest: handle,
        onHeard: () => heard(),
        signal: shutdown.signal,
      }).finally(() => heard());
      return first;
    },

    async stop() {
      shutdown.abort();
      await listening;
      await Promise.all([...[...jobs.values()].map((job) => job.done), ...stopping]);
    },
  });
}

function restoreOf(order: AgentRequestOrder): AgentRestore {
  return {
    restoreId: order.restore_id,
    backupId: order.backup_id,
    backupConfigurationId: order.backup_configuration_id,
    backupMachineId: order.backup_machine_id,
    restorePoint: order.restore_point,
    destinationPath: order.destination_path,
    overwriteFiles: order.overwrite_files,
    isEncrypted: order.is_encrypted,
  };
}

function optionProblem(options: AgentOptions): string | null {
  if (typeof options !== "object" || options === null) return "options must be an object";
  if (typeof options.baseUrl !== "string" || !URL.canParse(options.baseUrl)) {
    return "baseUrl must be an absolute URL";
  }
  if (typeof options.tenantId !== "string" || options.tenantId === "") {
    return "tenantId must be a non-empty string";
  }
  if (!Number.isSafeInteger(options.agentId) || options.agentId <= 0) {
    return "agentId must be a positive integer";
  }
  if (typeof options.token !== "string" || options.token === "") {
    return "token must be a non-empty string";
  }
  if (typeof options.run !== "function") return "run must be a function";
  return null;
}
