import { setTimeout as sleep } from "node:timers/promises";
import type { FaultSetup } from "./fault-setup.js";

// HTTP load on one or more running servers, every answer recorded, so a test can check each
// against the transition tables and, afterwards, against what the database holds.

export type Op = "create" | "start" | "stop" | "report" | "read" | "password";

/** The v2 states an agent reports, with the v1 `RestoreStateId` each leads to. */
export const REPORTED_STATE_IDS = {
  queued: 1,
  preparing: 9,
  in_progress: 2,
  stop_requested: 7,
  completed: 3,
  failed: 5,
  stopped: 4,
} as const;
export type ReportedState = keyof typeof REPORTED_STATE_IDS;
// Forward steps are likelier than finishing ones, so restores live long enough to meet each other.
const REPORT_WEIGHTS: Record<ReportedState, number> = {
  queued: 4,
  preparing: 4,
  in_progress: 4,
  stop_requested: 1,
  completed: 1,
  failed: 1,
  stopped: 1,
};

/** What each operation may answer by the transition tables; any operation may also answer 503. */
export const ALLOWED: Readonly<Record<Op, readonly number[]>> = {
  create: [200],
  start: [204, 400],
  stop: [204, 400],
  report: [204, 409],
  read: [200],
  // The agent's password: released while an encrypted restore is active, 404 otherwise.
  password: [200, 404],
};

export interface Outcome {
  readonly op: Op;
  /** The restore asked about; for a create, the id it answered (null if none). */
  readonly restoreId: number | null;
  readonly reported?: ReportedState;
  /** The HTTP status, or how the request failed without one. */
  readonly status: number | "network" | "hung";
  readonly retryAfter: string | null;
  /** Which of the servers answered (its index in `urls()`). */
  readonly server: number;
  readonly startedAt: number;
  readonly ms: number;
  /** The body of an answer the tables do not allow, for the failure message. */
  readonly detail?: string;
  /** Why an answer with an allowed status is still wrong (a released password not the one sent). */
  readonly wrong?: string;
}

export interface LoadOptions {
  /** The servers to spread requests over, asked before each request (a restarted one moves). */
  readonly urls: () => readonly string[];
  readonly setup: FaultSetup;
  readonly workers: number;
  /** How many restores to create before the load starts (every other one encrypted). */
  readonly restores: number;
  /** A request still unanswered after this is recorded as `hung`. Default 30 s: a hang guard. */
  readonly hangAfterMs?: number;
  readonly weights?: Partial<Record<Op, number>>;
}

export interface Load {
  readonly outcomes: readonly Outcome[];
  /** Every restore created, and whether it is encrypted. */
  readonly restores: ReadonlyMap<number, { readonly encrypted: boolean }>;
  /** Resolves once `count` more answers have been recorded (or the load stopped). */
  answered(count: number): Promise<void>;
  /** Stops the workers and waits for the requests in flight. */
  stop(): Promise<void>;
}

const DEFAULT_WEIGHTS: Record<Op, number> = {
  create: 1,
  start: 3,
  stop: 1,
  report: 6,
  read: 1,
  password: 1,
};

function pick<T>(items: readonly T[]): T {
  return items[Math.floor(Math.random() * items.length)] as T;
}

function weighted<K extends string>(weights: Readonly<Record<K, number>>): K {
  const entries = Object.entries(weights) as [K, number][];
  let roll = Math.random() * entries.reduce((sum, [, weight]) => sum + weight, 0);
  for (const [key, weight] of entries) {
    roll -= weight;
    if (roll < 0) return key;
  }
  return entries[0]?.[0] as K;
}

/** One request and how it ended; never throws. */
async function send(
  url: string,
  path: string,
  init: { method: string; token: string; body?: unknown; contentType?: string },
  hangAfterMs: number,
): Promise<{ status: Outcome["status"]; retryAfter: string | null; body: string }> {
  try {
    const response = await fetch(`${url}${path}`, {
      method: init.method,
      headers: {
        "x-auth-token": init.token,
        ...(init.body === undefined
          ? {}
          : { "content-type": init.contentType ?? "application/json" }),
      },
      ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
      signal: AbortSignal.timeout(hangAfterMs),
    });
    const body = await response.text();
    return { status: response.status, retryAfter: response.headers.get("retry-after"), body };
  } catch (error) {
    const name = (error as Error).name;
    return {
      status: name === "TimeoutError" ? "hung" : "network",
      retryAfter: null,
      body: String((error as Error).message),
    };
  }
}

/** Creates a restore on `url`, retrying while the server is busy; throws if it cannot. */
export async function createRestore(
  url: string,
  setup: FaultSetup,
  encrypted: boolean,
): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt += 1) {
    const answer = await send(
      url,
      `/v1.0/${setup.tenant}/restore`,
      {
        method: "PUT",
        token: setup.tokens.creator,
        body: createBody(setup, encrypted),
      },
      30_000,
    );
    if (answer.status === 200) return Number(JSON.parse(answer.body).RestoreId);
    if (answer.status !== 503 && answer.status !== "network") {
      throw new Error(`create answered ${answer.status}: ${answer.body}`);
    }
    await sleep(100);
  }
  throw new Error(`create kept failing on ${url}`);
}

function createBody(setup: FaultSetup, encrypted: boolean) {
  return {
    BackupId: encrypted ? setup.backups.encrypted : setup.backups.plain,
    BackupMachineId: setup.backupMachineId,
    DestinationMachineId: setup.agentId,
    DestinationPath: "/restore/here",
    OverwriteFiles: false,
  };
}

/**
 * Starts `workers` loops, each sending one request at a time to a server
 * picked at random: creates, starts (with the password on encrypted
 * restores), stops, agent reports and reads, on restores picked at random
 * from a small set, so that requests meet on the same restore.
 */
export async function startLoad(options: LoadOptions): Promise<Load> {
  const { setup } = options;
  const hangAfterMs = options.hangAfterMs ?? 30_000;
  const weights = { ...DEFAULT_WEIGHTS, ...options.weights };
  const restores = new Map<number, { encrypted: boolean }>();
  const ids: number[] = [];
  const first = options.urls()[0];
  if (first === undefined) throw new Error("no server to load");
  for (let i = 0; i < options.restores; i += 1) {
    const encrypted = i % 2 === 1;
    const id = await createRestore(first, setup, encrypted);
    restores.set(id, { encrypted });
    ids.push(id);
  }

  const outcomes: Outcome[] = [];
  const waiters: { target: number; resolve: () => void }[] = [];
  let stopped = false;
  const record = (outcome: Outcome) => {
    outcomes.push(outcome);
    for (const waiter of [...waiters]) {
      if (outcomes.length >= waiter.target) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    }
  };

  async function once(): Promise<void> {
    const urls = options.urls();
    if (urls.length === 0) {
      await sleep(50);
      return;
    }
    const server = Math.floor(Math.random() * urls.length);
    const url = urls[server] as string;
    const op = weighted(weights);
    const restoreId = pick(ids);
    const v1 = `/v1.0/${setup.tenant}/restore`;
    const startedAt = performance.now();
    let reported: ReportedState | undefined;
    let created: number | null = null;
    let wrong: string | undefined;
    let answer: Awaited<ReturnType<typeof send>>;
    switch (op) {
      case "create": {
        const encrypted = Math.random() < 0.5;
        answer = await send(
          url,
          v1,
          { method: "PUT", token: setup.tokens.creator, body: createBody(setup, encrypted) },
          hangAfterMs,
        );
        if (answer.status === 200) {
          created = Number(JSON.parse(answer.body).RestoreId);
          restores.set(created, { encrypted });
          ids.push(created);
        }
        break;
      }
      case "start":
      case "stop": {
        const encrypted = restores.get(restoreId)?.encrypted === true;
        answer = await send(
          url,
          `${v1}/action-requested`,
          {
            method: "POST",
            token: setup.tokens.creator,
            body: {
              Action: op === "start" ? "StartManual" : "StopManual",
              Id: restoreId,
              ...(op === "start" && encrypted
                ? { EncryptedPassword: setup.encryptedPassword }
                : {}),
            },
          },
          hangAfterMs,
        );
        break;
      }
      case "report": {
        reported = weighted(REPORT_WEIGHTS);
        answer = await send(
          url,
          `/v2/${setup.tenant}/restores/${restoreId}`,
          {
            method: "PATCH",
            token: setup.tokens.agent,
            contentType: "application/json-patch+json",
            body: [{ op: "replace", path: "/state", value: reported }],
          },
          hangAfterMs,
        );
        break;
      }
      case "password": {
        answer = await send(
          url,
          `/v2/${setup.tenant}/restores/${restoreId}/password`,
          { method: "GET", token: setup.tokens.agent },
          hangAfterMs,
        );
        // Sealed by whichever process took the start, opened by this one: it must be what was sent.
        if (answer.status === 200) {
          const released = String(JSON.parse(answer.body).EncryptedPassword).replace(/\s/g, "");
          if (released.toLowerCase() !== setup.encryptedPassword.toLowerCase()) {
            wrong = "the released password is not the one the start sent";
          }
        }
        break;
      }
      case "read":
        answer = await send(
          url,
          `${v1}/${restoreId}`,
          { method: "GET", token: setup.tokens.observer },
          hangAfterMs,
        );
        break;
    }
    const allowed =
      typeof answer.status === "number" &&
      (ALLOWED[op].includes(answer.status) ||
        (answer.status === 503 && answer.retryAfter !== null));
    record({
      op,
      restoreId: op === "create" ? created : restoreId,
      ...(reported === undefined ? {} : { reported }),
      status: answer.status,
      retryAfter: answer.retryAfter,
      server,
      startedAt,
      ms: performance.now() - startedAt,
      ...(allowed ? {} : { detail: answer.body.slice(0, 300) }),
      ...(wrong === undefined ? {} : { wrong }),
    });
    // A client backs off when told to, or when nothing answers, instead of spinning.
    if (answer.status === 503 || answer.status === "network") await sleep(50);
  }

  const loops = Array.from({ length: options.workers }, async () => {
    while (!stopped) await once();
  });

  return {
    outcomes,
    restores,
    answered(count) {
      const target = outcomes.length + count;
      if (stopped || outcomes.length >= target) return Promise.resolve();
      return new Promise((resolve) => waiters.push({ target, resolve }));
    },
    async stop() {
      stopped = true;
      await Promise.all(loops);
      for (const waiter of waiters.splice(0)) waiter.resolve();
    },
  };
}

/**
 * The answers the tables do not allow: a status not listed for the
 * operation, a 503 without `Retry-After`, a hang, a wrong answer (see
 * `Outcome.wrong`); and a request that failed
 * without an answer unless `networkFailures` says the test made that happen.
 */
export function disallowed(
  outcomes: readonly Outcome[],
  networkFailures: "allowed" | "refused",
): Outcome[] {
  return outcomes.filter((outcome) => {
    if (outcome.wrong !== undefined) return true;
    if (outcome.status === "network") return networkFailures === "refused";
    if (outcome.status === "hung") return true;
    if (outcome.status === 503) return outcome.retryAfter === null;
    return !ALLOWED[outcome.op].includes(outcome.status);
  });
}

/** Counts by operation and status, e.g. `{ "start 204": 120, "report 409": 30 }`. */
export function tally(outcomes: readonly Outcome[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const { op, status } of outcomes) {
    const key = `${op} ${status}`;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return Object.fromEntries(Object.entries(counts).sort(([a], [b]) => a.localeCompare(b)));
}

/** How many answers were acknowledgements (2xx), refusals by the tables (4xx), 503s and the rest. */
export function classes(outcomes: readonly Outcome[]): {
  total: number;
  ok: number;
  refused: number;
  unavailable: number;
  network: number;
  other: number;
} {
  const count = (test: (o: Outcome) => boolean) => outcomes.filter(test).length;
  const numeric = (o: Outcome) => (typeof o.status === "number" ? o.status : -1);
  return {
    total: outcomes.length,
    ok: count((o) => numeric(o) >= 200 && numeric(o) < 300),
    refused: count((o) => numeric(o) >= 400 && numeric(o) < 500),
    unavailable: count((o) => o.status === 503),
    network: count((o) => o.status === "network"),
    other: count((o) => o.status === "hung" || (numeric(o) >= 500 && o.status !== 503)),
  };
}

/** The answers in one phrase for a test's printed summary. */
export function describeAnswers(outcomes: readonly Outcome[]): string {
  const c = classes(outcomes);
  return `${c.total} requests: ${c.ok} acknowledged, ${c.refused} refused by the tables, ${c.unavailable} answered 503, ${c.network} without an answer, ${c.other} other`;
}
