import {
  type RestoreStateName,
  restoreDetailsSchema,
  restoreReportSchema,
  stateId,
} from "@restorekit/core";
import { decryptPassword, encryptPassword } from "@restorekit/crypto";
import { testAgentKeys } from "@restorekit/testing";
import { describe, expect, it } from "vitest";
import { reachState } from "../support/reach-state.js";
import { referenceFixture } from "../support/reference-fixture.js";
import { routeSuite } from "../support/route-suite.js";
import type { Tenant } from "../support/tenant-scope.js";

// Each example body of the API reference, sent byte for byte to its route. The examples name
// restores 13689, 13692 and 14387: each test steers the next restore id to the one its
// example names, in a tenant of its own.

const START_UNENCRYPTED = referenceFixture("v1-action-requested-start-unencrypted.json");
const START_ENCRYPTED = referenceFixture("v1-action-requested-start-encrypted.txt");
const STOP = referenceFixture("v1-action-requested-stop.json");
const CREATE_REQUEST = referenceFixture("v1-create-restore-request.json");
const CREATE_RESPONSE = referenceFixture("v1-create-restore-response.json");
const UPDATE_REQUEST = referenceFixture("v1-update-restore-request.json");
const PATCH = referenceFixture("v2-update-restore-patch.json");
const PATCH_409 = referenceFixture("v2-update-restore-409-response.json");

const ACTION_PATH = "/restore/action-requested";

routeSuite("the API reference's example bodies, verbatim", (harness) => {
  /** A restore with the example's id, brought to `state` through the routes. */
  async function exampleRestore(
    tenant: Tenant,
    id: number,
    state: RestoreStateName,
    encrypted = false,
  ): Promise<number> {
    harness().ids.steer(id);
    const restoreId = await reachState(tenant, state, { encrypted });
    expect(restoreId).toBe(id);
    return restoreId;
  }

  it("the unencrypted StartManual starts restore 13692: 204", async () => {
    const tenant = harness().tenant();
    await exampleRestore(tenant, 13692, "Creating");
    const answer = await tenant.send("POST", tenant.v1(ACTION_PATH), { body: START_UNENCRYPTED });
    expect(answer.status).toBe(204);
    expect(answer.text).toBe("");
    expect((await tenant.details(13692)).RestoreStateId).toBe(stateId("StartRequested"));
  });

  it("the StopManual cancels restore 13689 while it waits for its agent: 204, Stopped", async () => {
    const tenant = harness().tenant();
    await exampleRestore(tenant, 13689, "StartRequested");
    const answer = await tenant.send("POST", tenant.v1(ACTION_PATH), { body: STOP });
    expect(answer.status).toBe(204);
    expect((await tenant.details(13689)).RestoreStateId).toBe(stateId("Stopped"));
  });

  it("the StopManual asks the agent to stop restore 13689 once it took it: 204, StopRequested", async () => {
    const tenant = harness().tenant();
    await exampleRestore(tenant, 13689, "InProgress");
    const answer = await tenant.send("POST", tenant.v1(ACTION_PATH), { body: STOP });
    expect(answer.status).toBe(204);
    expect((await tenant.details(13689)).RestoreStateId).toBe(stateId("StopRequested"));
  });

  it("the encrypted StartManual with single quotes is a 400 saying where the JSON breaks", async () => {
    const tenant = harness().tenant();
    await exampleRestore(tenant, 13689, "Creating", true);
    const before = await tenant.snapshot(13689);
    // As stored: the quote opening 'myencryptedpassword' is the 27th character of line 3.
    const line3 = START_ENCRYPTED.split("\n")[2] ?? "";
    expect(line3.indexOf("'") + 1).toBe(27);

    const answer = await tenant.send("POST", tenant.v1(ACTION_PATH), { body: START_ENCRYPTED });
    expect(answer.status).toBe(400);
    expect(answer.json).toEqual({
      badRequest: {
        code: 400,
        message: expect.stringMatching(/^The body is not valid JSON: .* at line 3, column 27\.$/),
        details: "line 3, column 27",
      },
    });
    expect(answer.text).not.toContain("myencryptedpassword");
    expect(await tenant.snapshot(13689)).toEqual(before);
  });

  it("the create request: 200, details in the create response's shape, with the catalog's values", async () => {
    const tenant = harness().tenant();
    const answer = await tenant.send("PUT", tenant.v1("/restore"), { body: CREATE_REQUEST });
    expect(answer.status).toBe(200);
    expect(answer.headers.get("content-type")).toBe("application/json; charset=utf-8");

    const example = JSON.parse(CREATE_RESPONSE) as Record<string, unknown>;
    const details = answer.json as Record<string, unknown>;
    // The example's keys in its order, then restorekit's addition.
    expect(Object.keys(details)).toEqual([...Object.keys(example), "Progress"]);
    expect(Object.keys(details.PublicKey as object)).toEqual(
      Object.keys(example.PublicKey as object),
    );
    for (const key of Object.keys(example)) expect(typeof details[key]).toBe(typeof example[key]);
    expect(restoreDetailsSchema.safeParse(details).success).toBe(true);
    expect(details).toEqual({
      ...example,
      RestoreId: expect.any(Number),
      // The example answers 5, which is no machine of its request; ours is the machine asked for.
      BackupMachineId: 156953,
      PublicKey: {
        ModulusHex: testAgentKeys().publicKey.modulusHex,
        ExponentHex: 10001,
      },
      Progress: {
        FilesRestored: null,
        BytesCompleted: null,
        BytesRemaining: null,
        TotalBytes: null,
        PercentComplete: null,
      },
    });
    // The .NET date form, slash-escaped like every slash of a v1 body.
    expect(answer.text).toContain(String.raw`"BackupRestorePoint":"\/Date(1357151359000)\/"`);
    expect(answer.text).toContain(String.raw`"DestinationPath":"C:\\FolderPathForRestore\\"`);
  });

  it("the update request of restore 14387: 204, its RestoreStateId 1 accepted and ignored", async () => {
    const tenant = harness().tenant();
    await exampleRestore(tenant, 14387, "Creating");
    const before = await tenant.snapshot(14387);

    const answer = await tenant.send("POST", tenant.v1("/restore"), { body: UPDATE_REQUEST });
    expect(answer.status).toBe(204);
    expect(answer.text).toBe("");

    const details = await tenant.details(14387);
    expect(details).toMatchObject({
      RestoreId: 14387,
      RestoreStateId: stateId("Creating"),
      DestinationMachineId: 156953,
      DestinationMachineName: "BALAJIMBP",
      DestinationPath: "C:\\RestoredPath",
      OverwriteFiles: true,
      // The catalog's, not the example's 148325.
      BackupConfigurationId: 6265,
    });
    const after = await tenant.snapshot(14387);
    expect(after.events.map(({ event }) => event.type)).toEqual([
      ...before.events.map(({ event }) => event.type),
      "RestoreConfigUpdated",
    ]);
  });

  describe("the agent's JSON Patch", () => {
    it("finishes a running restore as completed_with_errors: 204, and the report shows it", async () => {
      const tenant = harness().tenant();
      const restoreId = await reachState(tenant, "InProgress");
      const answer = await tenant.send("PATCH", tenant.v2(`/restores/${restoreId}`), {
        as: "agent",
        body: PATCH,
        contentType: "application/json-patch+json",
      });
      expect(answer.status).toBe(204);
      expect((await tenant.details(restoreId)).RestoreStateId).toBe(stateId("CompletedWithErrors"));

      const report = await tenant.send("GET", tenant.v1(`/restore/report/${restoreId}`));
      expect(report.status).toBe(200);
      expect(restoreReportSchema.safeParse(report.json).success).toBe(true);
      expect(Object.keys(report.json as object)).toEqual(
        Object.keys(JSON.parse(referenceFixture("v1-restore-report-response.json"))),
      );
      expect(report.json).toMatchObject({
        State: "CompletedWithErrors",
        StartTime: "/Date(1413810718985)/",
        CompletedTime: "/Date(1413810778985)/",
        Duration: "00:01:00",
        NumFilesRestored: "2",
        NumErrors: "1",
        Reason: "UnableToProcessSomeFiles",
        Diagnostics: "Some files may not have been restored.",
        ErrorList: [
          {
            Index: 3,
            Path: "/usr/bin/h2xs",
            Type: "phx_exception",
            Exception: {
              Code: 9016,
              Description: "WRITE failed (3042): No space left on device",
            },
          },
        ],
      });
    });

    it("is a safe retry once the restore finished that way: 204, no event", async () => {
      const tenant = harness().tenant();
      const restoreId = await reachState(tenant, "CompletedWithErrors");
      const before = await tenant.snapshot(restoreId);
      const answer = await tenant.send("PATCH", tenant.v2(`/restores/${restoreId}`), {
        as: "agent",
        body: PATCH,
        contentType: "application/json-patch+json",
      });
      expect(answer.status).toBe(204);
      expect(await tenant.snapshot(restoreId)).toEqual(before);
    });

    it("on a restore finished otherwise: the reference's 409 message, in a v2 body", async () => {
      const tenant = harness().tenant();
      const restoreId = await reachState(tenant, "Completed");
      const before = await tenant.snapshot(restoreId);
      const answer = await tenant.send("PATCH", tenant.v2(`/restores/${restoreId}`), {
        as: "agent",
        body: PATCH,
        contentType: "application/json-patch+json",
      });
      expect(answer.status).toBe(409);
      const example = JSON.parse(PATCH_409) as { message: string };
      expect(answer.json).toEqual({
        message: `Restore ${restoreId} is completed. ${example.message}`,
        errors: [],
      });
      expect(await tenant.snapshot(restoreId)).toEqual(before);
    });
  });

  describe("an encrypted restore, end to end with real RSA and the real vault", () => {
    it("the client encrypts with the details' PublicKey, the agent decrypts the same passphrase", async () => {
      const tenant = harness().tenant();
      const restoreId = await tenant.create({ encrypted: true });
      const passwordPath = tenant.v2(`/restores/${restoreId}/password`);
      const details = await tenant.details(restoreId);
      expect(details.IsEncrypted).toBe(true);
      expect(details.EncryptedPassword).toBeNull();

      // Before the start there is nothing to release.
      expect((await tenant.send("GET", passwordPath, { as: "agent" })).status).toBe(404);

      const passphrase = "correct horse battery staple ✓";
      const encrypted = encryptPassword(passphrase, details.PublicKey as object);
      if (encrypted.isErr()) throw new Error(encrypted.error.message);
      const started = await tenant.act(restoreId, "StartManual", {
        encryptedPassword: encrypted.value,
      });
      expect(started.status).toBe(204);
      expect((await tenant.details(restoreId)).EncryptedPassword).toBeNull();

      const released = await tenant.send("GET", passwordPath, { as: "agent" });
      expect(released.status).toBe(200);
      expect(released.headers.get("cache-control")).toBe("no-store");
      const { EncryptedPassword } = released.json as { EncryptedPassword: string };
      expect(EncryptedPassword.replace(/\s/g, "").toUpperCase()).toBe(encrypted.value);
      const decrypted = decryptPassword(EncryptedPassword, testAgentKeys().privateKey);
      if (decrypted.isErr()) throw new Error(decrypted.error.message);
      expect(decrypted.value.reveal()).toBe(passphrase);

      for (const state of ["queued", "in_progress"]) {
        const report = await tenant.report(restoreId, [
          { op: "replace", path: "/state", value: state },
        ]);
        expect(report.status).toBe(204);
        expect((await tenant.send("GET", passwordPath, { as: "agent" })).status).toBe(200);
      }
      expect(
        (await tenant.report(restoreId, [{ op: "replace", path: "/state", value: "completed" }]))
          .status,
      ).toBe(204);

      const after = await tenant.send("GET", passwordPath, { as: "agent" });
      expect(after.status).toBe(404);
      expect(after.json).toEqual({
        message: expect.stringContaining("holds no sealed password"),
        errors: [],
      });
      expect(after.text).not.toContain(encrypted.value);
      expect((await tenant.snapshot(restoreId)).restore?.passwordSealed).toBe(false);
    });

    it("a StartManual without EncryptedPassword on it is a 400 that says one is needed", async () => {
      const tenant = harness().tenant();
      const restoreId = await tenant.create({ encrypted: true });
      const answer = await tenant.act(restoreId, "StartManual");
      expect(answer.status).toBe(400);
      expect(answer.json).toEqual({
        badRequest: {
          code: 400,
          message: `Restore ${restoreId} is encrypted: StartManual needs an EncryptedPassword.`,
          details: "password_required",
        },
      });
    });

    it("an EncryptedPassword that is not for the agent's key is a 400 naming the rule", async () => {
      const tenant = harness().tenant();
      const restoreId = await tenant.create({ encrypted: true });
      const answer = await tenant.act(restoreId, "StartManual", { encryptedPassword: "ABCD" });
      expect(answer.status).toBe(400);
      expect(answer.json).toMatchObject({ badRequest: { details: "password_invalid" } });
      expect(answer.text).not.toContain("ABCD");
      expect(await tenant.stateOf(restoreId)).toBe("Creating");
    });
  });
});
