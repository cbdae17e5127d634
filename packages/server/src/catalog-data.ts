import {
  type AgentPublicKey,
  isStorableText,
  LIMITS,
  parseTimestamp,
  type Timestamp,
} from "@restorekit/core";
import { parseAgentPublicKey } from "@restorekit/crypto";
import { err, ok, type Result } from "neverthrow";
import { type ConfigError, type ConfigIssue, StartErrors } from "./start-error.js";

/** A backup as the catalog file lists it. */
export interface CatalogBackupEntry {
  readonly tenantId: string;
  readonly backupId: number;
  /** The machine the backup was taken on. */
  readonly machineId: number;
  readonly configurationId: number;
  readonly configurationName: string;
  /** ISO 8601 with a time zone. */
  readonly restorePoint: string;
  readonly flavor: string;
  readonly dataCenter: string;
  readonly isEncrypted: boolean;
}

/** A machine with a backup agent on it, as the catalog file lists it. */
export interface CatalogMachineEntry {
  readonly tenantId: string;
  readonly machineId: number;
  readonly name: string;
  /**
   * The agent's RSA public key in any form `parseAgentPublicKey` reads (the
   * API's `{"ModulusHex", "ExponentHex"}`, a PEM string, a JWK), or null for
   * an agent that published none: its restores cannot be started encrypted.
   */
  readonly publicKey: unknown;
}

/** What `RESTOREKIT_CATALOG_FILE` holds, and what demo mode builds in. */
export interface CatalogData {
  readonly backups: readonly CatalogBackupEntry[];
  readonly machines: readonly CatalogMachineEntry[];
}

/** A backup once checked: its restore point in the domain's form. */
export interface CheckedBackup extends Omit<CatalogBackupEntry, "restorePoint"> {
  readonly restorePoint: Timestamp;
}

/** A machine once checked: its key parsed, so a weak or malformed key never gets this far. */
export interface CheckedMachine extends Omit<CatalogMachineEntry, "publicKey"> {
  readonly publicKey: AgentPublicKey | null;
}

export interface CheckedCatalog {
  readonly backups: readonly CheckedBackup[];
  readonly machines: readonly CheckedMachine[];
}

const MAX_ID = Number.MAX_SAFE_INTEGER;
const MAX_TEXT = LIMITS.catalogText;

/**
 * Reads the JSON text of a catalog file: `{"backups": [...], "machines": [...]}`
 * (see `CatalogData`), then checks it with `checkCatalog`. `source` names the
 * file in messages.
 *
 * @example
 * ```ts
 * const catalog = readCatalogFile(readFileSync(path, "utf8"), path);
 * ```
 */
export function readCatalogFile(text: string, source: string): Result<CheckedCatalog, ConfigError> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return err(StartErrors.invalidConfig([{ variable: source, message: "is not valid JSON" }]));
  }
  return checkCatalog(parsed, source);
}

/**
 * Checks catalog data: ids positive integers, names non-empty text of at
 * most 256 characters, restore points ISO 8601 instants, each backup's
 * machine listed in its tenant, no id listed twice in a tenant, and every
 * public key one `parseAgentPublicKey` accepts (RSA, 2048 to 16384 bits,
 * exponent 65537 or more), so a weak key is refused here rather than when a
 * client first encrypts with it.
 */
export function checkCatalog(data: unknown, source: string): Result<CheckedCatalog, ConfigError> {
  const issues: ConfigIssue[] = [];
  const at = (path: string) => `${source}: ${path}`;
  if (typeof data !== "object" || data === null || Array.isArray(data)) {
    return err(
      StartErrors.invalidConfig([
        {
          variable: source,
          message: 'must be a JSON object {"backups": [...], "machines": [...]}',
        },
      ]),
    );
  }
  const record = data as Record<string, unknown>;
  const machines: CheckedMachine[] = [];
  const backups: CheckedBackup[] = [];
  const machineKeys = new Set<string>();
  const backupKeys = new Set<string>();

  for (const [i, entry] of listOf(issues, record.machines, at("machines")).entries()) {
    const path = at(`machines[${i}]`);
    const tenantId = text(issues, entry.tenantId, `${path}.tenantId`, LIMITS.tenantId);
    const machineId = id(issues, entry.machineId, `${path}.machineId`);
    const name = text(issues, entry.name, `${path}.name`, MAX_TEXT);
    const publicKey = publicKeyOf(issues, entry.publicKey, `${path}.publicKey`);
    if (tenantId === undefined || machineId === undefined || name === undefined) continue;
    if (publicKey === undefined) continue;
    const key = `${tenantId}/${machineId}`;
    if (machineKeys.has(key)) {
      issues.push({
        variable: path,
        message: `machine ${machineId} of tenant ${tenantId} is listed twice`,
      });
      continue;
    }
    machineKeys.add(key);
    machines.push({ tenantId, machineId, name, publicKey });
  }

  for (const [i, entry] of listOf(issues, record.backups, at("backups")).entries()) {
    const path = at(`backups[${i}]`);
    const tenantId = text(issues, entry.tenantId, `${path}.tenantId`, LIMITS.tenantId);
    const backupId = id(issues, entry.backupId, `${path}.backupId`);
    const machineId = id(issues, entry.machineId, `${path}.machineId`);
    const configurationId = id(issues, entry.configurationId, `${path}.configurationId`);
    const configurationName = text(
      issues,
      entry.configurationName,
      `${path}.configurationName`,
      MAX_TEXT,
    );
    const restorePoint = timestamp(issues, entry.restorePoint, `${path}.restorePoint`);
    const flavor = text(issues, entry.flavor, `${path}.flavor`, MAX_TEXT);
    const dataCenter = text(issues, entry.dataCenter, `${path}.dataCenter`, MAX_TEXT);
    const isEncrypted = entry.isEncrypted;
    if (typeof isEncrypted !== "boolean") {
      issues.push({ variable: `${path}.isEncrypted`, message: "must be true or false" });
    }
    if (
      tenantId === undefined ||
      backupId === undefined ||
      machineId === undefined ||
      configurationId === undefined ||
      configurationName === undefined ||
      restorePoint === undefined ||
      flavor === undefined ||
      dataCenter === undefined ||
      typeof isEncrypted !== "boolean"
    ) {
      continue;
    }
    if (!machineKeys.has(`${tenantId}/${machineId}`)) {
      issues.push({
        variable: `${path}.machineId`,
        message: `machine ${machineId} is not listed under "machines" for tenant ${tenantId}`,
      });
      continue;
    }
    const key = `${tenantId}/${backupId}`;
    if (backupKeys.has(key)) {
      issues.push({
        variable: path,
        message: `backup ${backupId} of tenant ${tenantId} is listed twice`,
      });
      continue;
    }
    backupKeys.add(key);
    backups.push({
      tenantId,
      backupId,
      machineId,
      configurationId,
      configurationName,
      restorePoint,
      flavor,
      dataCenter,
      isEncrypted,
    });
  }
  return issues.length > 0 ? err(StartErrors.invalidConfig(issues)) : ok({ backups, machines });
}

/** Two checked catalogs as one; an id both list in a tenant is refused. */
export function mergeCatalogs(
  first: CheckedCatalog,
  second: CheckedCatalog,
  source: string,
): Result<CheckedCatalog, ConfigError> {
  const issues: ConfigIssue[] = [];
  const machineKeys = new Set(first.machines.map((m) => `${m.tenantId}/${m.machineId}`));
  const backupKeys = new Set(first.backups.map((b) => `${b.tenantId}/${b.backupId}`));
  for (const machine of second.machines) {
    if (machineKeys.has(`${machine.tenantId}/${machine.machineId}`)) {
      issues.push({
        variable: source,
        message: `machine ${machine.machineId} of tenant ${machine.tenantId} is also a demo machine; use another id or turn demo mode off`,
      });
    }
  }
  for (const backup of second.backups) {
    if (backupKeys.has(`${backup.tenantId}/${backup.backupId}`)) {
      issues.push({
        variable: source,
        message: `backup ${backup.backupId} of tenant ${backup.tenantId} is also a demo backup; use another id or turn demo mode off`,
      });
    }
  }
  return issues.length > 0
    ? err(StartErrors.invalidConfig(issues))
    : ok({
        backups: [...first.backups, ...second.backups],
        machines: [...first.machines, ...second.machines],
      });
}

function listOf(
  issues: ConfigIssue[],
  value: unknown,
  path: string,
): readonly Record<string, unknown>[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) {
    issues.push({ variable: path, message: "must be an array" });
    return [];
  }
  return value.flatMap((entry, i) => {
    if (typeof entry === "object" && entry !== null && !Array.isArray(entry)) {
      return [entry as Record<string, unknown>];
    }
    issues.push({ variable: `${path}[${i}]`, message: "must be an object" });
    return [];
  });
}

function id(issues: ConfigIssue[], value: unknown, path: string): number | undefined {
  if (typeof value === "number" && Number.isSafeInteger(value) && value > 0 && value <= MAX_ID) {
    return value;
  }
  issues.push({ variable: path, message: "must be a positive whole number" });
  return undefined;
}

function text(
  issues: ConfigIssue[],
  value: unknown,
  path: string,
  max: number,
): string | undefined {
  if (isStorableText(value, max) && value.trim() !== "") return value;
  issues.push({ variable: path, message: `must be a non-empty text of at most ${max} characters` });
  return undefined;
}

function timestamp(issues: ConfigIssue[], value: unknown, path: string): Timestamp | undefined {
  const parsed = typeof value === "string" ? parseTimestamp(value) : undefined;
  if (parsed === undefined) {
    issues.push({
      variable: path,
      message: "must be an ISO 8601 date-time with a time zone, e.g. 2013-01-02T18:29:19Z",
    });
  }
  return parsed;
}

function publicKeyOf(
  issues: ConfigIssue[],
  value: unknown,
  path: string,
): AgentPublicKey | null | undefined {
  if (value === null) return null;
  if (value === undefined) {
    issues.push({ variable: path, message: "must be the agent's public key, or null for none" });
    return undefined;
  }
  const key = parseAgentPublicKey(value);
  if (key.isErr()) {
    issues.push({ variable: path, message: key.error.message });
    return undefined;
  }
  return key.value.publicKey;
}
