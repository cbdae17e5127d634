import { performance } from "node:perf_hooks";
import type pg from "pg";
import { type ServerCpuSpent, serverCpuSnapshot, serverCpuSpent } from "./server-cpu.js";

/** One way of making the change: on the restore at `index` (id index + 1), through `instance`. */
export interface ChangePath {
  change(index: number, instance: number): Promise<void>;
  /** Statements sent so far, all changes together. */
  statements(): number;
  /** True once the path has nothing left to change (fresh restores used up): its clients stop. */
  exhausted?(): boolean;
}

export interface DriveOptions {
  readonly clients: number;
  readonly restores: number;
  readonly instances: number;
  readonly durationMs: number;
  /**
   * Instead of running for `durationMs`, change this many distinct restores
   * once each, in random order: a warm-up that leaves each instance's memory
   * of restores as steady traffic would.
   */
  readonly sweep?: number;
  readonly monitor: pg.Pool;
  readonly applicationName: string;
}

/** What one measured window gave. */
export interface Run {
  readonly changes: number;
  readonly failures: number;
  readonly firstFailure: string | null;
  readonly seconds: number;
  readonly latencies: number[];
  readonly clientCpuUs: number;
  readonly server: ServerCpuSpent;
  readonly statements: number;
}

/**
 * Runs `clients` loops for `durationMs`. Each change goes to a random restore
 * that no other client is changing (one change in flight per restore, so a
 * lost race can only come from an instance's stale view, never from two
 * clients on one row), and to a random instance when there are two.
 */
export async function driveChanges(path: ChangePath, options: DriveOptions): Promise<Run> {
  const { clients, restores, instances, durationMs } = options;
  // The restores no client holds: the first `free` entries, taken by swapping out.
  const idle = Array.from({ length: restores }, (_, index) => index);
  let free = restores;
  const latencies: number[] = [];
  let failures = 0;
  let firstFailure: string | null = null;

  const serverBefore = await serverCpuSnapshot(options.monitor, options.applicationName);
  const statementsBefore = path.statements();
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const deadline = started + durationMs;
  let sweepLeft = options.sweep ?? 0;
  const sweeping = sweepLeft > 0;
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (
        (sweeping ? sweepLeft > 0 : performance.now() < deadline) &&
        path.exhausted?.() !== true
      ) {
        const slot = Math.floor(Math.random() * free);
        const index = idle[slot] ?? 0;
        free -= 1;
        idle[slot] = idle[free] ?? 0;
        sweepLeft -= 1;
        const instance = instances === 1 ? 0 : Math.floor(Math.random() * instances);
        const t0 = performance.now();
        try {
          await path.change(index, instance);
          latencies.push(performance.now() - t0);
        } catch (error) {
          failures += 1;
          firstFailure ??= error instanceof Error ? error.message : String(error);
        }
        // A swept restore is not taken again: the sweep changes each restore once.
        if (!sweeping) {
          idle[free] = index;
          free += 1;
        }
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  const statements = path.statements() - statementsBefore;
  const serverAfter = await serverCpuSnapshot(options.monitor, options.applicationName);
  return {
    changes: latencies.length,
    failures,
    firstFailure,
    seconds,
    latencies,
    clientCpuUs: cpu.user + cpu.system,
    server: serverCpuSpent(serverBefore, serverAfter),
    statements,
  };
}
