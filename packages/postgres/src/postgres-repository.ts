import {
  type AgentRequest,
  type AppendRequest,
  agentRequestsOf,
  checkAppendRequest,
  type IdGenerator,
  pendingRequestOf,
  type Restore,
  type RestoreError,
  RestoreErrors,
  type RestoreRepository,
  type SealedPassword,
} from "@restorekit/core";
import { err, errAsync, ok, okAsync, Result, ResultAsync } from "neverthrow";
import { agentChannel } from "./agent-channel.js";
import { agentNotifier } from "./agent-notifier.js";
import { appendCalls } from "./append-call.js";
import { appendStatements } from "./append-statement.js";
import { storedEventOf } from "./event-row.js";
import { jsonValue } from "./json-column.js";
import { pause } from "./pause.js";
import { repositoryStatements } from "./repository-statements.js";
import { restoreOf, restoreOfJson } from "./restore-row.js";
import { schemaOrThrow } from "./schema-name.js";
import type { SqlClient, SqlListener, SqlRows, SqlStatement } from "./sql-client.js";
import { storageErrorOf } from "./storage-error.js";
import {
  type OnStorageError,
  type Reporter,
  reporterFor,
  type StorageOperation,
} from "./storage-failure.js";

export interface PostgresRepositoryOptions {
  /** The schema `migrate` created; default `restorekit`. */
  readonly schema?: string;
  /**
   * Told of every `storage_unavailable` or `internal_error` a method returns,
   * with the driver's error as `cause`: the returned error says nothing of
   * it, so this is where an operator learns why.
   */
  readonly onError?: OnStorageError;
  /**
   * How often a subscription also polls the pending requests, in
   * milliseconds; 0 never. A request whose notification was never sent (its
   * instance died between the commit and the send) reaches a listener that
   * stayed connected by this poll. Default 30 000.
   */
  readonly pollIntervalMs?: number;
  /**
   * How `append` writes: `"statement"`, one SQL statement (the fastest on a
   * single Postgres or PGlite), or `"function"`, a call of the schema's
   * `append_restore` function, which Citus sends whole to the node holding
   * the tenant's shard (it splits the statement into several steps across
   * the cluster). Both write the same rows. Default: `"function"` where the
   * `citus` extension exists, else `"statement"`, asked of the database
   * once, before the first append.
   */
  readonly appendWith?: AppendWith;
}

export type AppendWith = "statement" | "function";

/** A subscription's poll: seldom, since notifications carry nearly every request. */
const DEFAULT_POLL_INTERVAL_MS = 30_000;

/** Core's `RestoreRepository`, and a way to wait for the agent requests it sends after commits. */
export interface PostgresRepository extends RestoreRepository {
  /**
   * Resolves once the agent requests of every append that has returned were
   * sent (or given up on and reported): before closing the pool, so none is
   * dropped at shutdown, and in tests that must not hear of earlier requests.
   */
  flushNotifications(): Promise<void>;
}

/**
 * Core's `RestoreRepository` on Postgres (a `pg.Pool` through `fromPool`, or
 * PGlite through `fromPGlite`), in the schema `migrate` prepared.
 *
 * - `append` is one round trip: the version-checked UPDATE of the columns
 *   that changed (or, for version 0, the INSERT that does nothing when the
 *   restore exists) and the events, all or nothing, as one statement, or on
 *   Citus as one function call (`appendWith`). No row changed is
 *   `version_conflict`, carrying the row as it is now when one exists, so
 *   the service decides again without reading.
 * - Agent requests are sent after the commit, batched per repository, on
 *   the channel `agentChannel` names; a subscription polls the pending
 *   requests when its lost connection is back, and every `pollIntervalMs`,
 *   so it may hear of one twice but misses none that is still pending.
 * - Every query is scoped by tenant; a missing restore is `ok(null)`; a
 *   database that cannot be reached is `storage_unavailable`, never "not found".
 * - Errors keep their fixed messages (no driver text, SQL or values); the
 *   cause of each `storage_unavailable` or `internal_error` goes to `onError`.
 * - The sealed password is stored when given and the new row holds one, kept
 *   while it does, and set to NULL whenever it does not.
 *
 * @throws RangeError at construction when `schema` is not a valid schema name (see
 *   `validateSchemaName`), or `appendWith` is neither `"statement"` nor `"function"`.
 * @example
 * ```ts
 * const client = fromPool(pool);
 * await migrate(client);
 * const onError: OnStorageError = ({ operation, error, cause }) =>
 *   console.error(`restore store: ${operation} failed (${error.code})`, cause);
 * const service = createRestoreService({
 *   repository: postgresRepository(client, { onError }),
 *   ids: postgresIdGenerator(client, { onError }),
 *   vault, catalog, clock,
 * });
 * ```
 */
export function postgresRepository(
  client: SqlClient,
  options: PostgresRepositoryOptions = {},
): PostgresRepository {
  const schema = schemaOrThrow(options.schema);
  const pollIntervalMs = Math.max(0, options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS);
  const statements = repositoryStatements(schema);
  const appendStatement = appendStatements(schema);
  const appendCall = appendCalls(schema);
  let appendWith = appendWithOrThrow(options.appendWith);
  const report = reporterFor(options.onError);
  const query = sqlQuery(client, report);
  const unreadable = (operation: StorageOperation, table: string) => (error: RestoreError) =>
    report(operation, error, new Error(`a row of ${table} could not be read`));
  const notifier = agentNotifier(client, schema, report);
  const listen = ResultAsync.fromThrowable(
    (
      channel: string,
      onPayload: (payload: string) => void,
      onReconnect: () => void,
    ): Promise<SqlListener> => client.listen(channel, onPayload, onReconnect),
    (cause) => report("subscribeAgentRequests", storageErrorOf(cause), cause),
  );

  function pending(
    tenantId: string,
    agentId: number,
  ): ResultAsync<readonly AgentRequest[], RestoreError> {
    if (!isId(agentId)) return okAsync([]);
    return query("pendingAgentRequests", { ...statements.pending, values: [tenantId, agentId] })
      .andThen(({ rows }) =>
        Result.combine(rows.map(restoreOf)).mapErr(unreadable("pendingAgentRequests", "restores")),
      )
      .map((restores) => restores.flatMap((restore) => pendingOf(restore, agentId)));
  }

  // Asked once; until an answer comes, each append asks (a failure is that append's error).
  function detectAppendWith(): ResultAsync<AppendWith, RestoreError> {
    return query("append", CITUS_PRESENT, ({ rows }) => {
      appendWith = rows[0]?.citus === true ? "function" : "statement";
      return ok(appendWith);
    });
  }

  function appendByStatement(request: AppendRequest): ResultAsync<Restore, RestoreError> {
    const { restore, events } = request;
    return query("append", appendStatement(request), ({ rows }) => {
      const [row] = rows;
      if (Number(row?.changed) === 1) {
        notifier.send(agentRequestsOf(restore, events));
        return ok(restore);
      }
      // A lost race: the row as the statement saw it, when it is news to the caller.
      const found = restoreOfJson(row?.found);
      return err(conflict(request, found.isOk() ? found.value : null));
    });
  }

  function appendByCall(request: AppendRequest): ResultAsync<Restore, RestoreError> {
    const { restore, events, expectedVersion } = request;
    return query("append", appendCall(request)).andThen(({ rows }) => {
      if (rows[0]?.changed === true) {
        notifier.send(agentRequestsOf(restore, events));
        return okAsync(restore);
      }
      // The function answers only "not changed"; an update lost a race, so the row as it is
      // now saves the caller its own read. A create found the restore there: nothing to add.
      if (expectedVersion === 0) return errAsync(conflict(request, null));
      return repository
        .load(restore.tenantId, restore.restoreId)
        .orElse(() => okAsync(null))
        .andThen((current) => errAsync(conflict(request, current)));
    });
  }

  const repository: PostgresRepository = {
    load(tenantId, restoreId) {
      if (!isId(restoreId)) return okAsync(null);
      return query("load", { ...statements.load, values: [tenantId, restoreId] }, ({ rows }) => {
        if (rows.length === 0) return ok(null);
        return restoreOfJson(rows[0]?.restore).mapErr(unreadable("load", "restores"));
      });
    },

    append(request) {
      // The check every store makes, so this one refuses exactly what the others refuse, and
      // refuses it as data rather than as a driver error (node-postgres would even store an
      // unpaired surrogate, changed, and the row would no longer be what its events fold to).
      const checked = checkAppendRequest(request);
      if (checked.isErr()) {
        return errAsync(
          checked.error.code === "internal_error"
            ? report(
                "append",
                checked.error,
                new Error("the append request does not match its restore (key, version or events)"),
              )
            : checked.error,
        );
      }
      const checkedRequest = checked.value;
      // Straight to the write once known: a combinator on this path costs more than it does.
      if (appendWith === "statement") return appendByStatement(checkedRequest);
      if (appendWith === "function") return appendByCall(checkedRequest);
      return detectAppendWith().andThen((how) =>
        how === "function" ? appendByCall(checkedRequest) : appendByStatement(checkedRequest),
      );
    },

    readEvents(tenantId, restoreId, page = {}) {
      if (!isId(restoreId)) return okAsync([]);
      const afterSeq = Math.max(0, Math.floor(page.afterSeq ?? 0)) || 0;
      // Cut to what an integer parameter holds: a huge limit means "all", not a driver error.
      const limit =
        page.limit === undefined
          ? null
          : Math.min(Math.max(0, Math.floor(page.limit)) || 0, 2 ** 31 - 1);
      const beforeSeq =
        page.beforeSeq === undefined ? null : Math.max(0, Math.floor(page.beforeSeq)) || 0;
      return query("readEvents", {
        ...(page.order === "desc" ? statements.readEventsNewestFirst : statements.readEvents),
        values: [
          tenantId,
          restoreId,
          Math.min(afterSeq, 2 ** 31 - 1),
          limit,
          beforeSeq === null ? null : Math.min(beforeSeq, 2 ** 31),
        ],
      }).andThen(({ rows }) =>
        Result.combine(rows.map(storedEventOf)).mapErr(unreadable("readEvents", "restore_events")),
      );
    },

    readSealedPassword(tenantId, restoreId) {
      if (!isId(restoreId)) return okAsync(null);
      return query("readSealedPassword", {
        ...statements.readSealedPassword,
        values: [tenantId, restoreId],
      }).map(({ rows }) => {
        const sealed = rows[0]?.sealed_password;
        // A copy as a plain Uint8Array, whatever buffer type the driver hands out.
        return sealed instanceof Uint8Array ? (new Uint8Array(sealed) as SealedPassword) : null;
      });
    },

    pendingAgentRequests: pending,

    flushNotifications: () => notifier.flush(),

    subscribeAgentRequests(tenantId, agentId, listener) {
      const channel = agentChannel(schema, tenantId, agentId);
      let open = true;
      const deliver = (request: AgentRequest) => {
        // Outside the driver's callback, so a listener may call back into the store.
        queueMicrotask(() => {
          if (!open) return;
          try {
            listener(request);
          } catch {
            // The change is committed; a failing listener must not surface as an uncaught error.
          }
        });
      };
      // Whatever was sent while the connection was down is lost; what is still pending is not.
      const poll = async () => {
        for (const delay of [0, ...CATCH_UP_DELAYS_MS]) {
          if (!open) return;
          if (delay > 0) await pause(delay);
          const polled = await pending(tenantId, agentId);
          if (polled.isOk()) {
            for (const request of polled.value) deliver(request);
            return;
          }
        }
      };
      // One poll at a time; one asked for meanwhile runs after it, as it may need a later snapshot.
      let polling = false;
      let again = false;
      const catchUp = async () => {
        if (polling) {
          again = true;
          return;
        }
        polling = true;
        try {
          do {
            again = false;
            await poll();
          } while (again && open);
        } finally {
          polling = false;
        }
      };
      return listen(
        channel,
        (payload) => {
          const request = agentRequestOf(payload);
          // The channel is a hash: the payload decides whose request it is.
          if (request !== null && request.tenantId === tenantId && request.agentId === agentId) {
            deliver(request);
          }
        },
        () => void catchUp(),
      ).map((listening) => {
        const timer = pollIntervalMs > 0 ? setInterval(() => void catchUp(), pollIntervalMs) : null;
        // The poll is a safety net: it must not keep a process alive that has nothing else to do.
        timer?.unref?.();
        return {
          close: () => {
            open = false;
            if (timer !== null) clearInterval(timer);
            return listening.close().catch(() => undefined);
          },
        };
      });
    },
  };
  return repository;
}

const APPEND_WITH: readonly unknown[] = ["statement", "function"];

function appendWithOrThrow(value: AppendWith | undefined): AppendWith | undefined {
  if (value === undefined || APPEND_WITH.includes(value)) return value;
  throw new RangeError('appendWith must be "statement", "function" or left out');
}

/** Whether the database is a Citus one, which the append reaches through its function. */
const CITUS_PRESENT: SqlStatement = {
  text: "SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_extension WHERE extname = 'citus') AS citus",
};

/** A lost race, carrying the restore as it is now when that is news to the caller. */
function conflict(request: AppendRequest, current: Restore | null): RestoreError {
  const { restoreId, expectedVersion } = request;
  const newer = current !== null && current.version > expectedVersion ? current : undefined;
  return RestoreErrors.versionConflict(restoreId, expectedVersion, newer);
}

/** Waits between the polls a reconnected subscription makes until one succeeds. */
const CATCH_UP_DELAYS_MS = [250, 1_000, 4_000];

export interface PostgresIdGeneratorOptions {
  /** The schema `migrate` created; default `restorekit`. */
  readonly schema?: string;
  /** Told of every failed `nextRestoreId`, with the driver's error as `cause` (see `postgresRepository`). */
  readonly onError?: OnStorageError;
}

/**
 * Core's `IdGenerator` from the schema's `restore_ids` sequence: positive
 * integers, unique across tenants, never handed out twice (a failed create
 * leaves a gap).
 *
 * @throws RangeError at construction when `schema` is not a valid schema name.
 * @example
 * ```ts
 * const ids = postgresIdGenerator(fromPGlite(db), {
 *   onError: ({ error, cause }) => console.error(`restore ids: ${error.code}`, cause),
 * });
 * const id = await ids.nextRestoreId(); // ok(1)
 * ```
 */
export function postgresIdGenerator(
  client: SqlClient,
  options: PostgresIdGeneratorOptions = {},
): IdGenerator {
  const statement = repositoryStatements(schemaOrThrow(options.schema)).nextRestoreId;
  const report = reporterFor(options.onError);
  const query = sqlQuery(client, report);
  return {
    nextRestoreId() {
      return query("nextRestoreId", statement, ({ rows }) => {
        const id = Number(rows[0]?.id);
        return isId(id)
          ? ok(id)
          : err(
              report(
                "nextRestoreId",
                RestoreErrors.internal(),
                new Error("restore_ids gave a value that is not a positive safe integer"),
              ),
            );
      });
    },
  };
}

export type Query = <T = SqlRows>(
  operation: StorageOperation,
  statement: SqlStatement,
  read?: (rows: SqlRows) => Result<T, RestoreError>,
) => ResultAsync<T, RestoreError>;

/**
 * Runs a statement and reads its rows, with any driver failure as a
 * `RestoreError` and its cause reported. One native async function per
 * query rather than `fromThrowable` and a combinator: on the write path
 * each combinator's promise chain cost more than the rest of the
 * repository's own work.
 */
export function sqlQuery(client: SqlClient, report: Reporter): Query {
  return <T>(
    operation: StorageOperation,
    statement: SqlStatement,
    read: (rows: SqlRows) => Result<T, RestoreError> = (rows) => ok(rows as T),
  ) => {
    async function settle(): Promise<Result<T, RestoreError>> {
      let rows: SqlRows;
      try {
        rows = await client.query(statement);
      } catch (cause) {
        return err(report(operation, storageErrorOf(cause), cause));
      }
      return read(rows);
    }
    return new ResultAsync(settle());
  };
}

function isId(value: number): boolean {
  return Number.isSafeInteger(value) && value > 0;
}

function pendingOf(restore: Restore, agentId: number): AgentRequest[] {
  const request = pendingRequestOf(restore);
  return request !== null && request.agentId === agentId ? [request] : [];
}

const ACTIONS: readonly string[] = ["start", "stop"];

/** A notification payload back to the request; anything else is ignored. */
export function agentRequestOf(payload: string): AgentRequest | null {
  const value = jsonValue(payload);
  if (typeof value !== "object" || value === null) return null;
  const { tenantId, restoreId, agentId, action, version } = value as Record<string, unknown>;
  if (
    typeof tenantId !== "string" ||
    typeof restoreId !== "number" ||
    typeof agentId !== "number" ||
    typeof action !== "string" ||
    !ACTIONS.includes(action) ||
    typeof version !== "number"
  ) {
    return null;
  }
  return { tenantId, restoreId, agentId, action: action as AgentRequest["action"], version };
}
