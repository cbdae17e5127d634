import type { RestoreEvent, RestoreStateName as RestoreState } from "@restorekit/core";
import { createRestoreApp, staticTokens } from "@restorekit/hono";
import {
  DEFAULT_TENANT,
  DESTINATION_MACHINE_ID,
  encryptForAgent,
  type TestEnvironment,
  testEnvironment,
} from "@restorekit/testing";
import { onTestFinished } from "vitest";
import { type Agent, type AgentOptions, createAgent, type RunRestore } from "../../src/index.js";

/** What the transport does with one request: pass it to the app, or fail it as a network would. */
export type Fault = "pass" | "throw" | { readonly status: number; readonly retryAfter?: string };

export interface Seen {
  readonly method: string;
  readonly path: string;
  readonly accept: string | null;
  readonly body: string;
  readonly status: number | "thrown";
  readonly at: number;
}

export interface InProcessServer {
  readonly env: TestEnvironment;
  /** Every request the agent made, in order, with what it got. */
  readonly seen: Seen[];
  /** Every line the agent logged, fields as JSON. */
  readonly logged: string[];
  /** Decides the fate of each request before the app sees it; `pass` by default. */
  fault: (request: Request) => Fault;
  /** An agent of the destination machine over the app's own fetch, stopped after the test. */
  agent(run: RunRestore, overrides?: Partial<AgentOptions>): Agent;
  /** A restore of the default tenant to the agent's machine; encrypted ones are started with `passphrase`. */
  restore(options?: { encrypted?: boolean }): Promise<number>;
  start(restoreId: number, passphrase?: string): Promise<void>;
  stop(restoreId: number): Promise<void>;
  /** A report as the agent would send it (JSON Patch), past the faults: the HTTP status. */
  patch(restoreId: number, operations: readonly object[]): Promise<number>;
  state(restoreId: number): Promise<RestoreState>;
  events(restoreId: number): Promise<RestoreEvent[]>;
  /** Resolves once the restore is in one of `states`; rejects with what it is after `ms`. */
  reach(restoreId: number, states: readonly RestoreState[], ms?: number): Promise<void>;
}

const AGENT_TOKEN = "agent-token";
const ADMIN_TOKEN = "admin-token";

/**
 * The real Hono app over core's service on the in-memory fakes and the real
 * agent keys, with a transport in between that a test can make fail.
 */
export function inProcessServer(): InProcessServer {
  const env = testEnvironment();
  const tokens = staticTokens([
    { token: AGENT_TOKEN, tenantId: DEFAULT_TENANT, agentId: DESTINATION_MACHINE_ID },
    { token: ADMIN_TOKEN, tenantId: DEFAULT_TENANT, roles: ["admin"] },
  ]);
  if (tokens.isErr()) throw new Error(tokens.error.message);
  const app = createRestoreApp({
    service: env.service,
    tokens: tokens.value,
    logger: { info() {}, warn() {}, error() {} },
    eventStream: { heartbeatMs: 200 },
  });
  const seen: Seen[] = [];
  const logged: string[] = [];

  const server: InProcessServer = {
    env,
    seen,
    logged,
    fault: () => "pass",
    agent(run, overrides = {}) {
      const created = createAgent({
        baseUrl: "http://restorekit.internal",
        tenantId: DEFAULT_TENANT,
        agentId: DESTINATION_MACHINE_ID,
        token: AGENT_TOKEN,
        privateKey: env.keys.privateKey,
        run,
        heartbeatMs: 200,
        pollMs: 50,
        retry: { initialMs: 20, maxMs: 200 },
        stopGraceMs: 2_000,
        log: {
          info: (fields, message) => void logged.push(`${message} ${JSON.stringify(fields)}`),
          warn: (fields, message) => void logged.push(`${message} ${JSON.stringify(fields)}`),
        },
        async fetch(request) {
          const url = new URL(request.url);
          const body = await request.clone().text();
          const note = (status: number | "thrown") =>
            seen.push({
              method: request.method,
              path: url.pathname,
              accept: request.headers.get("accept"),
              body,
              status,
              at: Date.now(),
            });
          const fate = server.fault(request);
          if (fate === "throw") {
            note("thrown");
            throw new TypeError("fetch failed");
          }
          if (fate !== "pass") {
            note(fate.status);
            return new Response(JSON.stringify({ message: "unavailable" }), {
              status: fate.status,
              headers: {
                "content-type": "application/json",
                ...(fate.retryAfter === undefined ? {} : { "retry-after": fate.retryAfter }),
              },
            });
          }
          const response = await app.fetch(request);
          note(response.status);
          return response;
        },
        ...overrides,
      });
      if (created.isErr()) throw new Error(created.error.message);
      onTestFinished(() => created.value.stop());
      return created.value;
    },
    async restore({ encrypted = false } = {}) {
      const created = await env.createRestore({ encrypted });
      if (created.isErr()) throw new Error(created.error.message);
      return created.value.restoreId;
    },
    async start(restoreId, passphrase) {
      const started = await env.service.requestAction(env.context(), {
        action: "StartManual",
        restoreId,
        encryptedPassword:
          passphrase === undefined ? null : encryptForAgent(passphrase, env.keys.publicKey),
      });
      if (started.isErr()) throw new Error(started.error.message);
    },
    async stop(restoreId) {
      const stopped = await env.service.requestAction(env.context(), {
        action: "StopManual",
        restoreId,
        encryptedPassword: null,
      });
      if (stopped.isErr()) throw new Error(stopped.error.message);
    },
    async patch(restoreId, operations) {
      const response = await app.fetch(
        new Request(`http://restorekit.internal/v2/${DEFAULT_TENANT}/restores/${restoreId}`, {
          method: "PATCH",
          headers: { "x-auth-token": AGENT_TOKEN, "content-type": "application/json-patch+json" },
          body: JSON.stringify(operations),
        }),
      );
      return response.status;
    },
    async state(restoreId) {
      const restore = await env.service.getRestore(env.context(), restoreId);
      if (restore.isErr()) throw new Error(restore.error.message);
      return restore.value.state;
    },
    async events(restoreId) {
      const page = await env.service.listEvents(env.context(), restoreId, { limit: 1000 });
      if (page.isErr()) throw new Error(page.error.message);
      return page.value.map((stored) => stored.event);
    },
    async reach(restoreId, states, ms = 60_000) {
      const deadline = Date.now() + ms;
      for (;;) {
        const state = await server.state(restoreId);
        if (states.includes(state)) return;
        if (Date.now() > deadline) {
          throw new Error(`restore ${restoreId} is ${state}, not ${states.join(" or ")}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
  };
  return server;
}
