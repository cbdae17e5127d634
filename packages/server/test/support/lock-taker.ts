import { takeDataDirLock } from "../../src/data-dir-lock.js";

// A process of its own that tries to take a data directory's lock at an agreed instant, prints
// what it got, and stays alive a while, as a server that took it would.

const [lock, at, holdMs] = process.argv.slice(2);
if (lock === undefined || at === undefined || holdMs === undefined) {
  throw new Error("usage: lock-taker <lock file> <epoch ms to try at> <ms to stay alive>");
}
// Asleep until just before the instant, then busy until it, so that every taker tries within a
// few microseconds of the others without six processes spinning for seconds.
await new Promise((resolve) => setTimeout(resolve, Math.max(0, Number(at) - Date.now() - 30)));
while (Date.now() < Number(at)) {
  // Spinning on purpose: a timer alone would wake each taker at a different moment.
}
const holder = await takeDataDirLock(lock);
process.stdout.write(holder === null ? "taken\n" : `held by ${holder}\n`);
await new Promise((resolve) => setTimeout(resolve, Number(holdMs)));
