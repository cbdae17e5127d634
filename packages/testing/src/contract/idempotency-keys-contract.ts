import type {
  AppendRequest,
  IdempotencyClaim,
  IdempotencyKeys,
  IdempotencyScope,
  RestoreRepository,
  StoredResponse,
} from "@restorekit/core";
import fc from "fast-check";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  commands,
  contexts,
  OTHER_TENANT,
  planChange,
  TENANT,
  userActor,
} from "./contract-data.js";

/** An `IdempotencyKeys` under test, with the repository whose appends answer its keys. */
export interface IdempotencyKeysSubject {
  readonly keys: IdempotencyKeys;
  readonly repository: RestoreRepository;
  /**
   * The stored row of a key, read without the port (raw SQL for Postgres):
   * to check what the port wrote, not only what it answers.
   */
  readonly row: (
    scope: IdempotencyScope,
    key: string,
  ) => Promise<{ fingerprint: string; response: StoredResponse | null } | null>;
  readonly close?: () => Promise<void>;
}

const T0 = Date.parse("2026-03-01T09:00:00.000Z");
const LOCK = 60_000;
const KEEP = 24 * 60 * 60 * 1000;
const SCOPE: IdempotencyScope = { tenantId: TENANT, principal: "user:alice" };

const claimOf = (
  key: string,
  options: { fingerprint?: string; at?: number; scope?: IdempotencyScope } = {},
): IdempotencyClaim => ({
  scope: options.scope ?? SCOPE,
  key,
  fingerprint: options.fingerprint ?? "f".repeat(64),
  now: new Date(options.at ?? T0),
  lockMs: LOCK,
  keepMs: KEEP,
});

const RESPONSE: StoredResponse = {
  status: 200,
  headers: { "content-type": "application/json; charset=utf-8", etag: '"1"' },
  body: '{"RestoreId":1,"DestinationPath":"C:\\\\caf\u00e9 \u{1F600}"}',
};

let restoreIds = 9_000;

/** A create of a fresh restore, decided as the service would. */
function createAppend(tenantId = TENANT): AppendRequest {
  restoreIds += 1;
  const change = planChange(null, commands.create(tenantId, restoreIds), contexts()(userActor));
  if (change === null) throw new Error("a create is never a no-op");
  return { tenantId, restoreId: restoreIds, expectedVersion: 0, ...change };
}

/**
 * Registers the `IdempotencyKeys` contract as a vitest `describe(name)`:
 * claims, replays, refusals, lapsed claims, retention, purge, scope
 * isolation, and the response committed by an append with the change or
 * not at all. Each test gets a fresh subject.
 *
 * @example
 * ```ts
 * idempotencyKeysContract("in memory", async () => {
 *   const repository = inMemoryRepository();
 *   const keys = repository.idempotencyKeys;
 *   return { keys, repository, row: async (scope, key) => keys.row(scope, key) };
 * });
 * ```
 */
export function idempotencyKeysContract(
  name: string,
  makeSubject: () => Promise<IdempotencyKeysSubject>,
): void {
  describe(name, () => {
    let subject: IdempotencyKeysSubject;
    beforeEach(async () => {
      subject = await makeSubject();
    });
    afterEach(async () => {
      await subject.close?.();
    });
    const claim = async (key: string, options?: Parameters<typeof claimOf>[1]) =>
      (await subject.keys.claim(claimOf(key, options)))._unsafeUnwrap().kind;

    it("claims a new key once: the same request again is in_use, another is reused", async () => {
      expect(await claim("k1")).toBe("claimed");
      expect(await claim("k1", { at: T0 + 1 })).toBe("in_use");
      expect(await claim("k1", { fingerprint: "e".repeat(64) })).toBe("reused");
      expect(await subject.row(SCOPE, "k1")).toEqual({
        fingerprint: "f".repeat(64),
        response: null,
      });
    });

    it("replays the first response exactly, and keeps it over a later one", async () => {
      await claim("k1");
      (await subject.keys.complete(SCOPE, "k1", RESPONSE))._unsafeUnwrap();
      (
        await subject.keys.complete(SCOPE, "k1", { status: 500, headers: {}, body: null })
      )._unsafeUnwrap();
      const replay = (await subject.keys.claim(claimOf("k1", { at: T0 + 5 })))._unsafeUnwrap();
      expect(replay).toEqual({ kind: "replay", response: RESPONSE });
      expect((await subject.row(SCOPE, "k1"))?.response).toEqual(RESPONSE);
      expect(await claim("k1", { fingerprint: "e".repeat(64) })).toBe("reused");
    });

    it("replays a response without a body as null", async () => {
      const empty: StoredResponse = { status: 204, headers: { etag: '"3"' }, body: null };
      await claim("k1");
      (await subject.keys.complete(SCOPE, "k1", empty))._unsafeUnwrap();
      expect((await subject.keys.claim(claimOf("k1")))._unsafeUnwrap()).toEqual({
        kind: "replay",
        response: empty,
      });
    });

    it("release frees an unanswered key and leaves an answered one", async () => {
      await claim("k1");
      (await subject.keys.release(SCOPE, "k1"))._unsafeUnwrap();
      expect(await subject.row(SCOPE, "k1")).toBeNull();
      expect(await claim("k1", { fingerprint: "e".repeat(64) })).toBe("claimed");
      (await subject.keys.complete(SCOPE, "k1", RESPONSE))._unsafeUnwrap();
      (await subject.keys.release(SCOPE, "k1"))._unsafeUnwrap();
      expect(await claim("k1", { fingerprint: "e".repeat(64) })).toBe("replay");
    });

    it("a lapsed claim is taken again by the same request only", async () => {
      await claim("k1");
      expect(await claim("k1", { at: T0 + LOCK - 1 })).toBe("in_use");
      expect(await claim("k1", { at: T0 + LOCK, fingerprint: "e".repeat(64) })).toBe("reused");
      expect(await claim("k1", { at: T0 + LOCK })).toBe("claimed");
      expect(await claim("k1", { at: T0 + LOCK + 1 })).toBe("in_use");
    });

    it("a key past its retention is new again, answered or not", async () => {
      await claim("k1");
      (await subject.keys.complete(SCOPE, "k1", RESPONSE))._unsafeUnwrap();
      expect(await claim("k1", { at: T0 + KEEP - 1 })).toBe("replay");
      expect(await claim("k1", { at: T0 + KEEP, fingerprint: "e".repeat(64) })).toBe("claimed");
      expect(await subject.row(SCOPE, "k1")).toEqual({
        fingerprint: "e".repeat(64),
        response: null,
      });
    });

    it("purges keys past their retention, oldest first, at most `limit`", async () => {
      await claim("old1", { at: T0 });
      await claim("old2", { at: T0 + 1 });
      await claim("old3", { at: T0 + 2 });
      await claim("young", { at: T0 + KEEP });
      const now = new Date(T0 + KEEP + 2);
      expect((await subject.keys.purgeExpired(now, 2))._unsafeUnwrap()).toBe(2);
      expect(await subject.row(SCOPE, "old1")).toBeNull();
      expect(await subject.row(SCOPE, "old2")).toBeNull();
      expect(await subject.row(SCOPE, "old3")).not.toBeNull();
      expect((await subject.keys.purgeExpired(now, 10))._unsafeUnwrap()).toBe(1);
      expect((await subject.keys.purgeExpired(now, 10))._unsafeUnwrap()).toBe(0);
      expect(await subject.row(SCOPE, "young")).not.toBeNull();
    });

    it("keys of another sender or tenant are others' keys", async () => {
      await claim("k1");
      (await subject.keys.complete(SCOPE, "k1", RESPONSE))._unsafeUnwrap();
      expect(await claim("k1", { scope: { ...SCOPE, principal: "agent:7" } })).toBe("claimed");
      expect(await claim("k1", { scope: { ...SCOPE, tenantId: OTHER_TENANT } })).toBe("claimed");
      expect(await claim("k1", { scope: { ...SCOPE, principal: "user:alice2" } })).toBe("claimed");
      expect(await claim("k1")).toBe("replay");
    });

    it("keys are kept exactly, whatever printable ASCII they hold", async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.string({
            unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)),
            minLength: 1,
            maxLength: 255,
          }),
          async (key) => {
            const scope = { ...SCOPE, principal: `user:${key.length}-${Math.random()}` };
            expect(await claim(key, { scope })).toBe("claimed");
            (await subject.keys.complete(scope, key, RESPONSE))._unsafeUnwrap();
            expect(await claim(key, { scope })).toBe("replay");
            expect(await claim(key === "a" ? "b" : "a", { scope })).toBe("claimed");
          },
        ),
        { numRuns: 30 },
      );
    });

    describe("answered by an append", () => {
      it("an append under a claimed key commits the response with the change", async () => {
        await claim("k1");
        const append = createAppend();
        const stored = await subject.repository.append({
          ...append,
          idempotency: { scope: SCOPE, key: "k1", response: RESPONSE },
        });
        expect(stored.isOk()).toBe(true);
        expect((await subject.row(SCOPE, "k1"))?.response).toEqual(RESPONSE);
        expect(await claim("k1")).toBe("replay");
      });

      it("an append that fails (a version conflict) leaves the key unanswered", async () => {
        const append = createAppend();
        (await subject.repository.append(append))._unsafeUnwrap();
        await claim("k1");
        const again = await subject.repository.append({
          ...append,
          idempotency: { scope: SCOPE, key: "k1", response: RESPONSE },
        });
        expect(again._unsafeUnwrapErr().code).toBe("version_conflict");
        expect(await subject.row(SCOPE, "k1")).toEqual({
          fingerprint: "f".repeat(64),
          response: null,
        });
        expect(await claim("k1", { at: T0 + 1 })).toBe("in_use");
      });

      it("an append refused by the store's checks leaves the key unanswered", async () => {
        await claim("k1");
        const append = createAppend();
        const refused = await subject.repository.append({
          ...append,
          idempotency: {
            scope: { ...SCOPE, tenantId: OTHER_TENANT },
            key: "k1",
            response: RESPONSE,
          },
        });
        expect(refused._unsafeUnwrapErr().code).toBe("internal_error");
        expect((await subject.row(SCOPE, "k1"))?.response).toBeNull();
        expect(
          (await subject.repository.load(TENANT, append.restoreId))._unsafeUnwrap(),
        ).toBeNull();
      });

      it("an append does not overwrite a key already answered", async () => {
        await claim("k1");
        (await subject.keys.complete(SCOPE, "k1", RESPONSE))._unsafeUnwrap();
        const other: StoredResponse = { status: 204, headers: {}, body: null };
        (
          await subject.repository.append({
            ...createAppend(),
            idempotency: { scope: SCOPE, key: "k1", response: other },
          })
        )._unsafeUnwrap();
        expect((await subject.row(SCOPE, "k1"))?.response).toEqual(RESPONSE);
      });
    });
  });
}
