import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { openStore, withoutPassword } from "../src/open-store.js";
import { pgliteTemplate } from "../src/pglite-template.js";

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "rk-store-"));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

describe("openStore on PGlite", () => {
  it("keeps a new database as a template, unpacks the next one from it, and drops one that does not load", async () => {
    const cache = tempDir();
    const template = pgliteTemplate(cache);
    expect(await template.read()).toBeNull();

    const first = (
      await openStore({ kind: "pglite-memory" }, { schema: "restorekit", template })
    )._unsafeUnwrap();
    await first.close();
    const [file] = readdirSync(cache);
    expect(file).toMatch(/^pglite-\d+\.\d+\.\d+-empty\.tar\.gz$/);

    const dataDir = tempDir();
    const second = (
      await openStore({ kind: "pglite", dataDir }, { schema: "restorekit", template })
    )._unsafeUnwrap();
    expect((await second.ping()).isOk()).toBe(true);
    await second.close();
    expect(existsSync(join(dataDir, "pgdata", "PG_VERSION"))).toBe(true);

    writeFileSync(join(cache, file ?? ""), "not a tarball");
    const third = (
      await openStore({ kind: "pglite-memory" }, { schema: "restorekit", template })
    )._unsafeUnwrap();
    expect((await third.ping()).isOk()).toBe(true);
    await third.close();
    // Dropped, then written anew from the database initialised instead.
    expect((await template.read())?.size).toBeGreaterThan(1000);
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
    const opened = await openStore({ kind: "postgres", url }, { schema: "restorekit" });
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
