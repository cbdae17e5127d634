import { randomUUID } from "node:crypto";
import { link, readFile, rm, writeFile } from "node:fs/promises";

/**
 * Takes the lock file of a data directory for this process: null once
 * taken, or the pid of the live process that holds it. The file appears
 * whole and exclusively, so two servers starting at once cannot both take it. A lock
 * left by a process that is gone is replaced only by the taker that also
 * holds `<lock>.takeover` (created exclusively too), so two takers cannot
 * both replace it. Throws what the file system throws.
 *
 * @example
 * ```ts
 * const holder = await takeDataDirLock("/var/lib/restorekit/server.pid");
 * ```
 */
export async function takeDataDirLock(lock: string): Promise<number | null> {
  const takeover = `${lock}.takeover`;
  for (let attempt = 0; attempt < 100; attempt += 1) {
    if (await createExclusively(lock)) return null;
    const holder = await holderOf(lock);
    if (holder === "gone") continue;
    if (holder !== null) return holder;
    // Stale. Only the holder of the takeover file replaces it; the others wait for the new one.
    if (!(await createExclusively(takeover))) {
      // A takeover file whose taker died mid-takeover would block every start: cleared.
      if ((await holderOf(takeover)) === null) await rm(takeover, { force: true });
      await pause(10);
      continue;
    }
    try {
      if ((await holderOf(lock)) === null) {
        await rm(lock, { force: true });
        if (await createExclusively(lock)) return null;
      }
    } finally {
      await rm(takeover, { force: true });
    }
  }
  throw new Error(`${lock} kept changing hands`);
}

/**
 * Creates `path` holding this process's pid, unless it exists. Written
 * beside it first and then linked into place: a file created in place is
 * empty until the write lands, and a taker reading it then would think the
 * lock stale and take it too.
 */
async function createExclusively(path: string): Promise<boolean> {
  const draft = `${path}.${process.pid}.${randomUUID()}`;
  await writeFile(draft, `${process.pid}\n`, { flag: "wx" });
  try {
    await link(draft, path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw error;
  } finally {
    await rm(draft, { force: true });
  }
}

/** The live process another lock file names; null when it names none (stale); "gone" when it went. */
async function holderOf(path: string): Promise<number | null | "gone"> {
  const held = await readFile(path, "utf8").catch(() => null);
  if (held === null) return "gone";
  const pid = Number(held.trim());
  return Number.isSafeInteger(pid) && pid > 0 && pid !== process.pid && isAlive(pid) ? pid : null;
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, under another user.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
