import {
  type Actor,
  type AgentReportedState,
  type CommandContext,
  decide,
  existing,
  fold,
  initialState,
  type ProgressReport,
  type ResolvedBackup,
  type Restore,
  type RestoreCommand,
  type RestoreConfig,
  type RestoreError,
  RestoreErrors,
  type RestoreEvent,
  type SealedPassword,
} from "@restorekit/core";
import { err, ok, type Result } from "neverthrow";

// The contract builds its own data rather than using the fake catalog, so it
// depends on nothing but core and can run against any store.

export const TENANT = "123456";
export const OTHER_TENANT = "654321";
export const AGENT = 101;
export const OTHER_AGENT = 202;

/** A 2048-bit-sized modulus; the store never checks it, it only has to look real. */
const MODULUS_HEX = `C${"3A5F".repeat(127)}B1D`;

export function backupOf(encrypted: boolean): ResolvedBackup {
  return {
    backupConfigurationId: 4242,
    backupConfigurationName: "Nightly documents",
    restorePoint: "2024-01-01T02:00:00.000Z",
    backupMachineName: "web01",
    backupFlavor: "RaxCloudServer",
    backupDataCenter: "DFW",
    destinationMachineName: "web02",
    isEncrypted: encrypted,
    publicKey: encrypted ? { modulusHex: MODULUS_HEX, exponentHex: "10001" } : null,
  };
}

export function configOf(agentId: number): RestoreConfig {
  return {
    backupId: 9001,
    backupMachineId: 77,
    destinationMachineId: agentId,
    destinationPath: "/var/restore",
    overwriteFiles: false,
  };
}

export const userActor: Actor = { type: "user", id: "contract-user" };

export function agentActor(agentId: number): Actor {
  return { type: "agent", id: agentId };
}

/** Opaque bytes standing in for a vault's output; `fill` tells two of them apart. */
export function sealedBytes(fill: number): SealedPassword {
  return Uint8Array.from({ length: 48 }, (_, i) => (fill + i) % 256) as SealedPassword;
}

export const commands = {
  create(
    tenantId: string,
    restoreId: number,
    options: { encrypted?: boolean; agentId?: number } = {},
  ): RestoreCommand {
    return {
      type: "CreateRestore",
      data: {
        tenantId,
        restoreId,
        config: configOf(options.agentId ?? AGENT),
        backup: backupOf(options.encrypted ?? false),
      },
    };
  },
  start(restoreId: number, sealedPassword: SealedPassword | null = null): RestoreCommand {
    return { type: "StartManual", data: { restoreId, sealedPassword } };
  },
  stop(restoreId: number): RestoreCommand {
    return { type: "StopManual", data: { restoreId } };
  },
  report(
    restoreId: number,
    state: AgentReportedState | null,
    report: ProgressReport = {},
  ): RestoreCommand {
    return { type: "RecordAgentReport", data: { restoreId, state, report } };
  },
};

/** Hands out strictly increasing times and request ids, as a clock and a router would. */
export function contexts(): (actor: Actor) => CommandContext {
  let tick = 0;
  return (actor) => {
    tick += 1;
    return {
      actor,
      now: new Date(Date.UTC(2024, 0, 1, 8, 0, tick)).toISOString(),
      requestId: `contract-request-${tick}`,
    };
  };
}

/** What an accepted command appends: its events and the row they fold to. */
export interface Change {
  /** The restore the change was decided on (`null` for a create): the append's `previous`. */
  readonly previous: Restore | null;
  readonly events: readonly RestoreEvent[];
  readonly restore: Restore;
}

/**
 * Decides a command the way the service does and folds the result: the
 * change to append, `null` for a no-op, or why the domain rejects it.
 */
export function decideChange(
  current: Restore | null,
  command: RestoreCommand,
  context: CommandContext,
): Result<Change | null, RestoreError> {
  const state = current === null ? initialState() : existing(current);
  return decide(state, command, context).andThen((events) => {
    if (events.length === 0) return ok(null);
    const after = fold(events, state);
    return after.type === "Existing"
      ? ok({ previous: current, events, restore: after.restore })
      : err(RestoreErrors.internal());
  });
}

/**
 * Like `decideChange` for commands a test expects to be accepted: a
 * rejection means the test itself is wrong, so it throws.
 */
export function planChange(
  current: Restore | null,
  command: RestoreCommand,
  context: CommandContext,
): Change | null {
  const decided = decideChange(current, command, context);
  if (decided.isErr()) {
    throw new Error(`contract setup: ${command.type} was rejected: ${decided.error.message}`);
  }
  return decided.value;
}
