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
 *   the first one got; the others follow it one by one.
 *
 *   tsx --conditions=@restorekit/source bench/bench-server.ts <variant>
 */
import { serve } from "@hono/node-server";
import type { RestoreService, TokenVerifier } from "@restorekit/core";
import { DEFAULT_TENANT, testEnvironment } from "@restorekit/testing";
import { Hono } from "hono";
import { okAsync } from "neverthrow";
import pino from "pino";
import { createRestoreApp, staticTokens } from "../src/index.js";
import {
  BENCH_TOKEN,
  type ChildMessage,
  NOOP_RESTORE_ID,
  type ParentMessage,
  VARIANTS,
  type Variant,
} from "./bench-protocol.js";

/** The in-memory service on the wall clock, as a server has; ids start at 13689 as in the API's examples. */
const benchEnvironment = () => testEnvironment({ clock: { now: () => new Date() } });
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

async function appFor(variant: Variant, env: BenchEnvironment): Promise<FetchApp> {
  if (variant === "bare") return bareApp();
  await startNoopRestore(env);
  const table = staticTokens([
    { token: BENCH_TOKEN, tenantId: DEFAULT_TENANT, roles: ["cloudbackup:admin"] },
  ]);
  if (table.isErr()) fail(table.error.message);
  const stub = await stubs(env);
  const tokens =
    variant === "adapter-only" || variant === "adapter-service" ? stub.tokens : table.value;
  const service =
    variant === "adapter-only" || variant === "adapter-tokens" ? stub.service : env.service;
  const logger =
    variant === "seed-noop-log"
      ? pino({ level: "info" }, pino.destination({ dest: "/dev/null", sync: false }))
      : pino({ level: "warn" });
  return createRestoreApp({ service, tokens, logger });
}

async function main(): Promise<void> {
  const variant = process.argv[2] as Variant;
  if (!VARIANTS.includes(variant)) fail(`unknown variant ${String(variant)}`);
  const env = benchEnvironment();
  const app = await appFor(variant, env);

  process.on("message", (message: ParentMessage) => {
    if (message.type === "cpu") {
      send({ type: "cpu", id: message.id, usage: process.cpuUsage() });
    } else if (message.type === "prepare") {
      void createRestores(env, message.count).then((first) =>
        send({ type: "prepared", id: message.id, first }),
      );
    }
  });
  // The runner going away (a crash, Ctrl-C) must not leave a server behind.
  process.on("disconnect", () => process.exit(0));

  serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" }, (info) =>
    send({ type: "listening", port: info.port }),
  );
}

await main();
