import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Restore } from "../../src/index.js";
import {
  knownRestores,
  PAYING_SHARE,
  RECOVERED_SHARE,
  SAMPLE_EVERY,
} from "../../src/service/known-restores.js";
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

  it("copies every nested part, the error list included", () => {
    const known = knownRestores(10);
    const original: Restore = {
      ...restore(1),
      backup: { ...restore(1).backup, publicKey: { modulusHex: "C1", exponentHex: "010001" } },
      progress: {
        ...noProgress,
        errors: {
          count: 1,
          reason: "r",
          diagnostics: null,
          list: [
            {
              index: 0,
              path: "/a",
              type: "t",
              exception: { code: 1, description: "d", details: null },
            },
          ],
        },
      },
    };
    known.remember(original);
    const kept = structuredClone(original);
    const writable = original as unknown as {
      backup: { publicKey: { modulusHex: string } };
      progress: { errors: { list: { path: string; exception: { code: number } }[] } };
    };
    writable.backup.publicKey.modulusHex = "FF";
    const [item] = writable.progress.errors.list;
    if (item === undefined) throw new Error("the list has one item");
    item.path = "/b";
    item.exception.code = 2;
    writable.progress.errors.list.push({ path: "/c", exception: { code: 3 } });
    expect(known.get("123456", 1)).toEqual(kept);
  });

  describe("watching whether it pays", () => {
    it("keeps everything while its lookups pay", () => {
      const known = knownRestores(10);
      known.remember(restore(1));
      for (let i = 0; i < 300; i += 1) {
        expect(known.get("123456", 1)).toBeDefined();
        known.record("current");
      }
      expect(known.mode()).toBe("all");
      for (let id = 2; id <= 10; id += 1) known.remember(restore(id));
      expect(known.size()).toBe(10);
    });

    it("keeps one restore in SAMPLE_EVERY once most of what it finds is stale", () => {
      const known = knownRestores(1000);
      for (let i = 0; i < 300; i += 1) known.record("stale");
      expect(known.mode()).toBe("sample");
      for (let id = 1; id <= SAMPLE_EVERY * 20; id += 1) known.remember(restore(id));
      expect(known.size()).toBe(20);
    });

    it("keeps one in SAMPLE_EVERY once most lookups of a full memory find nothing", () => {
      const known = knownRestores(10);
      for (let id = 1; id <= 10; id += 1) known.remember(restore(id));
      for (let id = 11; id <= 300; id += 1) known.get("123456", id);
      expect(known.mode()).toBe("sample");
    });

    it("does not count the misses of a memory still filling up: it has not met those restores", () => {
      const known = knownRestores(1000);
      for (let id = 1; id <= 500; id += 1) {
        expect(known.get("123456", id)).toBeUndefined();
        known.remember(restore(id));
      }
      expect(known.mode()).toBe("all");
      expect(known.size()).toBe(500);
    });

    it("drops a restore it held when it does not keep the restore's next state, so it never hands out an old one", () => {
      const known = knownRestores(1000);
      for (let i = 0; i < 300; i += 1) known.record("stale");
      known.remember(restore(1));
      let kept = known.get("123456", 1) !== undefined;
      for (let version = 2; version <= 40; version += 1) {
        known.remember({ ...restore(1), version });
        const found = known.get("123456", 1);
        // Found only when this very change was kept, so always the latest version.
        if (found !== undefined) expect(found.version).toBe(version);
        kept ||= found !== undefined;
      }
      expect(kept).toBe(true);
    });

    it("keeps everything again once what it samples pays", () => {
      const known = knownRestores(1000);
      for (let i = 0; i < 300; i += 1) known.record("stale");
      expect(known.mode()).toBe("sample");
      for (let i = 0; i < 300; i += 1) known.record("current");
      expect(known.mode()).toBe("all");
    });

    it("switches exactly as the moving share of paying lookups crosses its two thresholds", () => {
      fc.assert(
        fc.property(fc.array(fc.boolean(), { maxLength: 400 }), (outcomes) => {
          const known = knownRestores(10);
          let share = 1;
          let sampling = false;
          for (const paid of outcomes) {
            known.record(paid ? "current" : "stale");
            share += ((paid ? 1 : 0) - share) / 64;
            if (!sampling && share < PAYING_SHARE) sampling = true;
            else if (sampling && share >= RECOVERED_SHARE) sampling = false;
          }
          expect(known.mode()).toBe(sampling ? "sample" : "all");
        }),
      );
    });
  });
});
