import { generateKeyPairSync } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseAgentPublicKey } from "@restorekit/crypto";
import { testAgentKeys } from "@restorekit/testing";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { checkCatalog, mergeCatalogs, readCatalogFile } from "../src/catalog-data.js";
import {
  DEMO_AGENT_MACHINE_ID,
  DEMO_BACKUP_ID,
  DEMO_BACKUP_MACHINE_ID,
  DEMO_OTHER_TENANT,
  DEMO_TENANT,
  demoCatalogData,
} from "../src/demo-data.js";
import { staticCatalog } from "../src/static-catalog.js";
import { ROOT } from "./support/server-process.js";

const { publicKey } = testAgentKeys();
const demo = checkCatalog(demoCatalogData(publicKey), "demo")._unsafeUnwrap();

function fixture(name: string): Record<string, unknown> {
  return JSON.parse(
    readFileSync(join(ROOT, "packages/core/test/fixtures", name), "utf8"),
  ) as Record<string, unknown>;
}

function issues(data: unknown): string[] {
  const checked = checkCatalog(data, "catalog.json");
  return checked.isErr() ? checked.error.issues.map((i) => `${i.variable}: ${i.message}`) : [];
}

const machine = (overrides: Record<string, unknown> = {}) => ({
  tenantId: "42",
  machineId: 7,
  name: "AGENT-7",
  publicKey: null,
  ...overrides,
});
const backup = (overrides: Record<string, unknown> = {}) => ({
  tenantId: "42",
  backupId: 70,
  machineId: 7,
  configurationId: 700,
  configurationName: "Nightly",
  restorePoint: "2024-05-01T02:00:00+02:00",
  flavor: "RaxCloudServer",
  dataCenter: "ORD",
  isEncrypted: true,
  ...overrides,
});

describe("the demo catalog", () => {
  it("resolves the reference's create example to what the reference's create answer shows", async () => {
    const request = fixture("v1-create-restore-request.json");
    const response = fixture("v1-create-restore-response.json");
    const resolved = await staticCatalog(demo).resolve(DEMO_TENANT, {
      backupId: request.BackupId as number,
      backupMachineId: request.BackupMachineId as number,
      destinationMachineId: request.DestinationMachineId as number,
    });
    expect(resolved._unsafeUnwrap()).toEqual({
      backupConfigurationId: response.BackupConfigurationId,
      backupConfigurationName: response.BackupConfigurationName,
      restorePoint: new Date(1357151359000).toISOString(),
      backupMachineName: response.BackupMachineName,
      backupFlavor: response.BackupFlavor,
      backupDataCenter: response.BackupDataCenter,
      destinationMachineName: response.DestinationMachineName,
      isEncrypted: response.IsEncrypted,
      // The reference's key is someone else's: the demo's is the demo agent's, whose private key it has.
      publicKey,
    });
  });

  it("knows nothing in another tenant", async () => {
    const resolved = await staticCatalog(demo).resolve(DEMO_OTHER_TENANT, {
      backupId: DEMO_BACKUP_ID,
      backupMachineId: DEMO_BACKUP_MACHINE_ID,
      destinationMachineId: DEMO_AGENT_MACHINE_ID,
    });
    expect(resolved._unsafeUnwrapErr()).toMatchObject({
      code: "unknown_reference",
      field: "BackupId",
    });
  });

  it("names the first reference it does not know, and a backup machine that did not take the backup", async () => {
    const catalog = staticCatalog(demo);
    const refs = {
      backupId: DEMO_BACKUP_ID,
      backupMachineId: DEMO_BACKUP_MACHINE_ID,
      destinationMachineId: DEMO_AGENT_MACHINE_ID,
    };
    const field = async (changed: Partial<typeof refs>) =>
      (await catalog.resolve(DEMO_TENANT, { ...refs, ...changed }))._unsafeUnwrapErr();
    expect(await field({ backupId: 1 })).toMatchObject({ field: "BackupId" });
    expect(await field({ backupMachineId: 1 })).toMatchObject({ field: "BackupMachineId" });
    expect(await field({ backupMachineId: DEMO_AGENT_MACHINE_ID })).toMatchObject({
      field: "BackupMachineId",
    });
    expect(await field({ destinationMachineId: 1 })).toMatchObject({
      field: "DestinationMachineId",
    });
    // The update example restores onto the machine the backup was taken on: that machine is known.
    expect(
      (
        await catalog.resolve(DEMO_TENANT, {
          ...refs,
          destinationMachineId: DEMO_BACKUP_MACHINE_ID,
        })
      )._unsafeUnwrap(),
    ).toMatchObject({ destinationMachineName: "BALAJIMBP", publicKey: null });
  });
});

describe("a catalog file", () => {
  it("is read with its keys in any form parseAgentPublicKey reads, normalised", () => {
    const pem = generateKeyPairSync("rsa", { modulusLength: 2048 }).publicKey;
    const forms = [
      { ModulusHex: publicKey.modulusHex.replace(/(.{60})/g, "$1 "), ExponentHex: 10001 },
      pem.export({ format: "pem", type: "spki" }).toString(),
      pem.export({ format: "jwk" }),
    ];
    for (const form of forms) {
      const read = readCatalogFile(
        JSON.stringify({ machines: [machine({ publicKey: form })], backups: [backup()] }),
        "catalog.json",
      )._unsafeUnwrap();
      expect(read.machines[0]?.publicKey).toEqual(
        parseAgentPublicKey(form)._unsafeUnwrap().publicKey,
      );
      expect(read.backups[0]?.restorePoint).toBe("2024-05-01T00:00:00.000Z");
    }
  });

  it("refuses a weak or malformed agent key, naming the machine, so no restore is ever created with it", () => {
    const small = generateKeyPairSync("rsa", { modulusLength: 1024 }).publicKey.export({
      format: "jwk",
    });
    expect(issues({ machines: [machine({ publicKey: small })] })).toEqual([
      "catalog.json: machines[0].publicKey: The RSA key has a 1024-bit modulus; at least 2048 bits are required.",
    ]);
    expect(
      issues({
        machines: [machine({ publicKey: { ModulusHex: publicKey.modulusHex, ExponentHex: 3 } })],
      }),
    ).toEqual([
      "catalog.json: machines[0].publicKey: The RSA public exponent is invalid: it is below 65537 (0x10001), the smallest accepted.",
    ]);
    expect(issues({ machines: [machine({ publicKey: "ssh-rsa AAAA" })] })[0]).toMatch(
      /^catalog\.json: machines\[0\]\.publicKey: The RSA public key is malformed/,
    );
    expect(issues({ machines: [machine({ publicKey: undefined })] })).toEqual([
      "catalog.json: machines[0].publicKey: must be the agent's public key, or null for none",
    ]);
  });

  it("names every field that is wrong", () => {
    expect(
      issues({
        machines: [machine({ machineId: 0, name: "" })],
        backups: [backup({ restorePoint: "2024-02-30T00:00:00Z", isEncrypted: "yes", flavor: 5 })],
      }),
    ).toEqual([
      "catalog.json: machines[0].machineId: must be a positive whole number",
      "catalog.json: machines[0].name: must be a non-empty text of at most 256 characters",
      "catalog.json: backups[0].restorePoint: must be an ISO 8601 date-time with a time zone, e.g. 2013-01-02T18:29:19Z",
      "catalog.json: backups[0].flavor: must be a non-empty text of at most 256 characters",
      "catalog.json: backups[0].isEncrypted: must be true or false",
    ]);
  });

  it("refuses a backup of an unlisted machine, an id listed twice, and what is not a catalog", () => {
    expect(issues({ machines: [], backups: [backup()] })).toEqual([
      'catalog.json: backups[0].machineId: machine 7 is not listed under "machines" for tenant 42',
    ]);
    expect(issues({ machines: [machine(), machine()], backups: [backup(), backup()] })).toEqual([
      "catalog.json: machines[1]: machine 7 of tenant 42 is listed twice",
      "catalog.json: backups[1]: backup 70 of tenant 42 is listed twice",
    ]);
    // The same ids in two tenants are two machines.
    expect(issues({ machines: [machine(), machine({ tenantId: "43" })] })).toEqual([]);
    expect(issues([])).toEqual([
      'catalog.json: must be a JSON object {"backups": [...], "machines": [...]}',
    ]);
    expect(issues({ machines: {}, backups: [1] })).toEqual([
      "catalog.json: machines: must be an array",
      "catalog.json: backups[0]: must be an object",
    ]);
    expect(readCatalogFile("{", "catalog.json")._unsafeUnwrapErr().issues).toEqual([
      { variable: "catalog.json", message: "is not valid JSON" },
    ]);
  });

  it("adds to the demo catalog, but may not reuse a demo id", () => {
    const extra = checkCatalog(
      { machines: [machine()], backups: [backup()] },
      "file",
    )._unsafeUnwrap();
    const merged = mergeCatalogs(demo, extra, "file")._unsafeUnwrap();
    expect(merged.backups.map((b) => b.backupId)).toEqual([DEMO_BACKUP_ID, 70]);
    const clash = checkCatalog(
      { machines: [machine({ tenantId: DEMO_TENANT, machineId: DEMO_AGENT_MACHINE_ID })] },
      "file",
    )._unsafeUnwrap();
    expect(mergeCatalogs(demo, clash, "file")._unsafeUnwrapErr().issues).toEqual([
      {
        variable: "file",
        message: `machine ${DEMO_AGENT_MACHINE_ID} of tenant ${DEMO_TENANT} is also a demo machine; use another id or turn demo mode off`,
      },
    ]);
  });

  it("resolves only what it lists, for any references", { timeout: 30_000 }, async () => {
    const catalog = staticCatalog(
      checkCatalog({ machines: [machine()], backups: [backup()] }, "file")._unsafeUnwrap(),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom("42", "43", ""),
        fc.integer({ min: 1, max: 100 }),
        fc.integer({ min: 1, max: 10 }),
        fc.integer({ min: 1, max: 10 }),
        async (tenantId, backupId, backupMachineId, destinationMachineId) => {
          const resolved = await catalog.resolve(tenantId, {
            backupId,
            backupMachineId,
            destinationMachineId,
          });
          const known =
            tenantId === "42" &&
            backupId === 70 &&
            backupMachineId === 7 &&
            destinationMachineId === 7;
          expect(resolved.isOk()).toBe(known);
          if (resolved.isErr()) expect(resolved.error.code).toBe("unknown_reference");
        },
      ),
      { numRuns: 300 },
    );
  });
});
