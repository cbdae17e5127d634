import {
  errorStatus,
  type RequestContext,
  type RestoreService,
  type SealedPassword,
} from "@restorekit/core";
import {
  agentPrincipal,
  BACKUP_MACHINE_ID,
  DEFAULT_TENANT,
  DESTINATION_MACHINE_ID,
  ENCRYPTED_BACKUP_ID,
  type InMemoryRestoreRepository,
  testAgentKeys,
  testEnvironment,
  userPrincipal,
} from "@restorekit/testing";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  createPasswordVault,
  decryptPassword,
  encryptPassword,
  maxPassphraseBytes,
  sealedKeyId,
} from "../src/index.js";
import { keyringOf } from "./support/keyrings.js";
import { passphraseUpTo } from "./support/passphrases.js";

/** Long property runs get their own timeout, so a loaded 2-core machine cannot fail them. */
const PROPERTY_TIMEOUT_MS = 60_000;

interface Wired {
  readonly service: RestoreService;
  readonly repository: InMemoryRestoreRepository;
  readonly vault: ReturnType<typeof createPasswordVault>;
}

// The testing package's environment, with the real vault in place of its in-memory double.
function wire(): Wired {
  const { service, repository, vault } = testEnvironment({
    vault: createPasswordVault({ keyring: keyringOf("k1").keyring }),
  });
  return { service, repository, vault };
}

let requests = 0;
function context(principal = userPrincipal()): RequestContext {
  requests += 1;
  return { principal, tenantId: DEFAULT_TENANT, requestId: `req-${requests}` };
}

async function createEncrypted(service: RestoreService) {
  return (
    await service.createRestore(context(), {
      backupId: ENCRYPTED_BACKUP_ID,
      backupMachineId: BACKUP_MACHINE_ID,
      destinationMachineId: DESTINATION_MACHINE_ID,
      destinationPath: "C:\\FolderPathForRestore\\",
      overwriteFiles: false,
    })
  )._unsafeUnwrap();
}

describe("core's service on the AES-GCM vault", () => {
  it("seals an encrypted start, releases it to the agent only, and the agent reads the passphrase", {
    timeout: PROPERTY_TIMEOUT_MS,
  }, async () => {
    await fc.assert(
      fc.asyncProperty(
        passphraseUpTo(maxPassphraseBytes(256, "oaep-sha256")),
        fc.constantFrom("oaep-sha1" as const, "oaep-sha256" as const),
        async (passphrase, padding) => {
          const { service, repository, vault } = wire();
          const created = await createEncrypted(service);
          // The client encrypts with the key the restore details publish.
          const hex = encryptPassword(passphrase, created.backup.publicKey ?? {}, {
            padding,
          })._unsafeUnwrap();
          const started = (
            await service.requestAction(context(), {
              action: "StartManual",
              restoreId: created.restoreId,
              encryptedPassword: hex.replace(/(.{64})/g, "$1 "),
            })
          )._unsafeUnwrap();
          expect(started).toMatchObject({ state: "StartRequested", passwordSealed: true });

          const sealed = (
            await repository.readSealedPassword(DEFAULT_TENANT, created.restoreId)
          )._unsafeUnwrap();
          expect(sealed).not.toBeNull();
          expect(sealedKeyId(sealed as SealedPassword)._unsafeUnwrap()).toBe("k1");
          expect(
            Buffer.from(sealed as Uint8Array)
              .toString("hex")
              .toUpperCase(),
          ).not.toContain(hex.slice(0, 32));
          const binding = { tenantId: DEFAULT_TENANT, restoreId: created.restoreId };
          expect((await vault.open(sealed as SealedPassword, binding))._unsafeUnwrap()).toBe(hex);

          const released = (
            await service.releasePassword(context(agentPrincipal()), created.restoreId)
          )._unsafeUnwrap();
          expect(released).toBe(hex);
          const secret = decryptPassword(released, testAgentKeys().privateKey, {
            padding,
          })._unsafeUnwrap();
          expect(secret.reveal()).toBe(passphrase);

          const events = (await service.listEvents(context(), created.restoreId))._unsafeUnwrap();
          const log = JSON.stringify(events);
          expect(log).not.toContain(hex);
          expect(log.toLowerCase()).not.toContain(hex.slice(0, 32).toLowerCase());
        },
      ),
      { numRuns: 15 },
    );
  });

  it("rejects the seed's 'myencryptedpassword' with a 400 naming the rule, and stores nothing", async () => {
    const { service, repository } = wire();
    const created = await createEncrypted(service);
    const error = (
      await service.requestAction(context(), {
        action: "StartManual",
        restoreId: created.restoreId,
        encryptedPassword: "'myencryptedpassword'",
      })
    )._unsafeUnwrapErr();
    expect(error).toMatchObject({ code: "password_invalid", rule: "not_hex" });
    expect(errorStatus(error)).toBe(400);
    expect(
      (await repository.readSealedPassword(DEFAULT_TENANT, created.restoreId))._unsafeUnwrap(),
    ).toBeNull();
  });

  it("destroys the sealed value when the restore finishes", async () => {
    const { service, repository } = wire();
    const created = await createEncrypted(service);
    const hex = encryptPassword("finish me", testAgentKeys().publicKey)._unsafeUnwrap();
    await service.requestAction(context(), {
      action: "StartManual",
      restoreId: created.restoreId,
      encryptedPassword: hex,
    });
    const agent = context(agentPrincipal());
    (
      await service.agentReport(agent, created.restoreId, { state: "Completed", report: {} })
    )._unsafeUnwrap();
    expect(
      (await repository.readSealedPassword(DEFAULT_TENANT, created.restoreId))._unsafeUnwrap(),
    ).toBeNull();
    expect((await service.releasePassword(agent, created.restoreId))._unsafeUnwrapErr().code).toBe(
      "no_sealed_password",
    );
  });

  it("cannot open a value moved to another restore", async () => {
    const { service, repository, vault } = wire();
    const first = await createEncrypted(service);
    const second = await createEncrypted(service);
    const hex = encryptPassword("stay put", testAgentKeys().publicKey)._unsafeUnwrap();
    await service.requestAction(context(), {
      action: "StartManual",
      restoreId: first.restoreId,
      encryptedPassword: hex,
    });
    const sealed = (
      await repository.readSealedPassword(DEFAULT_TENANT, first.restoreId)
    )._unsafeUnwrap() as SealedPassword;
    const moved = await vault.open(sealed, {
      tenantId: DEFAULT_TENANT,
      restoreId: second.restoreId,
    });
    expect(moved._unsafeUnwrapErr().code).toBe("sealed_password_unreadable");
  });
});
