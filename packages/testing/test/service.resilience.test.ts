import {
  type ActionRequest,
  AGENT_REPORTABLE_STATES,
  type AgentReport,
  type BackupCatalog,
  createRestoreService,
  errorStatus,
  fold,
  type PasswordVault,
  type Restore,
  type RestoreError,
  RestoreErrors,
  type RestoreRepository,
  type RestoreService,
  type ServiceErrorReport,
} from "@restorekit/core";
import fc from "fast-check";
import { ResultAsync } from "neverthrow";
import { describe, expect, it } from "vitest";
import {
  agentPrincipal,
  BACKUP_MACHINE_ID,
  DEFAULT_TENANT,
  DESTINATION_MACHINE_ID,
  encryptForAgent,
  type FaultyRepository,
  inMemoryRepository,
  type TestEnvironment,
  testEnvironment,
  UNENCRYPTED_BACKUP_ID,
  withFaults,
} from "../src/index.js";

/** Long property runs get their own timeout, so a loaded 2-core machine cannot fail them. */
const PROPERTY_TIMEOUT_MS = 60_000;

const START: Omit<ActionRequest, "restoreId"> = { action: "StartManual", encryptedPassword: null };

/**
 * The service remembers no restore here, so every command reads the store
 * first and the counts below are those of the read-decide-append loop; the
 * remembered path has its own tests (service.known-restores.test.ts).
 */
function faultyEnvironment(maxAttempts?: number): {
  env: TestEnvironment;
  repository: FaultyRepository;
} {
  const repository = withFaults(inMemoryRepository());
  const env =
    maxAttempts === undefined
      ? testEnvironment({ repository, knownRestores: 0 })
      : testEnvironment({ repository, maxAttempts, knownRestores: 0 });
  return { env, repository };
}

async function created(env: TestEnvironment, encrypted = false): Promise<Restore> {
  return (await env.createRestore({ encrypted }))._unsafeUnwrap();
}

async function snapshot(repository: RestoreRepository, restoreId: number) {
  return {
    restore: (await repository.load(DEFAULT_TENANT, restoreId))._unsafeUnwrap(),
    events: (await repository.readEvents(DEFAULT_TENANT, restoreId))._unsafeUnwrap(),
    sealed: (await repository.readSealedPassword(DEFAULT_TENANT, restoreId))._unsafeUnwrap(),
  };
}

describe("version conflicts", () => {
  it("re-reads and re-decides after lost races, and the command still succeeds", async () => {
    const { env, repository } = faultyEnvironment();
    const restore = await created(env);
    const loadsBefore = repository.calls("load");
    const appendsBefore = repository.calls("append");
    repository.failNext("append", RestoreErrors.versionConflict(restore.restoreId, 1), 2);

    const started = await env.service.requestAction(env.context(), {
      ...START,
      restoreId: restore.restoreId,
    });

    expect(started._unsafeUnwrap().state).toBe("StartRequested");
    expect(repository.calls("load") - loadsBefore).toBe(3);
    expect(repository.calls("append") - appendsBefore).toBe(3);
    const { events } = await snapshot(repository, restore.restoreId);
    expect(events.map((e) => e.event.type)).toEqual(["RestoreCreated", "RestoreStartRequested"]);
  });

  it("gives up with restore_busy (503) after maxAttempts, having written nothing", async () => {
    for (const maxAttempts of [1, 3, 7]) {
      const { env, repository } = faultyEnvironment(maxAttempts);
      const restore = await created(env);
      const before = await snapshot(repository, restore.restoreId);
      const appendsBefore = repository.calls("append");
      const loadsBefore = repository.calls("load");
      repository.failAlways("append", RestoreErrors.versionConflict(restore.restoreId, 1));

      const error = (
        await env.service.requestAction(env.context(), { ...START, restoreId: restore.restoreId })
      )._unsafeUnwrapErr();

      expect(error).toEqual(RestoreErrors.busy(restore.restoreId));
      expect(errorStatus(error)).toBe(503);
      expect(repository.calls("append") - appendsBefore).toBe(maxAttempts);
      expect(repository.calls("load") - loadsBefore).toBe(maxAttempts);
      repository.heal();
      expect(await snapshot(repository, restore.restoreId)).toEqual(before);
    }
  });

  it("tries five times by default", async () => {
    const { env, repository } = faultyEnvironment();
    const restore = await created(env);
    const appendsBefore = repository.calls("append");
    repository.failAlways("append", RestoreErrors.versionConflict(restore.restoreId, 1));

    const result = await env.service.agentReport(env.context(agentPrincipal()), restore.restoreId, {
      state: null,
      report: { filesRestored: 1 },
    });
    // A report on Creating is a conflict before anything is appended: no retries happen.
    expect(result._unsafeUnwrapErr().code).toBe("agent_conflict");
    expect(repository.calls("append") - appendsBefore).toBe(0);

    const busy = await env.service.requestAction(env.context(), {
      ...START,
      restoreId: restore.restoreId,
    });
    expect(busy._unsafeUnwrapErr().code).toBe("restore_busy");
    expect(repository.calls("append") - appendsBefore).toBe(5);
  });

  it("does not retry other append failures", async () => {
    const { env, repository } = faultyEnvironment();
    const restore = await created(env);
    const appendsBefore = repository.calls("append");
    repository.failNext("append", RestoreErrors.storageUnavailable(), 1);

    const error = (
      await env.service.requestAction(env.context(), { ...START, restoreId: restore.restoreId })
    )._unsafeUnwrapErr();

    expect(error.code).toBe("storage_unavailable");
    expect(repository.calls("append") - appendsBefore).toBe(1);
  });

  it("takes another id when the generator hands out a taken one, and reports the fault", async () => {
    const reports: ServiceErrorReport[] = [];
    const repository = withFaults(inMemoryRepository());
    const env = testEnvironment({ repository, onError: (report) => reports.push(report) });
    const taken = env.ids.peek();
    repository.failNext("append", RestoreErrors.versionConflict(taken, 0));

    const restore = (await env.createRestore())._unsafeUnwrap();

    expect(restore.restoreId).toBe(taken + 1);
    expect((await repository.load(DEFAULT_TENANT, taken))._unsafeUnwrap()).toBeNull();
    expect(reports).toEqual([
      {
        operation: "ids.nextRestoreId",
        error: RestoreErrors.exists(taken),
        cause: "the id is already taken",
      },
    ]);
  });

  it("answers internal_error (500), never a conflict, when every id it takes is taken", async () => {
    const reports: ServiceErrorReport[] = [];
    const repository = withFaults(inMemoryRepository());
    const env = testEnvironment({ repository, maxAttempts: 3, onError: (r) => reports.push(r) });
    const first = env.ids.peek();
    repository.failNext("append", RestoreErrors.versionConflict(first, 0), 3);

    const error = (await env.createRestore())._unsafeUnwrapErr();

    expect(error).toEqual(RestoreErrors.internal());
    expect(errorStatus(error)).toBe(500);
    expect(repository.calls("append")).toBe(3);
    expect(reports.map((r) => r.error)).toEqual([
      RestoreErrors.exists(first),
      RestoreErrors.exists(first + 1),
      RestoreErrors.exists(first + 2),
    ]);
  });

  it("passes any other append failure on create through as it is, after one id", async () => {
    const { env, repository } = faultyEnvironment();
    const first = env.ids.peek();
    repository.failNext("append", RestoreErrors.storageUnavailable());

    const error = (await env.createRestore())._unsafeUnwrapErr();

    expect(error).toEqual(RestoreErrors.storageUnavailable());
    expect(errorStatus(error)).toBe(503);
    expect(repository.calls("append")).toBe(1);
    expect(env.ids.peek()).toBe(first + 1);
  });
});

type RaceStep =
  | { readonly by: 0 | 1; readonly kind: "start" | "stop" }
  | { readonly by: 0 | 1; readonly kind: "report"; readonly body: AgentReport };

const arbRaceStep: fc.Arbitrary<RaceStep> = fc.oneof(
  fc.record({
    by: fc.constantFrom(0 as const, 1 as const),
    kind: fc.constantFrom("start" as const, "stop" as const),
  }),
  fc.record({
    by: fc.constantFrom(0 as const, 1 as const),
    kind: fc.constant("report" as const),
    body: fc.record({
      state: fc.option(fc.constantFrom(...AGENT_REPORTABLE_STATES)),
      report: fc.record({ filesRestored: fc.nat({ max: 1000 }) }, { requiredKeys: [] }),
    }),
  }),
);

describe("a real race between two services sharing one store", () => {
  it("never loses an update: every accepted change is in the log and the log folds to the row", {
    timeout: PROPERTY_TIMEOUT_MS,
  }, async () => {
    let racesLost = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.boolean(),
        fc.array(arbRaceStep, { minLength: 2, maxLength: 16 }),
        async (startFirst, steps) => {
          const shared = inMemoryRepository();
          const appended: { version: number; count: number }[] = [];
          let conflicts = 0;
          // Taps the shared store to learn which appends committed; the store itself is real.
          const tapped: RestoreRepository = {
            load: (t, r) => shared.load(t, r),
            append: (request) =>
              shared
                .append(request)
                .map((stored) => {
                  appended.push({ version: stored.version, count: request.events.length });
                  return stored;
                })
                .mapErr((error) => {
                  if (error.code === "version_conflict") conflicts += 1;
                  return error;
                }),
            readEvents: (t, r, p) => shared.readEvents(t, r, p),
            readSealedPassword: (t, r) => shared.readSealedPassword(t, r),
            pendingAgentRequests: (t, a) => shared.pendingAgentRequests(t, a),
            subscribeAgentRequests: (t, a, l) => shared.subscribeAgentRequests(t, a, l),
          };
          const maxAttempts = steps.length + 1;
          const envs = [
            testEnvironment({ repository: tapped, maxAttempts }),
            testEnvironment({ repository: tapped, maxAttempts }),
          ] as const;
          const restore = await created(envs[0]);
          if (startFirst) {
            await envs[0].service.requestAction(envs[0].context(), {
              ...START,
              restoreId: restore.restoreId,
            });
          }
          appended.length = 0;
          conflicts = 0;
          const before = (await shared.load(DEFAULT_TENANT, restore.restoreId))._unsafeUnwrap();

          const results = await Promise.all(
            steps.map((step) => {
              const env = envs[step.by];
              if (step.kind === "report") {
                return env.service.agentReport(
                  env.context(agentPrincipal()),
                  restore.restoreId,
                  step.body,
                );
              }
              return env.service.requestAction(env.context(), {
                action: step.kind === "start" ? "StartManual" : "StopManual",
                restoreId: restore.restoreId,
                encryptedPassword: null,
              });
            }),
          );

          // A version conflict means some command lost a race and was decided again.
          if (conflicts > 0) racesLost += 1;
          const events = (
            await shared.readEvents(DEFAULT_TENANT, restore.restoreId)
          )._unsafeUnwrap();
          const row = (await shared.load(DEFAULT_TENANT, restore.restoreId))._unsafeUnwrap();
          expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
          expect(fold(events.map((e) => e.event))).toEqual({ type: "Existing", restore: row });
          // Each committed append owns its own versions: none was overwritten by another.
          const appendedEvents = appended.reduce((sum, a) => sum + a.count, 0);
          expect(events.length).toBe((before?.version ?? 0) + appendedEvents);
          expect(new Set(appended.map((a) => a.version)).size).toBe(appended.length);
          for (const result of results) {
            if (result.isErr()) {
              // Enough attempts for every writer: losing a race is never the answer.
              expect(result.error.code).not.toBe("restore_busy");
              expect([
                "restore_not_started",
                "restore_stopping",
                "restore_finished",
                "agent_conflict",
                // Racing reports commit in any order, so a lower count may arrive after a higher one.
                "progress_regressed",
              ]).toContain(result.error.code);
              continue;
            }
            // Every answer a caller got is a state the log passed through.
            const prefix = fold(events.slice(0, result.value.version).map((e) => e.event));
            expect(prefix).toEqual({ type: "Existing", restore: result.value });
          }
        },
      ),
      { numRuns: 60 },
    );
    // The property is only worth something if the writers really collided.
    expect(racesLost).toBeGreaterThan(0);
  });
});

describe("an unavailable or misbehaving store", () => {
  it("maps a failed load to storage_unavailable (503) in every use case", async () => {
    const { env, repository } = faultyEnvironment();
    const restore = await created(env);
    const id = restore.restoreId;
    const calls: (() => ResultAsync<unknown, RestoreError>)[] = [
      () => env.service.requestAction(env.context(), { ...START, restoreId: id }),
      () => env.service.getRestore(env.context(), id),
      () => env.service.getReport(env.context(), id),
      () => env.service.listEvents(env.context(), id),
      () => env.service.agentReport(env.context(agentPrincipal()), id, { state: null, report: {} }),
      () =>
        env.service.updateRestore(env.context(), {
          restoreId: id,
          backupId: UNENCRYPTED_BACKUP_ID,
          backupMachineId: BACKUP_MACHINE_ID,
          destinationMachineId: DESTINATION_MACHINE_ID,
          destinationPath: "/x",
          overwriteFiles: false,
        }),
    ];
    for (const call of calls) {
      repository.failNext("load", RestoreErrors.storageUnavailable());
      const error = (await call())._unsafeUnwrapErr();
      expect(error.code).toBe("storage_unavailable");
      expect(errorStatus(error)).toBe(503);
    }
  });

  it("turns a store that throws into storage_unavailable, never a thrown exception", async () => {
    const { env, repository } = faultyEnvironment();
    const restore = await created(env);
    const methods = ["load", "append"] as const;
    for (const method of methods) {
      repository.throwNext(method, new Error("db down at 10.0.0.7 password=hunter2"));
      let pending: ResultAsync<Restore, RestoreError> | undefined;
      expect(() => {
        pending = env.service.requestAction(env.context(), {
          ...START,
          restoreId: restore.restoreId,
        });
      }).not.toThrow();
      if (pending === undefined) throw new Error("requestAction returned nothing");
      const error = (await pending)._unsafeUnwrapErr();
      expect(error.code).toBe("storage_unavailable");
      expect(JSON.stringify(error)).not.toMatch(/db down|hunter2|10\.0\.0\.7/);
    }
    repository.throwNext("readEvents", "a string, not an Error");
    const events = await env.service.listEvents(env.context(), restore.restoreId);
    expect(events._unsafeUnwrapErr().code).toBe("storage_unavailable");
  });

  it("writes nothing when an append fails, and the same command then succeeds", async () => {
    const { env, repository } = faultyEnvironment();
    const restore = await created(env, true);
    const key = restore.backup.publicKey;
    if (key === null) throw new Error("the encrypted test backup must carry a public key");
    const request: ActionRequest = {
      action: "StartManual",
      restoreId: restore.restoreId,
      encryptedPassword: encryptForAgent("pw", key),
    };
    const before = await snapshot(repository, restore.restoreId);

    repository.failNext("append", RestoreErrors.storageUnavailable());
    const failed = await env.service.requestAction(env.context(), request);
    repository.throwNext("append", new Error("connection reset"));
    const thrown = await env.service.requestAction(env.context(), request);

    expect(failed._unsafeUnwrapErr().code).toBe("storage_unavailable");
    expect(thrown._unsafeUnwrapErr().code).toBe("storage_unavailable");
    expect(await snapshot(repository, restore.restoreId)).toEqual(before);
    const retried = await env.service.requestAction(env.context(), request);
    expect(retried._unsafeUnwrap().passwordSealed).toBe(true);
    const after = await snapshot(repository, restore.restoreId);
    expect(after.events).toHaveLength(2);
    expect(after.sealed).not.toBeNull();
  });
});

describe("misbehaving ports", () => {
  function serviceWith(
    env: TestEnvironment,
    overrides: { catalog?: BackupCatalog; vault?: PasswordVault },
  ): RestoreService {
    return createRestoreService({
      repository: env.repository,
      vault: overrides.vault ?? env.vault,
      catalog: overrides.catalog ?? env.catalog,
      clock: env.clock,
      ids: env.ids,
    });
  }

  const input = {
    backupId: UNENCRYPTED_BACKUP_ID,
    backupMachineId: BACKUP_MACHINE_ID,
    destinationMachineId: DESTINATION_MACHINE_ID,
    destinationPath: "/x",
    overwriteFiles: false,
  };

  it("turns a catalog whose resolve throws into internal_error (500), for create and update", async () => {
    const env = testEnvironment();
    const restore = await created(env);
    const throwing: BackupCatalog = {
      resolve() {
        throw new Error("catalog exploded: secret-detail");
      },
    };
    const rejecting: BackupCatalog = {
      resolve: () => new ResultAsync(Promise.reject(new Error("catalog rejected: secret-detail"))),
    };
    for (const catalog of [throwing, rejecting]) {
      const service = serviceWith(env, { catalog });
      const nextId = env.ids.peek();
      const create = (await service.createRestore(env.context(), input))._unsafeUnwrapErr();
      const update = (
        await service.updateRestore(env.context(), { ...input, restoreId: restore.restoreId })
      )._unsafeUnwrapErr();
      expect(create).toEqual(RestoreErrors.internal());
      expect(update).toEqual(RestoreErrors.internal());
      expect(errorStatus(create)).toBe(500);
      expect(env.ids.peek()).toBe(nextId);
    }
  });

  it("turns a vault whose seal throws into internal_error and stores nothing", async () => {
    const env = testEnvironment();
    const restore = await created(env, true);
    const key = restore.backup.publicKey;
    if (key === null) throw new Error("the encrypted test backup must carry a public key");
    const vault: PasswordVault = {
      seal() {
        throw new Error("hsm unreachable");
      },
      open: (sealed, binding) => env.vault.open(sealed, binding),
    };
    const before = await snapshot(env.repository, restore.restoreId);

    const error = (
      await serviceWith(env, { vault }).requestAction(env.context(), {
        action: "StartManual",
        restoreId: restore.restoreId,
        encryptedPassword: encryptForAgent("pw", key),
      })
    )._unsafeUnwrapErr();

    expect(error).toEqual(RestoreErrors.internal());
    expect(await snapshot(env.repository, restore.restoreId)).toEqual(before);
  });

  it("turns an id generator that throws into internal_error", async () => {
    const env = testEnvironment();
    const service = createRestoreService({
      repository: env.repository,
      vault: env.vault,
      catalog: env.catalog,
      clock: env.clock,
      ids: {
        nextRestoreId() {
          throw new RangeError("sequence exhausted");
        },
      },
    });

    const error = (await service.createRestore(env.context(), input))._unsafeUnwrapErr();

    expect(error).toEqual(RestoreErrors.internal());
  });
});
