import { generateKeyPairSync } from "node:crypto";
import { type AgentPublicKey, RestoreErrors, type SealedPassword } from "@restorekit/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  BACKUP_MACHINE_ID,
  DEFAULT_TENANT,
  DESTINATION_MACHINE_ID,
  decryptAsAgent,
  ENCRYPTED_BACKUP_ID,
  encryptForAgent,
  fakeBackupCatalog,
  fixedClock,
  inMemoryPasswordVault,
  OTHER_TENANT,
  sequentialIds,
  testAgentKeys,
  UNENCRYPTED_BACKUP_ID,
} from "../src/index.js";

/** Long property runs get their own timeout, so a loaded 2-core machine cannot fail them. */
const PROPERTY_TIMEOUT_MS = 60_000;

const DEFAULT_REFS = {
  backupId: UNENCRYPTED_BACKUP_ID,
  backupMachineId: BACKUP_MACHINE_ID,
  destinationMachineId: DESTINATION_MACHINE_ID,
};
const OTHER_REFS = { backupId: 233599, backupMachineId: 256953, destinationMachineId: 256751 };

describe("fakeBackupCatalog", () => {
  it("resolves the seeded unencrypted backup like the create-restore example", async () => {
    const resolved = (
      await fakeBackupCatalog().resolve(DEFAULT_TENANT, DEFAULT_REFS)
    )._unsafeUnwrap();
    expect(resolved).toEqual({
      backupConfigurationId: 6265,
      backupConfigurationName: "Restore_Backup",
      restorePoint: "2013-01-02T18:29:19.000Z",
      backupMachineName: "BALAJIMBP",
      backupFlavor: "RaxCloudServer",
      backupDataCenter: "DFW",
      destinationMachineName: "BILLS-TEST-WIN",
      isEncrypted: false,
      publicKey: testAgentKeys().publicKey,
    });
  });

  it("takes isEncrypted from the backup", async () => {
    const resolved = await fakeBackupCatalog().resolve(DEFAULT_TENANT, {
      ...DEFAULT_REFS,
      backupId: ENCRYPTED_BACKUP_ID,
    });
    expect(resolved._unsafeUnwrap().isEncrypted).toBe(true);
    expect(resolved._unsafeUnwrap().backupConfigurationId).not.toBe(6265);
  });

  it("resolves the other tenant's own backup", async () => {
    const resolved = await fakeBackupCatalog().resolve(OTHER_TENANT, OTHER_REFS);
    expect(resolved._unsafeUnwrap().backupMachineName).not.toBe("BALAJIMBP");
  });

  it.each([
    ["an unknown backup", { backupId: 1 }, "BackupId", 1],
    ["an unknown backup machine", { backupMachineId: 2 }, "BackupMachineId", 2],
    ["an unknown destination", { destinationMachineId: 3 }, "DestinationMachineId", 3],
    [
      "a backup machine the backup was not taken on",
      { backupMachineId: DESTINATION_MACHINE_ID },
      "BackupMachineId",
      DESTINATION_MACHINE_ID,
    ],
    ["another tenant's backup", { backupId: OTHER_REFS.backupId }, "BackupId", 233599],
    ["another tenant's backup machine", { backupMachineId: 256953 }, "BackupMachineId", 256953],
    [
      "another tenant's destination",
      { destinationMachineId: 256751 },
      "DestinationMachineId",
      256751,
    ],
  ] as const)(
    "rejects %s with unknown_reference naming the field",
    async (_, change, field, id) => {
      const resolved = await fakeBackupCatalog().resolve(DEFAULT_TENANT, {
        ...DEFAULT_REFS,
        ...change,
      });
      expect(resolved._unsafeUnwrapErr()).toEqual(RestoreErrors.unknownReference(field, id));
    },
  );

  it("does not let a tenant resolve another tenant's references at all", async () => {
    const resolved = await fakeBackupCatalog().resolve(OTHER_TENANT, DEFAULT_REFS);
    expect(resolved._unsafeUnwrapErr()).toMatchObject({
      code: "unknown_reference",
      field: "BackupId",
    });
    const unknown = await fakeBackupCatalog().resolve("no-such-tenant", DEFAULT_REFS);
    expect(unknown._unsafeUnwrapErr()).toMatchObject({ field: "BackupId" });
  });

  it("checks BackupId, then BackupMachineId, then DestinationMachineId", {
    timeout: PROPERTY_TIMEOUT_MS,
  }, async () => {
    const catalog = fakeBackupCatalog();
    await fc.assert(
      fc.asyncProperty(fc.boolean(), fc.boolean(), fc.boolean(), async (badB, badM, badD) => {
        const refs = {
          backupId: badB ? 9 : DEFAULT_REFS.backupId,
          backupMachineId: badM ? 9 : DEFAULT_REFS.backupMachineId,
          destinationMachineId: badD ? 9 : DEFAULT_REFS.destinationMachineId,
        };
        const result = await catalog.resolve(DEFAULT_TENANT, refs);
        const expected = badB
          ? "BackupId"
          : badM
            ? "BackupMachineId"
            : badD
              ? "DestinationMachineId"
              : null;
        if (expected === null) expect(result.isOk()).toBe(true);
        else expect(result._unsafeUnwrapErr()).toMatchObject({ field: expected });
      }),
    );
  });

  it("can be extended, and a machine without a key resolves to a null publicKey", async () => {
    const catalog = fakeBackupCatalog();
    catalog.addMachine(DEFAULT_TENANT, { machineId: 77, name: "KEYLESS", publicKey: null });
    catalog.addBackup(DEFAULT_TENANT, {
      backupId: 500,
      machineId: 77,
      configurationId: 1,
      configurationName: "Mine",
      restorePoint: "2025-01-01T00:00:00.000Z",
      flavor: "RaxCloudServer",
      dataCenter: "IAD",
      isEncrypted: true,
    });
    const resolved = await catalog.resolve(DEFAULT_TENANT, {
      backupId: 500,
      backupMachineId: 77,
      destinationMachineId: 77,
    });
    expect(resolved._unsafeUnwrap()).toMatchObject({
      backupMachineName: "KEYLESS",
      destinationMachineName: "KEYLESS",
      isEncrypted: true,
      publicKey: null,
    });
    // Extending one catalog does not change another.
    const fresh = await fakeBackupCatalog().resolve(DEFAULT_TENANT, {
      backupId: 500,
      backupMachineId: 77,
      destinationMachineId: 77,
    });
    expect(fresh.isErr()).toBe(true);
  });
});

describe("testAgentKeys and the agent crypto helpers", () => {
  const { publicKey, privateKey } = testAgentKeys();
  const LIMITS = { "oaep-sha1": 256 - 2 * 20 - 2, "oaep-sha256": 256 - 2 * 32 - 2 } as const;

  it("is made once per process and publishes the key as the API does", () => {
    expect(testAgentKeys()).toBe(testAgentKeys());
    expect(publicKey.exponentHex).toBe("10001");
    expect(publicKey.modulusHex).toMatch(/^[1-9A-F][0-9A-F]*$/);
    expect(publicKey.modulusHex).toHaveLength(512);
  });

  /** Up to `limit` UTF-8 bytes of arbitrary code points, with the long end reached often. */
  const passphrase = (limit: number) =>
    fc.string({ unit: "binary", maxLength: limit }).map((text) => {
      let kept = "";
      for (const char of text) {
        if (Buffer.byteLength(kept + char, "utf8") > limit) break;
        kept += char;
      }
      return kept;
    });

  for (const padding of ["oaep-sha1", "oaep-sha256"] as const) {
    it(`round-trips any unicode passphrase up to the OAEP limit (${padding})`, () => {
      fc.assert(
        fc.property(passphrase(LIMITS[padding]), (text) => {
          const hex = encryptForAgent(text, publicKey, padding);
          expect(hex).toMatch(/^[0-9A-F]{512}$/);
          expect(decryptAsAgent(hex, privateKey, padding)).toBe(text);
        }),
        { numRuns: 40 },
      );
    });

    it(`accepts exactly the OAEP limit and refuses one byte more (${padding})`, () => {
      const limit = LIMITS[padding];
      expect(
        decryptAsAgent(encryptForAgent("x".repeat(limit), publicKey, padding), privateKey, padding),
      ).toBe("x".repeat(limit));
      expect(() => encryptForAgent("x".repeat(limit + 1), publicKey, padding)).toThrow();
    });
  }

  it("does not decrypt with the other hash, and ignores whitespace in the hex", () => {
    const hex = encryptForAgent("secret", publicKey, "oaep-sha256");
    expect(() => decryptAsAgent(hex, privateKey, "oaep-sha1")).toThrow();
    const spaced = hex.replace(/(.{32})/g, "$1 \n");
    expect(decryptAsAgent(spaced, privateKey, "oaep-sha256")).toBe("secret");
  });

  it("encrypts to keys given with lower-case or zero-padded hex", () => {
    const padded: AgentPublicKey = {
      modulusHex: `00${publicKey.modulusHex.toLowerCase()}`,
      exponentHex: "010001",
    };
    expect(decryptAsAgent(encryptForAgent("pass", padded), privateKey)).toBe("pass");
  });
});

describe("fixedClock", () => {
  it("starts at 2026-01-01 by default and stands still", () => {
    const clock = fixedClock();
    expect(clock.now().toISOString()).toBe("2026-01-01T00:00:00.000Z");
    expect(clock.now().toISOString()).toBe("2026-01-01T00:00:00.000Z");
  });

  it("hands out a new Date each time, so mutating one does not move it", () => {
    const clock = fixedClock();
    const first = clock.now();
    first.setFullYear(1999);
    expect(clock.now()).not.toBe(first);
    expect(clock.now().toISOString()).toBe("2026-01-01T00:00:00.000Z");
  });

  it("advances by exactly the sum of the steps", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -1e9, max: 1e9 }), { maxLength: 20 }), (steps) => {
        const clock = fixedClock("2020-06-01T12:00:00.000Z");
        for (const ms of steps) clock.advance(ms);
        const sum = steps.reduce((a, b) => a + b, 0);
        expect(clock.now().getTime()).toBe(Date.parse("2020-06-01T12:00:00.000Z") + sum);
      }),
    );
  });

  it("can be set, and refuses a string that is not a date", () => {
    const clock = fixedClock("2030-02-03T04:05:06.007Z");
    expect(clock.now().toISOString()).toBe("2030-02-03T04:05:06.007Z");
    clock.set("2031-01-01T00:00:00.000Z");
    expect(clock.now().toISOString()).toBe("2031-01-01T00:00:00.000Z");
    expect(() => clock.set("yesterday")).toThrow(RangeError);
    expect(() => fixedClock("nope")).toThrow(RangeError);
  });
});

describe("sequentialIds", () => {
  it("counts up from start; peek shows the next id without taking it", {
    timeout: PROPERTY_TIMEOUT_MS,
  }, async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 1e9 }), fc.nat({ max: 20 }), async (start, n) => {
        const ids = sequentialIds(start);
        for (let i = 0; i < n; i++) {
          expect(ids.peek()).toBe(start + i);
          expect(ids.peek()).toBe(start + i);
          expect((await ids.nextRestoreId())._unsafeUnwrap()).toBe(start + i);
        }
        expect(ids.peek()).toBe(start + n);
      }),
    );
  });

  it("starts at 1 by default", async () => {
    expect((await sequentialIds().nextRestoreId())._unsafeUnwrap()).toBe(1);
  });
});

describe("inMemoryPasswordVault", () => {
  const { publicKey } = testAgentKeys();
  const binding = { tenantId: DEFAULT_TENANT, restoreId: 13689 };

  async function sealed(
    vault = inMemoryPasswordVault(),
    encryptedPassword = encryptForAgent("pw", publicKey),
  ) {
    const result = await vault.seal({ ...binding, encryptedPassword, publicKey });
    return { vault, sealed: result._unsafeUnwrap(), encryptedPassword };
  }

  it("opens what it sealed for the same binding, as upper-case hex without whitespace", async () => {
    const hex = encryptForAgent("pw", publicKey);
    const spaced = ` ${hex.slice(0, 100).toLowerCase()}\n${hex.slice(100)} `;
    const { vault, sealed: handle } = await sealed(inMemoryPasswordVault(), spaced);
    expect(vault.size()).toBe(1);
    expect((await vault.open(handle, binding))._unsafeUnwrap()).toBe(hex);
  });

  it("hands out a 16-byte handle that does not contain the ciphertext", async () => {
    const { sealed: handle, encryptedPassword } = await sealed();
    expect(handle).toBeInstanceOf(Uint8Array);
    expect(handle).toHaveLength(16);
    expect(Buffer.from(handle).toString("hex").toUpperCase()).not.toBe(encryptedPassword);
  });

  it("round-trips any valid ciphertext", { timeout: PROPERTY_TIMEOUT_MS }, async () => {
    const vault = inMemoryPasswordVault();
    await fc.assert(
      fc.asyncProperty(
        fc.string({ maxLength: 50 }),
        fc.integer({ min: 1, max: 1e6 }),
        async (text, restoreId) => {
          const hex = encryptForAgent(text, publicKey);
          const handle = (
            await vault.seal({
              tenantId: DEFAULT_TENANT,
              restoreId,
              encryptedPassword: hex,
              publicKey,
            })
          )._unsafeUnwrap();
          expect(
            (await vault.open(handle, { tenantId: DEFAULT_TENANT, restoreId }))._unsafeUnwrap(),
          ).toBe(hex);
        },
      ),
      { numRuns: 30 },
    );
  });

  it.each([
    ["another restore", { tenantId: DEFAULT_TENANT, restoreId: 13690 }],
    ["another tenant", { tenantId: OTHER_TENANT, restoreId: 13689 }],
  ])("will not open it for %s, with an error that reveals nothing", async (_, other) => {
    const { vault, sealed: handle } = await sealed();
    expect((await vault.open(handle, other))._unsafeUnwrapErr()).toEqual(
      RestoreErrors.sealedPasswordUnreadable(other.restoreId),
    );
  });

  it("will not open a handle it never gave out", async () => {
    const vault = inMemoryPasswordVault();
    const forged = new Uint8Array(16) as SealedPassword;
    expect((await vault.open(forged, binding))._unsafeUnwrapErr()).toEqual(
      RestoreErrors.sealedPasswordUnreadable(binding.restoreId),
    );
  });

  const modulus = BigInt(`0x${publicKey.modulusHex}`);
  it.each([
    ["wrong_length (too short)", "AB".repeat(255), "wrong_length"],
    ["wrong_length (too long)", "00".repeat(257), "wrong_length"],
    ["not_hex", `${"AB".repeat(255)}ZZ`, "not_hex"],
    ["not_hex (odd digit count)", "A".repeat(511), "not_hex"],
    ["not_below_modulus (equal)", publicKey.modulusHex, "not_below_modulus"],
    ["not_below_modulus (all FF)", "FF".repeat(256), "not_below_modulus"],
    ["not_below_modulus (modulus + 1)", (modulus + 1n).toString(16), "not_below_modulus"],
  ] as const)("rejects a ciphertext that breaks %s", async (_, encryptedPassword, rule) => {
    const vault = inMemoryPasswordVault();
    const result = await vault.seal({ ...binding, encryptedPassword, publicKey });
    expect(result._unsafeUnwrapErr()).toEqual(RestoreErrors.passwordInvalid(13689, rule));
    expect(vault.size()).toBe(0);
  });

  it("rejects any ciphertext when the agent has no public key", async () => {
    const vault = inMemoryPasswordVault();
    const result = await vault.seal({ ...binding, encryptedPassword: "AB", publicKey: null });
    expect(result._unsafeUnwrapErr()).toMatchObject({
      code: "password_invalid",
      rule: "no_public_key",
    });
  });

  it("never puts the ciphertext in a rejection", async () => {
    const other = generateKeyPairSync("rsa", { modulusLength: 1024 });
    const otherKey = other.publicKey.export({ format: "jwk" });
    const small: AgentPublicKey = {
      modulusHex: Buffer.from(otherKey.n ?? "", "base64url")
        .toString("hex")
        .toUpperCase(),
      exponentHex: "10001",
    };
    const hex = encryptForAgent("pw", publicKey);
    const result = await inMemoryPasswordVault().seal({
      ...binding,
      encryptedPassword: hex,
      publicKey: small,
    });
    const error = result._unsafeUnwrapErr();
    expect(error).toMatchObject({ rule: "wrong_length" });
    expect(JSON.stringify(error)).not.toContain(hex.slice(0, 16));
  });
});
