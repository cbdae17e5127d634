import {
  type ActionRequest,
  type AgentPublicKey,
  errorStatus,
  type Principal,
  type RequestContext,
  type Restore,
  type RestoreError,
  RestoreErrors,
} from "@restorekit/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  agentPrincipal,
  DEFAULT_TENANT,
  encryptForAgent,
  OTHER_TENANT,
  type TestEnvironment,
  testEnvironment,
  userPrincipal,
} from "../src/index.js";

/** Long property runs get their own timeout, so a loaded 2-core machine cannot fail them. */
const PROPERTY_TIMEOUT_MS = 60_000;

function contextFor(principal: Principal, tenantId = DEFAULT_TENANT): RequestContext {
  return { principal, tenantId, requestId: "req-test" };
}

async function created(env: TestEnvironment, encrypted = false): Promise<Restore> {
  return (await env.createRestore({ encrypted }))._unsafeUnwrap();
}

function start(restoreId: number, encryptedPassword: string | null = null): ActionRequest {
  return { action: "StartManual", restoreId, encryptedPassword };
}

function stop(restoreId: number, encryptedPassword: string | null = null): ActionRequest {
  return { action: "StopManual", restoreId, encryptedPassword };
}

function keyOf(restore: Restore): AgentPublicKey {
  const key = restore.backup.publicKey;
  if (key === null) throw new Error("the encrypted test backup must carry the agent's public key");
  return key;
}

async function rejection(
  env: TestEnvironment,
  request: ActionRequest,
  context: RequestContext = env.context(),
): Promise<RestoreError> {
  return (await env.service.requestAction(context, request))._unsafeUnwrapErr();
}

async function reportAs(env: TestEnvironment, restoreId: number, state: "Queued" | "InProgress") {
  return (
    await env.service.agentReport(env.context(agentPrincipal()), restoreId, { state, report: {} })
  )._unsafeUnwrap();
}

async function eventTypes(env: TestEnvironment, restoreId: number): Promise<string[]> {
  const events = (await env.repository.readEvents(DEFAULT_TENANT, restoreId))._unsafeUnwrap();
  return events.map((stored) => stored.event.type);
}

describe("requestAction StartManual", () => {
  it("moves a plain restore to StartRequested with one RestoreStartRequested event", async () => {
    const env = testEnvironment();
    const restore = await created(env);

    const started = (
      await env.service.requestAction(env.context(), start(restore.restoreId))
    )._unsafeUnwrap();

    expect(started.state).toBe("StartRequested");
    expect(started.passwordSealed).toBe(false);
    expect(await eventTypes(env, restore.restoreId)).toEqual([
      "RestoreCreated",
      "RestoreStartRequested",
    ]);
    const loaded = (await env.repository.load(DEFAULT_TENANT, restore.restoreId))._unsafeUnwrap();
    expect(loaded).toEqual(started);
    const sealed = await env.repository.readSealedPassword(DEFAULT_TENANT, restore.restoreId);
    expect(sealed._unsafeUnwrap()).toBeNull();
  });

  it("stores a sealed password for an encrypted restore that opens to the client's ciphertext", async () => {
    const env = testEnvironment();
    const restore = await created(env, true);
    const ciphertext = encryptForAgent("correct horse battery staple", keyOf(restore));

    const started = (
      await env.service.requestAction(env.context(), start(restore.restoreId, ciphertext))
    )._unsafeUnwrap();

    expect(started.state).toBe("StartRequested");
    expect(started.passwordSealed).toBe(true);
    const sealed = (
      await env.repository.readSealedPassword(DEFAULT_TENANT, restore.restoreId)
    )._unsafeUnwrap();
    expect(sealed).not.toBeNull();
    if (sealed === null) return;
    const opened = await env.vault.open(sealed, {
      tenantId: DEFAULT_TENANT,
      restoreId: restore.restoreId,
    });
    expect(opened._unsafeUnwrap().toUpperCase()).toBe(ciphertext.toUpperCase());
  });

  it("accepts a ciphertext wrapped in whitespace, which carries no meaning", async () => {
    const env = testEnvironment();
    const restore = await created(env, true);
    const ciphertext = encryptForAgent("spaced", keyOf(restore));
    const wrapped = ` ${ciphertext.replace(/(.{64})/g, "$1 \n")}\t`;

    const started = await env.service.requestAction(
      env.context(),
      start(restore.restoreId, wrapped),
    );

    expect(started._unsafeUnwrap().passwordSealed).toBe(true);
  });

  const invalidCiphertexts: { rule: string; make: (key: AgentPublicKey) => string }[] = [
    { rule: "not_hex", make: (key) => "ZZ".repeat(key.modulusHex.length / 2) },
    { rule: "not_hex", make: (key) => `${"A".repeat(key.modulusHex.length - 1)}` },
    { rule: "wrong_length", make: (key) => "01".repeat(key.modulusHex.length / 2 - 1) },
    { rule: "wrong_length", make: (key) => "01".repeat(key.modulusHex.length / 2 + 1) },
    { rule: "not_below_modulus", make: (key) => key.modulusHex },
    { rule: "not_below_modulus", make: (key) => "F".repeat(key.modulusHex.length) },
  ];
  for (const { rule, make } of invalidCiphertexts) {
    it(`rejects a ciphertext that breaks ${rule} with that rule, and stores nothing`, async () => {
      const env = testEnvironment();
      const restore = await created(env, true);
      const ciphertext = make(keyOf(restore));

      const error = await rejection(env, start(restore.restoreId, ciphertext));

      expect(error).toMatchObject({ code: "password_invalid", rule });
      expect(errorStatus(error)).toBe(400);
      expect(JSON.stringify(error)).not.toContain(ciphertext);
      const after = (await env.repository.load(DEFAULT_TENANT, restore.restoreId))._unsafeUnwrap();
      expect(after).toEqual(restore);
      const sealed = await env.repository.readSealedPassword(DEFAULT_TENANT, restore.restoreId);
      expect(sealed._unsafeUnwrap()).toBeNull();
    });
  }

  it("rejects any non-hex ciphertext of the right length with not_hex", {
    timeout: PROPERTY_TIMEOUT_MS,
  }, async () => {
    const env = testEnvironment();
    const restore = await created(env, true);
    const digits = keyOf(restore).modulusHex.length;
    await fc.assert(
      fc.asyncProperty(
        fc.nat({ max: digits - 1 }),
        fc.constantFrom("g", "Z", "-", "x", "é", "\u0000", ","),
        async (position, bad) => {
          const ciphertext = `${"1".repeat(position)}${bad}${"1".repeat(digits - position - 1)}`;
          const error = await rejection(env, start(restore.restoreId, ciphertext));
          expect(error).toMatchObject({ code: "password_invalid", rule: "not_hex" });
        },
      ),
      { numRuns: 50 },
    );
  });

  it("rejects a password on a plain restore with password_not_allowed", async () => {
    const env = testEnvironment();
    const restore = await created(env);

    const error = await rejection(env, start(restore.restoreId, "ABCD"));

    expect(error).toMatchObject({ code: "password_not_allowed", command: "StartManual" });
    expect(errorStatus(error)).toBe(400);
  });

  it("rejects StartManual without a password on an encrypted restore with password_required", async () => {
    const env = testEnvironment();
    const restore = await created(env, true);

    const error = await rejection(env, start(restore.restoreId));

    expect(error).toMatchObject({ code: "password_required", restoreId: restore.restoreId });
    expect(errorStatus(error)).toBe(400);
    expect((await env.repository.load(DEFAULT_TENANT, restore.restoreId))._unsafeUnwrap()).toEqual(
      restore,
    );
  });

  it("is a no-op when repeated: success, the same restore and no new event", async () => {
    const env = testEnvironment();
    const restore = await created(env);
    const first = (
      await env.service.requestAction(env.context(), start(restore.restoreId))
    )._unsafeUnwrap();

    const again = (
      await env.service.requestAction(env.context(), start(restore.restoreId))
    )._unsafeUnwrap();

    expect(again).toEqual(first);
    expect(await eventTypes(env, restore.restoreId)).toHaveLength(2);
  });
});

describe("requestAction StopManual", () => {
  it("rejects a password with password_not_allowed", async () => {
    const env = testEnvironment();
    const restore = await created(env, true);
    await env.service.requestAction(
      env.context(),
      start(restore.restoreId, encryptForAgent("pw", keyOf(restore))),
    );

    const error = await rejection(env, stop(restore.restoreId, "ABCD"));

    expect(error).toMatchObject({ code: "password_not_allowed", command: "StopManual" });
    expect(errorStatus(error)).toBe(400);
  });

  it("cancels a restore in StartRequested: Stopped, and the sealed password is destroyed", async () => {
    const env = testEnvironment();
    const restore = await created(env, true);
    await env.service.requestAction(
      env.context(),
      start(restore.restoreId, encryptForAgent("pw", keyOf(restore))),
    );
    const before = await env.repository.readSealedPassword(DEFAULT_TENANT, restore.restoreId);
    expect(before._unsafeUnwrap()).not.toBeNull();

    const stopped = (
      await env.service.requestAction(env.context(), stop(restore.restoreId))
    )._unsafeUnwrap();

    expect(stopped.state).toBe("Stopped");
    expect(stopped.passwordSealed).toBe(false);
    expect(stopped.progress.endedTime).toBe(env.clock.now().toISOString());
    expect((await eventTypes(env, restore.restoreId)).at(-1)).toBe("RestoreCancelled");
    const after = await env.repository.readSealedPassword(DEFAULT_TENANT, restore.restoreId);
    expect(after._unsafeUnwrap()).toBeNull();
  });

  it("asks the agent to stop a restore in InProgress: StopRequested, password kept", async () => {
    const env = testEnvironment();
    const restore = await created(env, true);
    await env.service.requestAction(
      env.context(),
      start(restore.restoreId, encryptForAgent("pw", keyOf(restore))),
    );
    await reportAs(env, restore.restoreId, "InProgress");

    const stopping = (
      await env.service.requestAction(env.context(), stop(restore.restoreId))
    )._unsafeUnwrap();

    expect(stopping.state).toBe("StopRequested");
    expect((await eventTypes(env, restore.restoreId)).at(-1)).toBe("RestoreStopRequested");
    const sealed = await env.repository.readSealedPassword(DEFAULT_TENANT, restore.restoreId);
    expect(sealed._unsafeUnwrap()).not.toBeNull();
  });

  it("rejects a restore that was never started with restore_not_started, a 400 naming the state", async () => {
    const env = testEnvironment();
    const restore = await created(env);

    const error = await rejection(env, stop(restore.restoreId));

    expect(error).toMatchObject({ code: "restore_not_started", state: "Creating" });
    expect(errorStatus(error)).toBe(400);
    expect(error.message).toContain(String(restore.restoreId));
    expect(error.message).toContain("Creating");
  });
});

describe("requestAction rejections on v1 are all 400", () => {
  it("StartManual on StopRequested and on a finished restore, StopManual on a finished one", async () => {
    const env = testEnvironment();
    const stopping = await created(env);
    await env.service.requestAction(env.context(), start(stopping.restoreId));
    await reportAs(env, stopping.restoreId, "Queued");
    await env.service.requestAction(env.context(), stop(stopping.restoreId));
    const finished = await created(env);
    await env.service.requestAction(env.context(), start(finished.restoreId));
    await env.service.agentReport(env.context(agentPrincipal()), finished.restoreId, {
      state: "Completed",
      report: {},
    });

    const errors = [
      await rejection(env, start(stopping.restoreId)),
      await rejection(env, start(finished.restoreId)),
      await rejection(env, stop(finished.restoreId)),
    ];

    expect(errors.map((e) => e.code)).toEqual([
      "restore_stopping",
      "restore_finished",
      "restore_finished",
    ]);
    for (const error of errors) expect(errorStatus(error)).toBe(400);
  });
});

describe("requestAction lookup and authorization", () => {
  it("answers 404 for an id that does not exist", async () => {
    const env = testEnvironment();

    const error = await rejection(env, stop(999_999));

    expect(error).toEqual(RestoreErrors.notFound(999_999));
    expect(errorStatus(error)).toBe(404);
  });

  it("answers a restore that exists only under another tenant exactly like a missing one", async () => {
    const env = testEnvironment();
    const restore = await created(env);
    const otherTenant = contextFor(userPrincipal({ tenantId: OTHER_TENANT }), OTHER_TENANT);
    const missing = (
      await testEnvironment().service.requestAction(otherTenant, stop(restore.restoreId))
    )._unsafeUnwrapErr();

    for (const request of [start(restore.restoreId), stop(restore.restoreId)]) {
      const hidden = await rejection(env, request, otherTenant);
      expect(hidden).toEqual(missing);
      expect(errorStatus(hidden)).toBe(404);
    }
    const read = await env.service.getRestore(otherTenant, restore.restoreId);
    expect(read._unsafeUnwrapErr()).toEqual(missing);
  });

  it("forbids a token of another tenant with 403, and changes nothing", async () => {
    const env = testEnvironment();
    const restore = await created(env);
    const foreign = contextFor(userPrincipal({ tenantId: OTHER_TENANT }), DEFAULT_TENANT);

    const error = await rejection(env, start(restore.restoreId), foreign);

    expect(error.code).toBe("forbidden");
    expect(errorStatus(error)).toBe(403);
    expect((await env.repository.load(DEFAULT_TENANT, restore.restoreId))._unsafeUnwrap()).toEqual(
      restore,
    );
  });

  it("forbids an observer to start or stop (403) but lets it read", async () => {
    for (const role of ["cloudbackup:observer", "observer"]) {
      const env = testEnvironment();
      const restore = await created(env);
      const observer = env.context(userPrincipal({ roles: [role] }));

      for (const request of [start(restore.restoreId), stop(restore.restoreId)]) {
        const error = await rejection(env, request, observer);
        expect(error.code).toBe("forbidden");
        expect(errorStatus(error)).toBe(403);
      }
      const read = await env.service.getRestore(observer, restore.restoreId);
      expect(read._unsafeUnwrap()).toEqual(restore);
    }
  });

  it("forbids a principal without a known role", async () => {
    const env = testEnvironment();
    const restore = await created(env);

    const error = await rejection(
      env,
      start(restore.restoreId),
      env.context(userPrincipal({ roles: ["cloudbackup:unknown"] })),
    );

    expect(error.code).toBe("forbidden");
  });

  it("lets a creator start and stop", async () => {
    const env = testEnvironment();
    const restore = await created(env);
    const creator = env.context(userPrincipal({ roles: ["cloudbackup:creator"] }));

    const started = await env.service.requestAction(creator, start(restore.restoreId));
    expect(started._unsafeUnwrap().state).toBe("StartRequested");
    const stopped = await env.service.requestAction(creator, stop(restore.restoreId));
    expect(stopped._unsafeUnwrap().state).toBe("Stopped");
  });

  it("forbids an agent principal to start or stop, even the restore's own agent", async () => {
    const env = testEnvironment();
    const restore = await created(env);
    const agent = env.context(agentPrincipal());

    for (const request of [start(restore.restoreId), stop(restore.restoreId)]) {
      const error = await rejection(env, request, agent);
      expect(error.code).toBe("forbidden");
      expect(errorStatus(error)).toBe(403);
    }
    expect((await env.repository.load(DEFAULT_TENANT, restore.restoreId))._unsafeUnwrap()).toEqual(
      restore,
    );
  });

  it("records the user as the actor and the request id on the event", async () => {
    const env = testEnvironment();
    const restore = await created(env);
    const context = contextFor(userPrincipal({ userId: "alice" }));

    await env.service.requestAction(
      { ...context, requestId: "req-alice" },
      start(restore.restoreId),
    );

    const events = (
      await env.repository.readEvents(DEFAULT_TENANT, restore.restoreId)
    )._unsafeUnwrap();
    expect(events.at(-1)?.event.metadata).toEqual({
      actor: { type: "user", id: "alice" },
      at: env.clock.now().toISOString(),
      requestId: "req-alice",
    });
  });
});

describe("no secret leaks from encrypted starts", () => {
  it("never shows the EncryptedPassword or the sealed bytes in results, errors or events", {
    timeout: PROPERTY_TIMEOUT_MS,
  }, async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.string({ minLength: 1, maxLength: 100 }),
        fc.array(fc.constantFrom("start", "stop", "stopWithPassword", "queued", "completed"), {
          maxLength: 6,
        }),
        async (passphrase, steps) => {
          const env = testEnvironment();
          const restore = await created(env, true);
          const ciphertext = encryptForAgent(passphrase, keyOf(restore));
          const shown: unknown[] = [];
          const started = await env.service.requestAction(
            env.context(),
            start(restore.restoreId, ciphertext),
          );
          shown.push(started);
          const sealed = (
            await env.repository.readSealedPassword(DEFAULT_TENANT, restore.restoreId)
          )._unsafeUnwrap();
          expect(sealed).not.toBeNull();
          const sealedHex = Buffer.from(sealed ?? new Uint8Array()).toString("hex");
          const agent = env.context(agentPrincipal());
          for (const step of steps) {
            const result =
              step === "start"
                ? await env.service.requestAction(
                    env.context(),
                    start(restore.restoreId, ciphertext),
                  )
                : step === "stop" || step === "stopWithPassword"
                  ? await env.service.requestAction(
                      env.context(),
                      stop(restore.restoreId, step === "stop" ? null : ciphertext),
                    )
                  : await env.service.agentReport(agent, restore.restoreId, {
                      state: step === "queued" ? "Queued" : "Completed",
                      report: {},
                    });
            shown.push(result.isOk() ? result.value : result.error);
          }
          shown.push(
            (await env.service.listEvents(env.context(), restore.restoreId))._unsafeUnwrap(),
            (await env.repository.readEvents(DEFAULT_TENANT, restore.restoreId))._unsafeUnwrap(),
            (await env.repository.load(DEFAULT_TENANT, restore.restoreId))._unsafeUnwrap(),
          );
          const text = JSON.stringify(shown).toUpperCase();
          expect(text).not.toContain(ciphertext.toUpperCase());
          expect(text).not.toContain(ciphertext.slice(0, 32).toUpperCase());
          expect(text).not.toContain(sealedHex.toUpperCase());
        },
      ),
      { numRuns: 25 },
    );
  });
});
