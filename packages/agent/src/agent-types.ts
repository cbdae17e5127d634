import type { AgentRequestWire } from "@restorekit/core";
import type { AgentPrivateKeyInput, RsaPadding, Secret } from "@restorekit/crypto";

/** Where the agent says what it does: a pino logger fits. Nothing secret is ever passed to it. */
export interface AgentLog {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
}

/** A restore the agent was asked to carry out: its work order, as the server sent it. */
export interface AgentRestore {
  readonly restoreId: number;
  readonly backupId: number;
  readonly backupConfigurationId: number;
  /** The machine the backup was taken on. */
  readonly backupMachineId: number;
  /** The backup's restore point, ISO 8601 in UTC. */
  readonly restorePoint: string;
  /** Where to restore the files on this machine. */
  readonly destinationPath: string;
  readonly overwriteFiles: boolean;
  readonly isEncrypted: boolean;
}

/** Figures of the work so far; each is sent only when given. Counts are non-negative integers. */
export interface ProgressFigures {
  readonly filesRestored?: number;
  /** Bytes done; like `filesRestored`, it must never go down. */
  readonly bytesCompleted?: number;
  /** An estimate: may go either way. */
  readonly bytesRemaining?: number;
  /** An estimate: may go either way. */
  readonly totalBytes?: number;
}

export interface ProgressUpdate extends ProgressFigures {
  /**
   * The step the work is in: `preparing` (getting ready) or `in_progress`
   * (restoring files), the default. Steps only go forward; the first
   * `in_progress` also reports the started time.
   */
  readonly phase?: "preparing" | "in_progress";
}

/** One entry of the errors a finished restore reports (`/errors` `list`). */
export interface RestoreErrorEntry {
  readonly index?: number | null;
  readonly path?: string | null;
  readonly type?: string | null;
  readonly exception?: {
    readonly code?: number | null;
    readonly description?: string | null;
    readonly details?: string | null;
  } | null;
}

/** The errors a finished restore reports (`/errors`); `reason` in the v2 spelling, e.g. `unable_to_process_some_files`. */
export interface RestoreErrors {
  readonly count?: number;
  readonly reason?: string | null;
  readonly diagnostics?: string | null;
  readonly list?: readonly RestoreErrorEntry[];
}

/** How `run` ended the work. */
export interface RunResult {
  readonly state: "completed" | "completed_with_errors" | "failed";
  /** The final figures. */
  readonly progress?: ProgressFigures;
  readonly errors?: RestoreErrors;
}

/** What `run` is given besides the restore. */
export interface RunContext {
  /** The vault passphrase of an encrypted restore (null otherwise); disposed once `run` has ended. */
  readonly password: Secret<string> | null;
  /**
   * Aborted when the work must stop: a stop request (the agent then reports
   * `stopped`), a restore that was stopped, expired or finished elsewhere,
   * or the agent's own `stop()`. `signal.reason` says which: `"stop"`,
   * `"conflict"`, `"refused"` or `"shutdown"`.
   */
  readonly signal: AbortSignal;
  /**
   * Reports progress; resolves once the server has it (retried until then),
   * or at once when the work was stopped. Never rejects.
   */
  progress(update: ProgressUpdate): Promise<void>;
}

/** The work itself: restore the files, honouring `context.signal`. */
export type RunRestore = (restore: AgentRestore, context: RunContext) => Promise<RunResult>;

/** How long to wait before retrying: exponential from `initialMs` to `maxMs`, with jitter. */
export interface RetryOptions {
  /** Default 500. */
  readonly initialMs?: number;
  /** Default 30 000. */
  readonly maxMs?: number;
}

export interface AgentOptions {
  /** The server's origin (and base path, if any), e.g. `https://backup.example.com`. */
  readonly baseUrl: string;
  /** The project (tenant) id of the v2 routes. */
  readonly tenantId: string;
  /** The agent's machine id: the destination machine of the restores it carries out. */
  readonly agentId: number;
  /** The agent's `X-Auth-Token`. */
  readonly token: string;
  /** The agent's RSA private key (a `KeyObject`, a PEM or a private JWK): opens the passwords. */
  readonly privateKey: AgentPrivateKeyInput;
  /** The padding the clients encrypt with; default `"oaep-sha1"`. */
  readonly padding?: RsaPadding;
  readonly run: RunRestore;
  /** Default the global `fetch`; an app's own `fetch` runs the agent in process. */
  readonly fetch?: (request: Request) => Response | Promise<Response>;
  readonly log?: AgentLog;
  /** How its log lines begin; default `"agent"`. */
  readonly name?: string;
  /** Prefix of the `X-Request-Id` of its reports, numbered from 1; default `agent-<agentId>`. */
  readonly requestIdPrefix?: string;
  /** A bare heartbeat (`[]`) after this long without a report while `run` works; default 60 000. */
  readonly heartbeatMs?: number;
  /** How long a stopped `run` may take to settle before `stopped` is reported anyway; default 30 000. */
  readonly stopGraceMs?: number;
  /** How often the request list is polled while the stream cannot be used; default 5 000. */
  readonly pollMs?: number;
  readonly retry?: RetryOptions;
}

/** A start or stop request as the agent reads it off the wire. */
export type AgentRequestOrder = AgentRequestWire;
