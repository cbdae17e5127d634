import type {
  AgentReport,
  Restore,
  RestoreError,
  RestoreEvent,
  RestoreService,
} from "@restorekit/core";
import { okAsync } from "neverthrow";
import { describe, expect, it } from "vitest";
import {
  DEFAULT_TENANT,
  DESTINATION_MACHINE_ID,
  encryptForAgent,
  type SimulatedAgentOptions,
  simulatedAgent,
  type TestEnvironment,
  testAgentKeys,
  testEnvironment,
  userPrincipal,
} from "../src/index.js";

type Env = ReturnType<typeof testEnvironment>;

function agentOf(env: TestEnvironment, extra: Partial<SimulatedAgentOptions> = {}) {
  const reports: { state: Restore["state"]; report: AgentReport }[] = [];
  const passwords: { restoreId: number; opened: boolean }[] = [];
  const agent = simulatedAgent({
    service: env.service,
    repository: env.repository,
    tenantId: DEFAULT_TENANT,
    agentId: DESTINATION_MACHINE_ID,
    privateKey: env.keys.privateKey,
    clock: env.clock,
    onReport: (restore, report) => {
      reports.push({ state: restore.state, report });
      env.clock.advance(1_000);
    },
    onPassword: (restoreId, opened) => passwords.push({ restoreId, opened }),
    ...extra,
  });
  return { agent, reports, passwords };
}

async function created(env: Env, encrypted: boolean): Promise<Restore> {
  return (await env.createRestore({ encrypted }))._unsafeUnwrap();
}

async function start(env: Env, restore: Restore, passphrase?: string): Promise<Restore> {
  const publicKey = restore.backup.publicKey;
  const encryptedPassword =
    passphrase === undefined || publicKey === null ? null : encryptForAgent(passphrase, publicKey);
  const result = await env.service.requestAction(env.context(), {
    action: "StartManual",
    restoreId: restore.restoreId,
    encryptedPassword,
  });
  return result._unsafeUnwrap();
}

async function stop(env: Env, restoreId: number): Promise<Restore> {
  const result = await env.service.requestAction(env.context(), {
    action: "StopManual",
    restoreId,
    encryptedPassword: null,
  });
  return result._unsafeUnwrap();
}

async function eventTypes(env: Env, restoreId: number): Promise<RestoreEvent["type"][]> {
  const events = (await env.service.listEvents(env.context(), restoreId))._unsafeUnwrap();
  return events.map(({ event }) => event.type);
}

describe("simulatedAgent", () => {
  it("carries a plain restore from StartRequested to Completed when polled", async () => {
    const env = testEnvironment();
    const { agent, reports, passwords } = agentOf(env);
    const restore = await start(env, await created(env, false));

    const handled = (await agent.poll())._unsafeUnwrap();

    expect(handled).toHaveLength(1);
    expect(handled[0]?.state).toBe("Completed");
    expect(reports.map((r) => r.state)).toEqual(["Queued", "Preparing", "InProgress", "Completed"]);
    expect(passwords).toEqual([]);
    const done = (await env.service.getReport(env.context(), restore.restoreId))._unsafeUnwrap();
    expect(done.progress.filesRestored).toBeGreaterThan(0);
    expect(done.progress.bytesRestored).toBeGreaterThan(0);
    // It says the total before it starts, and that nothing remains once done.
    expect(reports[1]?.report.report.totalBytes).toBe(done.progress.bytesRestored);
    expect(done.progress.totalBytes).toBe(done.progress.bytesRestored);
    expect(done.progress.bytesRemaining).toBe(0);
    expect(done.progress.startedTime).not.toBeNull();
    expect(done.progress.endedTime).not.toBeNull();
    expect(Date.parse(done.progress.endedTime ?? "")).toBeGreaterThan(
      Date.parse(done.progress.startedTime ?? ""),
    );
    expect(await eventTypes(env, restore.restoreId)).toEqual([
      "RestoreCreated",
      "RestoreStartRequested",
      "RestoreProgressed",
      "RestoreProgressed",
      "RestoreProgressReported",
      "RestoreProgressed",
      "RestoreProgressReported",
      "RestoreFinished",
    ]);
    // Nothing is left to do: a second poll handles nothing.
    expect((await agent.poll())._unsafeUnwrap()).toEqual([]);
  });

  it("opens and decrypts an encrypted restore's password, then completes it", async () => {
    const env = testEnvironment();
    const { agent, passwords } = agentOf(env);
    const restore = await start(env, await created(env, true), "correct horse battery staple");
    expect(restore.passwordSealed).toBe(true);

    const handled = (await agent.poll())._unsafeUnwrap();

    expect(handled[0]?.state).toBe("Completed");
    expect(handled[0]?.passwordSealed).toBe(false);
    expect(passwords).toEqual([{ restoreId: restore.restoreId, opened: true }]);
    expect(
      (await env.repository.readSealedPassword(DEFAULT_TENANT, restore.restoreId))._unsafeUnwrap(),
    ).toBeNull();
  });

  it("fails an encrypted restore it cannot decrypt, and says so through onPassword", async () => {
    const env = testEnvironment();
    const { agent, passwords } = agentOf(env, { privateKey: undefined });
    const restore = await start(env, await created(env, true), "pw");

    const handled = (await agent.poll())._unsafeUnwrap();

    expect(handled[0]?.state).toBe("Failed");
    expect(handled[0]?.progress.errors?.count).toBe(1);
    expect(passwords).toEqual([{ restoreId: restore.restoreId, opened: false }]);
  });

  it("reports Stopped on a stop request", async () => {
    const env = testEnvironment();
    const { agent, reports } = agentOf(env);
    const restore = await start(env, await created(env, false));
    (await agent.report(restore.restoreId, "Queued"))._unsafeUnwrap();
    (
      await agent.report(restore.restoreId, "InProgress", {
        startedTime: env.clock.now().toISOString(),
        filesRestored: 3,
      })
    )._unsafeUnwrap();
    expect((await stop(env, restore.restoreId)).state).toBe("StopRequested");

    const handled = (await agent.poll())._unsafeUnwrap();

    expect(handled[0]?.state).toBe("Stopped");
    expect(handled[0]?.progress.filesRestored).toBe(3);
    expect(handled[0]?.progress.endedTime).not.toBeNull();
    expect(reports.map((r) => r.state)).toEqual(["Queued", "InProgress", "Stopped"]);
  });

  it("leaves alone a request that is no longer pending", async () => {
    const env = testEnvironment();
    const { agent, reports } = agentOf(env);
    const restore = await start(env, await created(env, false));
    const request = {
      tenantId: DEFAULT_TENANT,
      restoreId: restore.restoreId,
      agentId: DESTINATION_MACHINE_ID,
      action: "start" as const,
      version: restore.version,
    };
    // Cancelled before the agent took it: the start request is stale.
    expect((await stop(env, restore.restoreId)).state).toBe("Stopped");
    const handled = (await agent.handle(request))._unsafeUnwrap();
    expect(handled.state).toBe("Stopped");
    expect(reports).toEqual([]);
  });

  it("refuses a request meant for another agent", async () => {
    const env = testEnvironment();
    const { agent } = agentOf(env);
    const result = await agent.handle({
      tenantId: DEFAULT_TENANT,
      restoreId: 1,
      agentId: 42,
      action: "start",
      version: 2,
    });
    expect(result._unsafeUnwrapErr().code).toBe("forbidden");
  });

  it("is refused by the service when it reports on a restore that is not its own", async () => {
    const env = testEnvironment();
    const { agent } = agentOf(env, { agentId: 42 });
    const restore = await start(env, await created(env, false));
    const result = await agent.report(restore.restoreId, "Queued");
    expect(result._unsafeUnwrapErr().code).toBe("forbidden");
  });

  it("handles requests as they arrive when listening: start to Completed, then stop to Stopped", async () => {
    const env = testEnvironment();
    const errors: RestoreError[] = [];
    const finished = new Map<number, (restore: Restore) => void>();
    const whenFinished = (restoreId: number) =>
      new Promise<Restore>((resolve) => finished.set(restoreId, resolve));
    const { agent, passwords } = agentOf(env, {
      onReport: (restore) => {
        if (restore.state === "Completed" || restore.state === "Stopped") {
          finished.get(restore.restoreId)?.(restore);
        }
      },
      onError: (error) => errors.push(error),
    });
    const subscription = (await agent.listen())._unsafeUnwrap();

    const encrypted = await created(env, true);
    const completed = whenFinished(encrypted.restoreId);
    await start(env, encrypted, "pass phrase");
    expect((await completed).state).toBe("Completed");
    expect(passwords).toEqual([{ restoreId: encrypted.restoreId, opened: true }]);

    // A restore the agent is working on (reported by hand), then stopped by the user.
    const plain = await created(env, false);
    const plainStopped = whenFinished(plain.restoreId);
    await subscription.close();
    await start(env, plain);
    (await agent.report(plain.restoreId, "InProgress"))._unsafeUnwrap();
    const resubscribed = (await agent.listen())._unsafeUnwrap();
    await stop(env, plain.restoreId);
    expect((await plainStopped).state).toBe("Stopped");
    await resubscribed.close();
    expect(errors).toEqual([]);
  });

  it("reports Stopped when told to stop in the middle of a start", async () => {
    const env = testEnvironment();
    const restore = await start(env, await created(env, false));
    // The user's stop lands right after the agent's Queued report, before the agent goes on.
    const service: RestoreService = {
      ...env.service,
      agentReport: (context, restoreId, report) =>
        env.service.agentReport(context, restoreId, report).andThen((current) =>
          report.state === "Queued"
            ? env.service
                .requestAction(env.context(userPrincipal()), {
                  action: "StopManual",
                  restoreId,
                  encryptedPassword: null,
                })
                .map(() => current)
            : okAsync(current),
        ),
    };
    const { agent, reports } = agentOf(env, { service });
    const handled = (await agent.poll())._unsafeUnwrap();
    expect(handled[0]?.state).toBe("Stopped");
    expect(reports.map((r) => r.state)).toEqual(["Queued", "Stopped"]);
    expect(await eventTypes(env, restore.restoreId)).toEqual([
      "RestoreCreated",
      "RestoreStartRequested",
      "RestoreProgressed",
      "RestoreStopRequested",
      "RestoreStopped",
    ]);
  });

  it("uses the test key by default in testEnvironment", () => {
    expect(testEnvironment().keys).toBe(testAgentKeys());
  });
});
