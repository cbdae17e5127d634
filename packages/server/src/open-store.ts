import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, readdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { PGlite, PGliteOptions } from "@electric-sql/pglite";
import { type RestoreError, RestoreErrors } from "@restorekit/core";
import { fromPGlite, fromPool, MIGRATIONS, migrate, type SqlClient } from "@restorekit/postgres";
import { errAsync, okAsync, ResultAsync } from "neverthrow";
import type { StorageConfig } from "./config.js";
import { takeDataDirLock } from "./data-dir-lock.js";
import { type PGliteTemplate, pgliteTemplate, type TemplateVariant } from "./pglite-template.js";
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
  /** How long opening and migrating took, for the start log. */
  readonly timings: { readonly openMs: number; readonly migrateMs: number };
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
 * Settings PGlite starts with, on top of its own start parameters: a
 * smaller buffer cache than the 128MB its initdb writes into
 * postgresql.conf. Postgres zeroes the whole cache at start, which cost
 * half a second and 130MB of resident memory on every start, for the few
 * MB a restorekit database holds. Durability is untouched: the cache only
 * holds pages, and every commit is written as before.
 */
export const PGLITE_SETTINGS: readonly string[] = ["-c", "shared_buffers=16MB"];

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
  const templates = { template, migrated: migratedVariant(options.schema) };
  const started = performance.now();
  const opened =
    storage.kind === "postgres"
      ? openPostgres(storage, options)
      : storage.kind === "pglite"
        ? openPGliteDir(storage.dataDir, templates)
        : openPGlite(undefined, "PGlite in memory", () => Promise.resolve(), templates);
  return opened.andThen(({ afterMigrate, ...store }) => {
    const openedAt = performance.now();
    return migrate(store.client, { schema: options.schema })
      .andThen((report) =>
        ResultAsync.fromSafePromise(afterMigrate?.(report.applied) ?? Promise.resolve()),
      )
      .map(
        (): Store => ({
          ...store,
          timings: { openMs: openedAt - started, migrateMs: performance.now() - openedAt },
        }),
      )
      .orElse((error) =>
        ResultAsync.fromSafePromise(store.close()).andThen(() =>
          errAsync(StartErrors.storageFailed("migrated", error.message)),
        ),
      );
  });
}

/** A store as opened, before `openStore` migrates it and knows how long that took. */
interface OpenedStore extends Omit<Store, "timings"> {
  /** Told what the migration applied, before anything else writes; never fails. */
  readonly afterMigrate?: (applied: readonly string[]) => Promise<void>;
}

/** The template cache, and the variant that holds `schema` migrated to today's migrations. */
interface Templates {
  readonly template: PGliteTemplate;
  readonly migrated: TemplateVariant;
}

/**
 * The template variant of a database whose `schema` holds exactly today's
 * migrations: named by the schema and a digest of every migration's version,
 * name and SQL, so a database is never unpacked with another schema or with
 * migrations other than those this build would apply.
 */
function migratedVariant(schema: string): TemplateVariant {
  const digest = createHash("sha256")
    .update(JSON.stringify(MIGRATIONS.map(({ version, name, sql }) => [version, name, sql])))
    .digest("hex")
    .slice(0, 16);
  return `${schema}-${digest}`;
}

/** How the server names its connections, so an operator can tell them apart in `pg_stat_activity`. */
export const APPLICATION_NAME = "restorekit";

function openPostgres(
  storage: Extract<StorageConfig, { kind: "postgres" }>,
  options: OpenStoreOptions,
): ResultAsync<OpenedStore, StartError> {
  // Loaded here, as PGlite is where it is opened: a start loads the driver of its own store only.
  return ResultAsync.fromThrowable(
    () => import("pg"),
    () => StartErrors.storageFailed("reached", "the Postgres driver (pg) could not be loaded."),
  )().andThen(({ default: pg }) => connectPool(pg, storage, options));
}

function connectPool(
  pg: typeof import("pg").default,
  { url, poolSize, timeoutMs }: Extract<StorageConfig, { kind: "postgres" }>,
  options: OpenStoreOptions,
): ResultAsync<OpenedStore, StartError> {
  const description = `Postgres at ${withoutPassword(url)}`;
  // A slow database must cost a request a bounded wait, not a growing queue: the wait for a
  // connection and every statement (lock waits included) end at the timeout, and the request
  // answers 503. The server cancels a statement past it, so its connection is free again at once.
  const pool = new pg.Pool({
    connectionString: url,
    max: poolSize,
    connectionTimeoutMillis: timeoutMs,
    statement_timeout: timeoutMs,
    application_name: APPLICATION_NAME,
  });
  // node-postgres asks every app for this: an idle connection the server drops must not crash us.
  pool.on("error", (error) => options.onPoolError?.(error));
  const client = fromPool(pool);
  const close = () => pool.end().catch(() => undefined);
  return ping(client)
    .map((): OpenedStore => ({ client, description, ping: () => ping(client), close }))
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

function openPGliteDir(
  dataDir: string,
  templates: Templates,
): ResultAsync<OpenedStore, StartError> {
  const lock = join(dataDir, LOCK_FILE);
  const release = () => rm(lock, { force: true });
  const dir = join(dataDir, PGLITE_DIR);
  // Released only once taken: a lock refused belongs to the live server that holds it.
  return lockDataDir(dataDir, lock).andThen(() =>
    inspectPGliteDir(dataDir)
      .andThen((found) =>
        openPGlite(
          dir,
          `PGlite in ${dataDir}`,
          release,
          templates,
          found === "new" ? join(dataDir, CREATING_FILE) : undefined,
        ),
      )
      .orElse((error) => ResultAsync.fromSafePromise(release()).andThen(() => errAsync(error))),
  );
}

/**
 * Whether the data directory holds a database to open or is to get a new
 * one. A directory whose creation never finished (the marker is still
 * there: nothing was ever acknowledged from it) is cleared and made anew. A
 * database directory with files but no `PG_VERSION` is refused: PGlite would
 * take it for an empty one and initialise a new database over what is there.
 */
function inspectPGliteDir(dataDir: string): ResultAsync<"new" | "existing", StartError> {
  const dir = join(dataDir, PGLITE_DIR);
  const creating = join(dataDir, CREATING_FILE);
  const unusable = (why: string) => () => StartErrors.dataDirUnusable(dataDir, why);
  return ResultAsync.fromThrowable(
    async () => {
      if (existsSync(creating)) {
        await rm(dir, { recursive: true, force: true });
        return [];
      }
      return await readdir(dir).catch((error: NodeJS.ErrnoException) => {
        if (error.code === "ENOENT") return [];
        throw error;
      });
    },
    unusable(`${dir} cannot be read`),
  )().andThen((names) => {
    if (names.includes("PG_VERSION")) return okAsync("existing" as const);
    if (names.length === 0) return okAsync("new" as const);
    return errAsync(
      StartErrors.dataDirUnusable(
        dataDir,
        `${dir} holds files but no PG_VERSION, so it is not a whole database (it was damaged, or files were removed by hand). Nothing was changed: restore ${dataDir} from a backup, or move ${dir} away to start with an empty database`,
      ),
    );
  });
}

function openPGlite(
  dir: string | undefined,
  description: string,
  release: () => Promise<void>,
  templates: Templates,
  creating?: string,
): ResultAsync<OpenedStore, StartError> {
  return ResultAsync.fromThrowable(
    () => createPGlite(dir, templates, creating),
    () =>
      StartErrors.storageFailed(
        "opened",
        dir === undefined
          ? "the embedded PGlite database did not start."
          : creating !== undefined
            ? `a new embedded PGlite database could not be created in ${dir}. Is there room on the disk, and may this user write there? The next start creates it again.`
            : `the embedded PGlite database in ${dir} did not open: it is damaged (a disk fault, or files changed by hand) or was written by another PGlite version. Nothing was changed: restore the directory from a backup, or move it away to start with an empty database.`,
      ),
  )().map(({ db, from }): OpenedStore => {
    const client = fromPGlite(db);
    return {
      client,
      description,
      ping: () => ping(client),
      close: async () => {
        await db.close().catch(() => undefined);
        await release();
      },
      // A database just made and migrated, with nothing else in it yet, is the next one's template.
      afterMigrate:
        from === "migrated-template" || from === "existing"
          ? undefined
          : async (applied) => {
              if (applied.length === 0) return;
              const dump = await db.dumpDataDir("gzip").catch(() => null);
              if (dump !== null) await templates.template.write(dump, templates.migrated);
            },
    };
  });
}

/** Where an open PGlite database came from. */
type PGliteOrigin = "existing" | "migrated-template" | "empty-template" | "initdb";

/**
 * Marks a data directory whose database is being created: PGlite writes a
 * new database file by file (`PG_VERSION` first), so a process killed
 * meanwhile leaves a directory that looks like a database and is not. Written
 * before the first file and removed once the database is whole, so the next
 * start knows to make that directory anew.
 */
export const CREATING_FILE = "pgdata.creating";

/**
 * A new database (in memory, or in `dir` when `creating` names its marker)
 * is unpacked from the template of the schema migrated to today's
 * migrations when there is one, else from the empty template, else
 * initialised (and then kept as the empty template); otherwise the database
 * in `dir` is opened as it is. A template that does not load is dropped,
 * and the next way taken.
 */
async function createPGlite(
  dir: string | undefined,
  templates: Templates,
  creating?: string,
): Promise<{ db: PGlite; from: PGliteOrigin }> {
  const { PGlite } = await import("@electric-sql/pglite");
  const options: PGliteOptions = {
    ...(dir === undefined ? {} : { dataDir: dir }),
    startParams: [...PGlite.defaultStartParams, ...PGLITE_SETTINGS],
  };
  if (dir !== undefined && creating === undefined) {
    return { db: await PGlite.create(options), from: "existing" };
  }
  // No fsync, for the marker as for the database (PGlite runs Postgres with fsync off): both
  // survive a killed process, as the kernel holds every write, but not a machine that loses power.
  if (creating !== undefined) await writeFile(creating, CREATING_NOTE);
  const created = await createFromTemplate(PGlite, options, dir, templates);
  if (creating === undefined) return created;
  // From here a kill leaves a whole database, which Postgres recovers like any other.
  try {
    await rm(creating);
  } catch (error) {
    await created.db.close().catch(() => undefined);
    throw error;
  }
  return created;
}

const CREATING_NOTE =
  "restorekit is creating the database in pgdata. If this file is still here, that did not finish and nothing was stored: the next start creates the database again.\n";

async function createFromTemplate(
  PGliteClass: typeof PGlite,
  options: PGliteOptions,
  dir: string | undefined,
  { template, migrated }: Templates,
): Promise<{ db: PGlite; from: PGliteOrigin }> {
  for (const [variant, from] of [
    [migrated, "migrated-template"],
    [undefined, "empty-template"],
  ] as const) {
    const dump = await template.read(variant);
    if (dump === null) continue;
    try {
      return { db: await PGliteClass.create({ ...options, loadDataDir: dump }), from };
    } catch {
      await template.discard(variant);
      if (dir !== undefined) await rm(dir, { recursive: true, force: true });
    }
  }
  const db = await PGliteClass.create(options);
  await template.write(await db.dumpDataDir("gzip"));
  return { db, from: "initdb" };
}

/** Takes the data directory for this process (see `takeDataDirLock`), saying who holds it if not. */
function lockDataDir(dataDir: string, lock: string): ResultAsync<void, StartError> {
  const unusable = (why: string) => () => StartErrors.dataDirUnusable(dataDir, why);
  return ResultAsync.fromThrowable(
    () => mkdir(dataDir, { recursive: true }),
    unusable("it cannot be created"),
  )()
    .andThen(() =>
      ResultAsync.fromThrowable(
        () => takeDataDirLock(lock),
        unusable(`${lock} cannot be written`),
      )(),
    )
    .andThen((holder) =>
      holder === null
        ? okAsync(undefined)
        : errAsync(
            StartErrors.dataDirUnusable(
              dataDir,
              `another restorekit server (pid ${holder}) is using it. Stop that one, or set DATA_DIR to another directory (delete ${lock} if no such server runs)`,
            ),
          ),
    );
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
