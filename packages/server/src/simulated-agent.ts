import type { KeyObject } from "node:crypto";
import type { AgentRequest, Restore, RestoreError, RestoreRepository } from "@restorekit/core";
import { decryptPassword } from "@restorekit/crypto";
import { agentRequests, type SqlClient } from "@restorekit/postgres";
import { err, errAsync, ok, okAsync, ResultAsync, safeTry } from "neverthrow";

/** Where the agent says what it does: a pino logger fits. */
export interface AgentLog {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
}

export interface SimulatedAgentOptions {
  /** The app's `fetch`: reports go through the same route a real agent uses, in process. */
  readonly fetch: (request: Request) => Response | Promise<Response>;
  /** Where the agent hears its start and stop requests (LISTEN/NOTIFY, and one poll at start). */
  readonly client: SqlClient;
  readonly schema: string;
  /** To read a restore's state, as a real agent's backend knows what it was asked to do. */
  readonly repository: RestoreRepository;
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

/** Why a walk ended early. */
type Halt =
  | { readonly reason: "stop_requested" }
  | { readonly reason: "shutdown" }
  | { readonly reason: "refused"; readonly status: number; readonly message: string };

interface Walk {
  /** Ends the current pause and makes the walk report `stopped`. */
  requestStop(): void;
  readonly done: Promise<void>;
}

/** What the simulated restore amounts to: the 18 MB of the reference's report example. */
const TOTAL_FILES = 120;
const TOTAL_BYTES = 18 * 1024 * 1024;
/** Why a restore fails when its vault password cannot be opened, in the v2 spelling. */
const PASSWORD_FAILURE = "unable_to_decrypt_vault";

/**
 * A destination agent in the server's own process, for trying the API
 * without one. It hears the start and stop requests of its machine through
 * the store's notifications (and polls once at start for those already
 * waiting), and reports over the agent route with its own token, exactly as
 * a real agent would: `queued` at once; on an encrypted restore it then
 * fetches the password and decrypts it with its private key (reporting
 * `failed` if it cannot); then, `stepMs` apart, `preparing`, `in_progress`
 * with progress, and `completed` with the report data. A stop request while it works,
 * or a report refused because the restore is being stopped, makes it report
 * `stopped`. Each restore is walked on its own, so two run side by side.
 *
 * @example
 * ```ts
 * const agent = await startSimulatedAgent({ fetch: app.fetch, client, schema, repository,
 *   tenantId: "1234", agentId: 156751, token: "demo-agent", privateKey, stepMs: 1000, log });
 * ```
 */
export function startSimulatedAgent(
  options: SimulatedAgentOptions,
): ResultAsync<RunningAgent, RestoreError> {
  const { tenantId, agentId, log } = options;
  const controller = new AbortController();
  const walks = new Map<number, Walk>();
  let stopping = false;
  let requestCount = 0;

  const base = `http://agent.internal/v2/${encodeURIComponent(tenantId)}/restores`;

  function send(
    method: "PATCH" | "GET",
    path: string,
    body?: unknown,
  ): ResultAsync<Response, Halt> {
    requestCount += 1;
    const headers: Record<string, string> = {
      "x-auth-token": options.token,
      "x-request-id": `simulated-agent-${agentId}-${requestCount}`,
    };
    if (body !== undefined) headers["content-type"] = "application/json-patch+json";
    return ResultAsync.fromThrowable(
      async () =>
        options.fetch(
          new Request(`${base}/${path}`, {
            method,
            headers,
            ...(body === undefined ? {} : { body: JSON.stringify(body) }),
          }),
        ),
      (): Halt => ({ reason: "refused", status: 0, message: "the app did not answer" }),
    )();
  }

  function messageOf(response: Response): ResultAsync<string, never> {
    return ResultAsync.fromSafePromise(
      response
        .json()
        .then((body: unknown) => {
          const message = (body as { message?: unknown } | null)?.message;
          return typeof message === "string" ? message : `HTTP ${response.status}`;
        })
        .catch(() => `HTTP ${response.status}`),
    );
  }

  /** One JSON Patch. A 409 because the restore is being stopped is the agent's cue to stop. */
  function report(restoreId: number, patch: readonly object[]): ResultAsync<void, Halt> {
    return send("PATCH", String(restoreId), patch).andThen((response) => {
      if (response.status === 204) return okAsync(undefined);
      return messageOf(response).andThen((message) =>
        response.status === 409
          ? stateOf(restoreId).andThen((state) =>
              errAsync<void, Halt>(
                state === "StopRequested"
                  ? { reason: "stop_requested" }
                  : { reason: "refused", status: 409, message },
              ),
            )
          : errAsync<void, Halt>({ reason: "refused", status: response.status, message }),
      );
    });
  }

  function stateOf(restoreId: number): ResultAsync<Restore["state"] | null, never> {
    return options.repository
      .load(tenantId, restoreId)
      .map((restore) => restore?.state ?? null)
      .orElse(() => okAsync(null));
  }

  /** Receives the restore's password and proves it decrypts; the passphrase is dropped at once. */
  function openPassword(restoreId: number): ResultAsync<boolean, Halt> {
    return send("GET", `${restoreId}/password`).andThen((response) => {
      if (response.status !== 200) {
        return messageOf(response).map((message) => {
          log.warn({ restoreId, status: response.status, message }, "simulated agent: no password");
          return false;
        });
      }
      return ResultAsync.fromSafePromise(
        response.json().catch(() => null) as Promise<{ EncryptedPassword?: unknown } | null>,
      ).map((body) => {
        const hex = body?.EncryptedPassword;
        const passphrase = decryptPassword(typeof hex === "string" ? hex : "", options.privateKey);
        if (passphrase.isErr()) {
          log.warn({ restoreId, code: passphrase.error.code }, "simulated agent: cannot decrypt");
          return false;
        }
        passphrase.value.dispose();
        log.info({ restoreId }, "simulated agent: decrypted the restore's password");
        return true;
      });
    });
  }

  function pause(signal: AbortSignal, stop: { requested: boolean }): ResultAsync<void, Halt> {
    const halted = (): Halt | null =>
      stopping ? { reason: "shutdown" } : stop.requested ? { reason: "stop_requested" } : null;
    return ResultAsync.fromSafePromise(
      new Promise<void>((resolve) => {
        if (signal.aborted) return resolve();
        const timer = setTimeout(resolve, options.stepMs);
        signal.addEventListener(
          "abort",
          () => {
            clearTimeout(timer);
            resolve();
          },
          { once: true },
        );
      }),
    ).andThen(() => {
      const halt = halted();
      return halt === null ? okAsync(undefined) : errAsync(halt);
    });
  }

  function walk(restore: Restore): Walk {
    const { restoreId } = restore;
    const interrupt = new AbortController();
    const stop = { requested: false };
    const onShutdown = () => interrupt.abort();
    controller.signal.addEventListener("abort", onShutdown, { once: true });
    const step = () => pause(interrupt.signal, stop);
    const now = () => new Date().toISOString();
    let startedTime: string | null = null;

    const steps = safeTry(async function* () {
      // Taken at once, as a real agent acknowledges; the work then takes a step per report.
      yield* report(restoreId, [replace("/state", "queued")]);
      log.info({ restoreId }, "simulated agent: queued");
      if (restore.passwordSealed && !(yield* openPassword(restoreId))) {
        yield* report(restoreId, [
          replace("/state", "failed"),
          replace("/ended_time", now()),
          replace("/errors", {
            count: 1,
            reason: PASSWORD_FAILURE,
            diagnostics: "The vault password could not be opened by the agent.",
            list: [],
          }),
        ]);
        log.warn({ restoreId }, "simulated agent: failed (the password did not open)");
        return ok("failed");
      }
      yield* step();
      yield* report(restoreId, [
        replace("/state", "preparing"),
        replace("/total_bytes", TOTAL_BYTES),
        replace("/bytes_remaining", TOTAL_BYTES),
      ]);
      log.info({ restoreId }, "simulated agent: preparing");
      yield* step();
      startedTime = now();
      yield* report(restoreId, [
        replace("/state", "in_progress"),
        replace("/started_time", startedTime),
        replace("/files_restored", TOTAL_FILES / 2),
        replace("/bytes_completed", TOTAL_BYTES / 2),
        replace("/bytes_remaining", TOTAL_BYTES / 2),
      ]);
      log.info({ restoreId }, "simulated agent: in progress, half done");
      yield* step();
      yield* report(restoreId, [
        replace("/state", "completed"),
        replace("/ended_time", now()),
        replace("/files_restored", TOTAL_FILES),
        replace("/bytes_completed", TOTAL_BYTES),
        replace("/bytes_remaining", 0),
      ]);
      log.info({ restoreId }, "simulated agent: completed");
      return ok("completed");
    });

    const done = steps
      .orElse((halt) => {
        if (halt.reason !== "stop_requested") return err(halt);
        return report(restoreId, [
          replace("/state", "stopped"),
          replace("/ended_time", now()),
          ...(startedTime === null ? [] : [replace("/started_time", startedTime)]),
        ]).map(() => {
          log.info({ restoreId }, "simulated agent: stopped");
          return "stopped";
        });
      })
      .match(
        () => undefined,
        (halt) => {
          if (halt.reason === "refused") {
            log.warn(
              { restoreId, status: halt.status, message: halt.message },
              "simulated agent: a report was refused; leaving the restore",
            );
          }
        },
      )
      .finally(() => {
        controller.signal.removeEventListener("abort", onShutdown);
        walks.delete(restoreId);
      });

    return {
      requestStop() {
        stop.requested = true;
        interrupt.abort();
      },
      done,
    };
  }

  /** A request no longer pending (overtaken by a later one) is left alone. */
  function handle(request: AgentRequest): Promise<void> {
    if (stopping) return Promise.resolve();
    const working = walks.get(request.restoreId);
    if (request.action === "stop") {
      if (working !== undefined) {
        working.requestStop();
        return Promise.resolve();
      }
      return stateOf(request.restoreId)
        .andThen((state) =>
          state === "StopRequested"
            ? report(request.restoreId, [
                replace("/state", "stopped"),
                replace("/ended_time", new Date().toISOString()),
              ]).map(() => log.info({ restoreId: request.restoreId }, "simulated agent: stopped"))
            : okAsync(undefined),
        )
        .match(
          () => undefined,
          () => undefined,
        );
    }
    if (working !== undefined) return Promise.resolve();
    return options.repository.load(tenantId, request.restoreId).match(
      (restore) => {
        if (restore === null || restore.state !== "StartRequested") return;
        if (stopping || walks.has(restore.restoreId)) return;
        walks.set(restore.restoreId, walk(restore));
      },
      (error) =>
        log.warn(
          { restoreId: request.restoreId, code: error.code },
          "simulated agent: cannot read the restore",
        ),
    );
  }

  return agentRequests(options.client, {
    schema: options.schema,
    tenantId,
    agentId,
    signal: controller.signal,
  }).map((stream) => {
    // Requests are taken one at a time, in order; each start then walks on its own.
    const listening = (async () => {
      for await (const request of stream) await handle(request);
    })().catch((cause: unknown) => {
      log.warn({ err: cause }, "simulated agent: stopped listening");
    });
    return {
      async stop() {
        stopping = true;
        controller.abort();
        await stream.close();
        await listening;
        await Promise.all([...walks.values()].map((w) => w.done));
      },
    };
  });
}

function replace(path: string, value: unknown): object {
  return { op: "replace", path, value };
}
