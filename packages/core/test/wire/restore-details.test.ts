import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type Restore, restoreDetailsSchema, toRestoreDetails } from "../../src/index.js";
import { fixtureJson } from "./read-fixture.js";
import { restoreArb } from "./restore-arbitrary.js";
import { noProgress, referenceRestore } from "./support-reference-restore.js";

const details = fixtureJson("v1-restore-details-response.json") as Record<string, unknown>;

const sample: Restore = {
  ...referenceRestore,
  state: "Completed",
  version: 5,
  backup: {
    ...referenceRestore.backup,
    publicKey: { modulusHex: "CA759606B13D", exponentHex: "10001" },
  },
  progress: noProgress,
};

describe("toRestoreDetails", () => {
  it("has exactly the keys of the API's details response, in its order", () => {
    expect(Object.keys(toRestoreDetails(sample))).toEqual(Object.keys(details));
  });

  it("writes what the API writes for the same restore", () => {
    const { PublicKey: _key, ...rest } = details;
    const { PublicKey, ...written } = toRestoreDetails(sample);
    expect(written).toEqual({ ...rest, BackupRestorePoint: "/Date(1357151359000)/" });
    expect(PublicKey).toEqual({ ModulusHex: "CA759606B13D", ExponentHex: 10001 });
    expect(JSON.stringify(toRestoreDetails(sample))).toContain('"ExponentHex":10001');
  });

  it("never echoes a password: EncryptedPassword is null for every restore", () => {
    fc.assert(
      fc.property(restoreArb, (restore) => {
        expect(toRestoreDetails(restore).EncryptedPassword).toBeNull();
      }),
    );
  });

  it("is read back unchanged by restoreDetailsSchema after a trip through JSON", () => {
    fc.assert(
      fc.property(restoreArb, (restore) => {
        const written = toRestoreDetails(restore);
        const parsed = restoreDetailsSchema.safeParse(JSON.parse(JSON.stringify(written)));
        expect(parsed.success && parsed.data).toEqual(written);
      }),
    );
  });
});

describe("restoreDetailsSchema", () => {
  it("reads both details responses of the reference, normalising the key's hex", () => {
    const create = restoreDetailsSchema.parse(fixtureJson("v1-create-restore-response.json"));
    expect(create.RestoreStateId).toBe(0);
    expect(create.BackupRestorePoint).toBe("/Date(1357151359000)/");
    expect(create.PublicKey?.ModulusHex).toMatch(/^[0-9A-F]{512}$/);
    expect(create.PublicKey?.ExponentHex).toBe(10001);

    const got = restoreDetailsSchema.parse(details);
    expect(got.RestoreStateId).toBe(3);
    expect(got.PublicKey?.ModulusHex).toHaveLength(511);
  });

  it("rejects an echoed password, an unknown state id and a bad key, listing each", () => {
    const parsed = restoreDetailsSchema.safeParse({
      ...details,
      EncryptedPassword: "ABCDEF",
      RestoreStateId: 10,
      PublicKey: { ModulusHex: "ZZ", ExponentHex: -1 },
    });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues.map((i) => i.path.join("."))).toEqual([
      "EncryptedPassword",
      "PublicKey.ModulusHex",
      "PublicKey.ExponentHex",
      "RestoreStateId",
    ]);
  });
});
