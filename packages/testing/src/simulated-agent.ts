import type { KeyObject } from "node:crypto";
import type {
  AgentReport,
  AgentReportedState,
  AgentRequest,
  Clock,
  ProgressReport,
  RequestContext,
  Restore,
  RestoreError,
  RestoreRepository,
  RestoreService,
  Subscription,
} from "@restorekit/core";
import { RestoreErrors } from "@restorekit/core";
import { errAsync, ok, okAsync, Result, type ResultAsync, safeTry } from "neverthrow";
import { decryptAsAgent } from "./agent-keys.js";
import { agentPrincipal } from "./principals.js";

export interface SimulatedAgentOptions {
  readonly service: RestoreService;
  /** Where the agent learns of requests (subscribe or poll), as a real agent's backend would. */
  readonly repository: RestoreRepository;
  readonly tenantId: string;
  readonly agentId: number;
  /** The agent's private key; without it an encrypted restore cannot be opened. */
  readonly privateKey?: KeyObject;
  /** The agent's own clock, for the times it reports; the system clock when absent. */
  readonly clock?: Clock;
  /** Called after each accepted report with the restore as it now is. */
  onReport?(restore: Restore, report: AgentReport): void;
  /** Whether the agent could open and decrypt a restore's password; never the value. */
  onPassword?(restoreId: number, opened: boolean): void;
  /** Errors met while handling requests that arrived through `listen`, which has no caller to return them to. */
  onError?(error: RestoreError): void;
}

export interface SimulatedAgent {
  /** Sends one report: a state (or `null` for data only) and its data. */
  report(
    restoreId: number,
    state: AgentReportedState | null,
    data?: ProgressReport,
  ): ResultAsync<Restore, RestoreError>;
  /** Carries out a start (through to Completed) or a stop; a request no longer pending is left alone. */
  handle(request: AgentRequest): ResultAsync<Restore, RestoreError>;
  /** Handles every pending request of this agent, in order. */
  poll(): ResultAsync<readonly Restore[], RestoreError>;
  /** Subscribes to this agent's requests and handles each in the order it arrives. */
  listen(): ResultAsync<Subscription, RestoreError>;
}

/** What the simulated restore amounts to: the 18 MB of the API reference's report example. */
const TOTAL_FILES = 120;
const TOTAL_BYTES = 18 * 1024 * 1024;
/** Why a restore fails when its vault password cannot be opened, in the agent's v2 spelling. */
const PASSWORD_FAILURE = "unable_to_decrypt_vault";

const systemClock: Clock = { now: () => new Date() };

/**
 * A destination agent that talks to the `RestoreService` with an agent
 * principal, as a real one would over the v2 route. On a start request it
 * receives the sealed password (if the restore holds one) through
 * `releasePassword` and decrypts it with its private key, then reports
 * queued, preparing (with the total bytes), in_progress half done and
 * completed, with the bytes done and remaining; it
 * fails the restore if the password cannot be opened. On a stop request it
 * reports stopped. Told to stop mid-way (an `agent_conflict` in
 * StopRequested), it reports stopped.
 *
 * @example
 * ```ts
 * const agent = simulatedAgent({ service, repository, tenantId, agentId, privateKey });
 * await agent.poll();
 * ```
 */
export function simulatedAgent(options: SimulatedAgentOptions): SimulatedAgent {
  const { service, repository, tenantId, agentId } = options;
  const clock = options.clock ?? systemClock;
  const principal = agentPrincipal({ agentId, tenantId });
  let requests = 0;

  const context = (): RequestContext => {
    requests += 1;
    return { principal, tenantId, requestId: `agent-${agentId}-${requests}` };
  };
  const now = () => clock.now().toISOString();

  function report(
    restoreId: number,
    state: AgentReportedState | null,
    data: ProgressReport = {},
  ): ResultAsync<Restore, RestoreError> {
    const sent: AgentReport = { state, report: data };
    return service.agentReport(context(), restoreId, sent).map((restore) => {
      options.onReport?.(restore, sent);
      return restore;
    });
  }

  /** Whether the restore's password, if it holds one, could be received and decrypted. */
  function openPassword(restore: Restore): ResultAsync<boolean, RestoreError> {
    if (!restore.passwordSealed) return okAsync(true);
    return service
      .releasePassword(context(), restore.restoreId)
      .map((hex) => {
        const { privateKey } = options;
        if (privateKey === undefined) return false;
        // The passphrase is decrypted only to prove it can be, and dropped at once.
        return Result.fromThrowable(
          () => decryptAsAgent(hex, privateKey),
          () => "undecryptable",
        )().isOk();
      })
      .orElse(() => okAsync(false))
      .map((opened) => {
        options.onPassword?.(restore.restoreId, opened);
        return opened;
      });
  }

  function start(restore: Restore): ResultAsync<Restore, RestoreError> {
    const { restoreId } = restore;
    return safeTry(async function* () {
      const opened = yield* openPassword(restore);
      yield* report(restoreId, "Queued");
      if (!opened) {
        return ok(
          yield* report(restoreId, "Failed", {
            endedTime: now(),
            errors: {
              count: 1,
              reason: PASSWORD_FAILURE,
              diagnostics: "The vault password could not be opened by the agent.",
              list: [],
            },
          }),
        );
      }
      yield* report(restoreId, "Preparing", {
        totalBytes: TOTAL_BYTES,
        bytesRemaining: TOTAL_BYTES,
      });
      yield* report(restoreId, "InProgress", {
        startedTime: now(),
        filesRestored: TOTAL_FILES / 2,
        bytesRestored: TOTAL_BYTES / 2,
        bytesRemaining: TOTAL_BYTES / 2,
      });
      return ok(
        yield* report(restoreId, "Completed", {
          endedTime: now(),
          filesRestored: TOTAL_FILES,
          bytesRestored: TOTAL_BYTES,
          bytesRemaining: 0,
        }),
      );
    }).orElse((error) =>
      // A progress report on a restore being stopped is a conflict that tells the agent to stop.
      error.code === "agent_conflict" && error.state === "StopRequested"
        ? report(restoreId, "Stopped", { endedTime: now() })
        : errAsync(error),
    );
  }

  function handle(request: AgentRequest): ResultAsync<Restore, RestoreError> {
    if (request.tenantId !== tenantId || request.agentId !== agentId) {
      return errAsync(RestoreErrors.forbidden(`the request is not for agent ${agentId}`));
    }
    return repository.load(tenantId, request.restoreId).andThen((restore) => {
      if (restore === null) return errAsync(RestoreErrors.notFound(request.restoreId));
      // A request delivered earlier may have been overtaken (a start cancelled, a stop already done).
      if (request.action === "start") {
        return restore.state === "StartRequested" ? start(restore) : okAsync(restore);
      }
      return restore.state === "StopRequested"
        ? report(restore.restoreId, "Stopped", { endedTime: now() })
        : okAsync(restore);
    });
  }

  function poll(): ResultAsync<readonly Restore[], RestoreError> {
    return repository.pendingAgentRequests(tenantId, agentId).andThen((pending) =>
      safeTry(async function* () {
        const handled: Restore[] = [];
        for (const request of pending) handled.push(yield* handle(request));
        return ok(handled);
      }),
    );
  }

  function listen(): ResultAsync<Subscription, RestoreError> {
    // One request at a time, in arrival order, as an agent with a single worker would.
    let tail: Promise<unknown> = Promise.resolve();
    return repository.subscribeAgentRequests(tenantId, agentId, (request) => {
      tail = tail.then(() =>
        handle(request).match(
          () => undefined,
          (error) => options.onError?.(error),
        ),
      );
    });
  }

  return { report, handle, poll, listen };
}
