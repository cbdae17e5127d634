import type { ResultAsync } from "neverthrow";
import type { SealedPassword } from "./commands.js";
import type { Deadlines } from "./deadlines.js";
import type { RestoreError } from "./errors.js";
import type { RestoreEvent, StoredEvent } from "./events.js";
import type { IdempotentCompletion } from "./idempotency.js";
import type { Principal } from "./policy.js";
import type { AgentPublicKey, ResolvedBackup, Restore, Timestamp } from "./restore.js";

/** The only source of time; the domain never reads the system clock. */
export interface Clock {
  now(): Date;
}

/** Hands out restore ids: positive integers, unique across tenants (v1 ids are integers). */
export interface IdGenerator {
  nextRestoreId(): ResultAsync<number, RestoreError>;
}

export interface BackupReferences {
  readonly backupId: number;
  readonly backupMachineId: number;
  readonly destinationMachineId: number;
}

/**
 * Resolves what a restore names to what its details show. An unknown backup
 * or machine, or one of another tenant, is an `unknown_reference` error that
 * names the field.
 */
export interface BackupCatalog {
  resolve(
    tenantId: string,
    references: BackupReferences,
  ): ResultAsync<ResolvedBackup, RestoreError>;
}

export interface PasswordBinding {
  readonly tenantId: string;
  readonly restoreId: number;
}

/**
 * Holds encrypted passwords at rest. `seal` validates an `EncryptedPassword`
 * against the agent's public key (a `password_invalid` error says which rule
 * failed) and seals it to one tenant and restore; `open` gives the ciphertext
 * back only for that same binding, and answers anything else (another
 * binding, an altered value, a sealing key no longer held) with
 * `sealed_password_unreadable`.
 */
export interface PasswordVault {
  seal(
    request: PasswordBinding & {
      readonly encryptedPassword: string;
      readonly publicKey: AgentPublicKey | null;
    },
  ): ResultAsync<SealedPassword, RestoreError>;
  open(sealed: SealedPassword, binding: PasswordBinding): ResultAsync<string, RestoreError>;
}

/** Checks an `X-Auth-Token`: `unauthenticated` when missing, unknown or expired. */
export interface TokenVerifier {
  verify(token: string): ResultAsync<Principal, RestoreError>;
}

export interface AppendRequest {
  readonly tenantId: string;
  readonly restoreId: number;
  /** The version the caller decided on; 0 creates the restore. */
  readonly expectedVersion: number;
  /** At least one event; they get the next `seq` numbers in order. */
  readonly events: readonly RestoreEvent[];
  /**
   * The restore the events were decided on, as the store holds it at
   * `expectedVersion` (what `load` or an earlier `append` returned); `null`
   * for a create. The version check proves it is still current, so a store
   * may write only what changed from it rather than read it again.
   */
  readonly previous: Restore | null;
  /** The restore after the events, as `fold` computes it: the row to store. */
  readonly restore: Restore;
  /**
   * A password sealed for this restore, stored with the change. Whenever the
   * resulting restore holds no password (`passwordSealed` false) the store
   * destroys what it held, whatever this says.
   */
  readonly sealedPassword?: SealedPassword | null;
  /**
   * The response to the request that made the change, written into its
   * claimed `Idempotency-Key` (see `IdempotencyKeys`) in the same
   * transaction, only if the change commits and the key is still unanswered.
   */
  readonly idempotency?: IdempotentCompletion;
}

export interface EventPage {
  /** Only events with a greater `seq`. */
  readonly afterSeq?: number;
  /** Only events with a smaller `seq`. */
  readonly beforeSeq?: number;
  readonly limit?: number;
  /** Oldest first (`asc`, the default) or newest first; `limit` counts from that end. */
  readonly order?: "asc" | "desc";
}

/** What a destination agent is asked to do; derived from the committed events. */
export interface AgentRequest {
  readonly tenantId: string;
  readonly restoreId: number;
  readonly agentId: number;
  readonly action: "start" | "stop";
  /** The restore's version once the request was committed. */
  readonly version: number;
}

export interface Subscription {
  close(): Promise<void>;
}

/**
 * Storage of restores and their event logs, always scoped by tenant.
 *
 * - `append` commits the events and the new row together or not at all, and
 *   fails with `version_conflict` when the stored version is not
 *   `expectedVersion` (for 0: when the restore exists). A store that can
 *   read the row in the same round trip puts it in the error as `current`
 *   (only when it is newer than `expectedVersion`), so a lost race costs the
 *   caller one more append rather than a read and an append.
 * - A store that cannot be reached fails with `storage_unavailable`, never
 *   with "not found".
 * - Agents learn of start and stop requests by subscribing (delivered after
 *   commit) or, when they cannot hold a connection, by polling
 *   `pendingAgentRequests`: the restores of theirs waiting in StartRequested
 *   or StopRequested. A subscription is at least once: a store that lost
 *   its notification connection delivers what is still pending again when
 *   it is back, so a listener must take the same request twice calmly.
 */
export interface RestoreRepository {
  load(tenantId: string, restoreId: number): ResultAsync<Restore | null, RestoreError>;
  append(request: AppendRequest): ResultAsync<Restore, RestoreError>;
  readEvents(
    tenantId: string,
    restoreId: number,
    page?: EventPage,
  ): ResultAsync<readonly StoredEvent[], RestoreError>;
  readSealedPassword(
    tenantId: string,
    restoreId: number,
  ): ResultAsync<SealedPassword | null, RestoreError>;
  pendingAgentRequests(
    tenantId: string,
    agentId: number,
  ): ResultAsync<readonly AgentRequest[], RestoreError>;
  subscribeAgentRequests(
    tenantId: string,
    agentId: number,
    listener: (request: AgentRequest) => void,
  ): ResultAsync<Subscription, RestoreError>;
}

/** What the sweeper asks a store for: restores past their deadline at `now`. */
export interface DueQuery {
  readonly now: Timestamp;
  readonly deadlines: Deadlines;
  /** At most this many, the longest silent first. */
  readonly limit: number;
}

/**
 * Finds, across tenants, the restores waiting on their agent whose last
 * event is older than `expiresAt` allows (see `Deadlines`): what the sweeper
 * expires. A store answers from an index, not a scan, since it is asked
 * every few seconds; a restore it names may have moved on since, which the
 * `Expire` command decides again.
 */
export interface DueRestores {
  findDue(
    query: DueQuery,
  ): ResultAsync<readonly { tenantId: string; restoreId: number }[], RestoreError>;
}
