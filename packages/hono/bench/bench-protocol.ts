/**
 * What the HTTP benchmark's runner and its server processes share: the
 * variants, the token, the restore the no-op variant starts, and the IPC
 * messages between them.
 */

/**
 * - `bare`: a Hono app whose one route parses the JSON body and answers 204;
 * - `seed-noop`: the action-requested route through the adapter and the
 *   service, a StartManual on a restore already started (a no-op, no write);
 * - `seed-change`: the same route, a StartManual then a StopManual on each of
 *   many restores in Creating (two writes per restore);
 * - `seed-noop-log`: `seed-noop` with the request log on (pino at info, to /dev/null);
 * - `e2e-memory`: the route end to end on the in-memory store: a StartManual
 *   then a StopManual on each of 10 000 (and some) restores made beforehand,
 *   every request a write;
 * - `e2e-postgres`: the same on the real Postgres (`postgresRepository` over
 *   a `pg.Pool`, a throwaway schema).
 *
 * Not run unless asked for, to tell apart what `seed-noop` costs (each is
 * `seed-noop` with parts replaced by stubs that answer at once):
 * - `adapter-only`: a token verifier and a service that answer at once: the adapter alone;
 * - `adapter-tokens`: `staticTokens`, and the service that answers at once;
 * - `adapter-service`: the verifier that answers at once, and the real service.
 */
export type Variant =
  | "bare"
  | "seed-noop"
  | "seed-change"
  | "seed-noop-log"
  | "e2e-memory"
  | "e2e-postgres"
  | "adapter-only"
  | "adapter-tokens"
  | "adapter-service";

/** What `pnpm bench` runs. */
export const DEFAULT_VARIANTS: readonly Variant[] = [
  "bare",
  "seed-noop",
  "seed-change",
  "seed-noop-log",
  "e2e-memory",
  "e2e-postgres",
];

/** The variants measured by a fixed number of requests over restores made for them, not by time. */
export const END_TO_END: readonly Variant[] = ["e2e-memory", "e2e-postgres"];

export const VARIANTS: readonly Variant[] = [
  ...DEFAULT_VARIANTS,
  "adapter-only",
  "adapter-tokens",
  "adapter-service",
];

export const BENCH_TOKEN = "bench-token-0123456789abcdef";

/** The restore the no-op variant starts again and again: the id of the API's StartManual example. */
export const NOOP_RESTORE_ID = 13692;

export type ParentMessage =
  | { readonly type: "cpu"; readonly id: number }
  | { readonly type: "prepare"; readonly id: number; readonly count: number }
  | { readonly type: "restores"; readonly id: number; readonly count: number };

/** CPU time of the Postgres server, in µs: our pool's backends, and every postgres process. */
export interface PostgresCpu {
  readonly backends: number;
  readonly all: number;
}

export type ChildMessage =
  | {
      readonly type: "listening";
      readonly port: number;
      /** What the server runs on, for the report: pool size, versions. */
      readonly about: string;
    }
  | {
      readonly type: "cpu";
      readonly id: number;
      readonly usage: NodeJS.CpuUsage;
      readonly postgres: PostgresCpu | null;
    }
  | { readonly type: "prepared"; readonly id: number; readonly first: number }
  | { readonly type: "restores"; readonly id: number; readonly ids: readonly number[] }
  | { readonly type: "failed"; readonly message: string };
