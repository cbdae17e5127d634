import { existsSync } from "node:fs";
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { type RestoreError, RestoreErrors } from "@restorekit/core";
import { fromPGlite, fromPool, migrate, type SqlClient } from "@restorekit/postgres";
import { errAsync, okAsync, ResultAsync } from "neverthrow";
import pg from "pg";
import type { StorageConfig } from "./config.js";
import { type PGliteTemplate, pgliteTemplate } from "./pglite-template.js";
import { type StartError, StartErrors } from "./start-error.js";

/** An open, migrated store. */
export interface Store {
  readonly client: SqlClient;
  /** Where the data is, for people: never a password. */
  readonly description: string;
  /** Whether the store answers a query: what `/readyz` asks. */
  ping(): ResultAsync<void, RestoreError>;
  /** Closes the connections (or the embedded database) and releases the data directory. */
  close(): Promise<void>;
}

export interface OpenStoreOptions {
  readonly schema: string;
  /** Where a new PGlite database is unpacked from; the user's cache directory by default. */
  readonly template?: PGliteTemplate;
  /** Told when an idle pooled connection fails (the pool replaces it). */
  readonly onPoolError?: (error: Error) => void;
}

/** The embedded database's files, inside the data directory. */
export const PGLITE_DIR = "pgdata";
/** Marks a data directory as in use by one server process (PGlite is single-process). */
export const LOCK_FILE = "server.pid";

/**
 * Opens the store `storage` names and runs the migrations: PGlite in a data
 * directory (which it locks, since only one process may open an embedded
 * database), PGlite in memory, or a Postgres server through a `pg.Pool`.
 * Every failure is a `StartError` that says what to check.
 *
 * @example
 * ```ts
 * const store = await openStore({ kind: "pglite-memory" }, { schema: "restorekit" });
 * ```
 */
export function openStore(
  storage: StorageConfig,
  options: OpenStoreOptions,
): ResultAsync<Store, StartError> {
  const template = options.template ?? pgliteTemplate();
  const opened =
    storage.kind === "postgres"
      ? openPostgres(storage.url, options)
      : storage.kind === "pglite"
        ? openPGliteDir(storage.dataDir, template)
        : openPGlite(undefined, "PGlite in memory", () => Promise.resolve(), template);
  return opened.andThen((store) =>
    migrate(store.client, { schema: options.schema })
      .map(() => store)
      .orElse((error) =>
        ResultAsync.fromSafePromise(store.close()).andThen(() =>
          errAsync(StartErrors.storageFailed("migrated", error.message)),
        ),
      ),
  );
}

function openPostgres(url: string, options: OpenStoreOptions): ResultAsync<Store, StartError> {
  const description = `Postgres at ${withoutPassword(url)}`;
  const pool = new pg.Pool({ connectionString: url, connectionTimeoutMillis: 10_000 });
  // node-postgres asks every app for this: an idle connection the server drops must not crash us.
  pool.on("error", (error) => options.onPoolError?.(error));
  const client = fromPool(pool);
  const close = () => pool.end().catch(() => undefined);
  return ping(client)
    .map((): Store => ({ client, description, ping: () => ping(client), close }))
    .orElse(() =>
      ResultAsync.fromSafePromise(close()).andThen(() =>
        errAsync(
          StartErrors.storageFailed(
            "reached",
            `${description} does not answer. Is it running, and are the host, port, user, password and database of DATABASE_URL right?`,
          ),
        ),
      ),
    );
}

function openPGliteDir(dataDir: string, template: PGliteTemplate): ResultAsync<Store, StartError> {
  const lock = join(dataDir, LOCK_FILE);
  const release = () => rm(lock, { force: true });
  return lockDataDir(dataDir, lock).andThen(() =>
    openPGlite(join(dataDir, PGLITE_DIR), `PGlite in ${dataDir}`, release, template).orElse(
      (error) => ResultAsync.fromSafePromise(release()).andThen(() => errAsync(error)),
    ),
  );
}

function openPGlite(
  dir: string | undefined,
  description: string,
  release: () => Promise<void>,
  template: PGliteTemplate,
): ResultAsync<Store, StartError> {
  return ResultAsync.fromThrowable(
    () => createPGlite(dir, template),
    () =>
      StartErrors.storageFailed(
        "opened",
        dir === undefined
          ? "the embedded PGlite database did not start."
          : `the embedded PGlite database in ${dir} did not open. Was it written by another version, or is it damaged? Move it away to start afresh.`,
      ),
  )().map((db): Store => {
    const client = fromPGlite(db);
    return {
      client,
      description,
      ping: () => ping(client),
      close: async () => {
        await db.close().catch(() => undefined);
        await release();
      },
    };
  });
}

/**
 * A new database is unpacked from the template when there is one, and
 * otherwise initialised and then kept as the template; an existing one is
 * opened as it is. A template that does not load is dropped, and the
 * database initialised instead.
 */
async function createPGlite(dir: string | undefined, template: PGliteTemplate): Promise<PGlite> {
  const isNew = dir === undefined || !existsSync(join(dir, "PG_VERSION"));
  if (!isNew) return PGlite.create(dir);
  const dump = await template.read();
  if (dump !== null) {
    try {
      return await PGlite.create({
        ...(dir === undefined ? {} : { dataDir: dir }),
        loadDataDir: dump,
      });
    } catch {
      await template.discard();
      if (dir !== undefined) await rm(dir, { recursive: true, force: true });
    }
  }
  const db = await PGlite.create(dir);
  await template.write(await db.dumpDataDir("gzip"));
  return db;
}

/**
 * Takes the data directory for this process, refusing one a live process
 * holds: two processes writing one PGlite directory would damage it. A lock
 * left by a process that is gone is taken over.
 */
function lockDataDir(dataDir: string, lock: string): ResultAsync<void, StartError> {
  const unusable = (why: string) => () => StartErrors.dataDirUnusable(dataDir, why);
  return ResultAsync.fromThrowable(
    () => mkdir(dataDir, { recursive: true }),
    unusable("it cannot be created"),
  )()
    .andThen(() =>
      ResultAsync.fromThrowable(
        () => readFile(lock, "utf8").catch(() => ""),
        unusable(`${lock} cannot be read`),
      )(),
    )
    .andThen((held) => {
      const pid = Number(held.trim());
      if (Number.isSafeInteger(pid) && pid > 0 && pid !== process.pid && isAlive(pid)) {
        return errAsync(
          StartErrors.dataDirUnusable(
            dataDir,
            `another restorekit server (pid ${pid}) is using it. Stop that one, or set DATA_DIR to another directory (delete ${lock} if no such server runs)`,
          ),
        );
      }
      return ResultAsync.fromThrowable(
        () => writeFile(lock, `${process.pid}\n`),
        unusable(`${lock} cannot be written`),
      )();
    });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, under another user.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

function ping(client: SqlClient): ResultAsync<void, RestoreError> {
  return ResultAsync.fromThrowable(
    () => client.query({ text: "SELECT 1" }),
    () => RestoreErrors.storageUnavailable(),
  )().andThen(() => okAsync(undefined));
}

/** The URL as it may be printed: user, host, port and database, never the password. */
export function withoutPassword(url: string): string {
  if (!URL.canParse(url)) return "(an unreadable URL)";
  const parsed = new URL(url);
  parsed.password = "";
  parsed.search = "";
  return parsed.toString();
}
