import { errorStatus, type Restore } from "@restorekit/core";
import { describe, expect, it } from "vitest";
import {
  agentPrincipal,
  DEFAULT_TENANT,
  decryptAsAgent,
  encryptForAgent,
  OTHER_TENANT,
  simulatedAgent,
  type TestEnvironment,
  testEnvironment,
  userPrincipal,
} from "../src/index.js";

const PASSPHRASE = "correct horse battery staple";

async function startedEncrypted(env: TestEnvironment): Promise<{ restore: Restore; hex: string }> {
  const created = (await env.createRestore({ encrypted: true }))._unsafeUnwrap();
  const key = created.backup.publicKey;
  if (key === null) throw new Error("the encrypted test backup carries the agent's key");
  const hex = encryptForAgent(PASSPHRASE, key);
  const restore = (
    await env.service.requestAction(env.context(), {
      action: "StartManual",
      restoreId: created.restoreId,
      encryptedPassword: hex,
    })
  )._unsafeUnwrap();
  return { restore, hex };
}

describe("releasePassword", () => {
  it("gives the destination agent the ciphertext the client sent, which its key decrypts", async () => {
    const env = testEnvironment();
    const { restore, hex } = await startedEncrypted(env);
    const released = await env.service.releasePassword(
      env.context(agentPrincipal()),
      restore.restoreId,
    );
    expect(released._unsafeUnwrap()).toBe(hex);
    expect(decryptAsAgent(released._unsafeUnwrap(), env.keys.privateKey)).toBe(PASSPHRASE);
  });

  it("keeps giving it while the restore is active, and never once it has finished", async () => {
    const env = testEnvironment();
    const { restore } = await startedEncrypted(env);
    const agent = env.context(agentPrincipal());
    await env.service.agentReport(agent, restore.restoreId, { state: "InProgress", report: {} });
    expect((await env.service.releasePassword(agent, restore.restoreId)).isOk()).toBe(true);
    await env.service.agentReport(agent, restore.restoreId, { state: "Completed", report: {} });
    const after = (await env.service.releasePassword(agent, restore.restoreId))._unsafeUnwrapErr();
    expect(after.code).toBe("no_sealed_password");
    expect(errorStatus(after)).toBe(404);
    expect(after.message).toContain("Completed");
  });

  it("has nothing to give for a plain restore", async () => {
    const env = testEnvironment();
    const created = (await env.createRestore({ encrypted: false }))._unsafeUnwrap();
    await env.service.requestAction(env.context(), {
      action: "StartManual",
      restoreId: created.restoreId,
      encryptedPassword: null,
    });
    const result = await env.service.releasePassword(
      env.context(agentPrincipal()),
      created.restoreId,
    );
    expect(result._unsafeUnwrapErr().code).toBe("no_sealed_password");
  });

  it("refuses users, other agents and other tenants", async () => {
    const env = testEnvironment();
    const { restore, hex } = await startedEncrypted(env);
    const refusals = [
      env.context(userPrincipal({ roles: ["cloudbackup:admin"] })),
      env.context(agentPrincipal({ agentId: 999_999 })),
      { ...env.context(agentPrincipal({ tenantId: OTHER_TENANT })), tenantId: DEFAULT_TENANT },
    ];
    for (const context of refusals) {
      const error = (
        await env.service.releasePassword(context, restore.restoreId)
      )._unsafeUnwrapErr();
      expect(error.code).toBe("forbidden");
      expect(JSON.stringify(error)).not.toContain(hex);
    }
    // Under its own tenant the other tenant's agent cannot even see the restore.
    const hidden = await env.service.releasePassword(
      env.context(agentPrincipal({ tenantId: OTHER_TENANT })),
      restore.restoreId,
    );
    expect(hidden._unsafeUnwrapErr().code).toBe("restore_not_found");
  });

  it("reaches the simulated agent, which decrypts it to carry the restore out", async () => {
    const env = testEnvironment();
    const { restore } = await startedEncrypted(env);
    const opened: boolean[] = [];
    const agent = simulatedAgent({
      service: env.service,
      repository: env.repository,
      tenantId: DEFAULT_TENANT,
      agentId: restore.config.destinationMachineId,
      privateKey: env.keys.privateKey,
      onPassword: (_id, ok) => opened.push(ok),
    });
    const done = (await agent.poll())._unsafeUnwrap();
    expect(opened).toEqual([true]);
    expect(done.map((r) => r.state)).toEqual(["Completed"]);
  });
});
