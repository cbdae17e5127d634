import type { CreateRestoreInput, Precondition, Restore } from "@restorekit/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  BACKUP_MACHINE_ID,
  DEFAULT_TENANT,
  DESTINATION_MACHINE_ID,
  type TestEnvironment,
  testEnvironment,
  UNENCRYPTED_BACKUP_ID,
} from "../src/index.js";

/** Long property runs get their own timeout, so a loaded 2-core machine cannot fail them. */
const PROPERTY_TIMEOUT_MS = 60_000;

const INPUT: CreateRestoreInput = {
  backupId: UNENCRYPTED_BACKUP_ID,
  backupMachineId: BACKUP_MACHINE_ID,
  destinationMachineId: DESTINATION_MACHINE_ID,
  destinationPath: "C:\\restore\\",
  overwriteFiles: false,
};

async function created(env: TestEnvironment): Promise<Restore> {
  return (await env.service.createRestore(env.context(), INPUT))._unsafeUnwrap();
}

const start = (env: TestEnvironment, restoreId: number, precondition?: Precondition) =>
  env.service.requestAction(
    env.context(),
    { action: "StartManual", restoreId, encryptedPassword: null },
    precondition,
  );

const versions = fc.array(fc.integer({ min: 1, max: 6 }), { maxLength: 4 });

describe("a precondition on a change (If-Match)", () => {
  it(
    "changes the restore exactly when its version is one named, and otherwise changes nothing",
    async () => {
      await fc.assert(
        fc.asyncProperty(fc.nat({ max: 3 }), versions, async (edits, named) => {
          const env = testEnvironment();
          const restore = await created(env);
          // Each update moves the version on while the restore stays editable.
          for (let i = 0; i < edits; i += 1) {
            (
              await env.service.updateRestore(env.context(), {
                ...INPUT,
                restoreId: restore.restoreId,
                destinationPath: `C:\\edit${i}\\`,
              })
            )._unsafeUnwrap();
          }
          const version = 1 + edits;
          const before = await env.repository.load(DEFAULT_TENANT, restore.restoreId);
          const answer = await start(env, restore.restoreId, { versions: named });
          const after = await env.repository.load(DEFAULT_TENANT, restore.restoreId);
          if (named.includes(version)) {
            expect(answer._unsafeUnwrap()).toMatchObject({
              state: "StartRequested",
              version: version + 1,
            });
          } else {
            expect(answer._unsafeUnwrapErr()).toMatchObject({
              code: "precondition_failed",
              version,
              expected: named,
            });
            expect(after).toEqual(before);
          }
        }),
        { numRuns: 150 },
      );
    },
    PROPERTY_TIMEOUT_MS,
  );

  it("fails a remembered restore another instance moved on, after reading it afresh", async () => {
    const env = testEnvironment();
    const restore = await created(env);
    // A second service over the same store: this one's memory of the restore goes stale.
    const other = testEnvironment({ repository: env.repository });
    (
      await other.service.updateRestore(other.context(), {
        ...INPUT,
        restoreId: restore.restoreId,
        destinationPath: "C:\\moved\\",
      })
    )._unsafeUnwrap();
    const stale = await start(env, restore.restoreId, { versions: [1] });
    expect(stale._unsafeUnwrapErr()).toMatchObject({ code: "precondition_failed", version: 2 });
    const current = await start(env, restore.restoreId, { versions: [2] });
    expect(current._unsafeUnwrap()).toMatchObject({ state: "StartRequested", version: 3 });
  });

  it("refuses versions no restore can be at, naming each", async () => {
    const env = testEnvironment();
    const restore = await created(env);
    const answer = await start(env, restore.restoreId, {
      versions: [0, 2 ** 31, 1.5, "1" as unknown as number],
    });
    expect(answer._unsafeUnwrapErr()).toMatchObject({
      code: "invalid_request",
      issues: [
        { path: "precondition.versions.0" },
        { path: "precondition.versions.1" },
        { path: "precondition.versions.2" },
        { path: "precondition.versions.3" },
      ],
    });
    const many = await start(env, restore.restoreId, { versions: Array(33).fill(1) });
    expect(many._unsafeUnwrapErr()).toMatchObject({ code: "invalid_request" });
  });
});
