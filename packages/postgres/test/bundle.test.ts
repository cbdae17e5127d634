import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { build } from "esbuild";
import { describe, expect, it } from "vitest";

const run = promisify(execFile);
const packageRoot = fileURLToPath(new URL("..", import.meta.url));

/**
 * A small app as an embedder would write it: PGlite in memory, migrate, then
 * write a restore through core's service and read it back. It prints what it
 * saw as JSON, or the error and exit code 1.
 */
const APP = `
import { PGlite } from "@electric-sql/pglite";
import { createRestoreService } from "@restorekit/core";
import {
  BACKUP_MACHINE_ID, DEFAULT_TENANT, DESTINATION_MACHINE_ID, UNENCRYPTED_BACKUP_ID,
  fakeBackupCatalog, fixedClock, inMemoryPasswordVault, userPrincipal,
} from "@restorekit/testing";
import { fromPGlite, migrate, postgresIdGenerator, postgresRepository } from "../src/index.ts";

const db = await PGlite.create();
const client = fromPGlite(db);
const migrated = await migrate(client);
if (migrated.isErr()) {
  console.error(migrated.error.message);
  process.exit(1);
}
const repository = postgresRepository(client);
const service = createRestoreService({
  repository,
  ids: postgresIdGenerator(client),
  catalog: fakeBackupCatalog(),
  vault: inMemoryPasswordVault(),
  clock: fixedClock(),
});
const context = { principal: userPrincipal(), tenantId: DEFAULT_TENANT, requestId: "bundled-1" };
const created = await service.createRestore(context, {
  backupId: UNENCRYPTED_BACKUP_ID,
  backupMachineId: BACKUP_MACHINE_ID,
  destinationMachineId: DESTINATION_MACHINE_ID,
  destinationPath: "/var/restore",
  overwriteFiles: false,
});
if (created.isErr()) {
  console.error(created.error.code);
  process.exit(1);
}
const loaded = await repository.load(DEFAULT_TENANT, created.value.restoreId);
const events = await repository.readEvents(DEFAULT_TENANT, created.value.restoreId);
console.log(JSON.stringify({
  applied: migrated.value.applied,
  created: created.value,
  loaded: loaded.isOk() ? loaded.value : loaded.error.code,
  events: events.isOk() ? events.value.map((stored) => stored.event.type) : events.error.code,
}));
await db.close();
`;

describe("a bundled app", () => {
  it("migrates and stores a restore with no migrations folder anywhere near it", {
    timeout: 120_000,
  }, async () => {
    // Under the package's node_modules, so pg and PGlite (left external) still resolve from it.
    const cache = join(packageRoot, "node_modules", ".cache");
    await mkdir(cache, { recursive: true });
    const dir = await mkdtemp(join(cache, "bundle-"));
    try {
      const outfile = join(dir, "app.mjs");
      await build({
        stdin: { contents: APP, resolveDir: join(packageRoot, "test"), loader: "ts" },
        bundle: true,
        platform: "node",
        format: "esm",
        target: "node20",
        external: ["pg", "@electric-sql/pglite"],
        conditions: ["@restorekit/source"],
        outfile,
        logLevel: "silent",
      });
      // What an earlier release read at run time (../migrations/ beside the module) is not there.
      for (let at = dir; at !== dirname(at); at = dirname(at)) {
        expect(existsSync(join(at, "migrations")), `${at}/migrations`).toBe(false);
      }

      const { stdout } = await run(process.execPath, [outfile], {
        cwd: dir,
        env: { PATH: process.env.PATH ?? "" },
        timeout: 100_000,
      });

      const seen = JSON.parse(stdout) as {
        applied: string[];
        created: { restoreId: number };
        loaded: unknown;
        events: unknown;
      };
      expect(seen.applied).toEqual([
        "0001_restores.sql",
        "0002_progress_and_deadlines.sql",
        "0003_idempotency_keys.sql",
        "0004_append_function.sql",
      ]);
      expect(seen.created.restoreId).toBe(1);
      expect(seen.loaded).toEqual(seen.created);
      expect(seen.events).toEqual(["RestoreCreated"]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
