import { envNumber } from "./env-number.js";

/** One cell of the matrix: how many clients, over how many restores, through how many instances. */
export interface BenchConfig {
  readonly clients: number;
  readonly restores: number;
  readonly instances: number;
}

// Each setting here may be 0 (no warm-up, no restores to remember), never negative.
const ZERO_OK = { zero: true } as const;

/** What the environment asks of a run; the defaults keep a whole run near five minutes. */
export interface BenchSettings {
  readonly databaseUrl: string;
  readonly configs: readonly BenchConfig[];
  /** The write paths to run, by key (a, ap, a1, b, b0, bk); empty means the default set. */
  readonly paths: readonly string[];
  readonly rounds: number;
  readonly measureMs: number;
  readonly warmupMs: number;
  /** Distinct restores changed once each at the start of every path's warm-up. */
  readonly warmupSweep: number;
  /** Connections per instance's pool, at most; never more than the clients. */
  readonly poolMax: number;
  /** Capacity of (bk)'s memory when the service's default remembers nothing. */
  readonly knownRestores: number;
  readonly startManual: boolean;
  readonly startClients: number;
  /** Connections of the StartManual paths' pool; more than the clients leaves room for the notifier. */
  readonly startPool: number;
  /** Fresh restores seeded for (s1): this many per second of warm-up and measurement; (s) gets half. */
  readonly startRate: number;
}

const DEFAULT_CONFIGS: readonly BenchConfig[] = [1_000, 10_000].flatMap((restores) =>
  [1, 2].flatMap((instances) => [16, 64].map((clients) => ({ clients, restores, instances }))),
);

/** `16x1000x1,64x10000x2`: clients x restores x instances. */
function configsFrom(raw: string | undefined): readonly BenchConfig[] {
  if (raw === undefined || raw.trim() === "") return DEFAULT_CONFIGS;
  if (raw.trim() === "none") return [];
  return raw.split(",").map((item) => {
    const [clients, restores, instances] = item.trim().split("x").map(Number);
    if (
      !Number.isSafeInteger(clients) ||
      !Number.isSafeInteger(restores) ||
      (instances !== 1 && instances !== 2) ||
      (clients ?? 0) < 1 ||
      (restores ?? 0) < (clients ?? 0)
    ) {
      throw new RangeError(
        `BENCH_CONFIGS: ${JSON.stringify(item)} is not CLIENTSxRESTORESxINSTANCES (instances 1 or 2, restores >= clients)`,
      );
    }
    return { clients: clients ?? 0, restores: restores ?? 0, instances };
  });
}

/**
 * BENCH_SECONDS (measured seconds per path, config and round; default 2),
 * BENCH_WARMUP_SWEEP (10 000 distinct restores changed once, as a long-running instance has met them), BENCH_WARMUP_SECONDS (0.25), BENCH_ROUNDS (2), BENCH_CONFIGS (all eight; `none` for only StartManual),
 * BENCH_PATHS (e.g. `ap,b`), BENCH_POOL_MAX (32), BENCH_KNOWN_RESTORES (1000),
 * BENCH_START_MANUAL (`0` skips that part), BENCH_START_POOL (16), BENCH_START_RATE (fresh restores seeded
 * per second of the one statement's run, half that for the service's; 14000), DATABASE_URL.
 */
export function benchSettings(): BenchSettings {
  return {
    databaseUrl: process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test",
    configs: configsFrom(process.env.BENCH_CONFIGS),
    paths: (process.env.BENCH_PATHS ?? "")
      .split(",")
      .map((path) => path.trim())
      .filter((path) => path !== ""),
    rounds: Math.max(1, Math.round(envNumber("BENCH_ROUNDS", 2, ZERO_OK))),
    measureMs: envNumber("BENCH_SECONDS", 2, ZERO_OK) * 1000,
    warmupMs: envNumber("BENCH_WARMUP_SECONDS", 0.25, ZERO_OK) * 1000,
    warmupSweep: Math.round(envNumber("BENCH_WARMUP_SWEEP", 10_000, ZERO_OK)),
    poolMax: Math.round(envNumber("BENCH_POOL_MAX", 32, ZERO_OK)),
    knownRestores: Math.round(envNumber("BENCH_KNOWN_RESTORES", 1000, ZERO_OK)),
    startManual: process.env.BENCH_START_MANUAL !== "0",
    startClients: 16,
    startPool: Math.max(1, Math.round(envNumber("BENCH_START_POOL", 16, ZERO_OK))),
    startRate: envNumber("BENCH_START_RATE", 14000, ZERO_OK),
  };
}
