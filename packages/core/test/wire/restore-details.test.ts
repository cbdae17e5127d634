import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type Restore, restoreDetailsSchema, toRestoreDetails } from "../../src/index.js";
import { distinctRestore as distinct } from "../support/distinct-restore.js";
import { noProgress, referenceRestore } from "../support/reference-restore.js";
import { fixtureJson } from "./read-fixture.js";
import { restoreArb } from "./restore-arbitrary.js";

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
  it("has the keys of the API's details response in its order, then restorekit's Progress", () => {
    expect(Object.keys(toRestoreDetails(sample))).toEqual([...Object.keys(details), "Progress"]);
  });

  it("writes what the API writes for the same restore", () => {
    const { PublicKey: _key, ...rest } = details;
    const { PublicKey, Progress, ...written } = toRestoreDetails(sample);
    expect(Progress).toStrictEqual(NO_PROGRESS);
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

const NO_PROGRESS = {
  FilesRestored: null,
  BytesCompleted: null,
  BytesRemaining: null,
  TotalBytes: null,
  PercentComplete: null,
};

const DISTINCT_DETAILS = {
  RestoreId: 101,
  BackupId: 202,
  DestinationMachineId: 404,
  OverwriteFiles: false,
  BackupConfigurationId: 505,
  BackupConfigurationName: "Nightly configuration",
  BackupRestorePoint: `/Date(${Date.parse("2020-02-29T12:34:56.789Z")})/`,
  BackupMachineId: 303,
  BackupMachineName: "source-machine",
  BackupFlavor: "RaxCloudServer",
  DestinationMachineName: "destination-machine",
  DestinationPath: "D:\\Destination\\",
  BackupDataCenter: "ORD",
  IsEncrypted: true,
  EncryptedPassword: null,
  PublicKey: { ModulusHex: "C3A5F00D", ExponentHex: 10001 },
  RestoreStateId: 2,
  Progress: {
    FilesRestored: 17,
    BytesCompleted: 5 * 1024 ** 3,
    BytesRemaining: 1024 ** 3,
    TotalBytes: 6 * 1024 ** 3,
    // 5 of 6 GiB, rounded down.
    PercentComplete: 83,
  },
};

describe("toRestoreDetails, field by field", () => {
  it("writes each field of a restore whose fields all differ in its own place", () => {
    expect(toRestoreDetails(distinct)).toStrictEqual(DISTINCT_DETAILS);
    expect(DISTINCT_DETAILS.BackupRestorePoint).toBe("/Date(1582979696789)/");
  });

  it("writes the opposite flags and a missing key as they are", () => {
    const flipped: Restore = {
      ...distinct,
      config: { ...distinct.config, overwriteFiles: true },
      backup: { ...distinct.backup, isEncrypted: false, publicKey: null },
    };
    expect(toRestoreDetails(flipped)).toStrictEqual({
      ...DISTINCT_DETAILS,
      OverwriteFiles: true,
      IsEncrypted: false,
      PublicKey: null,
    });
  });

  it("writes a key's hex normalised, and an exponent with a non-decimal digit as a string", () => {
    const key = { modulusHex: "ca 75\n96", exponentHex: "1000f" };
    expect(
      toRestoreDetails({ ...distinct, backup: { ...distinct.backup, publicKey: key } }).PublicKey,
    ).toStrictEqual({ ModulusHex: "CA7596", ExponentHex: "1000F" });
  });

  it("writes the state id of every state", () => {
    const ids = {
      Creating: 0,
      Queued: 1,
      InProgress: 2,
      Completed: 3,
      Stopped: 4,
      Failed: 5,
      StartRequested: 6,
      StopRequested: 7,
      CompletedWithErrors: 8,
      Preparing: 9,
    } as const;
    for (const [state, id] of Object.entries(ids)) {
      expect(
        toRestoreDetails({ ...distinct, state: state as Restore["state"] }).RestoreStateId,
      ).toBe(id);
    }
  });

  it("never writes a password, whatever the restore holds", () => {
    expect(toRestoreDetails({ ...distinct, passwordSealed: true }).EncryptedPassword).toBeNull();
    expect(toRestoreDetails({ ...distinct, passwordSealed: false }).EncryptedPassword).toBeNull();
  });

  it("is read back unchanged for any restore point of the stored range", () => {
    const earliest = Date.parse("0001-01-01T00:00:00.000Z");
    const latest = Date.parse("9999-12-31T23:59:59.999Z");
    fc.assert(
      fc.property(
        restoreArb,
        fc.oneof(fc.integer({ min: earliest, max: latest }), fc.constantFrom(earliest, latest)),
        (restore, ms) => {
          const atPoint: Restore = {
            ...restore,
            backup: { ...restore.backup, restorePoint: new Date(ms).toISOString() },
          };
          const written = toRestoreDetails(atPoint);
          expect(written.BackupRestorePoint).toBe(`/Date(${ms})/`);
          const parsed = restoreDetailsSchema.safeParse(JSON.parse(JSON.stringify(written)));
          expect(parsed.success && parsed.data).toStrictEqual(written);
        },
      ),
    );
  });
});

describe("restoreDetailsSchema, field by field", () => {
  it("reads the distinct restore's details to themselves", () => {
    expect(restoreDetailsSchema.parse(DISTINCT_DETAILS)).toStrictEqual(DISTINCT_DETAILS);
  });

  it("gives back the canonical form: numeric ids, /Date(ms)/, normalised key", () => {
    expect(
      restoreDetailsSchema.parse({
        ...DISTINCT_DETAILS,
        RestoreId: "101",
        BackupId: "202",
        DestinationMachineId: "404",
        BackupConfigurationId: "505",
        BackupMachineId: "303",
        BackupRestorePoint: "\\/Date(1582979696789+0100)\\/",
        PublicKey: { ModulusHex: "c3a5 f00d", ExponentHex: "10001" },
        Extra: "ignored",
      }),
    ).toStrictEqual(DISTINCT_DETAILS);
  });

  it("reads ExponentHex 0 as the hex digit 0, sent as a number or a string", () => {
    for (const exponent of [0, "0"]) {
      expect(
        restoreDetailsSchema.parse({
          ...DISTINCT_DETAILS,
          PublicKey: { ModulusHex: "C3", ExponentHex: exponent },
        }).PublicKey,
      ).toStrictEqual({ ModulusHex: "C3", ExponentHex: "0" });
    }
  });

  it("reads every known state id and refuses the others", () => {
    for (const id of [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]) {
      expect(
        restoreDetailsSchema.parse({ ...DISTINCT_DETAILS, RestoreStateId: id }).RestoreStateId,
      ).toBe(id);
    }
    for (const id of [-1, 10, 1.5, "3", null]) {
      const parsed = restoreDetailsSchema.safeParse({ ...DISTINCT_DETAILS, RestoreStateId: id });
      expect(parsed.error?.issues.map((i) => [i.path.join("."), i.message])).toEqual([
        ["RestoreStateId", "RestoreStateId must be a known restore state id"],
      ]);
    }
  });

  it("says what each field must be, naming it", () => {
    const wrong = Object.fromEntries(Object.keys(DISTINCT_DETAILS).map((key) => [key, {}]));
    const parsed = restoreDetailsSchema.safeParse(wrong);
    const positive = "must be a positive integer (a JSON number or a string of digits)";
    const date =
      "must be a date in the form /Date(<milliseconds since the epoch>)/ between the years 0001 and 9999";
    expect(parsed.error?.issues.map((i) => [i.path.join("."), i.message])).toEqual([
      ["RestoreId", `RestoreId ${positive}`],
      ["BackupId", `BackupId ${positive}`],
      ["DestinationMachineId", `DestinationMachineId ${positive}`],
      ["OverwriteFiles", "OverwriteFiles must be true or false"],
      ["BackupConfigurationId", `BackupConfigurationId ${positive}`],
      ["BackupConfigurationName", "BackupConfigurationName must be a string"],
      ["BackupRestorePoint", `BackupRestorePoint ${date}`],
      ["BackupMachineId", `BackupMachineId ${positive}`],
      ["BackupMachineName", "BackupMachineName must be a string"],
      ["BackupFlavor", "BackupFlavor must be a string"],
      ["DestinationMachineName", "DestinationMachineName must be a string"],
      ["DestinationPath", "DestinationPath must be a string"],
      ["BackupDataCenter", "BackupDataCenter must be a string"],
      ["IsEncrypted", "IsEncrypted must be true or false"],
      ["EncryptedPassword", "EncryptedPassword must be null"],
      ["PublicKey.ModulusHex", "ModulusHex must be hex digits (whitespace is ignored)"],
      [
        "PublicKey.ExponentHex",
        "ExponentHex must be hex digits, sent as a JSON number or a string (10001 means 0x10001)",
      ],
      ["RestoreStateId", "RestoreStateId must be a known restore state id"],
      ["Progress.FilesRestored", "FilesRestored must be a non-negative integer or null"],
      ["Progress.BytesCompleted", "BytesCompleted must be a non-negative integer or null"],
      ["Progress.BytesRemaining", "BytesRemaining must be a non-negative integer or null"],
      ["Progress.TotalBytes", "TotalBytes must be a non-negative integer or null"],
      ["Progress.PercentComplete", "PercentComplete must be a whole percent, 0 to 100, or null"],
    ]);
  });

  it("reads details without Progress, as a server of the reference API sends them", () => {
    const { Progress: _progress, ...reference } = DISTINCT_DETAILS;
    expect(restoreDetailsSchema.parse(reference)).toStrictEqual(reference);
  });

  it("refuses a Progress that no restore could have", () => {
    const bad = [
      { ...NO_PROGRESS, FilesRestored: -1 },
      { ...NO_PROGRESS, TotalBytes: 1.5 },
      { ...NO_PROGRESS, BytesCompleted: Number.MAX_SAFE_INTEGER + 1 },
      { ...NO_PROGRESS, PercentComplete: 101 },
      { ...NO_PROGRESS, PercentComplete: 99.5 },
      "83%",
      null,
    ];
    for (const Progress of bad) {
      expect(restoreDetailsSchema.safeParse({ ...DISTINCT_DETAILS, Progress }).success).toBe(false);
    }
  });

  it("says what the body and its key must be", () => {
    for (const body of [null, "details", 7]) {
      expect(
        restoreDetailsSchema
          .safeParse(body)
          .error?.issues.map((i) => [i.path.join("."), i.message]),
      ).toEqual([["", "the restore details must be a JSON object"]]);
    }
    expect(
      restoreDetailsSchema
        .safeParse({ ...DISTINCT_DETAILS, PublicKey: "C3A5F00D 10001" })
        .error?.issues.map((i) => [i.path.join("."), i.message]),
    ).toEqual([["PublicKey", "PublicKey must be an object with ModulusHex and ExponentHex"]]);
  });
});

describe("toRestoreDetails: Progress", () => {
  const at = (progress: Partial<Restore["progress"]>) =>
    toRestoreDetails({ ...distinct, progress: { ...noProgress, ...progress } }).Progress;

  it("shows each figure the agent reported, and null for those it did not", () => {
    expect(at({})).toStrictEqual(NO_PROGRESS);
    expect(at({ filesRestored: 3, bytesRemaining: 0 })).toStrictEqual({
      ...NO_PROGRESS,
      FilesRestored: 3,
      BytesRemaining: 0,
    });
  });

  it.each([
    ["nothing known", null, null, null],
    ["no total", 10, null, null],
    ["no bytes done", null, 100, null],
    ["a total of 0", 0, 0, null],
    ["a total of 0 and bytes done", 5, 0, null],
    ["nothing done yet", 0, 100, 0],
    ["29 of 100, where a float division gives 28", 29, 100, 29],
    ["one byte short of done, rounded down", 999, 1000, 99],
    ["all done", 1000, 1000, 100],
    ["more done than the estimated total, kept to 100", 1500, 1000, 100],
    ["the largest counts", Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER, 100],
    ["one byte of the largest total", 1, Number.MAX_SAFE_INTEGER, 0],
    ["one short of the largest total", Number.MAX_SAFE_INTEGER - 1, Number.MAX_SAFE_INTEGER, 99],
  ])("gives PercentComplete for %s", (_what, done, total, percent) => {
    expect(at({ bytesRestored: done, totalBytes: total }).PercentComplete).toBe(percent);
  });

  it("gives a whole percent, 0 to 100, that is the floor of done of total", () => {
    fc.assert(
      fc.property(
        fc.maxSafeNat(),
        fc.maxSafeInteger().filter((n) => n > 0),
        (done, total) => {
          const percent = at({ bytesRestored: done, totalBytes: total }).PercentComplete;
          expect(
            Number.isInteger(percent) && percent !== null && percent >= 0 && percent <= 100,
          ).toBe(true);
          if (done < total) {
            // percent <= 100 * done / total < percent + 1, in exact integers.
            expect(BigInt(percent ?? 0) * BigInt(total)).toBeLessThanOrEqual(BigInt(done) * 100n);
            expect(BigInt((percent ?? 0) + 1) * BigInt(total)).toBeGreaterThan(BigInt(done) * 100n);
          } else {
            expect(percent).toBe(100);
          }
        },
      ),
    );
  });
});
