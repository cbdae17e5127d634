import {
  type AgentRequest,
  type AppendRequest,
  agentRequestsOf,
  checkAppendRequest,
  type DueRestores,
  type EventPage,
  expiresAt,
  pendingRequestOf,
  type Restore,
  type RestoreError,
  RestoreErrors,
  type RestoreRepository,
  type SealedPassword,
  type StoredEvent,
  type Subscription,
} from "@restorekit/core";
import { err, errAsync, ok, okAsync, Result, type ResultAsync } from "neverthrow";
import type { RepositoryInspector } from "./contract/repository-inspector.js";
import {
  type InMemoryIdempotencyKeys,
  inMemoryIdempotencyKeys,
} from "./in-memory-idempotency-keys.js";

/** A `RestoreRepository` held in memory, with raw access for tests. */
export interface InMemoryRestoreRepository extends RestoreRepository, DueRestores {
  /** Reads the stored rows, sealed bytes and events without going through the port. */
  readonly inspect: RepositoryInspector;
  /** The idempotency keys whose responses this repository's appends write. */
  readonly idempotencyKeys: InMemoryIdempotencyKeys;
}

export interface InMemoryRepositoryOptions {
  /** The keys an append under an `Idempotency-Key` answers; a fresh store when absent. */
  readonly idempotencyKeys?: InMemoryIdempotencyKeys;
}

interface Entry {
  readonly restore: Restore;
  readonly events: readonly StoredEvent[];
  readonly sealedPassword: SealedPassword | null;
}

type Listener = (request: AgentRequest) => void;

/**
 * A `RestoreRepository` in memory with the semantics a real store must have:
 * an optimistic version check, the row, events and sealed password changing
 * together or not at all, gap-free `seq` numbers, everything scoped by tenant,
 * and agent requests delivered only after the commit. It keeps copies, so a
 * caller mutating what it passed or got back never changes what is stored.
 *
 * @example
 * ```ts
 * const repository = inMemoryRepository();
 * const service = createRestoreService({ repository, vault, catalog, clock, ids });
 * ```
 */
export function inMemoryRepository(
  options: InMemoryRepositoryOptions = {},
): InMemoryRestoreRepository {
  const idempotencyKeys = options.idempotencyKeys ?? inMemoryIdempotencyKeys();
  const tenants = new Map<string, Map<number, Entry>>();
  const listeners = new Map<string, Set<Listener>>();

  const entryOf = (tenantId: string, restoreId: number): Entry | undefined =>
    tenants.get(tenantId)?.get(restoreId);

  const listenerKey = (tenantId: string, agentId: number): string =>
    JSON.stringify([tenantId, agentId]);

  function commit(request: AppendRequest): Result<Entry, RestoreError> {
    // The same check every store makes first, so this store refuses exactly what Postgres
    // refuses. It hands back checked copies: a caller mutating what it passed changes nothing.
    return checkAppendRequest(request).andThen((checked) => {
      const { tenantId, restoreId, expectedVersion } = checked;
      const current = entryOf(tenantId, restoreId);
      if ((current?.restore.version ?? 0) !== expectedVersion) {
        // The row as stored now, as the Postgres store answers a lost race, when it is newer.
        const newer =
          current !== undefined && current.restore.version > expectedVersion
            ? structuredClone(current.restore)
            : undefined;
        return err(RestoreErrors.versionConflict(restoreId, expectedVersion, newer));
      }
      const first = (current?.events.length ?? 0) + 1;
      const appended = checked.events.map((event, i) => ({ seq: first + i, event }));
      const given = checked.sealedPassword ?? null;
      const sealedPassword = !checked.restore.passwordSealed
        ? null
        : given !== null
          ? copyBytes(given)
          : (current?.sealedPassword ?? null);
      const entry: Entry = {
        restore: checked.restore,
        events: [...(current?.events ?? []), ...appended],
        sealedPassword,
      };
      const rows = tenants.get(tenantId) ?? new Map<number, Entry>();
      rows.set(restoreId, entry);
      tenants.set(tenantId, rows);
      // In the same synchronous step as the change: the two commit together, as in one transaction.
      if (checked.idempotency !== undefined) idempotencyKeys.answer(checked.idempotency);
      return ok(entry);
    });
  }

  function notify(entry: Entry, request: AppendRequest): void {
    for (const agentRequest of agentRequestsOf(entry.restore, request.events)) {
      const subscribed = listeners.get(listenerKey(agentRequest.tenantId, agentRequest.agentId));
      for (const listener of subscribed ?? []) {
        // Delivered after append returns, so a listener may call back into the store.
        queueMicrotask(() => {
          if (!subscribed?.has(listener)) return;
          try {
            listener({ ...agentRequest });
          } catch {
            // The change is committed; a failing listener must not surface as an uncaught error.
          }
        });
      }
    }
  }

  const repository: RestoreRepository = {
    load(tenantId, restoreId) {
      const entry = entryOf(tenantId, restoreId);
      return entry === undefined ? okAsync(null) : fromResult(copy(entry.restore));
    },

    append(request) {
      const committed = commit(request);
      if (committed.isErr()) return errAsync(committed.error);
      notify(committed.value, request);
      return fromResult(copy(committed.value.restore));
    },

    readEvents(tenantId, restoreId, page?: EventPage) {
      const events = entryOf(tenantId, restoreId)?.events ?? [];
      const afterSeq = page?.afterSeq ?? 0;
      const beforeSeq = page?.beforeSeq ?? Number.POSITIVE_INFINITY;
      const within = events.filter((stored) => stored.seq > afterSeq && stored.seq < beforeSeq);
      const ordered = page?.order === "desc" ? within.reverse() : within;
      const limited =
        page?.limit === undefined ? ordered : ordered.slice(0, Math.max(0, Math.floor(page.limit)));
      return fromResult(copy(limited));
    },

    readSealedPassword(tenantId, restoreId) {
      const sealed = entryOf(tenantId, restoreId)?.sealedPassword ?? null;
      return okAsync(sealed === null ? null : copyBytes(sealed));
    },

    pendingAgentRequests(tenantId, agentId) {
      const rows = [...(tenants.get(tenantId)?.values() ?? [])];
      const pending = rows
        .map((entry) => pendingRequestOf(entry.restore))
        .filter((request): request is AgentRequest => request?.agentId === agentId)
        .sort((a, b) => a.restoreId - b.restoreId);
      return okAsync(pending);
    },

    subscribeAgentRequests(tenantId, agentId, listener) {
      const key = listenerKey(tenantId, agentId);
      const subscribed = listeners.get(key) ?? new Set<Listener>();
      // A wrapper per subscription, so subscribing the same function twice gives two deliveries and two closes.
      const own: Listener = (request) => listener(request);
      subscribed.add(own);
      listeners.set(key, subscribed);
      const subscription: Subscription = {
        close() {
          subscribed.delete(own);
          if (subscribed.size === 0 && listeners.get(key) === subscribed) listeners.delete(key);
          return Promise.resolve();
        },
      };
      return okAsync(subscription);
    },
  };

  const inspect: RepositoryInspector = {
    row(tenantId, restoreId) {
      const entry = entryOf(tenantId, restoreId);
      if (entry === undefined) return Promise.resolve(null);
      return Promise.resolve({
        restore: structuredClone(entry.restore),
        sealedPassword: entry.sealedPassword === null ? null : copyBytes(entry.sealedPassword),
      });
    },
    events(tenantId, restoreId) {
      return Promise.resolve(structuredClone([...(entryOf(tenantId, restoreId)?.events ?? [])]));
    },
  };

  const due: DueRestores = {
    findDue({ now, deadlines, limit }) {
      const cutoff = Date.parse(now);
      const found: { tenantId: string; restoreId: number; at: number }[] = [];
      for (const [tenantId, restores] of tenants) {
        for (const [restoreId, { restore }] of restores) {
          const at = expiresAt(restore, deadlines);
          if (at !== null && Date.parse(at) < cutoff) {
            found.push({ tenantId, restoreId, at: Date.parse(restore.updatedAt) });
          }
        }
      }
      // The longest silent first, as the Postgres store orders them.
      found.sort((a, b) => a.at - b.at);
      return okAsync(
        found.slice(0, limit).map(({ tenantId, restoreId }) => ({ tenantId, restoreId })),
      );
    },
  };

  return { ...repository, ...due, inspect, idempotencyKeys };
}

/** A value that cannot be cloned (a function, say) is a caller bug, reported as data. */
function copy<T>(value: T): Result<T, RestoreError> {
  return Result.fromThrowable(
    () => structuredClone(value),
    () => RestoreErrors.internal(),
  )();
}

function copyBytes(bytes: Uint8Array): SealedPassword {
  // slice copies only the view, not a larger buffer it may sit in.
  return bytes.slice() as SealedPassword;
}

function fromResult<T>(result: Result<T, RestoreError>): ResultAsync<T, RestoreError> {
  return result.isOk() ? okAsync(result.value) : errAsync(result.error);
}
