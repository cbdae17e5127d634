import type { IdempotentChange, Restore, StoredResponse } from "@restorekit/core";
import {
  BACKUP_MACHINE_ID,
  DEFAULT_TENANT,
  DESTINATION_MACHINE_ID,
  ENCRYPTED_BACKUP_ID,
  encryptForAgent,
  UNENCRYPTED_BACKUP_ID,
} from "@restorekit/testing";
import { expect } from "vitest";
import { postgresIdempotencyKeys, postgresRepository, type SqlClient } from "../../src/index.js";
import { serviceOn } from "./service.js";
import { tenantSession } from "./tenant-session.js";

const SCOPE = { tenantId: DEFAULT_TENANT, principal: "user:user-1" };
const LOCK_MS = 60_000;
const KEEP_MS = 86_400_000;

/** What the HTTP adapter would store for the change: enough for the key's row. */
const respond = (restore: Restore): StoredResponse => ({
  status: 200,
  headers: { "content-type": "application/json" },
  body: JSON.stringify({ RestoreId: restore.restoreId, State: restore.state }),
});

/**
 * A realistic session of one tenant through the service, the repository,
 * `postgresIdGenerator` and `postgresIdempotencyKeys` on a migrated schema:
 * plain and encrypted creates, starts, agent reports (one event and
 * several), stops, the events paged both ways, the sealed password, the
 * pending poll, and changes made under an `Idempotency-Key` (claimed,
 * answered by the append, replayed, completed, released). Every call must
 * succeed: a statement the server refused would not be planned below.
 */
export async function routerWorkload(client: SqlClient, schema: string): Promise<void> {
  await tenantSession(client, schema);

  const repository = postgresRepository(client, { schema });
  const app = serviceOn(client, schema, repository);
  const { service } = app;
  const keys = postgresIdempotencyKeys(client, { schema });
  const claim = async (key: string) =>
    (
      await keys.claim({
        scope: SCOPE,
        key,
        fingerprint: `fingerprint-${key}`,
        now: new Date(),
        lockMs: LOCK_MS,
        keepMs: KEEP_MS,
      })
    )._unsafeUnwrap().kind;
  const under = (key: string): { idempotency: IdempotentChange } => ({
    idempotency: { scope: SCOPE, key, respond },
  });

  // An encrypted restore: its start seals the password, its end erases it.
  expect(await claim("create-encrypted")).toBe("claimed");
  const encrypted = (
    await service.createRestore(
      app.user(),
      {
        backupId: ENCRYPTED_BACKUP_ID,
        backupMachineId: BACKUP_MACHINE_ID,
        destinationMachineId: DESTINATION_MACHINE_ID,
        destinationPath: "/var/encrypted",
        overwriteFiles: false,
      },
      under("create-encrypted"),
    )
  )._unsafeUnwrap();
  expect(await claim("create-encrypted")).toBe("replay");
  const publicKey = encrypted.backup.publicKey;
  if (publicKey === null) throw new Error("the encrypted backup's agent has no public key");
  expect(await claim("start-encrypted")).toBe("claimed");
  (
    await service.requestAction(
      app.user(),
      {
        action: "StartManual",
        restoreId: encrypted.restoreId,
        encryptedPassword: encryptForAgent("vault passphrase", publicKey),
      },
      undefined,
      under("start-encrypted"),
    )
  )._unsafeUnwrap();
  expect(
    (await repository.readSealedPassword(DEFAULT_TENANT, encrypted.restoreId))._unsafeUnwrap(),
  ).not.toBeNull();
  (await service.releasePassword(app.agent(), encrypted.restoreId))._unsafeUnwrap();
  expect(
    (await repository.pendingAgentRequests(DEFAULT_TENANT, DESTINATION_MACHINE_ID))._unsafeUnwrap(),
  ).not.toEqual([]);
  // A state and new progress in one report: two events in one append.
  (
    await service.agentReport(app.agent(), encrypted.restoreId, {
      state: "InProgress",
      report: { filesRestored: 10, bytesRestored: 1_000 },
    })
  )._unsafeUnwrap();
  (
    await service.agentReport(app.agent(), encrypted.restoreId, {
      state: null,
      report: { filesRestored: 20, bytesRestored: 2_000 },
    })
  )._unsafeUnwrap();
  (
    await service.agentReport(app.agent(), encrypted.restoreId, {
      state: "Completed",
      report: { filesRestored: 30, bytesRestored: 3_000 },
    })
  )._unsafeUnwrap();
  expect(
    (await repository.readSealedPassword(DEFAULT_TENANT, encrypted.restoreId))._unsafeUnwrap(),
  ).toBeNull();
  await service.getReport(app.user(), encrypted.restoreId);

  // The events paged both ways, bounded and not.
  for (const page of [
    {},
    { afterSeq: 1, limit: 2 },
    { order: "desc" as const, limit: 2 },
    { order: "desc" as const, beforeSeq: 4, limit: 2 },
  ]) {
    expect(
      (await service.listEvents(app.user(), encrypted.restoreId, page))._unsafeUnwrap(),
    ).not.toEqual([]);
  }

  // A plain restore started and stopped under keys; a no-op answered by `complete`.
  const plain = (
    await service.createRestore(app.user(), {
      backupId: UNENCRYPTED_BACKUP_ID,
      backupMachineId: BACKUP_MACHINE_ID,
      destinationMachineId: DESTINATION_MACHINE_ID,
      destinationPath: "/var/plain",
      overwriteFiles: true,
    })
  )._unsafeUnwrap();
  expect(await claim("start-plain")).toBe("claimed");
  const start = {
    action: "StartManual" as const,
    restoreId: plain.restoreId,
    encryptedPassword: null,
  };
  (await service.requestAction(app.user(), start, undefined, under("start-plain")))._unsafeUnwrap();
  expect(await claim("start-plain-again")).toBe("claimed");
  const again = (await service.requestAction(app.user(), start))._unsafeUnwrap();
  (await keys.complete(SCOPE, "start-plain-again", respond(again)))._unsafeUnwrap();
  expect(await claim("start-plain-again")).toBe("replay");
  expect(await claim("stop-plain")).toBe("claimed");
  (await keys.release(SCOPE, "stop-plain"))._unsafeUnwrap();
  (
    await service.requestAction(app.user(), {
      action: "StopManual",
      restoreId: plain.restoreId,
      encryptedPassword: null,
    })
  )._unsafeUnwrap();
  await repository.flushNotifications();
}
