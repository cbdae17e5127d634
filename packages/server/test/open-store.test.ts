import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  CREATING_FILE,
  LOCK_FILE,
  openStore,
  PGLITE_DIR,
  type Store,
  withoutPassword,
} from "../src/open-store.js";
import { type PGliteTemplate, pgliteTemplate } from "../src/pglite-template.js";

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function appliedAtOf(store: Store, schema: string): Promise<unknown[]> {
  const rows = await store.client.query({
    text: `SELECT version, applied_at FROM "${schema}".schema_migrations ORDER BY version`,
  });
  return rows.rows.map((row) => [row.version, String(row.applied_at)]);
}

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "rk-store-"));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

describe("openStore on PGlite", () => {
  it("keeps a new database as a template, empty and migrated, unpacks the next one from it, and drops one that does not load", {
    timeout: 240_000,
  }, async () => {
    const cache = tempDir();
    const template = pgliteTemplate(cache);
    expect(await template.read()).toBeNull();

    const first = (
      await openStore({ kind: "pglite-memory" }, { schema: "restorekit", template })
    )._unsafeUnwrap();
    const appliedAt = await appliedAtOf(first, "restorekit");
    await first.close();
    const files = readdirSync(cache).sort();
    expect(files).toHaveLength(2);
    const [empty, migrated] = files;
    expect(empty).toMatch(/^pglite-\d+\.\d+\.\d+-empty\.tar\.gz$/);
    expect(migrated).toMatch(/^pglite-\d+\.\d+\.\d+-restorekit-[0-9a-f]{16}\.tar\.gz$/);

    // Unpacked from the migrated template: the migration is the one recorded when it was made.
    const dataDir = tempDir();
    const second = (
      await openStore({ kind: "pglite", dataDir }, { schema: "restorekit", template })
    )._unsafeUnwrap();
    expect((await second.ping()).isOk()).toBe(true);
    expect(await appliedAtOf(second, "restorekit")).toEqual(appliedAt);
    await second.close();
    expect(existsSync(join(dataDir, "pgdata", "PG_VERSION"))).toBe(true);

    // Another schema is never unpacked from that one: from the empty template, then migrated.
    const other = (
      await openStore({ kind: "pglite-memory" }, { schema: "other_app", template })
    )._unsafeUnwrap();
    const schemas = await other.client.query({
      text: "SELECT nspname FROM pg_namespace WHERE nspname IN ('restorekit', 'other_app')",
    });
    expect(schemas.rows.map((row) => row.nspname)).toEqual(["other_app"]);
    await other.close();
    expect(readdirSync(cache).filter((name) => name.includes("-other_app-"))).toHaveLength(1);

    for (const name of [empty, migrated]) writeFileSync(join(cache, name ?? ""), "not a tarball");
    const third = (
      await openStore({ kind: "pglite-memory" }, { schema: "restorekit", template })
    )._unsafeUnwrap();
    expect((await third.ping()).isOk()).toBe(true);
    await third.close();
    // Dropped, then written anew from the database initialised instead.
    expect((await template.read())?.size).toBeGreaterThan(1000);
    expect(readFileSync(join(cache, migrated ?? "")).length).toBeGreaterThan(1000);
  });

  it("starts PGlite with a small buffer cache, in a directory and reopened, and says how long it took", {
    timeout: 120_000,
  }, async () => {
    const template = pgliteTemplate(tempDir());
    const dataDir = tempDir();
    for (const round of ["new", "reopened"]) {
      const store = (
        await openStore({ kind: "pglite", dataDir }, { schema: "restorekit", template })
      )._unsafeUnwrap();
      const shown = await store.client.query({ text: "SHOW shared_buffers" });
      expect(shown.rows[0]?.shared_buffers, round).toBe("16MB");
      expect(store.timings.openMs).toBeGreaterThan(0);
      expect(store.timings.migrateMs).toBeGreaterThan(0);
      await store.close();
    }
  });

  it("keeps what was committed across a close and a reopen", { timeout: 120_000 }, async () => {
    const template = pgliteTemplate(tempDir());
    const dataDir = tempDir();
    const first = (
      await openStore({ kind: "pglite", dataDir }, { schema: "restorekit", template })
    )._unsafeUnwrap();
    await first.client.query({ text: "CREATE TABLE kept (n int)" });
    await first.client.query({ text: "INSERT INTO kept VALUES (42)" });
    await first.close();
    const second = (
      await openStore({ kind: "pglite", dataDir }, { schema: "restorekit", template })
    )._unsafeUnwrap();
    const rows = await second.client.query({ text: "SELECT n FROM kept" });
    expect(rows.rows).toEqual([{ n: 42 }]);
    await second.close();
  });

  it("uses no template from a cache directory others may write", async () => {
    const cache = tempDir();
    const template = pgliteTemplate(cache);
    await template.write(new Blob(["anything"]));
    expect(await template.read()).not.toBeNull();
    chmodSync(cache, 0o777);
    expect(await template.read()).toBeNull();
  });
});

describe("openStore on a PGlite directory left mid-write", () => {
  // One template cache for these tests, so only the first start pays for initdb.
  let cache: string;
  let template: PGliteTemplate;
  beforeAll(() => {
    cache = mkdtempSync(join(tmpdir(), "rk-store-cache-"));
    template = pgliteTemplate(cache);
  });
  afterAll(() => rmSync(cache, { recursive: true, force: true }));

  const open = (dataDir: string) =>
    openStore({ kind: "pglite", dataDir }, { schema: "restorekit", template });

  /** A data directory holding a database with one row in it, closed cleanly. */
  async function dataDirWithRow(): Promise<string> {
    const dataDir = tempDir();
    const store = (await open(dataDir))._unsafeUnwrap();
    await store.client.query({ text: "CREATE TABLE kept (n int)" });
    await store.client.query({ text: "INSERT INTO kept VALUES (42)" });
    await store.close();
    return dataDir;
  }

  /** The files of a database, but for the pid file Postgres writes at each start, even one that fails. */
  const filesOf = (pgdata: string) =>
    readdirSync(pgdata, { recursive: true })
      .map(String)
      .filter((name) => name !== "postmaster.pid")
      .sort();

  it("makes a directory whose creation never finished anew, and leaves no marker once it is whole", {
    timeout: 180_000,
  }, async () => {
    const dataDir = tempDir();
    const pgdata = join(dataDir, PGLITE_DIR);
    // What a kill while the template was being unpacked leaves: PG_VERSION first, then some files.
    mkdirSync(join(pgdata, "base", "5"), { recursive: true });
    writeFileSync(join(pgdata, "PG_VERSION"), "17\n");
    writeFileSync(join(pgdata, "base", "5", "1259"), Buffer.alloc(8192, 7));
    writeFileSync(join(dataDir, CREATING_FILE), "");

    const store = (await open(dataDir))._unsafeUnwrap();
    const tables = await store.client.query({
      text: "SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = 'restorekit'",
    });
    expect(tables.rows[0]?.n).toBeGreaterThan(0);
    expect(existsSync(join(dataDir, CREATING_FILE))).toBe(false);
    await store.close();

    // A new directory gets the marker only while it is being made.
    const fresh = tempDir();
    await (await open(fresh))._unsafeUnwrap().close();
    expect(readdirSync(fresh).sort()).toEqual([PGLITE_DIR]);
  });

  it("refuses a database directory with files but no PG_VERSION, and changes none of them", {
    timeout: 180_000,
  }, async () => {
    const dataDir = await dataDirWithRow();
    const pgdata = join(dataDir, PGLITE_DIR);
    const version = readFileSync(join(pgdata, "PG_VERSION"));
    rmSync(join(pgdata, "PG_VERSION"));
    const control = readFileSync(join(pgdata, "global", "pg_control"));

    const error = (await open(dataDir))._unsafeUnwrapErr();
    expect(error.code).toBe("data_dir_unusable");
    expect(error.message).toBe(
      `The data directory ${dataDir} cannot be used: ${pgdata} holds files but no PG_VERSION, so it is not a whole database (it was damaged, or files were removed by hand). Nothing was changed: restore ${dataDir} from a backup, or move ${pgdata} away to start with an empty database.`,
    );
    expect(existsSync(join(pgdata, "PG_VERSION"))).toBe(false);
    expect(readFileSync(join(pgdata, "global", "pg_control")).equals(control)).toBe(true);
    expect(existsSync(join(dataDir, LOCK_FILE))).toBe(false);

    // Put back, it opens with what was there: nothing was initialised over it.
    writeFileSync(join(pgdata, "PG_VERSION"), version);
    const store = (await open(dataDir))._unsafeUnwrap();
    expect((await store.client.query({ text: "SELECT n FROM kept" })).rows).toEqual([{ n: 42 }]);
    await store.close();
  });

  it("fails with a message naming the directory when a file of the database is damaged, never opening it empty", {
    timeout: 240_000,
  }, async () => {
    const pristine = await dataDirWithRow();
    const damages: Record<string, (pgdata: string) => void> = {
      "pg_control overwritten": (pgdata) => {
        const file = join(pgdata, "global", "pg_control");
        const bytes = readFileSync(file);
        bytes.fill(0x5a, 16, 200);
        writeFileSync(file, bytes);
      },
      "PG_VERSION emptied": (pgdata) => writeFileSync(join(pgdata, "PG_VERSION"), ""),
      "the write-ahead log emptied": (pgdata) => {
        for (const name of readdirSync(join(pgdata, "pg_wal"))) {
          if (/^[0-9A-F]{24}$/.test(name)) writeFileSync(join(pgdata, "pg_wal", name), "");
        }
      },
    };
    for (const [damage, apply] of Object.entries(damages)) {
      const dataDir = tempDir();
      cpSync(pristine, dataDir, { recursive: true });
      const pgdata = join(dataDir, PGLITE_DIR);
      apply(pgdata);
      const before = filesOf(pgdata);

      const error = (await open(dataDir))._unsafeUnwrapErr();
      expect(error, damage).toEqual({
        code: "storage_failed",
        message: `The store could not be opened: the embedded PGlite database in ${pgdata} did not open: it is damaged (a disk fault, or files changed by hand) or was written by another PGlite version. Nothing was changed: restore the directory from a backup, or move it away to start with an empty database.`,
      });
      expect(filesOf(pgdata), damage).toEqual(before);
      expect(existsSync(join(dataDir, LOCK_FILE)), damage).toBe(false);
      expect(existsSync(join(dataDir, CREATING_FILE)), damage).toBe(false);
    }
  });
});

describe("openStore on Postgres", () => {
  it("says where it could not connect, without the password", async () => {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
    const { port } = probe.address() as { port: number };
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const url = `postgres://app:hunter2@127.0.0.1:${port}/app`;
    const opened = await openStore(
      { kind: "postgres", url, poolSize: 4, timeoutMs: 5_000 },
      { schema: "restorekit" },
    );
    expect(opened._unsafeUnwrapErr()).toEqual({
      code: "storage_failed",
      message: `The store could not be reached: Postgres at postgres://app@127.0.0.1:${port}/app does not answer. Is it running, and are the host, port, user, password and database of DATABASE_URL right?`,
    });
  });
});

describe("withoutPassword", () => {
  it("keeps the user, host, port and database of a URL, never its password or parameters", () => {
    expect(withoutPassword("postgres://app:s3cret@db:5432/restores?sslpassword=x")).toBe(
      "postgres://app@db:5432/restores",
    );
    expect(withoutPassword("postgresql://db/restores")).toBe("postgresql://db/restores");
    expect(withoutPassword("::")).toBe("(an unreadable URL)");
  });
});
