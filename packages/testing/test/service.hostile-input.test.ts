import {
  type BackupCatalog,
  type Clock,
  type IdGenerator,
  type Principal,
  type RequestContext,
  type RestoreError,
  RestoreErrors,
  type RestoreService,
  type ServiceErrorReport,
} from "@restorekit/core";
import fc from "fast-check";
import { errAsync, okAsync, type Result } from "neverthrow";
import { describe, expect, it } from "vitest";
import {
  agentPrincipal,
  DEFAULT_TENANT,
  encryptForAgent,
  fakeBackupCatalog,
  inMemoryPasswordVault,
  inMemoryRepository,
  type TestEnvironment,
  type TestEnvironmentOptions,
  testEnvironment,
  userPrincipal,
  withFaults,
} from "../src/index.js";

/** Long property runs get their own timeout, so a loaded 2-core machine cannot fail them. */
const PROPERTY_TIMEOUT_MS = 60_000;

const START = { action: "StartManual", encryptedPassword: null } as const;

function reporting() {
  const reports: ServiceErrorReport[] = [];
  const repository = withFaults(inMemoryRepository());
  const env = testEnvironment({ repository, onError: (report) => reports.push(report) });
  return { env, repository, reports };
}

/** Values built to trip code that trusts its input: prototype keys, cycles, wrong types, odd text. */
const hostile: fc.Arbitrary<unknown> = fc.oneof(
  fc.anything({ withNullPrototype: true, withBoxedValues: true, withMap: true }),
  fc.constantFrom("constructor", "__proto__", "toString", "\u0000", "\ud800", "", " "),
  fc.constantFrom(Number.NaN, -1, 0, 1.5, 2 ** 53, Number.POSITIVE_INFINITY, 13689),
  fc.anything().map((inner) => {
    const node: Record<string, unknown> = { inner };
    node.self = node;
    return node;
  }),
);

const hostileContext: fc.Arbitrary<unknown> = fc.oneof(
  hostile,
  fc.record({
    principal: fc.oneof(
      hostile,
      fc.constant(userPrincipal()),
      fc.record({ type: fc.constant("user"), userId: hostile, tenantId: hostile, roles: hostile }),
    ),
    tenantId: fc.oneof(hostile, fc.constant(DEFAULT_TENANT)),
    requestId: fc.oneof(hostile, fc.constant("req-1")),
  }),
);

type Call = (service: RestoreService, context: unknown, a: unknown, b: unknown) => unknown;

const CALLS: Record<string, Call> = {
  requestAction: (s, c, a) => s.requestAction(c as RequestContext, a as never),
  createRestore: (s, c, a) => s.createRestore(c as RequestContext, a as never),
  updateRestore: (s, c, a) => s.updateRestore(c as RequestContext, a as never),
  getRestore: (s, c, a) => s.getRestore(c as RequestContext, a as never),
  getReport: (s, c, a) => s.getReport(c as RequestContext, a as never),
  listEvents: (s, c, a, b) => s.listEvents(c as RequestContext, a as never, b as never),
  agentReport: (s, c, a, b) => s.agentReport(c as RequestContext, a as never, b as never),
  releasePassword: (s, c, a) => s.releasePassword(c as RequestContext, a as never),
};

describe("the service never throws or rejects", () => {
  it("for any context and arguments, on every method, and a refusal changes nothing", {
    timeout: PROPERTY_TIMEOUT_MS,
  }, async () => {
    const { env, repository } = reporting();
    const restore = (await env.createRestore())._unsafeUnwrap();
    const before = (
      await env.repository.readEvents(DEFAULT_TENANT, restore.restoreId)
    )._unsafeUnwrap();
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...Object.keys(CALLS)),
        hostileContext,
        fc.oneof(hostile, fc.constant(restore.restoreId)),
        hostile,
        async (method, context, a, b) => {
          const appends = repository.calls("append");
          let result: unknown;
          expect(() => {
            result = (CALLS[method] as Call)(env.service, context, a, b);
          }).not.toThrow();
          const settled = await (result as PromiseLike<{ isOk(): boolean; isErr(): boolean }>);
          expect(settled.isOk() !== settled.isErr()).toBe(true);
          if (settled.isErr()) expect(repository.calls("append")).toBe(appends);
        },
      ),
      { numRuns: 400 },
    );
    const after = (
      await env.repository.readEvents(DEFAULT_TENANT, restore.restoreId)
    )._unsafeUnwrap();
    expect(after).toEqual(before);
  });
});

describe("malformed input", () => {
  it("a principal without roles, or with a string for them, is a fault: internal_error, reported", async () => {
    const { env, reports } = reporting();
    const restore = (await env.createRestore())._unsafeUnwrap();
    const noRoles = { type: "user", userId: "u", tenantId: DEFAULT_TENANT } as unknown as Principal;
    const stringRoles = { ...noRoles, roles: "cloudbackup:admin" } as unknown as Principal;
    for (const principal of [noRoles, stringRoles]) {
      const result = await env.service.requestAction(
        { principal, tenantId: DEFAULT_TENANT, requestId: "r" },
        { ...START, restoreId: restore.restoreId },
      );
      expect(result._unsafeUnwrapErr()).toEqual(RestoreErrors.internal());
    }
    expect(reports.map((r) => [r.operation, r.error.code, r.cause])).toEqual([
      ["service.requestAction", "internal_error", "malformed principal in the context"],
      ["service.requestAction", "internal_error", "malformed principal in the context"],
    ]);
  });

  it("a null context is a fault; a null request, restore id or report is invalid_request", async () => {
    const { env, reports } = reporting();
    const restore = (await env.createRestore())._unsafeUnwrap();
    const context = env.context();
    const nullContext = null as unknown as RequestContext;
    expect(
      (await env.service.getRestore(nullContext, restore.restoreId))._unsafeUnwrapErr().code,
    ).toBe("internal_error");
    expect(reports).toHaveLength(1);
    const nothing = null as never;
    const refused = [
      await env.service.requestAction(context, nothing),
      await env.service.createRestore(context, nothing),
      await env.service.updateRestore(context, nothing),
      await env.service.getRestore(context, nothing),
      await env.service.agentReport(env.context(agentPrincipal()), restore.restoreId, nothing),
      await env.service.releasePassword(env.context(agentPrincipal()), nothing),
    ];
    expect(refused.map((r) => r._unsafeUnwrapErr().code)).toEqual(Array(6).fill("invalid_request"));
  });

  it("an action other than StartManual or StopManual is refused, never run as a start", async () => {
    const { env } = reporting();
    const restore = (await env.createRestore())._unsafeUnwrap();
    for (const action of ["Restart", "startmanual", "", "constructor"]) {
      const error = (
        await env.service.requestAction(env.context(), {
          action,
          restoreId: restore.restoreId,
          encryptedPassword: null,
        } as never)
      )._unsafeUnwrapErr();
      expect(error).toEqual(
        RestoreErrors.invalidRequest([
          { path: "action", message: "must be one of StartManual, StopManual" },
        ]),
      );
    }
    const stored = (await env.repository.load(DEFAULT_TENANT, restore.restoreId))._unsafeUnwrap();
    expect(stored?.state).toBe("Creating");
  });

  it("an agent state that is not one an agent may report is invalid_request naming the field", async () => {
    const { env } = reporting();
    const restore = (await env.createRestore())._unsafeUnwrap();
    await env.service.requestAction(env.context(), { ...START, restoreId: restore.restoreId });
    for (const state of ["Creating", "StartRequested", "queued", "constructor", 3]) {
      const error = (
        await env.service.agentReport(env.context(agentPrincipal()), restore.restoreId, {
          state,
          report: {},
        } as never)
      )._unsafeUnwrapErr();
      expect(error.code === "invalid_request" && error.issues.map((i) => i.path)).toEqual([
        "state",
      ]);
    }
  });

  it("a tenant or request id a store cannot hold is invalid_request naming it", async () => {
    const { env } = reporting();
    const principal = userPrincipal();
    const cases: [Partial<RequestContext>, string][] = [
      [{ tenantId: "" }, "tenantId"],
      [{ tenantId: "12\u00003" }, "tenantId"],
      [{ tenantId: "x".repeat(129) }, "tenantId"],
      [{ requestId: "" }, "requestId"],
      [{ requestId: "r\ud800" }, "requestId"],
      [{ requestId: "r".repeat(201) }, "requestId"],
    ];
    for (const [change, path] of cases) {
      const context = { principal, tenantId: DEFAULT_TENANT, requestId: "r", ...change };
      const error = (await env.service.getRestore(context, 13689))._unsafeUnwrapErr();
      expect(error.code === "invalid_request" && error.issues.map((i) => i.path)).toEqual([path]);
    }
  });

  it("a DestinationPath a store cannot hold is invalid_request naming it, before the catalog is asked", async () => {
    let asked = 0;
    const catalog = fakeBackupCatalog();
    const counting: BackupCatalog = {
      resolve: (tenantId, references) => {
        asked += 1;
        return catalog.resolve(tenantId, references);
      },
    };
    const env = testEnvironment({ catalog: counting });
    for (const [destinationPath, message] of [
      ["C:\\a\u0000b", "must not contain a NUL character (\\u0000)"],
      ["C:\\\udfff", "must be valid Unicode (it holds an unpaired surrogate)"],
      ["C:\\".padEnd(4097, "x"), "must be at most 4096 characters"],
      ["   ", "must not be empty"],
    ]) {
      const error = (
        await env.service.createRestore(env.context(), {
          backupId: 133599,
          backupMachineId: 156953,
          destinationMachineId: 156751,
          destinationPath: destinationPath as string,
          overwriteFiles: false,
        })
      )._unsafeUnwrapErr();
      expect(error.code === "invalid_request" && error.issues).toEqual([
        { path: "destinationPath", message },
      ]);
    }
    expect(asked).toBe(0);
  });
});

describe("listEvents pages", () => {
  it("cut a huge limit to 1000, default to 1000, and refuse a negative or fractional one", {
    timeout: PROPERTY_TIMEOUT_MS,
  }, async () => {
    const { env } = reporting();
    const { restoreId } = (await env.createRestore())._unsafeUnwrap();
    await env.service.requestAction(env.context(), { ...START, restoreId });
    const agent = env.context(agentPrincipal());
    for (let files = 1; files <= 1100; files += 1) {
      (
        await env.service.agentReport(agent, restoreId, {
          state: null,
          report: { filesRestored: files },
        })
      )._unsafeUnwrap();
    }
    const seqs = async (page?: object) =>
      (await env.service.listEvents(env.context(), restoreId, page as never))
        ._unsafeUnwrap()
        .map((e) => e.seq);
    const first1000 = Array.from({ length: 1000 }, (_, i) => i + 1);
    expect(await seqs()).toEqual(first1000);
    expect(await seqs({ limit: 1e12 })).toEqual(first1000);
    expect(await seqs({ limit: Number.POSITIVE_INFINITY })).toEqual(first1000);
    expect(await seqs({ afterSeq: 1000, limit: 1e12 })).toEqual(
      Array.from({ length: 102 }, (_, i) => 1001 + i),
    );
    expect(await seqs({ limit: 3 })).toEqual([1, 2, 3]);
    expect(await seqs({ limit: 0 })).toEqual([]);
    for (const page of [
      { limit: -1 },
      { limit: 2.5 },
      { limit: "10" },
      { afterSeq: -1 },
      { afterSeq: Number.NaN },
    ]) {
      const error = (
        await env.service.listEvents(env.context(), restoreId, page as never)
      )._unsafeUnwrapErr();
      expect(error.code).toBe("invalid_request");
    }
  });
});

describe("ports that misbehave", () => {
  const references = {
    backupId: 133599,
    backupMachineId: 156953,
    destinationMachineId: 156751,
    destinationPath: "/restore",
    overwriteFiles: false,
  };

  function catalogAnswering(change: Record<string, unknown>): BackupCatalog {
    const real = fakeBackupCatalog();
    return {
      resolve: (tenantId, refs) =>
        real.resolve(tenantId, refs).map((backup) => ({ ...backup, ...change }) as never),
    };
  }

  it("a catalog answer a store cannot hold is an internal_error reported with the problems, and nothing is created", async () => {
    for (const change of [
      { restorePoint: "not a date" },
      { restorePoint: "2014-02-31T00:00:00Z" },
      { backupMachineName: "x".repeat(257) },
      { backupFlavor: "a\u0000b" },
      { isEncrypted: "yes" },
      { publicKey: { modulusHex: "not hex", exponentHex: "10001" } },
      { backupConfigurationId: -4 },
    ]) {
      const reports: ServiceErrorReport[] = [];
      const repository = withFaults(inMemoryRepository());
      const env = testEnvironment({
        repository,
        catalog: catalogAnswering(change),
        onError: (report) => reports.push(report),
      });
      const error = (await env.service.createRestore(env.context(), references))._unsafeUnwrapErr();
      expect(error).toEqual(RestoreErrors.internal());
      expect(repository.calls("append")).toBe(0);
      expect(reports).toHaveLength(1);
      expect(reports[0]?.operation).toBe("catalog.resolve");
      expect(Array.isArray(reports[0]?.cause) && reports[0].cause.length).toBe(1);
      const [issue] = (reports[0]?.cause ?? []) as { path: string }[];
      expect(issue?.path).toBe(
        `backup.${Object.keys(change)[0]}${"publicKey" in change ? ".modulusHex" : ""}`,
      );
    }
  });

  it("a catalog's restore point and key are normalised, so the row is what its events fold to", async () => {
    const env = testEnvironment({
      catalog: catalogAnswering({
        restorePoint: "2013-01-02T19:29:19+01:00",
        publicKey: { modulusHex: "ca75 9606\n0d", exponentHex: " 1 0001" },
      }),
    });
    const restore = (await env.service.createRestore(env.context(), references))._unsafeUnwrap();
    expect(restore.backup.restorePoint).toBe("2013-01-02T18:29:19.000Z");
    expect(restore.backup.publicKey).toEqual({ modulusHex: "CA7596060D", exponentHex: "10001" });
    const events = (
      await env.repository.readEvents(DEFAULT_TENANT, restore.restoreId)
    )._unsafeUnwrap();
    expect(events[0]?.event.type === "RestoreCreated" && events[0].event.data.backup).toEqual(
      restore.backup,
    );
  });

  it("a clock outside the years 0001..9999, or one that throws, is a reported fault", async () => {
    for (const clock of [
      { now: () => new Date("+010000-01-01T00:00:00.000Z") },
      { now: () => new Date(Number.NaN) },
      {
        now: () => {
          throw new Error("clock broke");
        },
      },
      { now: () => "2026-01-01T00:00:00.000Z" },
    ] as Clock[]) {
      const reports: ServiceErrorReport[] = [];
      const env = testEnvironment({ clock, onError: (report) => reports.push(report) });
      const error = (await env.createRestore())._unsafeUnwrapErr();
      expect(error).toEqual(RestoreErrors.internal());
      expect(reports.map((r) => r.operation)).toEqual(["clock.now"]);
    }
  });

  it("an id generator handing out something other than a positive integer is a reported fault", async () => {
    for (const id of [0, -1, 1.5, "13689", Number.NaN]) {
      const reports: ServiceErrorReport[] = [];
      const ids: IdGenerator = { nextRestoreId: () => okAsync(id as number) };
      const env = testEnvironment({ ids, onError: (report) => reports.push(report) });
      expect((await env.createRestore())._unsafeUnwrapErr()).toEqual(RestoreErrors.internal());
      expect(reports.map((r) => r.operation)).toEqual(["ids.nextRestoreId"]);
    }
  });

  it("a port that answers with an error that is not a RestoreError is a reported internal_error", async () => {
    const reports: ServiceErrorReport[] = [];
    const catalog: BackupCatalog = { resolve: () => errAsync("no such backup" as never) };
    const env = testEnvironment({ catalog, onError: (report) => reports.push(report) });
    expect((await env.createRestore())._unsafeUnwrapErr()).toEqual(RestoreErrors.internal());
    expect(reports).toEqual([
      { operation: "catalog.resolve", error: RestoreErrors.internal(), cause: "no such backup" },
    ]);
  });

  it("an onError hook that throws, rejects or returns anything changes nothing about the answer", async () => {
    const catalog: BackupCatalog = { resolve: () => errAsync("broken" as never) };
    const hooks = [
      () => {
        throw new Error("the logger is down");
      },
      () => Promise.reject(new Error("the logger is down")),
      // Objects, but no promises: nothing to wait for or to catch.
      () => ({ logged: true }),
      // biome-ignore lint/suspicious/noThenProperty: a hook's answer may look like this; it is not awaited.
      () => ({ then: "later" }),
    ];
    for (const onError of hooks) {
      const env = testEnvironment({ catalog, onError: onError as () => void });
      expect((await env.createRestore())._unsafeUnwrapErr()).toEqual(RestoreErrors.internal());
    }
  });
});

describe("what onError is told", () => {
  it("names the method of a fault in the request context", async () => {
    const { env, reports } = reporting();
    const nothing = null as unknown as RequestContext;
    const principal = { type: "user", userId: "u", tenantId: DEFAULT_TENANT } as never;
    for (const [method, call] of Object.entries(CALLS)) {
      reports.length = 0;
      await (call(env.service, nothing, 13689, undefined) as PromiseLike<unknown>);
      await (call(
        env.service,
        { principal, tenantId: DEFAULT_TENANT, requestId: "r" },
        13689,
        undefined,
      ) as PromiseLike<unknown>);
      expect(reports).toEqual([
        {
          operation: `service.${method}`,
          error: RestoreErrors.internal(),
          cause: "no request context",
        },
        {
          operation: `service.${method}`,
          error: RestoreErrors.internal(),
          cause: "malformed principal in the context",
        },
      ]);
    }
  });

  it("names the port and method that threw, with what it threw, and answers by the port's kind", async () => {
    const thrown = new Error("the port broke");
    const throws = () => {
      throw thrown;
    };
    const cases: [
      string,
      TestEnvironmentOptions,
      (env: TestEnvironment) => Promise<unknown>,
      string,
    ][] = [
      [
        "repository.load",
        { repository: { ...inMemoryRepository(), load: throws } },
        async (env) => env.service.getRestore(env.context(), 13689),
        "storage_unavailable",
      ],
      [
        "repository.append",
        { repository: { ...inMemoryRepository(), append: throws } },
        async (env) => env.createRestore(),
        "storage_unavailable",
      ],
      [
        "catalog.resolve",
        { catalog: { resolve: throws } },
        async (env) => env.createRestore(),
        "internal_error",
      ],
      [
        "ids.nextRestoreId",
        { ids: { nextRestoreId: throws } },
        async (env) => env.createRestore(),
        "internal_error",
      ],
      [
        "vault.open",
        {
          vault: {
            seal: (request) => inMemoryPasswordVault().seal(request),
            open: throws,
          },
        },
        async (env) => {
          const { restoreId } = (await env.createRestore({ encrypted: true }))._unsafeUnwrap();
          (
            await env.service.requestAction(env.context(), {
              action: "StartManual",
              restoreId,
              encryptedPassword: encryptForAgent("vault passphrase", env.keys.publicKey),
            })
          )._unsafeUnwrap();
          return env.service.releasePassword(env.context(agentPrincipal()), restoreId);
        },
        "internal_error",
      ],
      [
        "vault.seal",
        { vault: { seal: throws, open: throws } },
        async (env) => {
          const { restoreId } = (await env.createRestore({ encrypted: true }))._unsafeUnwrap();
          return env.service.requestAction(env.context(), {
            action: "StartManual",
            restoreId,
            encryptedPassword: encryptForAgent("vault passphrase", env.keys.publicKey),
          });
        },
        "internal_error",
      ],
    ];
    for (const [operation, options, call, code] of cases) {
      const reports: ServiceErrorReport[] = [];
      const env = testEnvironment({ ...options, onError: (report) => reports.push(report) });
      const result = (await call(env as TestEnvironment)) as Result<unknown, RestoreError>;
      expect(result.isErr() && result.error.code).toBe(code);
      expect(reports).toEqual([
        { operation, error: { code, message: expect.any(String) }, cause: thrown },
      ]);
    }
  });

  it("says what was wrong with the clock and the ids", async () => {
    const reports: ServiceErrorReport[] = [];
    const onError = (report: ServiceErrorReport) => reports.push(report);
    await testEnvironment({ clock: { now: () => new Date(Number.NaN) }, onError }).createRestore();
    await testEnvironment({ ids: { nextRestoreId: () => okAsync(0) }, onError }).createRestore();
    const thrown = new Error("the clock broke");
    await testEnvironment({
      clock: {
        now: () => {
          throw thrown;
        },
      },
      onError,
    }).createRestore();
    expect(reports.map((r) => r.cause)).toEqual([
      "not a Date between the years 0001 and 9999",
      "not a positive integer id",
      thrown,
    ]);
  });
});

describe("faults in the ports' answers", () => {
  it("takes only a RestoreError as a port's error: anything else is internal_error, reported", async () => {
    for (const error of [
      null,
      undefined,
      { code: { toString: () => "internal_error" }, message: "m" },
      "no such backup",
      { code: "no_such_code", message: "m" },
      { code: "unknown_reference" },
      { code: 404, message: "m" },
      { message: "m" },
    ]) {
      const reports: ServiceErrorReport[] = [];
      const catalog: BackupCatalog = { resolve: () => errAsync(error as never) };
      const env = testEnvironment({ catalog, onError: (report) => reports.push(report) });
      expect((await env.createRestore())._unsafeUnwrapErr()).toEqual(RestoreErrors.internal());
      expect(reports).toEqual([
        { operation: "catalog.resolve", error: RestoreErrors.internal(), cause: error },
      ]);
    }
    const known = RestoreErrors.unknownReference("BackupId", 1);
    const env = testEnvironment({ catalog: { resolve: () => errAsync(known) } });
    expect((await env.createRestore())._unsafeUnwrapErr()).toEqual(known);
  });

  it("reports the problems of a catalog answer that is not even an object, by path", async () => {
    for (const answer of [null, "backup", 7]) {
      const reports: ServiceErrorReport[] = [];
      const catalog: BackupCatalog = { resolve: () => okAsync(answer as never) };
      const env = testEnvironment({ catalog, onError: (report) => reports.push(report) });
      expect((await env.createRestore())._unsafeUnwrapErr()).toEqual(RestoreErrors.internal());
      expect(reports).toEqual([
        {
          operation: "catalog.resolve",
          error: RestoreErrors.internal(),
          cause: [{ path: "backup", message: "must be an object" }],
        },
      ]);
    }
  });

  it("normalises only what is text: a restore point or key that is not is refused as it is", async () => {
    const real = fakeBackupCatalog();
    for (const change of [
      { restorePoint: new Date(1357151359000) },
      { restorePoint: 1357151359000 },
      { publicKey: { modulusHex: 0xca75, exponentHex: "10001" } },
      { publicKey: { modulusHex: "CA75", exponentHex: 10001 } },
      { publicKey: "CA75 10001" },
    ]) {
      const reports: ServiceErrorReport[] = [];
      const catalog: BackupCatalog = {
        resolve: (tenantId, refs) =>
          real.resolve(tenantId, refs).map((backup) => ({ ...backup, ...change }) as never),
      };
      const env = testEnvironment({ catalog, onError: (report) => reports.push(report) });
      expect((await env.createRestore())._unsafeUnwrapErr()).toEqual(RestoreErrors.internal());
      expect(reports.map((r) => r.operation)).toEqual(["catalog.resolve"]);
    }
  });

  it("answers a throw in its own reading of the input with internal_error, reported with the cause, on every method", async () => {
    const thrown = new Error("a getter that throws");
    for (const [method, call] of Object.entries(CALLS)) {
      const reports: ServiceErrorReport[] = [];
      const env = testEnvironment({ onError: (report) => reports.push(report) });
      const context = Object.defineProperty(
        { principal: userPrincipal(), requestId: "r" },
        "tenantId",
        {
          get() {
            throw thrown;
          },
        },
      ) as RequestContext;
      const result = (await (call(
        env.service,
        context,
        13689,
        {},
      ) as PromiseLike<unknown>)) as Result<unknown, RestoreError>;
      expect(result._unsafeUnwrapErr()).toEqual(RestoreErrors.internal());
      expect(reports).toEqual([
        { operation: `service.${method}`, error: RestoreErrors.internal(), cause: thrown },
      ]);
    }
  });

  it("remembers at most 10 000 restores by default: the 10 001st changed pushes out the first", {
    timeout: PROPERTY_TIMEOUT_MS,
  }, async () => {
    const repository = withFaults(inMemoryRepository());
    const env = testEnvironment({ repository });
    const ids: number[] = [];
    for (let i = 0; i < 10_001; i += 1)
      ids.push((await env.createRestore())._unsafeUnwrap().restoreId);
    const start = async (restoreId: number) => {
      const loads = repository.calls("load");
      (await env.service.requestAction(env.context(), { ...START, restoreId }))._unsafeUnwrap();
      return repository.calls("load") - loads;
    };
    expect(await start(ids[10_000] as number)).toBe(0);
    expect(await start(ids[1] as number)).toBe(0);
    expect(await start(ids[0] as number)).toBe(1);
  });
});
