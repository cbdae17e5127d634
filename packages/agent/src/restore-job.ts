import {
  type AgentPrivateKeyInput,
  decryptPassword,
  type RsaPadding,
  type Secret,
} from "@restorekit/crypto";
import { ResultAsync } from "neverthrow";
import type { AgentHttp, ReportOutcome } from "./agent-http.js";
import type {
  AgentLog,
  AgentRestore,
  ProgressFigures,
  ProgressUpdate,
  RestoreErrors,
  RunRestore,
  RunResult,
} from "./agent-types.js";

/** Why the work stopped before `run` finished it. */
export type Halt = "stop" | "conflict" | "refused" | "shutdown";

export interface JobDeps {
  readonly http: AgentHttp;
  readonly run: RunRestore;
  readonly privateKey: AgentPrivateKeyInput;
  readonly padding: RsaPadding | undefined;
  readonly log: AgentLog;
  readonly name: string;
  readonly heartbeatMs: number;
  readonly stopGraceMs: number;
  /** Aborted by the agent's `stop()`: retries end, nothing more is reported. */
  readonly shutdown: AbortSignal;
}

export interface Job {
  /** A stop request: `run` is aborted and the restore reported `stopped`. */
  requestStop(): void;
  /** Settles once the job has reported its last report, or given the restore up. */
  readonly done: Promise<void>;
}

/** Why a restore fails when its vault password cannot be opened, in the v2 spelling. */
const PASSWORD_FAILURE = "unable_to_decrypt_vault";
const PHASES = ["queued", "preparing", "in_progress"] as const;
type Phase = (typeof PHASES)[number];
const FINAL_STATES = new Set(["completed", "completed_with_errors", "failed"]);

const replace = (path: string, value: unknown) => ({ op: "replace", path, value });
const now = () => new Date().toISOString();
const isCount = (value: unknown): value is number =>
  typeof value === "number" && Number.isSafeInteger(value) && value >= 0;

/**
 * Carries out one started restore: `queued` at once, the password opened
 * (an encrypted restore whose password does not open is reported `failed`),
 * then `run`, with its progress reported and a heartbeat while it is quiet,
 * then the outcome `run` gives. A stop request, or a report refused for the
 * restore's state, aborts `run`; the restore is then reported `stopped`
 * when a stop is what the server waits for.
 */
export function startJob(deps: JobDeps, restore: AgentRestore): Job {
  const { http, log, name } = deps;
  const { restoreId } = restore;
  const controller = new AbortController();
  let halt: Halt | null = null;
  /** Set when a report with a state was refused: the restore may be waiting for `stopped`. */
  let stateRefused = false;
  let haltedResolve: () => void = () => undefined;
  const halted = new Promise<void>((resolve) => {
    haltedResolve = resolve;
  });
  const haltWith = (reason: Halt) => {
    if (halt !== null) return;
    halt = reason;
    controller.abort(reason);
    haltedResolve();
  };
  const onShutdown = () => haltWith("shutdown");
  if (deps.shutdown.aborted) onShutdown();
  else deps.shutdown.addEventListener("abort", onShutdown, { once: true });

  let phase: Phase = "queued";
  let startedTime: string | null = null;
  let figures: ProgressFigures = {};
  let lastHeard = Date.now();
  // Reports go one at a time, in order, so the server never sees progress run backwards.
  let queue: Promise<unknown> = Promise.resolve();

  /** Reports queued or being retried: a heartbeat then would only wait behind them. */
  let unsent = 0;

  function report(patch: readonly object[], withState: boolean): Promise<ReportOutcome> {
    unsent += 1;
    const sent = queue.then(async (): Promise<ReportOutcome> => {
      if (deps.shutdown.aborted) return { kind: "abandoned" };
      const outcome = await http.report(restoreId, patch, deps.shutdown);
      if (outcome.kind === "ok") {
        lastHeard = Date.now();
      } else if (outcome.kind === "conflict") {
        if (outcome.code === "progress_regressed") {
          // The figures went backwards: this report is dropped, the work goes on.
          log.warn({ restoreId, code: outcome.code }, `${name}: a progress report was refused`);
        } else {
          stateRefused ||= withState;
          log.info(
            { restoreId, code: outcome.code, message: outcome.message },
            `${name}: the restore was stopped, expired or finished elsewhere; stopping the work`,
          );
          haltWith("conflict");
        }
      } else if (outcome.kind === "refused") {
        log.warn(
          { restoreId, status: outcome.status, code: outcome.code, message: outcome.message },
          `${name}: a report was refused; leaving the restore`,
        );
        haltWith("refused");
      }
      return outcome;
    });
    void sent.finally(() => {
      unsent -= 1;
    });
    queue = sent;
    return sent;
  }

  function figuresPatch(update: ProgressFigures): object[] {
    const patch: object[] = [];
    const take = (key: keyof ProgressFigures, path: string) => {
      const value = update[key];
      if (value === undefined) return;
      if (!isCount(value)) {
        log.warn({ restoreId, field: key }, `${name}: a figure that is not a count was left out`);
        return;
      }
      figures = { ...figures, [key]: value };
      patch.push(replace(path, value));
    };
    take("totalBytes", "/total_bytes");
    take("filesRestored", "/files_restored");
    take("bytesCompleted", "/bytes_completed");
    take("bytesRemaining", "/bytes_remaining");
    return patch;
  }

  async function progress(update: ProgressUpdate): Promise<void> {
    if (halt !== null) return;
    const wanted: Phase = update?.phase === "preparing" ? "preparing" : "in_progress";
    const patch: object[] = [];
    if (PHASES.indexOf(wanted) > PHASES.indexOf(phase)) {
      phase = wanted;
      patch.push(replace("/state", wanted));
      log.info({ restoreId }, `${name}: ${wanted.replace("_", " ")}`);
      if (wanted === "in_progress") {
        startedTime = now();
        patch.push(replace("/started_time", startedTime));
      }
    }
    const withState = patch.length > 0;
    patch.push(...figuresPatch(update ?? {}));
    if (patch.length === 0) return;
    await report(patch, withState);
  }

  const failedPatch = (errors: RestoreErrors) => [
    replace("/state", "failed"),
    replace("/ended_time", now()),
    replace("/errors", errors),
  ];

  async function openPassword(): Promise<Secret<string> | null> {
    const released = await http.password(restoreId, deps.shutdown);
    if (released === null) return null;
    if (typeof released !== "string") {
      log.warn(
        { restoreId, status: released.status, code: released.code },
        `${name}: no password for the restore`,
      );
      return null;
    }
    const passphrase = decryptPassword(
      released,
      deps.privateKey,
      deps.padding === undefined ? {} : { padding: deps.padding },
    );
    if (passphrase.isErr()) {
      log.warn({ restoreId, code: passphrase.error.code }, `${name}: cannot decrypt the password`);
      return null;
    }
    log.info({ restoreId }, `${name}: decrypted the restore's password`);
    return passphrase.value;
  }

  const runSafely = ResultAsync.fromThrowable(
    (context: Parameters<RunRestore>[1]) => deps.run(restore, context),
    (cause) => cause,
  );

  async function work(): Promise<void> {
    const taken = await report([replace("/state", "queued")], true);
    if (taken.kind !== "ok") return;
    log.info({ restoreId }, `${name}: queued`);

    let password: Secret<string> | null = null;
    if (restore.isEncrypted && halt === null) {
      password = await openPassword();
      if (password === null) {
        if (halt !== null) return finish(null);
        await report(
          failedPatch({
            count: 1,
            reason: PASSWORD_FAILURE,
            diagnostics: "The vault password could not be opened by the agent.",
            list: [],
          }),
          true,
        );
        log.warn({ restoreId }, `${name}: failed (the password did not open)`);
        return;
      }
    }
    if (halt !== null) {
      password?.dispose();
      return finish(null);
    }

    const heartbeat = setInterval(
      () => {
        if (halt === null && unsent === 0 && Date.now() - lastHeard >= deps.heartbeatMs) {
          void report([], false);
        }
      },
      Math.max(10, Math.floor(deps.heartbeatMs / 4)),
    );
    // What run resolves with is not trusted: null, undefined or a primitive is no result either.
    const ran = runSafely({ password, signal: controller.signal, progress }).map(
      (value): RunResult | { thrown: true } =>
        typeof value === "object" && value !== null ? value : { thrown: true },
    );
    // A stopped run is given a grace to settle; one that ignores its signal is not waited on forever.
    const graceOver = halted.then(
      () =>
        new Promise<null>((resolve) =>
          setTimeout(() => resolve(null), halt === "shutdown" ? 0 : deps.stopGraceMs),
        ),
    );
    const outcome = await Promise.race([ran, graceOver]);
    clearInterval(heartbeat);
    password?.dispose();
    // Any report run started is sent before the last one.
    await queue;
    return finish(outcome === null ? null : outcome.isOk() ? outcome.value : { thrown: true });
  }

  async function finish(result: RunResult | { thrown: true } | null): Promise<void> {
    const ended = () => [
      replace("/ended_time", now()),
      ...(startedTime === null ? [] : [replace("/started_time", startedTime)]),
    ];
    if (halt !== null) {
      if (halt === "stop" || (halt === "conflict" && stateRefused)) {
        const stopped = await report([replace("/state", "stopped"), ...ended()], true);
        if (stopped.kind === "ok") log.info({ restoreId }, `${name}: stopped`);
      }
      return;
    }
    if (result === null) return;
    if ("thrown" in result || !FINAL_STATES.has(result?.state)) {
      log.warn({ restoreId }, `${name}: run ended without a result; reporting failed`);
      await report(
        failedPatch({
          count: 1,
          reason: "agent_error",
          diagnostics: "The agent's work ended without a result.",
          list: [],
        }),
        true,
      );
      return;
    }
    const patch = [
      replace("/state", result.state),
      ...ended(),
      ...figuresPatch(result.progress ?? {}),
      ...(result.errors === undefined ? [] : [replace("/errors", result.errors)]),
    ];
    const finished = await report(patch, true);
    if (finished.kind === "ok")
      log.info({ restoreId }, `${name}: ${result.state.replaceAll("_", " ")}`);
  }

  const done = work()
    .catch((cause: unknown) => {
      log.warn(
        { restoreId, err: cause instanceof Error ? cause.name : "unknown" },
        `${name}: the work broke off`,
      );
    })
    .finally(() => deps.shutdown.removeEventListener("abort", onShutdown));

  return {
    requestStop: () => haltWith("stop"),
    done,
  };
}
