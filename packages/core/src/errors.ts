import type { Restore } from "./restore.js";
import type { AgentReportedState } from "./states.js";
import { type RestoreStateName, stateV2Name } from "./states.js";

/** One problem found while reading a request, with where it was found. */
export interface Issue {
  /** A JSON path such as `Id` or `0.value`; empty for the body itself. */
  readonly path: string;
  readonly message: string;
}

export type UserCommandName = "StartManual" | "StopManual" | "UpdateConfig";
export type CatalogField =
  | "BackupId"
  | "BackupMachineId"
  | "DestinationMachineId"
  | "BackupDataCenter";
export type PasswordRule = "not_hex" | "wrong_length" | "not_below_modulus" | "no_public_key";

interface Base<Code extends string> {
  readonly code: Code;
  /** Safe to show a client: names the restore and its state, never a secret. */
  readonly message: string;
}

interface OnRestore<Code extends string> extends Base<Code> {
  readonly restoreId: number;
}

interface InState<Code extends string> extends OnRestore<Code> {
  readonly state: RestoreStateName;
}

/**
 * Every failure the library reports, as data. `code` is stable and is what
 * callers match on; `errorStatus` maps it to the one HTTP status it has.
 */
export type RestoreError =
  | (Base<"invalid_json"> & { readonly line: number; readonly column: number })
  | (Base<"invalid_request"> & { readonly issues: readonly Issue[] })
  | Base<"unauthenticated">
  | Base<"forbidden">
  | OnRestore<"restore_not_found">
  | InState<"report_not_ready">
  | OnRestore<"restore_exists">
  | (InState<"restore_not_started"> & { readonly command: UserCommandName })
  | (InState<"restore_stopping"> & { readonly command: UserCommandName })
  | (InState<"restore_finished"> & { readonly command: UserCommandName })
  | (InState<"restore_not_editable"> & { readonly command: UserCommandName })
  | InState<"no_sealed_password">
  | OnRestore<"password_required">
  | (OnRestore<"password_not_allowed"> & { readonly command: UserCommandName })
  | (OnRestore<"password_invalid"> & { readonly rule: PasswordRule })
  | (Base<"unknown_reference"> & { readonly field: CatalogField })
  | (InState<"agent_conflict"> & { readonly reported: AgentReportedState | null })
  | (OnRestore<"version_conflict"> & {
      readonly expectedVersion: number;
      /**
       * The restore as the store holds it now, when the store could tell in
       * the same round trip: the service decides again on it instead of
       * reading. Never shown to a client.
       */
      readonly current?: Restore;
    })
  | (OnRestore<"precondition_failed"> & {
      /** The versions the request would act on (its If-Match), and the one the restore is at. */
      readonly expected: readonly number[];
      readonly version: number;
    })
  | (InState<"progress_regressed"> & {
      /** The done count the report would lower: `filesRestored` or `bytesRestored`. */
      readonly field: "filesRestored" | "bytesRestored";
      readonly current: number;
      readonly reported: number;
    })
  | Base<"idempotency_key_in_use">
  | Base<"idempotency_key_reused">
  | OnRestore<"restore_busy">
  | OnRestore<"sealed_password_unreadable">
  | Base<"storage_unavailable">
  | Base<"internal_error">;

export type RestoreErrorCode = RestoreError["code"];
export type RestoreErrorOf<C extends RestoreErrorCode> = Extract<RestoreError, { code: C }>;

/**
 * The one table from error code to HTTP status. User rejections are 400 (the
 * v1 operation lists no 409); agent conflicts are 409 on the v2 route.
 */
export const ERROR_STATUS = {
  invalid_json: 400,
  invalid_request: 400,
  unauthenticated: 401,
  forbidden: 403,
  restore_not_found: 404,
  report_not_ready: 404,
  restore_exists: 409,
  no_sealed_password: 404,
  restore_not_started: 400,
  restore_stopping: 400,
  restore_finished: 400,
  restore_not_editable: 400,
  password_required: 400,
  password_not_allowed: 400,
  password_invalid: 400,
  unknown_reference: 400,
  agent_conflict: 409,
  version_conflict: 409,
  precondition_failed: 412,
  progress_regressed: 409,
  idempotency_key_in_use: 409,
  idempotency_key_reused: 422,
  restore_busy: 503,
  sealed_password_unreadable: 500,
  storage_unavailable: 503,
  internal_error: 500,
} as const satisfies Record<RestoreErrorCode, number>;

export type ErrorStatus = (typeof ERROR_STATUS)[RestoreErrorCode];

export function errorStatus(error: RestoreError): ErrorStatus {
  return ERROR_STATUS[error.code];
}

/** Errors a client can fix by changing the request or waiting; the rest are ours. */
export function isClientError(error: RestoreError): boolean {
  return errorStatus(error) < 500;
}

const VERB: Record<UserCommandName, string> = {
  StartManual: "started",
  StopManual: "stopped",
  UpdateConfig: "updated",
};

const TERMINAL_V2 = "['completed', 'completed_with_errors', 'failed', 'stopped']";

/** Constructors, so that every message is written once and names the restore. */
export const RestoreErrors = {
  invalidJson(line: number, column: number, hint: string): RestoreErrorOf<"invalid_json"> {
    return {
      code: "invalid_json",
      message: `The body is not valid JSON: ${hint} at line ${line}, column ${column}.`,
      line,
      column,
    };
  },
  invalidRequest(issues: readonly Issue[]): RestoreErrorOf<"invalid_request"> {
    const listed = issues.map((i) => (i.path === "" ? i.message : `${i.path}: ${i.message}`));
    return {
      code: "invalid_request",
      message: `The request is invalid: ${listed.join("; ")}.`,
      issues,
    };
  },
  unauthenticated(): RestoreErrorOf<"unauthenticated"> {
    return {
      code: "unauthenticated",
      message:
        "The supplied token was not authorized to access the resources: it is missing, expired or invalid.",
    };
  },
  forbidden(reason: string): RestoreErrorOf<"forbidden"> {
    return {
      code: "forbidden",
      message: `Access to the requested resource was denied: ${reason}.`,
    };
  },
  notFound(restoreId: number): RestoreErrorOf<"restore_not_found"> {
    return { code: "restore_not_found", message: `Restore ${restoreId} was not found.`, restoreId };
  },
  reportNotReady(restoreId: number, state: RestoreStateName): RestoreErrorOf<"report_not_ready"> {
    return {
      code: "report_not_ready",
      message: `Restore ${restoreId} has no report yet: it is ${state}, and a report exists once it has finished.`,
      restoreId,
      state,
    };
  },
  exists(restoreId: number): RestoreErrorOf<"restore_exists"> {
    return { code: "restore_exists", message: `Restore ${restoreId} already exists.`, restoreId };
  },
  notStarted(
    restoreId: number,
    state: RestoreStateName,
    command: UserCommandName,
  ): RestoreErrorOf<"restore_not_started"> {
    return {
      code: "restore_not_started",
      message: `Restore ${restoreId} cannot be ${VERB[command]}: it has not been started (state ${state}).`,
      restoreId,
      state,
      command,
    };
  },
  stopping(
    restoreId: number,
    state: RestoreStateName,
    command: UserCommandName,
  ): RestoreErrorOf<"restore_stopping"> {
    return {
      code: "restore_stopping",
      message: `Restore ${restoreId} cannot be ${VERB[command]}: it is being stopped (state ${state}).`,
      restoreId,
      state,
      command,
    };
  },
  finished(
    restoreId: number,
    state: RestoreStateName,
    command: UserCommandName,
  ): RestoreErrorOf<"restore_finished"> {
    return {
      code: "restore_finished",
      message: `Restore ${restoreId} cannot be ${VERB[command]}: it has finished (state ${state}).`,
      restoreId,
      state,
      command,
    };
  },
  notEditable(restoreId: number, state: RestoreStateName): RestoreErrorOf<"restore_not_editable"> {
    return {
      code: "restore_not_editable",
      message: `Restore ${restoreId} cannot be updated: it is ${state}, and only a restore in state Creating can be.`,
      restoreId,
      state,
      command: "UpdateConfig",
    };
  },
  noSealedPassword(
    restoreId: number,
    state: RestoreStateName,
  ): RestoreErrorOf<"no_sealed_password"> {
    return {
      code: "no_sealed_password",
      message: `Restore ${restoreId} holds no sealed password: it is ${state}, and a password is held only while an encrypted restore is active.`,
      restoreId,
      state,
    };
  },
  passwordRequired(restoreId: number): RestoreErrorOf<"password_required"> {
    return {
      code: "password_required",
      message: `Restore ${restoreId} is encrypted: StartManual needs an EncryptedPassword.`,
      restoreId,
    };
  },
  passwordNotAllowed(
    restoreId: number,
    command: UserCommandName,
  ): RestoreErrorOf<"password_not_allowed"> {
    const why =
      command === "StartManual" ? "the restore is not encrypted" : `${command} takes no password`;
    return {
      code: "password_not_allowed",
      message: `EncryptedPassword must be null or absent for restore ${restoreId}: ${why}.`,
      restoreId,
      command,
    };
  },
  passwordInvalid(restoreId: number, rule: PasswordRule): RestoreErrorOf<"password_invalid"> {
    const why: Record<PasswordRule, string> = {
      not_hex: "it must be hex digits (whitespace is ignored)",
      wrong_length: "its length must equal the length of the agent's key modulus",
      not_below_modulus: "as a number it must be below the agent's key modulus",
      no_public_key: "the destination agent has no usable public key",
    };
    return {
      code: "password_invalid",
      message: `The EncryptedPassword for restore ${restoreId} is invalid: ${why[rule]}.`,
      restoreId,
      rule,
    };
  },
  unknownReference(
    field: CatalogField,
    value: number | string,
  ): RestoreErrorOf<"unknown_reference"> {
    return {
      code: "unknown_reference",
      message: `${field} ${value} does not name a backup or machine of this tenant.`,
      field,
    };
  },
  agentConflict(
    restoreId: number,
    state: RestoreStateName,
    reported: AgentReportedState | null,
  ): RestoreErrorOf<"agent_conflict"> {
    const current = stateV2Name(state);
    const what = reported === null ? "a data update" : `state ${stateV2Name(reported)}`;
    const message =
      state === "Creating"
        ? `Restore ${restoreId} is creating and has not been started; ${what} cannot be reported.`
        : state === "StopRequested"
          ? `Restore ${restoreId} is stop_requested; stop the restore instead of reporting ${what}.`
          : state === "Completed" ||
              state === "CompletedWithErrors" ||
              state === "Failed" ||
              state === "Stopped"
            ? `Restore ${restoreId} is ${current}. Modifying a restore that is already in a state of ${TERMINAL_V2} is not allowed.`
            : `Restore ${restoreId} is ${current}; ${what} cannot be reported from there.`;
    return { code: "agent_conflict", message, restoreId, state, reported };
  },
  versionConflict(
    restoreId: number,
    expectedVersion: number,
    current?: Restore,
  ): RestoreErrorOf<"version_conflict"> {
    return {
      code: "version_conflict",
      message: `Restore ${restoreId} was changed by another request (expected version ${expectedVersion}).`,
      restoreId,
      expectedVersion,
      ...(current === undefined ? {} : { current }),
    };
  },
  /** The request was made on a version the restore is no longer (or never was) at. */
  preconditionFailed(
    restoreId: number,
    expected: readonly number[],
    version: number,
  ): RestoreErrorOf<"precondition_failed"> {
    const wanted = expected.length === 0 ? "no version it can be at" : expected.join(" or ");
    return {
      code: "precondition_failed",
      message: `Restore ${restoreId} is at version ${version}, not ${wanted}: read it again and decide again.`,
      restoreId,
      expected: [...expected],
      version,
    };
  },
  /** An agent reported fewer files or bytes done than it had already reported. */
  progressRegressed(
    restoreId: number,
    state: RestoreStateName,
    field: "filesRestored" | "bytesRestored",
    current: number,
    reported: number,
  ): RestoreErrorOf<"progress_regressed"> {
    const name = field === "filesRestored" ? "files_restored" : "bytes_restored";
    return {
      code: "progress_regressed",
      message: `Restore ${restoreId} has ${name} ${current}; a report cannot lower it to ${reported}.`,
      restoreId,
      state,
      field,
      current,
      reported,
    };
  },
  /** The first request with this Idempotency-Key has not answered yet. */
  idempotencyKeyInUse(): RestoreErrorOf<"idempotency_key_in_use"> {
    return {
      code: "idempotency_key_in_use",
      message:
        "A request with this Idempotency-Key is still being processed; retry once it has answered.",
    };
  },
  /** The Idempotency-Key was first sent with another request (another route or body). */
  idempotencyKeyReused(): RestoreErrorOf<"idempotency_key_reused"> {
    return {
      code: "idempotency_key_reused",
      message:
        "This Idempotency-Key was already used for a different request; use a new key for a new request.",
    };
  },
  busy(restoreId: number): RestoreErrorOf<"restore_busy"> {
    return {
      code: "restore_busy",
      message: `Restore ${restoreId} is being changed by other requests; retry shortly.`,
      restoreId,
    };
  },
  /** The vault could not open what it sealed: a sealing key dropped too early, or an altered value. */
  sealedPasswordUnreadable(restoreId: number): RestoreErrorOf<"sealed_password_unreadable"> {
    return {
      code: "sealed_password_unreadable",
      message: `The sealed password of restore ${restoreId} could not be opened.`,
      restoreId,
    };
  },
  storageUnavailable(): RestoreErrorOf<"storage_unavailable"> {
    return {
      code: "storage_unavailable",
      message: "The restore store is unavailable; retry shortly.",
    };
  },
  internal(): RestoreErrorOf<"internal_error"> {
    return { code: "internal_error", message: "An internal error occurred." };
  },
} as const;
