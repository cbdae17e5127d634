import type { AgentRequest, AppendRequest, Restore, SealedPassword } from "@restorekit/core";
import { describe, expect, it } from "vitest";
import {
  AGENT,
  agentActor,
  commands,
  contexts,
  planChange,
  sealedBytes,
  TENANT,
  userActor,
} from "../src/contract/contract-data.js";
import { restoreRepositoryContract } from "../src/contract/index.js";
import { inMemoryRepository } from "../src/index.js";

restoreRepositoryContract("in-memory repository", () => {
  const repository = inMemoryRepository();
  return { repository, inspect: repository.inspect, conflictsCarryCurrent: true };
});

/** A mutable view of a value the types mark readonly, to play a careless caller. */
function mutable<T>(value: T): { -readonly [K in keyof T]: T[K] } {
  return value as { -readonly [K in keyof T]: T[K] };
}

function setup() {
  const repository = inMemoryRepository();
  const next = contexts();
  const plan = (
    current: Restore | null,
    command: Parameters<typeof planChange>[1],
    agent = false,
  ) => {
    const change = planChange(current, command, next(agent ? agentActor(AGENT) : userActor));
    if (change === null) throw new Error("test setup: no-op");
    return change;
  };
  async function apply(request: AppendRequest): Promise<Restore> {
    return (await repository.append(request))._unsafeUnwrap();
  }
  async function encryptedStarted(restoreId: number, sealed: SealedPassword) {
    const created = await apply({
      tenantId: TENANT,
      restoreId,
      expectedVersion: 0,
      ...plan(null, commands.create(TENANT, restoreId, { encrypted: true })),
    });
    return apply({
      tenantId: TENANT,
      restoreId,
      expectedVersion: created.version,
      ...plan(created, commands.start(restoreId, sealed)),
      sealedPassword: sealed,
    });
  }
  return { repository, plan, apply, encryptedStarted };
}

describe("in-memory repository copies", () => {
  it("is not changed by a caller mutating what it appended", async () => {
    const { repository, plan, apply } = setup();
    const change = plan(null, commands.create(TENANT, 7));
    const expected = structuredClone(change);
    const events = [...change.events];
    const restore = change.restore;
    await apply({
      tenantId: TENANT,
      restoreId: 7,
      expectedVersion: 0,
      previous: null,
      events,
      restore,
    });

    mutable(restore).state = "Failed";
    mutable(restore.config).destinationPath = "/elsewhere";
    events.push(events[0] as (typeof events)[number]);
    mutable(events[0]?.metadata ?? { requestId: "" }).requestId = "tampered";

    expect((await repository.load(TENANT, 7))._unsafeUnwrap()).toEqual(expected.restore);
    expect(await repository.inspect.events(TENANT, 7)).toEqual([
      { seq: 1, event: expected.events[0] },
    ]);
  });

  it("is not changed by a caller mutating the sealed bytes it passed or got back", async () => {
    const { repository, encryptedStarted } = setup();
    const sealed = sealedBytes(5);
    await encryptedStarted(7, sealed);

    sealed.fill(0);
    const read = (await repository.readSealedPassword(TENANT, 7))._unsafeUnwrap();
    read?.fill(1);
    const inspected = await repository.inspect.row(TENANT, 7);
    inspected?.sealedPassword?.fill(2);

    expect(
      Array.from((await repository.readSealedPassword(TENANT, 7))._unsafeUnwrap() ?? []),
    ).toEqual(Array.from(sealedBytes(5)));
  });

  it("stores only the bytes of the view it is given, not the buffer around them", async () => {
    const { repository, encryptedStarted } = setup();
    const buffer = new Uint8Array(64).fill(9);
    buffer.set(sealedBytes(5), 8);
    await encryptedStarted(7, buffer.subarray(8, 56) as SealedPassword);

    const read = (await repository.readSealedPassword(TENANT, 7))._unsafeUnwrap();
    expect(read?.byteLength).toBe(48);
    expect(read?.buffer.byteLength).toBe(48);
  });

  it("is not changed by a caller mutating what it loaded or read", async () => {
    const { repository, plan, apply } = setup();
    const change = plan(null, commands.create(TENANT, 7));
    await apply({ tenantId: TENANT, restoreId: 7, expectedVersion: 0, ...change });

    const loaded = (await repository.load(TENANT, 7))._unsafeUnwrap();
    if (loaded !== null) mutable(loaded).state = "Completed";
    const events = (await repository.readEvents(TENANT, 7))._unsafeUnwrap();
    mutable(events[0] ?? { seq: 0 }).seq = 99;
    const row = await repository.inspect.row(TENANT, 7);
    if (row !== null) mutable(row.restore).version = 42;

    expect((await repository.load(TENANT, 7))._unsafeUnwrap()).toEqual(change.restore);
    expect((await repository.readEvents(TENANT, 7))._unsafeUnwrap().map((e) => e.seq)).toEqual([1]);
  });
});

describe("in-memory repository checks what it is asked to store", () => {
  it("refuses an append whose row does not follow from its key, version and events, writing nothing", async () => {
    const { repository, plan, apply } = setup();
    const created = await apply({
      tenantId: TENANT,
      restoreId: 7,
      expectedVersion: 0,
      ...plan(null, commands.create(TENANT, 7)),
    });
    const change = plan(created, commands.start(7));
    const base = { tenantId: TENANT, restoreId: 7, expectedVersion: created.version };
    const broken: AppendRequest[] = [
      { ...base, ...change, events: [] },
      { ...base, ...change, restore: { ...change.restore, version: created.version } },
      { ...base, ...change, restore: { ...change.restore, restoreId: 8 } },
      { ...base, ...change, restore: { ...change.restore, tenantId: "other" } },
    ];

    for (const request of broken) {
      const result = await repository.append(request);
      expect(result.isErr() && result.error.code).toBe("internal_error");
    }
    expect((await repository.load(TENANT, 7))._unsafeUnwrap()).toEqual(created);
    expect((await repository.readEvents(TENANT, 7))._unsafeUnwrap()).toHaveLength(1);
  });

  it("stores only the domain's fields: an extra property, even a function, is dropped", async () => {
    const { repository, plan } = setup();
    const change = plan(null, commands.create(TENANT, 7));
    const restore = { ...change.restore, extra: () => "not data" };

    const result = await repository.append({
      tenantId: TENANT,
      restoreId: 7,
      expectedVersion: 0,
      previous: null,
      events: change.events,
      restore,
    });

    expect(result._unsafeUnwrap()).toEqual(change.restore);
    expect((await repository.inspect.row(TENANT, 7))?.restore).toEqual(change.restore);
  });

  it("refuses a field it cannot hold as invalid_request naming it, writing nothing", async () => {
    const { repository, plan } = setup();
    const change = plan(null, commands.create(TENANT, 7));
    const config = { ...change.restore.config, destinationPath: "/restore\u0000here" };

    const result = await repository.append({
      tenantId: TENANT,
      restoreId: 7,
      expectedVersion: 0,
      previous: null,
      events: change.events,
      restore: { ...change.restore, config },
    });

    const error = result._unsafeUnwrapErr();
    expect(error.code).toBe("invalid_request");
    expect(error.code === "invalid_request" && error.issues).toEqual([
      {
        path: "restore.config.destinationPath",
        message: "must not contain a NUL character (\\u0000)",
      },
    ]);
    expect(await repository.inspect.row(TENANT, 7)).toBeNull();
  });
});

describe("in-memory repository agent requests", () => {
  it("delivers after append returns, never during it", async () => {
    const { repository, plan, apply } = setup();
    const created = await apply({
      tenantId: TENANT,
      restoreId: 7,
      expectedVersion: 0,
      ...plan(null, commands.create(TENANT, 7)),
    });
    const received: AgentRequest[] = [];
    (
      await repository.subscribeAgentRequests(TENANT, AGENT, (r) => received.push(r))
    )._unsafeUnwrap();

    const pending = repository.append({
      tenantId: TENANT,
      restoreId: 7,
      expectedVersion: created.version,
      ...plan(created, commands.start(7)),
    });
    expect(received).toEqual([]);
    await pending;
    await Promise.resolve();
    expect(received.map((r) => r.action)).toEqual(["start"]);
  });

  it("keeps delivering to other listeners when one throws, and the append still succeeds", async () => {
    const { repository, plan, apply } = setup();
    const created = await apply({
      tenantId: TENANT,
      restoreId: 7,
      expectedVersion: 0,
      ...plan(null, commands.create(TENANT, 7)),
    });
    const received: AgentRequest[] = [];
    (
      await repository.subscribeAgentRequests(TENANT, AGENT, () => {
        throw new Error("listener failure");
      })
    )._unsafeUnwrap();
    const delivered = new Promise<void>((resolve) => {
      repository
        .subscribeAgentRequests(TENANT, AGENT, (r) => {
          received.push(r);
          resolve();
        })
        .map(() => undefined);
    });

    const result = await repository.append({
      tenantId: TENANT,
      restoreId: 7,
      expectedVersion: created.version,
      ...plan(created, commands.start(7)),
    });
    await delivered;

    expect(result.isOk()).toBe(true);
    expect(received.map((r) => r.action)).toEqual(["start"]);
  });

  it("does not deliver to a subscription closed between the commit and the delivery", async () => {
    const { repository, plan, apply } = setup();
    const created = await apply({
      tenantId: TENANT,
      restoreId: 7,
      expectedVersion: 0,
      ...plan(null, commands.create(TENANT, 7)),
    });
    const closed: AgentRequest[] = [];
    const open: AgentRequest[] = [];
    const closing = (
      await repository.subscribeAgentRequests(TENANT, AGENT, (r) => closed.push(r))
    )._unsafeUnwrap();
    (await repository.subscribeAgentRequests(TENANT, AGENT, (r) => open.push(r)))._unsafeUnwrap();

    const pending = repository.append({
      tenantId: TENANT,
      restoreId: 7,
      expectedVersion: created.version,
      ...plan(created, commands.start(7)),
    });
    void closing.close();
    await pending;
    await Promise.resolve();

    expect(open.map((r) => r.action)).toEqual(["start"]);
    expect(closed).toEqual([]);
  });

  it("treats one function subscribed twice as two subscriptions", async () => {
    const { repository, plan, apply } = setup();
    const created = await apply({
      tenantId: TENANT,
      restoreId: 7,
      expectedVersion: 0,
      ...plan(null, commands.create(TENANT, 7)),
    });
    const received: AgentRequest[] = [];
    const listener = (r: AgentRequest) => received.push(r);
    const first = (
      await repository.subscribeAgentRequests(TENANT, AGENT, listener)
    )._unsafeUnwrap();
    (await repository.subscribeAgentRequests(TENANT, AGENT, listener))._unsafeUnwrap();
    await first.close();
    await first.close();

    await apply({
      tenantId: TENANT,
      restoreId: 7,
      expectedVersion: created.version,
      ...plan(created, commands.start(7)),
    });
    await Promise.resolve();

    expect(received).toHaveLength(1);
  });
});
