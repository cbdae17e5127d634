import type {
  Restore,
  RestoreEvent,
  RestoreStateName as RestoreState,
  StoredEvent,
} from "@restorekit/core";
import { createRestoreApp, staticTokens } from "@restorekit/hono";
import {
  DEFAULT_TENANT,
  DESTINATION_MACHINE_ID,
  encryptForAgent,
  type TestEnvironment,
  testEnvironment,
} from "@restorekit/testing";
import pino from "pino";
import { onTestFinished } from "vitest";
import { type Agent, type AgentOptions, createAgent, type RunRestore } from "../../src/index.js";
import { eventually } from "./waiting.js";

/**
 * What the transport does with one request before the app could see it:
 * pass it on, throw like a lost connection, or answer by itself (a proxy's
 * 503, a stream that is not one).
 */
export type Fault =
  | "pass"
  | "throw"
  | {
      readonly status: number;
      readonly retryAfter?: string;
      readonly contentType?: string;
      readonly body?: string;
    };

/** One request the agent made, and what it got. */
export interface Seen {
  readonly method: string;
  readonly path: string;
  readonly accept: string | null;
  readonly requestId: string | null;
  readonly body: string;
  /** `pending` until answered. */
  readonly status: number | "thrown" | "pending";
  /** When the request reached the transport (ms since the epoch). */
  readonly at: number;
}

type Noted = { -readonly [K in keyof Seen]: Seen[K] };

/** A start or stop request the agent was handed, and how. */
export interface Heard {
  readonly restoreId: number;
  readonly action: string;
  readonly via: "stream" | "poll";
}

export interface InProcessServer {
  readonly env: TestEnvironment;
  /** Every request the agent made, in order of arrival. */
  readonly seen: Seen[];
  /** Every request the agent was handed, on the stream or in a polled list. */
  readonly heard: Heard[];
  /** Every line the agent's pino logger wrote. */
  readonly logged: string[];
  /** Decides the fate of each request; `pass` unless a test says otherwise. */
  fault: (request: Request) => Fault;
  /** An agent of the destination machine over the app's own fetch; stopped after the test. */
  agent(run: RunRestore, overrides?: Partial<AgentOptions>): Agent;
  /** Creates a restore of the default tenant to the agent's machine. */
  restore(options?: { encrypted?: boolean }): Promise<number>;
  /** StartManual, with `passphrase` encrypted for the agent when given; the hex sent, if any. */
  start(restoreId: number, passphrase?: string): Promise<string | null>;
  /** StopManual. */
  stop(restoreId: number): Promise<void>;
  /** StartManual or StopManual as a user may send it any time: whether the service took it. */
  request(action: "StartManual" | "StopManual", restoreId: number): Promise<boolean>;
  /** A report sent straight to the app with the agent's token, as another agent would: its status. */
  patch(restoreId: number, operations: readonly object[]): Promise<number>;
  /** Ends every open request stream, as a dropped connection would; how many were open. */
  cutStreams(): number;
  read(restoreId: number): Promise<Restore>;
  state(restoreId: number): Promise<RestoreState>;
  events(restoreId: number): Promise<RestoreEvent[]>;
  /** `type`, or `type:state` for events that carry a state. */
  timeline(restoreId: number): Promise<string[]>;
  /** Resolves once the restore is in one of `states`. */
  reach(restoreId: number, states: readonly RestoreState[]): Promise<void>;
  /** The reports (PATCH) the agent sent on the restore. */
  reports(restoreId: number): Seen[];
}

const AGENT_TOKEN = "agent-token";
const BASE_URL = "http://restorekit.internal";

/** Settings small enough for the suite to be quick, large enough not to flood a busy machine. */
const QUICK = {
  heartbeatMs: 1_000,
  pollMs: 50,
  retry: { initialMs: 20, maxMs: 250 },
  stopGraceMs: 2_000,
} as const;

/**
 * The real Hono app over core's service on the in-memory fakes and the test
 * agent keys, and between it and the agent a transport a test can make
 * misbehave. The transport also notes what the agent sent and was handed.
 */
export function inProcessServer(): InProcessServer {
  const env = testEnvironment();
  const tokens = staticTokens([
    { token: AGENT_TOKEN, tenantId: DEFAULT_TENANT, agentId: DESTINATION_MACHINE_ID },
  ]);
  if (tokens.isErr()) throw new Error(tokens.error.message);
  const app = createRestoreApp({
    service: env.service,
    tokens: tokens.value,
    logger: pino({ level: "silent" }),
  });
  const seen: Seen[] = [];
  const heard: Heard[] = [];
  const logged: string[] = [];
  const open = new Set<() => void>();
  const log = pino({ level: "info" }, { write: (line: string) => void logged.push(line) });

  const noteHeard = (value: unknown, via: Heard["via"]) => {
    const order = value as { restore_id?: unknown; action?: unknown } | null;
    if (typeof order?.restore_id === "number" && typeof order.action === "string") {
      heard.push({ restoreId: order.restore_id, action: order.action, via });
    }
  };

  async function transport(request: Request): Promise<Response> {
    const url = new URL(request.url);
    // Noted on arrival, so the order of `seen` is the order the agent sent in.
    const entry: Noted = {
      method: request.method,
      path: url.pathname,
      accept: request.headers.get("accept"),
      requestId: request.headers.get("x-request-id"),
      body: "",
      status: "pending",
      at: Date.now(),
    };
    seen.push(entry);
    entry.body = await request.clone().text();
    const fate = server.fault(request);
    if (fate === "throw") {
      entry.status = "thrown";
      throw new TypeError("fetch failed");
    }
    if (fate !== "pass") {
      entry.status = fate.status;
      return new Response(fate.body ?? JSON.stringify({ message: "unavailable" }), {
        status: fate.status,
        headers: {
          "content-type": fate.contentType ?? "application/json",
          ...(fate.retryAfter === undefined ? {} : { "retry-after": fate.retryAfter }),
        },
      });
    }
    const response = await app.fetch(request);
    entry.status = response.status;
    if (!url.pathname.endsWith("/requests") || response.status !== 200 || !response.body) {
      return response;
    }
    if (/^text\/event-stream/.test(response.headers.get("content-type") ?? "")) {
      return new Response(
        watchedStream(response.body, (data) => noteHeard(data, "stream"), open),
        {
          status: response.status,
          headers: response.headers,
        },
      );
    }
    const list = (await response
      .clone()
      .json()
      .catch(() => null)) as { requests?: unknown[] } | null;
    for (const order of list?.requests ?? []) noteHeard(order, "poll");
    return response;
  }

  const server: InProcessServer = {
    env,
    seen,
    heard,
    logged,
    fault: () => "pass",
    agent(run, overrides = {}) {
      const created = createAgent({
        baseUrl: BASE_URL,
        tenantId: DEFAULT_TENANT,
        agentId: DESTINATION_MACHINE_ID,
        token: AGENT_TOKEN,
        privateKey: env.keys.privateKey,
        run,
        ...QUICK,
        log,
        fetch: transport,
        ...overrides,
      });
      if (created.isErr()) throw new Error(`${created.error.code}: ${created.error.message}`);
      onTestFinished(() => created.value.stop());
      return created.value;
    },
    async restore({ encrypted = false } = {}) {
      const created = await env.createRestore({ encrypted });
      if (created.isErr()) throw new Error(created.error.message);
      return created.value.restoreId;
    },
    async start(restoreId, passphrase) {
      const encryptedPassword =
        passphrase === undefined ? null : encryptForAgent(passphrase, env.keys.publicKey);
      const started = await env.service.requestAction(env.context(), {
        action: "StartManual",
        restoreId,
        encryptedPassword,
      });
      if (started.isErr()) throw new Error(started.error.message);
      return encryptedPassword;
    },
    async stop(restoreId) {
      if (!(await server.request("StopManual", restoreId))) {
        throw new Error(`restore ${restoreId} could not be stopped`);
      }
    },
    async request(action, restoreId) {
      const answered = await env.service.requestAction(env.context(), {
        action,
        restoreId,
        encryptedPassword: null,
      });
      return answered.isOk();
    },
    async patch(restoreId, operations) {
      const response = await app.fetch(
        new Request(`${BASE_URL}/v2/${DEFAULT_TENANT}/restores/${restoreId}`, {
          method: "PATCH",
          headers: { "x-auth-token": AGENT_TOKEN, "content-type": "application/json-patch+json" },
          body: JSON.stringify(operations),
        }),
      );
      await response.body?.cancel();
      return response.status;
    },
    cutStreams() {
      const cuts = [...open];
      for (const cut of cuts) cut();
      return cuts.length;
    },
    async read(restoreId) {
      const restore = await env.service.getRestore(env.context(), restoreId);
      if (restore.isErr()) throw new Error(restore.error.message);
      return restore.value;
    },
    async state(restoreId) {
      return (await server.read(restoreId)).state;
    },
    async events(restoreId) {
      const page = await env.service.listEvents(env.context(), restoreId, { limit: 1000 });
      if (page.isErr()) throw new Error(page.error.message);
      return page.value.map((stored: StoredEvent) => stored.event);
    },
    async timeline(restoreId) {
      return (await server.events(restoreId)).map((event) =>
        "state" in event.data ? `${event.type}:${String(event.data.state)}` : event.type,
      );
    },
    async reach(restoreId, states) {
      let last: RestoreState | null = null;
      await eventually(
        async () => {
          last = await server.state(restoreId);
          return states.includes(last);
        },
        () => `restore ${restoreId} to be ${states.join(" or ")} (it is ${String(last)})`,
      );
    },
    reports(restoreId) {
      return seen.filter(
        (request) => request.method === "PATCH" && request.path.endsWith(`/restores/${restoreId}`),
      );
    },
  };
  return server;
}

/**
 * The app's request stream passed through as it comes, telling `onData` the
 * data of each start and stop event; `open` holds a way to cut it while it
 * is open, so a test can drop the connection.
 */
function watchedStream(
  body: ReadableStream<Uint8Array>,
  onData: (data: unknown) => void,
  open: Set<() => void>,
): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  let cut: () => void = () => undefined;
  const scan = () => {
    for (let end = buffer.indexOf("\n\n"); end >= 0; end = buffer.indexOf("\n\n")) {
      const lines = buffer.slice(0, end).split("\n");
      buffer = buffer.slice(end + 2);
      const event = lines
        .find((line) => line.startsWith("event:"))
        ?.slice(6)
        .trim();
      const data = lines
        .filter((line) => line.startsWith("data:"))
        .map((line) => line.slice(5).trim())
        .join("\n");
      if (event === "start" || event === "stop") {
        try {
          onData(JSON.parse(data));
        } catch {
          // Not JSON: the agent skips it too.
        }
      }
    }
  };
  return new ReadableStream<Uint8Array>({
    start(controller) {
      cut = () => {
        open.delete(cut);
        try {
          controller.close();
        } catch {
          // Already closed by the app or the agent.
        }
        void reader.cancel().catch(() => undefined);
      };
      open.add(cut);
    },
    async pull(controller) {
      const chunk = await reader.read().catch(() => ({ done: true as const, value: undefined }));
      if (!open.has(cut)) return;
      if (chunk.done) {
        open.delete(cut);
        controller.close();
        return;
      }
      buffer += decoder.decode(chunk.value, { stream: true }).replaceAll("\r\n", "\n");
      scan();
      controller.enqueue(chunk.value);
    },
    cancel(reason) {
      open.delete(cut);
      return reader.cancel(reason);
    },
  });
}
