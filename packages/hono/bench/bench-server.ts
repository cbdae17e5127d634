/**
 * One server of the HTTP benchmark, run in a child process of its own so
 * that its CPU time is counted apart from the load generator's. Serves one
 * variant (see bench-protocol.ts) with `@hono/node-server` on 127.0.0.1 and
 * an ephemeral port, and answers the runner over IPC:
 *
 * - `{ type: "cpu" }`: its own `process.cpuUsage()`, taken at the edges of a
 *   measured window;
 * - `{ type: "prepare", count }`: creates `count` restores in Creating (for
 *   the state-changing variant, between measured windows) and says which id
 *   the first one got; the others follow it one by one;
 * - `{ type: "restores", count }`: the same through the service with many
 *   creations in flight (the Postgres store), answering with every id.
 *
 * The end-to-end variants serve the seed route alone over the in-memory store
 * or the real Postgres (see postgres-store.ts), as a server would run it.
 *
 *   tsx --conditions=@restorekit/source bench/bench-server.ts <variant>
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { Session } from "node:inspector/promises";
import { serve } from "@hono/node-server";
import type { RestoreRepository, RestoreService, TokenVerifier } from "@restorekit/core";
import { DEFAULT_TENANT, inMemoryRepository, testEnvironment } from "@restorekit/testing";
import { Hono } from "hono";
import { okAsync } from "neverthrow";
import pino from "pino";
import { createRestoreApp, staticTokens } from "../src/index.js";
import {
  BENCH_TOKEN,
  type ChildMessage,
  NOOP_RESTORE_ID,
  type ParentMessage,
  type PostgresCpu,
  VARIANTS,
  type Variant,
} from "./bench-protocol.js";
import { type PostgresStore, postgresStore } from "./postgres-store.js";

/**
 * The service on the wall clock, as a server has, over the in-memory store or
 * the one given; ids start at 13689 as in the API's examples. The catalog,
 * vault and ids are the test doubles: the seed route on plain backups never
 * reaches the catalog or the vault, and ids are only drawn in setup.
 */
const benchEnvironment = (repository: RestoreRepository = inMemoryRepository()) =>
  testEnvironment({ repository, clock: { now: () => new Date() } });
type BenchEnvironment = ReturnType<typeof benchEnvironment>;

function send(message: ChildMessage): void {
  process.send?.(message);
}

function fail(message: string): never {
  // Said on stderr too: the runner may be gone.
  console.error(`bench server: ${message}`);
  if (process.send !== undefined) process.send({ type: "failed", message }, () => process.exit(1));
  else process.exit(1);
  // Nothing runs after a failure while the message is on its way.
  throw new Error(message);
}

/** (a): the least a hand-written route does: parse the body, answer 204. */
function bareApp(): Hono {
  const app = new Hono();
  app.post("/v1.0/:tenantId/restore/action-requested", async (c) => {
    await c.req.json();
    return c.body(null, 204);
  });
  return app;
}

async function createRestores(env: BenchEnvironment, count: number): Promise<number> {
  let first = 0;
  for (let i = 0; i < count; i += 1) {
    const created = await env.createRestore();
    if (created.isErr()) fail(`creating a restore failed: ${created.error.code}`);
    if (i === 0) first = created.value.restoreId;
  }
  return first;
}

/** Creates `count` restores through the service, `inFlight` at a time; their ids in order. */
async function createMany(env: BenchEnvironment, count: number, inFlight: number) {
  const ids: number[] = [];
  let left = count;
  const worker = async () => {
    while (left > 0) {
      left -= 1;
      const created = await env.createRestore();
      if (created.isErr()) fail(`creating a restore failed: ${created.error.code}`);
      ids.push(created.value.restoreId);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, inFlight) }, worker));
  return ids.sort((x, y) => x - y);
}

/** Creates restores up to the example's id and starts that one, so that starting it again is a no-op. */
async function startNoopRestore(env: BenchEnvironment): Promise<void> {
  let id = 0;
  while (id < NOOP_RESTORE_ID) {
    const created = await env.createRestore();
    if (created.isErr()) fail(`creating a restore failed: ${created.error.code}`);
    id = created.value.restoreId;
  }
  if (id !== NOOP_RESTORE_ID) fail(`expected restore ${NOOP_RESTORE_ID}, got ${id}`);
  const started = await env.service.requestAction(env.context(), {
    action: "StartManual",
    restoreId: id,
    encryptedPassword: null,
  });
  if (started.isErr()) fail(`starting restore ${id} failed: ${started.error.code}`);
}

/** A verifier and a service that answer at once, to tell the adapter's cost from theirs. */
async function stubs(
  env: BenchEnvironment,
): Promise<{ tokens: TokenVerifier; service: RestoreService }> {
  const context = env.context();
  const started = await env.service.getRestore(context, NOOP_RESTORE_ID);
  if (started.isErr()) fail(`reading restore ${NOOP_RESTORE_ID} failed: ${started.error.code}`);
  const restore = started.value;
  return {
    tokens: { verify: () => okAsync(context.principal) },
    service: { ...env.service, requestAction: () => okAsync(restore) },
  };
}

/** What `serve` needs of an app. */
interface FetchApp {
  fetch(request: Request): Response | Promise<Response>;
}

const table = () => {
  const built = staticTokens([
    { token: BENCH_TOKEN, tenantId: DEFAULT_TENANT, roles: ["cloudbackup:admin"] },
  ]);
  if (built.isErr()) fail(built.error.message);
  return built.value;
};

async function appFor(variant: Variant, env: BenchEnvironment): Promise<FetchApp> {
  if (variant === "bare") return bareApp();
  if (variant === "e2e-memory" || variant === "e2e-postgres") {
    return createRestoreApp({
      service: env.service,
      tokens: table(),
      logger: pino({ level: "warn" }),
    });
  }
  await startNoopRestore(env);
  const stub = await stubs(env);
  const tokens =
    variant === "adapter-only" || variant === "adapter-service" ? stub.tokens : table();
  const service =
    variant === "adapter-only" || variant === "adapter-tokens" ? stub.service : env.service;
  const logger =
    variant === "seed-noop-log"
      ? pino({ level: "info" }, pino.destination({ dest: "/dev/null", sync: false }))
      : pino({ level: "warn" });
  return createRestoreApp({ service, tokens, logger });
}

/**
 * With HTTP_BENCH_WINDOW_PROF=<dir>, a V8 CPU profile of each measured window
 * alone (warm-ups included, setup and restore creation left out), written to
 * <dir>/<variant>/window-<n>.cpuprofile: the CPU readings at a window's two
 * edges start and stop it.
 */
function windowProfiler(variant: Variant): (() => Promise<void>) | undefined {
  const dir = process.env.HTTP_BENCH_WINDOW_PROF;
  if (dir === undefined) return undefined;
  const session = new Session();
  session.connect();
  const enabled = session.post("Profiler.enable");
  let running = false;
  let windows = 0;
  return async () => {
    await enabled;
    if (!running) {
      running = true;
      await session.post("Profiler.start");
      return;
    }
    running = false;
    const { profile } = await session.post("Profiler.stop");
    windows += 1;
    mkdirSync(`${dir}/${variant}`, { recursive: true });
    writeFileSync(`${dir}/${variant}/window-${windows}.cpuprofile`, JSON.stringify(profile));
  };
}

async function main(): Promise<void> {
  const variant = process.argv[2] as Variant;
  if (!VARIANTS.includes(variant)) fail(`unknown variant ${String(variant)}`);
  let store: PostgresStore | undefined;
  if (variant === "e2e-postgres") {
    store = await postgresStore().catch((error: unknown) =>
      fail(`Postgres: ${error instanceof Error ? error.message : String(error)}`),
    );
  }
  const env = benchEnvironment(store?.repository);
  const app = await appFor(variant, env);
  const postgresCpu = (): PostgresCpu | null => store?.cpu() ?? null;
  // Creations in flight: enough to keep the pool busy, one at a time in memory.
  const inFlight = store === undefined ? 1 : 32;
  const toggleProfile = windowProfiler(variant);

  process.on("message", (message: ParentMessage) => {
    if (message.type === "cpu") {
      send({ type: "cpu", id: message.id, usage: process.cpuUsage(), postgres: postgresCpu() });
      // After the reading: at a window's start the profiler starts, at its end it stops.
      void toggleProfile?.();
    } else if (message.type === "prepare") {
      void createRestores(env, message.count).then((first) =>
        send({ type: "prepared", id: message.id, first }),
      );
    } else if (message.type === "restores") {
      void createMany(env, message.count, inFlight).then((ids) =>
        send({ type: "restores", id: message.id, ids }),
      );
    }
  });
  // The runner going away (a crash, Ctrl-C) must not leave a server (or a schema) behind.
  process.on("disconnect", () => {
    const closed = store?.close() ?? Promise.resolve();
    void closed.finally(() => process.exit(0));
  });

  serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" }, (info) =>
    send({
      type: "listening",
      port: info.port,
      about:
        store?.about ?? (variant === "bare" ? "no store" : "in-memory store (@restorekit/testing)"),
    }),
  );
}

await main();
