import {
  chmodSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { openStore, type Store, withoutPassword } from "../src/open-store.js";
import { pgliteTemplate } from "../src/pglite-template.js";

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
