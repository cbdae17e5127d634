import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Restore } from "../../src/index.js";
import { knownRestores } from "../../src/service/known-restores.js";
import { noProgress, referenceRestore } from "../support/reference-restore.js";

/** A fresh restore each call: a test below changes the one it remembered. */
function restore(restoreId: number, tenantId = "123456"): Restore {
  return structuredClone({
    ...referenceRestore,
    tenantId,
    restoreId,
    state: "Creating",
    version: 1,
    progress: noProgress,
  });
}

describe("knownRestores", () => {
  it("forgets the least recently used restore once it holds more than its capacity", () => {
    const known = knownRestores(2);
    known.remember(restore(1));
    known.remember(restore(2));
    known.remember(restore(3));
    expect(known.get("123456", 1)).toBeUndefined();
    expect(known.get("123456", 2)?.restoreId).toBe(2);
    expect(known.get("123456", 3)?.restoreId).toBe(3);
  });

  it("counts a read as a use, so a restore just read is not the one forgotten", () => {
    const known = knownRestores(2);
    known.remember(restore(1));
    known.remember(restore(2));
    expect(known.get("123456", 1)?.restoreId).toBe(1);
    known.remember(restore(3));
    expect(known.get("123456", 2)).toBeUndefined();
    expect(known.get("123456", 1)?.restoreId).toBe(1);
  });

  it("counts remembering again as a use and keeps only the latest state", () => {
    const known = knownRestores(2);
    known.remember(restore(1));
    known.remember(restore(2));
    known.remember({ ...restore(1), version: 2 });
    known.remember(restore(3));
    expect(known.get("123456", 2)).toBeUndefined();
    expect(known.get("123456", 1)?.version).toBe(2);
  });

  it("never holds more than its capacity, and always the most recent ones", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 8 }),
        fc.array(fc.integer({ min: 1, max: 20 }), { maxLength: 60 }),
        (capacity, ids) => {
          const known = knownRestores(capacity);
          for (const id of ids) known.remember(restore(id));
          const recent = [...new Set([...ids].reverse())].slice(0, capacity);
          for (const id of new Set(ids)) {
            expect(known.get("123456", id) !== undefined).toBe(recent.includes(id));
          }
        },
      ),
    );
  });

  it("remembers nothing with a capacity of 0 or less", () => {
    for (const capacity of [0, -1]) {
      const known = knownRestores(capacity);
      known.remember(restore(1));
      expect(known.get("123456", 1)).toBeUndefined();
      expect(known.size()).toBe(0);
    }
  });

  it("never holds more than its capacity, whatever it is asked, misses included", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5 }),
        fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 1, max: 12 })), { maxLength: 80 }),
        (capacity, steps) => {
          const known = knownRestores(capacity);
          const remembered = new Set<number>();
          for (const [remember, id] of steps) {
            if (remember) {
              known.remember(restore(id));
              remembered.add(id);
            } else {
              known.get("123456", id);
            }
            expect(known.size()).toBeLessThanOrEqual(Math.min(capacity, remembered.size));
          }
        },
      ),
    );
  });

  it("keeps tenants apart, even when a tenant id looks like a key", () => {
    const known = knownRestores(10);
    known.remember(restore(1, "a"));
    expect(known.get("b", 1)).toBeUndefined();
    known.remember(restore(12, "3"));
    known.remember(restore(1, "23"));
    expect(known.get("3", 12)?.tenantId).toBe("3");
    expect(known.get("23", 1)?.tenantId).toBe("23");
  });

  it("keeps a copy, so a caller changing what it remembered changes nothing", () => {
    const known = knownRestores(10);
    const original = restore(1);
    known.remember(original);
    (original.config as { destinationPath: string }).destinationPath = "/tampered";
    expect(known.get("123456", 1)?.config.destinationPath).toBe("C:\\Test\\");
  });
});
