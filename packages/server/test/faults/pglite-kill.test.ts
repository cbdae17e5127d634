import {
  cpSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { PGlite } from "@electric-sql/pglite";
import { fromPGlite } from "@restorekit/postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CREATING_FILE, LOCK_FILE, PGLITE_DIR, PGLITE_SETTINGS } from "../../src/open-store.js";
import { call } from "../support/api.js";
import { withinDeadline } from "../support/deadline.js";
import { FAULT_SCHEMA } from "../support/fault-run.js";
import { type FaultSetup, faultSetup } from "../support/fault-setup.js";
import {
  classes,
  describeAnswers,
  disallowed,
  type Outcome,
  startLoad,
  tally,
} from "../support/load.js";
import {
  cleanEnv,
  type Exit,
  runProcess,
  type ServerProcess,
  startCommand,
  startServerProcess,
} from "../support/server-process.js";
import {
  checkStoreOn,
  type StoreReport,
  unbackedAcknowledgementsOn,
} from "../support/sql-store-check.js";

// The server on its embedded database (PGlite in DATA_DIR) is killed with SIGKILL: once while
// its very first start is writing the new database into the directory, then again and again
// under load. After each kill the directory, as the kill left it, must open with every
// acknowledgement in it and a sound store, and the server must start on it again (taking over
// the lock the dead process left) and serve the restores. A directory whose creation was cut
// short must be made anew, never opened half written nor taken for an empty database.

const KILLS_UNDER_LOAD = 3;
/** Kills that land after the new database was already whole miss the point: tried again. */
const CREATION_ATTEMPTS = 8;
/** Hang guards, generous for a busy 2-core machine where a PGlite start takes seconds. */
const OPEN_DEADLINE_MS = 120_000;
const CREATION_DEADLINE_MS = 150_000;

/** What a database directory holds, read by PGlite in this process while no server runs. */
interface Inspection {
  readonly store: StoreReport;
  readonly unbacked: readonly string[];
}

async function inspect(
  pgdata: string,
  setup: FaultSetup,
  outcomes: readonly Outcome[],
): Promise<Inspection> {
  const db = await withinDeadline(
    `opening ${pgdata}`,
    OPEN_DEADLINE_MS,
    PGlite.create({
      dataDir: pgdata,
      startParams: [...PGlite.defaultStartParams, ...PGLITE_SETTINGS],
    }),
  );
  try {
    const client = fromPGlite(db);
    const store = await checkStoreOn(client, FAULT_SCHEMA);
    const unbacked = await unbackedAcknowledgementsOn(client, FAULT_SCHEMA, setup.tenant, outcomes);
    return { store, unbacked };
  } finally {
    await db.close();
  }
}

/** Every file below `dir`, counted. */
function fileCount(dir: string): number {
  return existsSync(dir) ? readdirSync(dir, { recursive: true }).length : 0;
}

describe("the embedded database (PGlite DATA_DIR) killed with SIGKILL, then restarted", () => {
  let setup: FaultSetup | null = null;
  let scratch: string | null = null;
  const children: { pid: number | undefined; exited: Promise<Exit> }[] = [];
  const servers: ServerProcess[] = [];
  beforeAll(() => {
    setup = faultSetup();
    scratch = mkdtempSync(join(tmpdir(), "rk-pglite-copy-"));
  });
  afterAll(async () => {
    await Promise.all(servers.map((server) => server.stop()));
    for (const child of children) {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, "SIGKILL");
      } catch {
        // Already gone.
      }
      await child.exited;
    }
    if (scratch !== null) rmSync(scratch, { recursive: true, force: true });
    setup?.cleanup();
  });

  it("keeps every acknowledgement, makes a half-created directory anew and takes over the dead server's lock", {
    timeout: 900_000,
  }, async () => {
    if (setup === null || scratch === null) throw new Error("set up in beforeAll");
    const fault = setup;
    const env = fault.env;
    const dataDir = env.DATA_DIR as string;
    const pgdata = join(dataDir, PGLITE_DIR);
    const marker = join(dataDir, CREATING_FILE);
    const lock = join(dataDir, LOCK_FILE);
    const start = async () => {
      const started = performance.now();
      const server = await startServerProcess(env);
      servers.push(server);
      return { server, ms: performance.now() - started };
    };

    // 1. The very first start, killed while it writes the new database (PG_VERSION comes first).
    let creation: { attempt: number; files: number; marked: boolean; cut: string } | null = null;
    for (let attempt = 1; attempt <= CREATION_ATTEMPTS && creation === null; attempt += 1) {
      rmSync(dataDir, { recursive: true, force: true });
      const { command, args } = startCommand();
      const run = runProcess(command, args, cleanEnv(env));
      children.push({ pid: run.child.pid, exited: run.exited });
      let exitedEarly = false;
      void run.exited.then(() => {
        exitedEarly = true;
      });
      const deadline = performance.now() + CREATION_DEADLINE_MS;
      const versionFile = join(pgdata, "PG_VERSION");
      while (!existsSync(versionFile) && !exitedEarly) {
        if (performance.now() > deadline)
          throw new Error(`no database was created:\n${run.output()}`);
        await sleep(2);
      }
      // Every other attempt a little later, so the kill cuts the writing at different places;
      // the others at once, since on a busy machine the writing may be nearly done when seen.
      if (attempt % 2 === 0) await sleep(Math.random() * 150);
      run.child.kill("SIGKILL");
      const exit = await run.exited;
      if (exit.signal !== "SIGKILL")
        throw new Error(`the first start ended by itself:\n${run.output()}`);
      // A database is written in file-name order, so one cut short lacks its postgresql.conf.
      if (!existsSync(join(pgdata, "postgresql.conf"))) {
        creation = { attempt, files: fileCount(pgdata), marked: existsSync(marker), cut: "killed" };
      }
    }
    if (creation === null) {
      // The files are unpacked in a burst of about a millisecond, which a kill from outside
      // hits only by luck. When every attempt missed it, the cut is made by hand on the last
      // attempt's directory: the file written last removed, the marker where the writing left it.
      rmSync(join(pgdata, "postgresql.conf"), { force: true });
      if (!existsSync(marker)) writeFileSync(marker, "cut short by the test\n");
      creation = {
        attempt: CREATION_ATTEMPTS,
        files: fileCount(pgdata),
        marked: existsSync(marker),
        cut: "cut by hand after every kill missed the burst",
      };
    }
    expect(creation?.marked, "a directory cut short says so, or it would pass for a database").toBe(
      true,
    );

    // Started again, the directory is made anew: it was never whole, so nothing came from it.
    const first = await start();
    let server = first.server;
    const restartMs: number[] = [first.ms];
    expect(existsSync(marker), "the marker is gone once the database is whole").toBe(false);
    let urls: string[] = [server.url];

    // 2. Under load, killed at a different point each time: every acknowledgement must be there.
    const load = await startLoad({ urls: () => urls, setup: fault, workers: 4, restores: 10 });
    const afterKill: Inspection[] = [];
    const unserved: string[] = [];
    // Early, soon after a restart (crash recovery just ran), and late.
    const killAfter = [
      250 + Math.floor(Math.random() * 200),
      20 + Math.floor(Math.random() * 40),
      300 + Math.floor(Math.random() * 300),
    ];
    for (let kill = 0; kill < KILLS_UNDER_LOAD; kill += 1) {
      await load.answered(killAfter[kill] ?? 200);
      const killed = server;
      killed.signal("SIGKILL");
      urls = [];
      expect((await killed.exited).signal).toBe("SIGKILL");
      expect(readFileSync(lock, "utf8").trim(), "the dead server's lock is left").toBe(
        String(killed.child.pid),
      );
      expect(existsSync(marker), "a database once whole is never made anew").toBe(false);

      // (a) The directory as the kill left it, read from a copy so the restart recovers the original.
      const copy = join(scratch, `kill-${kill}`);
      cpSync(pgdata, copy, { recursive: true });
      afterKill.push(await inspect(copy, fault, load.outcomes));
      rmSync(copy, { recursive: true, force: true });

      // (b) Started again on it: the lock is taken over, and every restore created is served.
      const restarted = await start();
      server = restarted.server;
      restartMs.push(restarted.ms);
      expect(readFileSync(lock, "utf8").trim()).toBe(String(server.child.pid));
      for (const restoreId of load.restores.keys()) {
        const answer = await call(server.url, `/v1.0/${fault.tenant}/restore/${restoreId}`, {
          token: fault.tokens.observer,
        });
        if (answer.status !== 200) unserved.push(`restore ${restoreId}: ${answer.status}`);
      }
      urls = [server.url];
    }
    await load.answered(100);
    await load.stop();
    await server.stop();
    const final = await inspect(pgdata, fault, load.outcomes);

    const summary = classes(load.outcomes);
    const lost = afterKill.reduce(
      (sum, found) => sum + found.unbacked.length,
      final.unbacked.length,
    );
    const problems = afterKill.reduce((sum, found) => sum + found.store.problems.length, 0);
    console.log(
      [
        "reliability: the embedded database (PGlite DATA_DIR) killed with SIGKILL",
        `  ${KILLS_UNDER_LOAD + 1} kills: 1 during the first start while the new database was written (attempt ${creation?.attempt}, ${creation?.cut}, ${creation?.files} files and the marker left, made anew), ${KILLS_UNDER_LOAD} under load after ${killAfter.join(", ")} more answers`,
        `  started in ${restartMs.map((ms) => Math.round(ms)).join(", ")} ms (the first making the half-written directory anew; each taking over the dead server's lock)`,
        `  ${describeAnswers(load.outcomes)} (cut off by the kills)`,
        `  after each kill, read with PGlite: ${afterKill.map((found) => `${found.store.restores} restores / ${found.store.events} events`).join("; ")}; ${problems} problems`,
        `  store at the end: ${final.store.restores} restores, ${final.store.events} events, ${final.store.problems.length} problems; acknowledged: ${summary.ok}, lost: ${lost}; restores not served after a restart: ${unserved.length}`,
        `  by operation: ${JSON.stringify(tally(load.outcomes))}`,
      ].join("\n"),
    );

    expect(creation?.files).toBeGreaterThan(0);
    expect(disallowed(load.outcomes, "allowed")).toEqual([]);
    expect(summary.ok).toBeGreaterThan(150);
    for (const found of [...afterKill, final]) {
      expect(found.store.problems).toEqual([]);
      expect(found.unbacked).toEqual([]);
    }
    expect(unserved).toEqual([]);
  });
});
