import type { AgentPublicKey, ResolvedBackup } from "@restorekit/core";
import fc from "fast-check";
import { arbPositiveId } from "./restore-config.js";
import { arbTimestamp } from "./timestamp.js";

export interface ArbResolvedBackupOptions {
  /** Fix whether the backup's vault is encrypted; random when absent. */
  readonly encrypted?: boolean;
}

const MODULUS_BYTES = 256;

/**
 * An agent public key shaped like a real 2048-bit RSA key: the modulus is odd
 * with its top bit set. It is not a real key pair, which validation does not need.
 */
export function arbAgentPublicKey(): fc.Arbitrary<AgentPublicKey> {
  return fc
    .uint8Array({ minLength: MODULUS_BYTES, maxLength: MODULUS_BYTES })
    .map((bytes): AgentPublicKey => {
      const modulus = Uint8Array.from(bytes);
      modulus[0] = (modulus[0] ?? 0) | 0x80;
      modulus[MODULUS_BYTES - 1] = (modulus[MODULUS_BYTES - 1] ?? 0) | 0x01;
      return {
        modulusHex: Buffer.from(modulus).toString("hex").toUpperCase(),
        exponentHex: "10001",
      };
    });
}

const arbName = fc.stringMatching(/^[A-Za-z][A-Za-z0-9_-]{0,19}$/);

function buildResolvedBackup(isEncrypted: boolean): fc.Arbitrary<ResolvedBackup> {
  return fc.record(
    {
      backupConfigurationId: arbPositiveId(),
      backupConfigurationName: arbName,
      restorePoint: arbTimestamp(),
      backupMachineName: arbName,
      backupFlavor: fc.constantFrom("RaxCloudServer", "RaxBareMetal", "External"),
      backupDataCenter: fc.constantFrom("DFW", "ORD", "IAD", "LON", "HKG", "SYD"),
      destinationMachineName: arbName,
      isEncrypted: fc.constant(isEncrypted),
      publicKey: isEncrypted ? arbAgentPublicKey() : fc.option(arbAgentPublicKey()),
    },
    { noNullPrototype: true },
  );
}

// Built once: arbitraries are immutable, and building them per sample (inside `chain`) is slow.
const ENCRYPTED = buildResolvedBackup(true);
const UNENCRYPTED = buildResolvedBackup(false);
const EITHER = fc.oneof(ENCRYPTED, UNENCRYPTED);

/**
 * What the backup catalog resolves a restore's references to. An encrypted
 * backup always carries its destination agent's public key; an unencrypted
 * one may or may not.
 *
 * @example
 * ```ts
 * fc.assert(fc.property(arbResolvedBackup({ encrypted: true }), (b) => b.publicKey !== null));
 * ```
 */
export function arbResolvedBackup(
  options: ArbResolvedBackupOptions = {},
): fc.Arbitrary<ResolvedBackup> {
  if (options.encrypted === undefined) return EITHER;
  return options.encrypted ? ENCRYPTED : UNENCRYPTED;
}
