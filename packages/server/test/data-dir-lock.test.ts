import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { runProcess } from "./support/server-process.js";

// The data directory's lock, taken by processes of their own at the same instant: exactly one
// gets it, and the others are told which process did.

const TAKERS = 6;
const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

async function takeAtOnce(lock: string): Promise<{ pid: number; said: string }[]> {
  // Far enough ahead for every child to have started (tsx compiles the taker first).
  const at = Date.now() + 4_000;
  const runs = Array.from({ length: TAKERS }, () =>
    runProcess(
      process.execPath,
      [
        "--import",
        "tsx",
        "--conditions=@restorekit/source",
        "packages/server/test/support/lock-taker.ts",
        lock,
        String(at),
        "1500",
      ],
      { ...process.env, NODE_OPTIONS: "" },
    ),
  );
  const exits = await Promise.all(runs.map((run) => run.exited));
  for (const [i, exit] of exits.entries()) {
    expect(exit, runs[i]?.output()).toEqual({ code: 0, signal: null });
  }
  return runs.map((run) => ({ pid: run.child.pid as number, said: run.stdout().trim() }));
}

describe("the data directory's lock", () => {
  it("goes to exactly one of several processes that take it at the same instant", async () => {
    const dir = mkdtempSync(join(tmpdir(), "rk-lock-"));
    dirs.push(dir);
    const lock = join(dir, "server.pid");
    const takers = await takeAtOnce(lock);
    const winners = takers.filter((taker) => taker.said === "taken");
    expect(winners, JSON.stringify(takers)).toHaveLength(1);
    const winner = winners[0]?.pid;
    for (const taker of takers) {
      if (taker.pid !== winner) expect(taker.said).toBe(`held by ${winner}`);
    }
    expect(readFileSync(lock, "utf8")).toBe(`${winner}\n`);
  }, 60_000);

  it("is taken over by exactly one of them when the process that left it is gone", async () => {
    const dir = mkdtempSync(join(tmpdir(), "rk-lock-"));
    dirs.push(dir);
    const lock = join(dir, "server.pid");
    // No process has this pid: far above the kernel's limit.
    writeFileSync(lock, "2147483646\n");
    const takers = await takeAtOnce(lock);
    expect(
      takers.filter((taker) => taker.said === "taken"),
      JSON.stringify(takers),
    ).toHaveLength(1);
  }, 60_000);
});
