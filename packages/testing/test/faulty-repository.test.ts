import { RestoreErrors } from "@restorekit/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  commands,
  contexts,
  planChange,
  TENANT,
  userActor,
} from "../src/contract/contract-data.js";
import { inMemoryRepository, type RepositoryMethod, withFaults } from "../src/index.js";

/** Long property runs get their own timeout, so a loaded 2-core machine cannot fail them. */
const PROPERTY_TIMEOUT_MS = 60_000;

const METHODS: RepositoryMethod[] = [
  "load",
  "append",
  "readEvents",
  "readSealedPassword",
  "pendingAgentRequests",
  "subscribeAgentRequests",
];

const unavailable = RestoreErrors.storageUnavailable();

/** Calls one port method with plausible arguments. */
function call(repository: ReturnType<typeof withFaults>, method: RepositoryMethod) {
  switch (method) {
    case "load":
      return repository.load(TENANT, 7);
    case "append": {
      const change = planChange(null, commands.create(TENANT, 7), contexts()(userActor));
      if (change === null) throw new Error("test setup: no-op");
      return repository.append({ tenantId: TENANT, restoreId: 7, expectedVersion: 0, ...change });
    }
    case "readEvents":
      return repository.readEvents(TENANT, 7);
    case "readSealedPassword":
      return repository.readSealedPassword(TENANT, 7);
    case "pendingAgentRequests":
      return repository.pendingAgentRequests(TENANT, 101);
    case "subscribeAgentRequests":
      return repository.subscribeAgentRequests(TENANT, 101, () => undefined);
  }
}

async function outcome(repository: ReturnType<typeof withFaults>, method: RepositoryMethod) {
  const result = await call(repository, method);
  return result.isErr() ? result.error : "ok";
}

describe("withFaults", () => {
  it("passes every call through untouched when no fault is planned", async () => {
    const inner = inMemoryRepository();
    const faulty = withFaults(inner);
    for (const method of METHODS) expect(await outcome(faulty, method)).toBe("ok");
    expect((await inner.inspect.events(TENANT, 7)).map((e) => e.seq)).toEqual([1]);
  });

  it("fails exactly the next `times` calls of a method, then recovers", {
    timeout: PROPERTY_TIMEOUT_MS,
  }, async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...METHODS), fc.nat({ max: 4 }), async (method, times) => {
        const faulty = withFaults(inMemoryRepository()).failNext(method, unavailable, times);
        const outcomes = [];
        for (let i = 0; i < times + 1; i++) outcomes.push(await outcome(faulty, method));
        expect(outcomes).toEqual([...Array(times).fill(unavailable), "ok"]);
        expect(faulty.calls(method)).toBe(times + 1);
      }),
    );
  });

  it("leaves other methods alone", { timeout: PROPERTY_TIMEOUT_MS }, async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...METHODS), async (failing) => {
        const faulty = withFaults(inMemoryRepository()).failAlways(failing, unavailable);
        for (const method of METHODS.filter((m) => m !== failing)) {
          expect(await outcome(faulty, method)).toBe("ok");
        }
        expect(await outcome(faulty, failing)).toEqual(unavailable);
      }),
    );
  });

  it("does not reach the wrapped store on a failed call, so a failed append writes nothing", async () => {
    const inner = inMemoryRepository();
    const faulty = withFaults(inner).failNext("append", unavailable);
    expect(await outcome(faulty, "append")).toEqual(unavailable);
    expect(await inner.inspect.row(TENANT, 7)).toBeNull();
    expect(await outcome(faulty, "append")).toBe("ok");
    expect(await inner.inspect.row(TENANT, 7)).not.toBeNull();
  });

  it("fails every call after failAlways until heal", async () => {
    const faulty = withFaults(inMemoryRepository()).failAlways("load", unavailable);
    for (let i = 0; i < 3; i++) expect(await outcome(faulty, "load")).toEqual(unavailable);
    faulty.heal();
    expect(await outcome(faulty, "load")).toBe("ok");
    expect(faulty.calls("load")).toBe(4);
  });

  it("uses one-off faults in the order planned, before a standing one", async () => {
    const conflict = RestoreErrors.versionConflict(7, 0);
    const faulty = withFaults(inMemoryRepository())
      .failAlways("load", unavailable)
      .failNext("load", conflict)
      .throwNext("load", new Error("adapter bug"));

    expect(await outcome(faulty, "load")).toEqual(conflict);
    expect(() => faulty.load(TENANT, 7)).toThrow("adapter bug");
    expect(await outcome(faulty, "load")).toEqual(unavailable);
  });

  it("throws the given value synchronously, once", () => {
    const thrown = { not: "an Error" };
    const faulty = withFaults(inMemoryRepository()).throwNext("readEvents", thrown);
    const attempt = () => {
      try {
        faulty.readEvents(TENANT, 7);
        return "returned";
      } catch (error) {
        return error;
      }
    };
    expect(attempt()).toBe(thrown);
    expect(attempt()).toBe("returned");
    expect(faulty.calls("readEvents")).toBe(2);
  });

  it("heal drops planned faults but keeps the counts", async () => {
    const faulty = withFaults(inMemoryRepository())
      .failNext("append", unavailable, 3)
      .throwNext("load", new Error("boom"));
    await outcome(faulty, "readEvents");
    faulty.heal();
    expect(await outcome(faulty, "append")).toBe("ok");
    expect(await outcome(faulty, "load")).toBe("ok");
    expect(METHODS.map((m) => faulty.calls(m))).toEqual([1, 1, 1, 0, 0, 0]);
  });
});
