import type {
  Actor,
  Restore,
  RestoreCommand,
  RestoreError,
  RestoreRepository,
  SealedPassword,
} from "@restorekit/core";
import type { Result } from "neverthrow";
import {
  type Change,
  commands,
  contexts,
  decideChange,
  planChange,
  userActor,
} from "./contract-data.js";

/** Drives a store the way the service does: load, decide, fold, append. */
export interface ContractWriter {
  create(
    tenantId: string,
    restoreId: number,
    options?: { encrypted?: boolean; agentId?: number },
  ): Promise<Restore>;
  /** Applies an accepted command and returns the stored row (the current one for a no-op). */
  run(
    tenantId: string,
    restoreId: number,
    command: RestoreCommand,
    options?: { actor?: Actor; sealedPassword?: SealedPassword | null },
  ): Promise<Restore>;
  /** Plans an accepted, non-no-op command on a given row without writing, to append by hand. */
  plan(current: Restore | null, command: RestoreCommand, actor?: Actor): Change;
  /** Decides any command on a given row: the change, `null` for a no-op, or the rejection. */
  decide(
    current: Restore | null,
    command: RestoreCommand,
    actor?: Actor,
  ): Result<Change | null, RestoreError>;
}

/** The value of an ok result; an error fails the test with its code and message. */
export function okValue<T>(result: Result<T, RestoreError>): T {
  if (result.isErr()) {
    throw new Error(`expected ok, got ${result.error.code}: ${result.error.message}`);
  }
  return result.value;
}

export function contractWriter(repository: RestoreRepository): ContractWriter {
  const next = contexts();

  function plan(current: Restore | null, command: RestoreCommand, actor: Actor = userActor) {
    const change = planChange(current, command, next(actor));
    if (change === null) throw new Error(`contract setup: ${command.type} was a no-op`);
    return change;
  }

  return {
    async create(tenantId, restoreId, options = {}) {
      const change = plan(null, commands.create(tenantId, restoreId, options));
      return okValue(
        await repository.append({ tenantId, restoreId, expectedVersion: 0, ...change }),
      );
    },

    async run(tenantId, restoreId, command, options = {}) {
      const current = okValue(await repository.load(tenantId, restoreId));
      if (current === null) throw new Error(`contract setup: restore ${restoreId} is missing`);
      const change = planChange(current, command, next(options.actor ?? userActor));
      if (change === null) return current;
      return okValue(
        await repository.append({
          tenantId,
          restoreId,
          expectedVersion: current.version,
          ...change,
          sealedPassword: options.sealedPassword ?? null,
        }),
      );
    },

    plan,
    decide: (current, command, actor = userActor) => decideChange(current, command, next(actor)),
  };
}
