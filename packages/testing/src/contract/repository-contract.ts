import {
  type Actor,
  AGENT_REPORTABLE_STATES,
  type AgentReportedState,
  type AgentRequest,
  EARLIEST_TIMESTAMP,
  type EventPage,
  fold,
  isActive,
  LATEST_TIMESTAMP,
  LIMITS,
  pendingRequestOf,
  type Restore,
  type RestoreCommand,
  type RestoreError,
  type RestoreErrorCode,
  type RestoreRepository,
  type SealedPassword,
} from "@restorekit/core";
import fc from "fast-check";
import type { ResultAsync } from "neverthrow";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  AGENT,
  agentActor,
  commands,
  decideChange,
  OTHER_AGENT,
  OTHER_TENANT,
  sealedBytes,
  TENANT,
} from "./contract-data.js";
import { type ContractWriter, contractWriter, okValue } from "./contract-writer.js";
import { EDGE_TENANT, edgeContext, edgeCreate, edgeErrors, UNSTORABLE } from "./edge-values.js";
import type { RepositoryInspector } from "./repository-inspector.js";

export type { InspectedRow, RepositoryInspector } from "./repository-inspector.js";

/** The largest restore id any store must hold: ids are safe integers. */
const EDGE_RESTORE_ID = Number.MAX_SAFE_INTEGER;

/** A store under test: the adapter, raw access to its data, and how to release it. */
export interface ContractSubject {
  readonly repository: RestoreRepository;
  readonly inspect: RepositoryInspector;
  readonly close?: () => Promise<void>;
  /**
   * Resolves once the store has told subscribers of every append that has
   * returned; for a store that sends agent requests after its commits
   * rather than inside them. Tests that subscribe after writing wait on it,
   * so they do not hear of requests made before they subscribed.
   */
  readonly settled?: () => Promise<void>;
  /** The store promises `current` in every version conflict on a restore that exists. */
  readonly conflictsCarryCurrent?: boolean;
}

/**
 * Registers the `RestoreRepository` contract as a vitest `describe(name)`
 * block: create and load, tenant isolation, version conflicts, atomicity,
 * event order, `fold(events)` equal to the row, paging, the sealed-password
 * lifecycle, concurrent appends, and agent requests by poll and subscription.
 * Each test gets a fresh subject from `factory`, which decides how stores are
 * isolated (a new map, a new schema...) and is closed after the test.
 *
 * @example
 * ```ts
 * restoreRepositoryContract("in-memory repository", () => {
 *   const repository = inMemoryRepository();
 *   return { repository, inspect: repository.inspect };
 * });
 * ```
 */
export function restoreRepositoryContract(
  name: string,
  factory: () => Promise<ContractSubject> | ContractSubject,
): void {
  describe(name, () => {
    let subject: ContractSubject | undefined;
    let repository: RestoreRepository;
    let inspect: RepositoryInspector;
    let write: ContractWriter;

    beforeEach(async () => {
      subject = await factory();
      repository = subject.repository;
      inspect = subject.inspect;
      write = contractWriter(repository);
    });

    afterEach(async () => {
      await subject?.close?.();
      subject = undefined;
    });

    /** Everything stored about one restore, comparable with `toEqual`. */
    async function snapshot(tenantId: string, restoreId: number) {
      const row = await inspect.row(tenantId, restoreId);
      return {
        restore: row?.restore ?? null,
        sealedPassword: bytesOf(row?.sealedPassword ?? null),
        events: await inspect.events(tenantId, restoreId),
      };
    }

    /** A restore the agent is working on: created, started and taken to InProgress. */
    async function inProgress(restoreId: number, tenantId = TENANT): Promise<Restore> {
      await write.create(tenantId, restoreId);
      await write.run(tenantId, restoreId, commands.start(restoreId));
      return write.run(tenantId, restoreId, commands.report(restoreId, "InProgress"), {
        actor: agentActor(AGENT),
      });
    }

    describe("create and load", () => {
      it("loads a restore it created exactly as appended", async () => {
        const change = write.plan(null, commands.create(TENANT, 7));
        const appended = okValue(
          await repository.append({
            tenantId: TENANT,
            restoreId: 7,
            expectedVersion: 0,
            ...change,
          }),
        );

        expect(appended).toEqual(change.restore);
        expect(okValue(await repository.load(TENANT, 7))).toEqual(change.restore);
        expect(await snapshot(TENANT, 7)).toEqual({
          restore: change.restore,
          sealedPassword: null,
          events: [{ seq: 1, event: change.events[0] }],
        });
      });

      it("answers ok(null) for a restore that does not exist, not an error", async () => {
        await write.create(TENANT, 7);

        expect(okValue(await repository.load(TENANT, 8))).toBeNull();
        expect(okValue(await repository.readEvents(TENANT, 8))).toEqual([]);
        expect(okValue(await repository.readSealedPassword(TENANT, 8))).toBeNull();
        expect(await inspect.row(TENANT, 8)).toBeNull();
        expect(await inspect.events(TENANT, 8)).toEqual([]);
      });
    });

    describe("tenant isolation", () => {
      it("hides a restore from every other tenant", async () => {
        await write.create(TENANT, 7, { encrypted: true });
        await write.run(TENANT, 7, commands.start(7, sealedBytes(1)), {
          sealedPassword: sealedBytes(1),
        });

        expect(okValue(await repository.load(OTHER_TENANT, 7))).toBeNull();
        expect(okValue(await repository.readEvents(OTHER_TENANT, 7))).toEqual([]);
        expect(okValue(await repository.readSealedPassword(OTHER_TENANT, 7))).toBeNull();
        expect(okValue(await repository.pendingAgentRequests(OTHER_TENANT, AGENT))).toEqual([]);
        expect(await inspect.row(OTHER_TENANT, 7)).toBeNull();
      });

      it("keeps appends of another tenant away from it", async () => {
        const ours = await write.create(TENANT, 7);
        const before = await snapshot(TENANT, 7);

        // Another tenant that guesses our id and version writes nothing of ours.
        const guess = write.plan(ours, commands.start(7));
        const stolen = await repository.append({
          tenantId: OTHER_TENANT,
          restoreId: 7,
          expectedVersion: ours.version,
          ...guess,
          previous: { ...ours, tenantId: OTHER_TENANT },
          restore: { ...guess.restore, tenantId: OTHER_TENANT },
        });
        expect(errorCode(stolen)).toBe("version_conflict");

        // The same id under another tenant is another restore.
        const theirs = await write.create(OTHER_TENANT, 7, { agentId: OTHER_AGENT });
        await write.run(OTHER_TENANT, 7, commands.start(7));

        expect(await snapshot(TENANT, 7)).toEqual(before);
        expect(okValue(await repository.load(TENANT, 7))).toEqual(ours);
        expect(okValue(await repository.load(OTHER_TENANT, 7))).toMatchObject({
          tenantId: OTHER_TENANT,
          state: "StartRequested",
          config: theirs.config,
        });
        expect(okValue(await repository.readEvents(OTHER_TENANT, 7))).toHaveLength(2);
      });
    });

    describe("optimistic concurrency", () => {
      it("rejects a stale expectedVersion with version_conflict and writes nothing", async () => {
        const created = await write.create(TENANT, 7);
        await write.run(TENANT, 7, commands.start(7));
        const before = await snapshot(TENANT, 7);

        const stale = write.plan(created, commands.start(7));
        const result = await repository.append({
          tenantId: TENANT,
          restoreId: 7,
          expectedVersion: created.version,
          ...stale,
        });

        expect(errorCode(result)).toBe("version_conflict");
        expect(await snapshot(TENANT, 7)).toEqual(before);
      });

      it("puts the row as stored now in a version conflict, when it tells one", async () => {
        const created = await write.create(TENANT, 7);
        const started = await write.run(TENANT, 7, commands.start(7));
        const stale = write.plan(created, commands.start(7));

        const result = await repository.append({
          tenantId: TENANT,
          restoreId: 7,
          expectedVersion: created.version,
          ...stale,
        });

        expect(result.isErr()).toBe(true);
        if (result.isOk()) return;
        expect(result.error.code).toBe("version_conflict");
        // A store may leave it out (the service then reads); what it gives must be the truth.
        const current = result.error.code === "version_conflict" ? result.error.current : undefined;
        if (current !== undefined) expect(current).toEqual(started);
        if (subject?.conflictsCarryCurrent === true) expect(current).toEqual(started);
      });

      it("rejects an expectedVersion ahead of the stored one", async () => {
        const current = await inProgress(7);
        const before = await snapshot(TENANT, 7);
        const change = write.plan(current, commands.stop(7));

        const result = await repository.append({
          tenantId: TENANT,
          restoreId: 7,
          expectedVersion: current.version + 1,
          previous: { ...current, version: current.version + 1 },
          events: change.events,
          restore: { ...change.restore, version: current.version + 2 },
        });

        expect(errorCode(result)).toBe("version_conflict");
        expect(await snapshot(TENANT, 7)).toEqual(before);
      });

      it("rejects a non-zero expectedVersion for a restore that does not exist", async () => {
        const elsewhere = await write.create(TENANT, 7);
        const change = write.plan(elsewhere, commands.start(7));

        const result = await repository.append({
          tenantId: TENANT,
          restoreId: 8,
          expectedVersion: 1,
          ...change,
          previous: { ...elsewhere, restoreId: 8 },
          restore: { ...change.restore, restoreId: 8 },
        });

        expect(errorCode(result)).toBe("version_conflict");
        expect(await inspect.row(TENANT, 8)).toBeNull();
        expect(await inspect.events(TENANT, 8)).toEqual([]);
      });

      it("rejects creating a restore that exists", async () => {
        await write.create(TENANT, 7);
        const before = await snapshot(TENANT, 7);

        const again = write.plan(null, commands.create(TENANT, 7, { agentId: OTHER_AGENT }));
        const result = await repository.append({
          tenantId: TENANT,
          restoreId: 7,
          expectedVersion: 0,
          ...again,
        });

        expect(errorCode(result)).toBe("version_conflict");
        expect(await snapshot(TENANT, 7)).toEqual(before);
      });

      it("lets exactly one of 20 concurrent appends on one version win", async () => {
        const current = await inProgress(7);
        const changes = Array.from({ length: 20 }, (_, i) =>
          write.plan(
            current,
            commands.report(7, null, { filesRestored: i + 1 }),
            agentActor(AGENT),
          ),
        );

        const results = await Promise.all(
          changes.map((change) =>
            repository.append({
              tenantId: TENANT,
              restoreId: 7,
              expectedVersion: current.version,
              ...change,
            }),
          ),
        );

        const winners = results.flatMap((result, i) => (result.isOk() ? [i] : []));
        expect(winners).toHaveLength(1);
        expect(results.filter((r) => r.isErr()).map(errorCode)).toEqual(
          Array(19).fill("version_conflict"),
        );
        const winner = changes[winners[0] ?? -1];
        const after = await snapshot(TENANT, 7);
        expect(after.restore).toEqual(winner?.restore);
        expect(after.events.map((e) => e.seq)).toEqual(range(1, current.version + 1));
        expect(after.events.at(-1)?.event).toEqual(winner?.events[0]);
      });

      it("lets exactly one of 20 concurrent creates of one restore win", async () => {
        const changes = Array.from({ length: 20 }, (_, i) =>
          write.plan(null, commands.create(TENANT, 7, { agentId: AGENT + i })),
        );

        const results = await Promise.all(
          changes.map((change) =>
            repository.append({ tenantId: TENANT, restoreId: 7, expectedVersion: 0, ...change }),
          ),
        );

        const winners = results.flatMap((result, i) => (result.isOk() ? [i] : []));
        expect(winners).toHaveLength(1);
        expect(results.filter((r) => r.isErr()).map(errorCode)).toEqual(
          Array(19).fill("version_conflict"),
        );
        const winner = changes[winners[0] ?? -1];
        expect(await snapshot(TENANT, 7)).toEqual({
          restore: winner?.restore,
          sealedPassword: null,
          events: [{ seq: 1, event: winner?.events[0] }],
        });
      });
    });

    describe("atomicity", () => {
      it("a failed multi-event append writes none of its events, its row or its password", async () => {
        await write.create(TENANT, 7, { encrypted: true });
        const started = await write.run(TENANT, 7, commands.start(7, sealedBytes(1)), {
          sealedPassword: sealedBytes(1),
        });
        const current = await write.run(TENANT, 7, commands.report(7, "Queued"), {
          actor: agentActor(AGENT),
        });
        const before = await snapshot(TENANT, 7);

        // Planned on the stale row: two events (a state and its data) that must not land.
        const change = write.plan(
          started,
          commands.report(7, "Preparing", { filesRestored: 3 }),
          agentActor(AGENT),
        );
        expect(change.events).toHaveLength(2);
        const result = await repository.append({
          tenantId: TENANT,
          restoreId: 7,
          expectedVersion: started.version,
          ...change,
          sealedPassword: sealedBytes(99),
        });

        expect(errorCode(result)).toBe("version_conflict");
        expect(await snapshot(TENANT, 7)).toEqual(before);
        expect(okValue(await repository.load(TENANT, 7))).toEqual(current);
        expect(bytesOf(okValue(await repository.readSealedPassword(TENANT, 7)))).toEqual(
          bytesOf(sealedBytes(1)),
        );
      });
    });

    describe("event log", () => {
      it("numbers events 1.. in append order without gaps, multi-event appends included", async () => {
        const appended = [];
        const created = write.plan(null, commands.create(TENANT, 7));
        okValue(
          await repository.append({
            tenantId: TENANT,
            restoreId: 7,
            expectedVersion: 0,
            ...created,
          }),
        );
        appended.push(...created.events);
        let current = created.restore;
        const steps: [RestoreCommand, boolean][] = [
          [commands.start(7), false],
          [commands.report(7, "Preparing", { startedTime: "2024-01-01T09:00:00.000Z" }), true],
          [
            commands.report(7, "InProgress", {
              filesRestored: 10,
              bytesRestored: 4096,
              totalBytes: 8192,
              bytesRemaining: 4096,
            }),
            true,
          ],
          [commands.report(7, "Completed", { filesRestored: 12, bytesRestored: 8192 }), true],
        ];
        for (const [command, byAgent] of steps) {
          const change = write.plan(current, command, byAgent ? agentActor(AGENT) : undefined);
          current = okValue(
            await repository.append({
              tenantId: TENANT,
              restoreId: 7,
              expectedVersion: current.version,
              ...change,
            }),
          );
          appended.push(...change.events);
        }

        const stored = await inspect.events(TENANT, 7);
        expect(appended.length).toBeGreaterThan(steps.length + 1);
        expect(stored).toEqual(appended.map((event, i) => ({ seq: i + 1, event })));
        expect(okValue(await repository.readEvents(TENANT, 7))).toEqual(stored);
      });

      it("stores exactly the row that folding its events gives", async () => {
        await inProgress(7);
        await write.run(TENANT, 7, commands.report(7, null, { filesRestored: 5 }), {
          actor: agentActor(AGENT),
        });
        await write.run(TENANT, 7, commands.stop(7));
        await write.run(
          TENANT,
          7,
          commands.report(7, "Stopped", { endedTime: "2024-01-01T10:00:00.000Z" }),
          { actor: agentActor(AGENT) },
        );

        await expectFolded(TENANT, 7);
        expect((await inspect.row(TENANT, 7))?.restore.state).toBe("Stopped");
      });

      it("keeps row == fold(events), gap-free seq and the password rule for any command sequence", async () => {
        let nextId = 1000;
        await fc.assert(
          fc.asyncProperty(
            fc.boolean(),
            fc.array(stepArbitrary, { maxLength: 10 }),
            async (encrypted, steps) => {
              nextId += 1;
              const restoreId = nextId;
              await write.create(TENANT, restoreId, { encrypted });
              for (const [i, step] of steps.entries()) {
                await applyStep(restoreId, step, encrypted, i);
                await expectFolded(TENANT, restoreId);
                const row = await inspect.row(TENANT, restoreId);
                const holdsPassword = encrypted && row !== null && isActive(row.restore.state);
                expect(row?.sealedPassword !== null).toBe(holdsPassword);
                expect(row?.restore.passwordSealed).toBe(holdsPassword);
              }
            },
          ),
          { numRuns: 30 },
        );
        // Hundreds of round trips: generous for stores over a network or in WASM.
      }, 60_000);

      /** Restore 7 in progress with two progress reports: a log of five events, read whole. */
      async function fiveEvents() {
        await inProgress(7);
        for (const filesRestored of [1, 2]) {
          await write.run(TENANT, 7, commands.report(7, null, { filesRestored }), {
            actor: agentActor(AGENT),
          });
        }
        const all = okValue(await repository.readEvents(TENANT, 7));
        expect(all.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5]);
        return all;
      }

      it("pages with afterSeq and limit", async () => {
        const all = await fiveEvents();

        const seqs = async (page: { afterSeq?: number; limit?: number }) =>
          okValue(await repository.readEvents(TENANT, 7, page)).map((e) => e.seq);
        expect(await seqs({ afterSeq: 2 })).toEqual([3, 4, 5]);
        expect(await seqs({ limit: 2 })).toEqual([1, 2]);
        expect(await seqs({ afterSeq: 1, limit: 2 })).toEqual([2, 3]);
        expect(await seqs({ afterSeq: 4, limit: 10 })).toEqual([5]);
        expect(await seqs({ afterSeq: 5 })).toEqual([]);

        const paged = [];
        let afterSeq = 0;
        for (;;) {
          const page = okValue(await repository.readEvents(TENANT, 7, { afterSeq, limit: 2 }));
          if (page.length === 0) break;
          paged.push(...page);
          afterSeq = page.at(-1)?.seq ?? afterSeq;
        }
        expect(paged).toEqual(all);

        await fc.assert(
          fc.asyncProperty(
            fc.nat({ max: 7 }),
            fc.integer({ min: 1, max: 7 }),
            async (afterSeq, limit) => {
              const page = okValue(await repository.readEvents(TENANT, 7, { afterSeq, limit }));
              expect(page).toEqual(all.filter((e) => e.seq > afterSeq).slice(0, limit));
            },
          ),
          { numRuns: 25 },
        );
      });

      it("pages newest first with order desc, and bounds either end with beforeSeq", async () => {
        const all = await fiveEvents();
        const seqs = async (page: EventPage) =>
          okValue(await repository.readEvents(TENANT, 7, page)).map((e) => e.seq);
        expect(await seqs({ order: "desc" })).toEqual([5, 4, 3, 2, 1]);
        expect(await seqs({ order: "desc", limit: 2 })).toEqual([5, 4]);
        expect(await seqs({ order: "desc", beforeSeq: 3 })).toEqual([2, 1]);
        expect(await seqs({ beforeSeq: 3 })).toEqual([1, 2]);
        expect(await seqs({ order: "desc", afterSeq: 1, beforeSeq: 4 })).toEqual([3, 2]);
        expect(await seqs({ order: "desc", beforeSeq: 1 })).toEqual([]);

        await fc.assert(
          fc.asyncProperty(
            fc.nat({ max: 7 }),
            fc.option(fc.nat({ max: 7 }), { nil: undefined }),
            fc.integer({ min: 0, max: 7 }),
            fc.constantFrom("asc" as const, "desc" as const),
            async (afterSeq, beforeSeq, limit, order) => {
              const page = okValue(
                await repository.readEvents(TENANT, 7, {
                  afterSeq,
                  limit,
                  order,
                  ...(beforeSeq === undefined ? {} : { beforeSeq }),
                }),
              );
              const within = all.filter(
                (e) => e.seq > afterSeq && (beforeSeq === undefined || e.seq < beforeSeq),
              );
              const ordered = order === "desc" ? [...within].reverse() : within;
              expect(page).toEqual(ordered.slice(0, limit));
            },
          ),
          { numRuns: 25 },
        );
      });
    });

    describe("values at the edges", () => {
      it("gives back exactly the longest texts, the largest numbers and the first and last instants", async () => {
        const create = edgeCreate(EDGE_RESTORE_ID);
        const created = okValue(await repository.append(create));
        expect(created).toEqual(create.restore);
        const appended = [...create.events];
        let current = created;
        const steps: [RestoreCommand, Actor, SealedPassword | null][] = [
          [
            commands.start(EDGE_RESTORE_ID, sealedBytes(9)),
            edgeContext(LATEST_TIMESTAMP).actor,
            sealedBytes(9),
          ],
          [
            commands.report(EDGE_RESTORE_ID, "InProgress", {
              startedTime: EARLIEST_TIMESTAMP,
              filesRestored: Number.MAX_SAFE_INTEGER,
              bytesRestored: Number.MAX_SAFE_INTEGER,
              totalBytes: Number.MAX_SAFE_INTEGER,
              bytesRemaining: 0,
              errors: edgeErrors(false),
            }),
            agentActor(AGENT),
            null,
          ],
          [
            commands.report(EDGE_RESTORE_ID, "CompletedWithErrors", {
              endedTime: LATEST_TIMESTAMP,
              errors: edgeErrors(true),
            }),
            agentActor(AGENT),
            null,
          ],
        ];
        for (const [command, actor, sealed] of steps) {
          const change = okValue(
            decideChange(current, command, { ...edgeContext(EARLIEST_TIMESTAMP), actor }),
          );
          if (change === null) throw new Error("contract setup: an edge step was a no-op");
          current = okValue(
            await repository.append({
              tenantId: EDGE_TENANT,
              restoreId: EDGE_RESTORE_ID,
              expectedVersion: current.version,
              ...change,
              sealedPassword: sealed,
            }),
          );
          expect(current).toEqual(change.restore);
          appended.push(...change.events);
        }

        await expectFolded(EDGE_TENANT, EDGE_RESTORE_ID);
        expect(okValue(await repository.load(EDGE_TENANT, EDGE_RESTORE_ID))).toEqual(current);
        expect(okValue(await repository.readEvents(EDGE_TENANT, EDGE_RESTORE_ID))).toEqual(
          appended.map((event, i) => ({ seq: i + 1, event })),
        );
        expect(current.progress.errors?.list).toHaveLength(LIMITS.errorList);
      }, 60_000);

      it.each(UNSTORABLE)(
        "refuses $what as invalid_request naming $field, writing nothing",
        async ({ apply, field }) => {
          const request = apply(edgeCreate(EDGE_RESTORE_ID));

          const result = await repository.append(request);

          const error = result.isErr() ? result.error : null;
          expect(error?.code).toBe("invalid_request");
          const paths = error?.code === "invalid_request" ? error.issues.map((i) => i.path) : [];
          expect(paths.length).toBeGreaterThan(0);
          expect(paths.every((path) => path.endsWith(field))).toBe(true);
          expect(await inspect.row(EDGE_TENANT, EDGE_RESTORE_ID)).toBeNull();
          expect(await inspect.events(EDGE_TENANT, EDGE_RESTORE_ID)).toEqual([]);
        },
      );
    });

    describe("sealed password", () => {
      it("is stored on start, kept while active and destroyed on a terminal state", async () => {
        await write.create(TENANT, 7, { encrypted: true });
        await write.run(TENANT, 7, commands.start(7, sealedBytes(1)), {
          sealedPassword: sealedBytes(1),
        });
        const held = bytesOf(sealedBytes(1));
        await expectSealed(7, held);

        await write.run(TENANT, 7, commands.report(7, "Queued"), { actor: agentActor(AGENT) });
        await expectSealed(7, held);
        await write.run(TENANT, 7, commands.report(7, "InProgress", { filesRestored: 1 }), {
          actor: agentActor(AGENT),
        });
        await expectSealed(7, held);
        await write.run(TENANT, 7, commands.stop(7));
        await expectSealed(7, held);

        await write.run(TENANT, 7, commands.report(7, "Completed"), { actor: agentActor(AGENT) });
        await expectSealed(7, null);
        expect((await inspect.row(TENANT, 7))?.restore.passwordSealed).toBe(false);
      });

      it("is destroyed when a restore is cancelled before the agent took it", async () => {
        await write.create(TENANT, 7, { encrypted: true });
        await write.run(TENANT, 7, commands.start(7, sealedBytes(1)), {
          sealedPassword: sealedBytes(1),
        });
        await write.run(TENANT, 7, commands.stop(7));

        expect((await inspect.row(TENANT, 7))?.restore.state).toBe("Stopped");
        await expectSealed(7, null);
      });

      it("is never stored on a row that holds no password, whatever the append says", async () => {
        await write.create(TENANT, 7, { encrypted: true });
        await write.run(TENANT, 7, commands.start(7, sealedBytes(1)), {
          sealedPassword: sealedBytes(1),
        });
        await write.run(TENANT, 7, commands.report(7, "Failed"), {
          actor: agentActor(AGENT),
          sealedPassword: sealedBytes(2),
        });
        await expectSealed(7, null);

        await write.create(TENANT, 8);
        await write.run(TENANT, 8, commands.start(8), { sealedPassword: sealedBytes(3) });
        await expectSealed(8, null);
      });
    });

    describe("agent requests", () => {
      it("lists the pending start and stop requests of one agent in one tenant", async () => {
        await write.create(TENANT, 1);
        await write.run(TENANT, 1, commands.start(1));
        await inProgress(2);
        await inProgress(3);
        await write.run(TENANT, 3, commands.stop(3));
        await write.create(TENANT, 4);
        await write.create(TENANT, 5, { agentId: OTHER_AGENT });
        await write.run(TENANT, 5, commands.start(5));
        await write.create(OTHER_TENANT, 6);
        await write.run(OTHER_TENANT, 6, commands.start(6));

        const pending = okValue(await repository.pendingAgentRequests(TENANT, AGENT));
        const expected = await Promise.all(
          [1, 3].map(async (id) =>
            pendingRequestOf(okValue(await repository.load(TENANT, id)) as Restore),
          ),
        );
        expect(byRestoreId(pending)).toEqual(expected);
        expect(expected.map((r) => r?.action)).toEqual(["start", "stop"]);
        expect(okValue(await repository.pendingAgentRequests(TENANT, OTHER_AGENT))).toEqual([
          { tenantId: TENANT, restoreId: 5, agentId: OTHER_AGENT, action: "start", version: 2 },
        ]);
        expect(okValue(await repository.pendingAgentRequests(OTHER_TENANT, OTHER_AGENT))).toEqual(
          [],
        );
      });

      it("delivers a request after its commit, to that tenant and agent only", async () => {
        const ours = mailbox();
        const otherTenant = mailbox();
        const otherAgent = mailbox();
        const seen: PromiseLike<Restore | null>[] = [];
        const subscriptions = [
          okValue(
            await repository.subscribeAgentRequests(TENANT, AGENT, (request) => {
              ours.listener(request);
              // Calling back into the store from a listener must work and see the commit.
              seen.push(repository.load(request.tenantId, request.restoreId).then(okValue));
            }),
          ),
          okValue(
            await repository.subscribeAgentRequests(OTHER_TENANT, AGENT, otherTenant.listener),
          ),
          okValue(
            await repository.subscribeAgentRequests(TENANT, OTHER_AGENT, otherAgent.listener),
          ),
        ];
        try {
          await write.create(TENANT, 7);
          const started = await write.run(TENANT, 7, commands.start(7));

          expect(await ours.until(1)).toEqual([
            {
              tenantId: TENANT,
              restoreId: 7,
              agentId: AGENT,
              action: "start",
              version: started.version,
            },
          ]);
          const loaded = await Promise.all(seen);
          expect(loaded.map((r) => [r?.state, r?.version])).toEqual([
            ["StartRequested", started.version],
          ]);

          // Later requests that are theirs reach them, and nothing of ours came first.
          await write.create(OTHER_TENANT, 8);
          await write.run(OTHER_TENANT, 8, commands.start(8));
          await write.create(TENANT, 9, { agentId: OTHER_AGENT });
          await write.run(TENANT, 9, commands.start(9));
          expect((await otherTenant.until(1)).map((r) => [r.tenantId, r.restoreId])).toEqual([
            [OTHER_TENANT, 8],
          ]);
          expect((await otherAgent.until(1)).map((r) => [r.agentId, r.restoreId])).toEqual([
            [OTHER_AGENT, 9],
          ]);
          expect(ours.received).toHaveLength(1);
        } finally {
          for (const subscription of subscriptions) await subscription.close();
        }
      });

      it("delivers nothing to a closed subscription", async () => {
        const closed = mailbox();
        const open = mailbox();
        const closing = okValue(
          await repository.subscribeAgentRequests(TENANT, AGENT, closed.listener),
        );
        const staying = okValue(
          await repository.subscribeAgentRequests(TENANT, AGENT, open.listener),
        );
        try {
          await closing.close();
          await write.create(TENANT, 7);
          await write.run(TENANT, 7, commands.start(7));

          expect((await open.until(1)).map((r) => r.action)).toEqual(["start"]);
          expect(closed.received).toEqual([]);
        } finally {
          await staying.close();
        }
      });

      it("does not tell an agent of changes it reported itself", async () => {
        const inbox = mailbox();
        await inProgress(7);
        await inProgress(8);
        // Restore 7 and 8's starts were requests to this agent, made before it subscribed.
        await subject?.settled?.();
        const subscription = okValue(
          await repository.subscribeAgentRequests(TENANT, AGENT, inbox.listener),
        );
        try {
          // The agent asks to stop (an agent-side stop) and then finishes another restore.
          await write.run(TENANT, 7, commands.report(7, "StopRequested"), {
            actor: agentActor(AGENT),
          });
          await write.run(TENANT, 8, commands.report(8, "Completed"), { actor: agentActor(AGENT) });
          // A user's start is a request the agent must hear of, and the first it hears.
          await write.create(TENANT, 9);
          const started = await write.run(TENANT, 9, commands.start(9));

          expect(await inbox.until(1)).toEqual([
            {
              tenantId: TENANT,
              restoreId: 9,
              agentId: AGENT,
              action: "start",
              version: started.version,
            },
          ]);
          expect(inbox.received).toHaveLength(1);
          expect((await inspect.row(TENANT, 7))?.restore.state).toBe("StopRequested");
        } finally {
          await subscription.close();
        }
      });
    });

    async function expectFolded(tenantId: string, restoreId: number): Promise<void> {
      const events = await inspect.events(tenantId, restoreId);
      expect(events.map((e) => e.seq)).toEqual(range(1, events.length));
      const folded = fold(events.map((e) => e.event));
      const row = await inspect.row(tenantId, restoreId);
      expect(folded.type).toBe("Existing");
      if (folded.type === "Existing") expect(row?.restore).toEqual(folded.restore);
      expect(okValue(await repository.load(tenantId, restoreId))).toEqual(row?.restore);
    }

    async function expectSealed(restoreId: number, expected: number[] | null): Promise<void> {
      expect(bytesOf((await inspect.row(TENANT, restoreId))?.sealedPassword ?? null)).toEqual(
        expected,
      );
      expect(bytesOf(okValue(await repository.readSealedPassword(TENANT, restoreId)))).toEqual(
        expected,
      );
    }

    /** Applies one random step if the domain accepts it; a rejection writes nothing. */
    async function applyStep(restoreId: number, step: Step, encrypted: boolean, i: number) {
      const current = okValue(await repository.load(TENANT, restoreId)) as Restore;
      const sealed = step.kind === "start" && encrypted ? sealedBytes(i) : null;
      const command =
        step.kind === "start"
          ? commands.start(restoreId, sealed)
          : step.kind === "stop"
            ? commands.stop(restoreId)
            : commands.report(restoreId, step.state, {
                ...(step.files === null ? {} : { filesRestored: step.files }),
                // An estimate, so it may go down as well as up.
                ...(step.total === null ? {} : { totalBytes: step.total }),
              });
      const actor = step.kind === "report" ? agentActor(AGENT) : undefined;
      const decided = write.decide(current, command, actor);
      if (decided.isErr() || decided.value === null) return;
      const change = decided.value;
      okValue(
        await repository.append({
          tenantId: TENANT,
          restoreId,
          expectedVersion: current.version,
          ...change,
          sealedPassword: sealed,
        }),
      );
    }
  });
}

type Step =
  | { readonly kind: "start" }
  | { readonly kind: "stop" }
  | {
      readonly kind: "report";
      readonly state: AgentReportedState | null;
      readonly files: number | null;
      readonly total: number | null;
    };

const stepArbitrary: fc.Arbitrary<Step> = fc.oneof(
  fc.constant({ kind: "start" } as const),
  fc.constant({ kind: "stop" } as const),
  fc.record({
    kind: fc.constant("report" as const),
    state: fc.constantFrom(null, ...AGENT_REPORTABLE_STATES),
    files: fc.option(fc.nat({ max: 1000 }), { nil: null }),
    total: fc.option(fc.maxSafeNat(), { nil: null }),
  }),
);

/** Collects delivered requests; `until(n)` resolves once n have arrived. */
function mailbox() {
  const received: AgentRequest[] = [];
  const waiting: { count: number; resolve: (requests: AgentRequest[]) => void }[] = [];
  const settle = () => {
    for (const waiter of [...waiting]) {
      if (received.length >= waiter.count) {
        waiting.splice(waiting.indexOf(waiter), 1);
        waiter.resolve([...received]);
      }
    }
  };
  return {
    received,
    listener: (request: AgentRequest) => {
      received.push(request);
      settle();
    },
    until(count: number): Promise<AgentRequest[]> {
      return new Promise((resolve) => {
        waiting.push({ count, resolve });
        settle();
      });
    },
  };
}

function errorCode<T>(result: Awaited<ResultAsync<T, RestoreError>>): RestoreErrorCode | "ok" {
  return result.isErr() ? result.error.code : "ok";
}

function bytesOf(bytes: Uint8Array | SealedPassword | null): number[] | null {
  return bytes === null ? null : Array.from(bytes);
}

function range(from: number, to: number): number[] {
  return Array.from({ length: Math.max(0, to - from + 1) }, (_, i) => from + i);
}

function byRestoreId(requests: readonly AgentRequest[]): AgentRequest[] {
  return [...requests].sort((a, b) => a.restoreId - b.restoreId);
}
