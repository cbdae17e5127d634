import { encryptPassword } from "@restorekit/crypto";
import { errAsync, okAsync, ResultAsync } from "neverthrow";
import type { EncryptPasswordArgs } from "./cli-args.js";

/** Why the command failed: printed as it is, exit code 1. Never quotes the passphrase. */
export interface CommandError {
  readonly code:
    | "unreachable"
    | "refused"
    | "unexpected_answer"
    | "not_encrypted"
    | "no_public_key"
    | "no_passphrase"
    | "encrypt_failed";
  readonly message: string;
}

export interface CommandIo {
  readonly fetch: (url: string, init: RequestInit) => Promise<Response>;
  /** The passphrase when `--passphrase` is not given: standard input, or a prompt. */
  readonly readPassphrase: () => Promise<string>;
}

/**
 * `restorekit encrypt-password`: reads the restore's details from the
 * server (its `PublicKey` and `IsEncrypted`), encrypts the passphrase with
 * the key and answers the `EncryptedPassword` hex. The passphrase never
 * leaves this process unencrypted.
 *
 * @example
 * ```ts
 * const hex = await encryptPasswordCommand(args, { fetch, readPassphrase });
 * if (hex.isOk()) console.log(hex.value);
 * ```
 */
export function encryptPasswordCommand(
  args: EncryptPasswordArgs,
  io: CommandIo,
): ResultAsync<string, CommandError> {
  const detailsUrl = `${args.url}/v1.0/${encodeURIComponent(args.tenantId)}/restore/${args.restoreId}`;
  return ResultAsync.fromThrowable(
    () =>
      io.fetch(detailsUrl, { headers: { "x-auth-token": args.token, accept: "application/json" } }),
    (cause): CommandError => ({
      code: "unreachable",
      message: `Cannot reach the server at ${args.url} (${causeOf(cause)}). Is it running? Start it with \`pnpm start\`, or point --url at it.`,
    }),
  )()
    .andThen((response) =>
      ResultAsync.fromSafePromise(response.text()).andThen((text) => {
        const body = parsedJson(text);
        if (response.status !== 200) return errAsync(refused(response.status, body, args));
        return okAsync(body);
      }),
    )
    .andThen((details) => publicKeyOf(details, args.restoreId))
    .andThen((publicKey) =>
      passphraseOf(args, io).andThen((passphrase) => {
        const encrypted = encryptPassword(passphrase, publicKey, { padding: args.padding });
        return encrypted.isOk()
          ? okAsync(encrypted.value)
          : errAsync<string, CommandError>({
              code: "encrypt_failed",
              message: encrypted.error.message,
            });
      }),
    );
}

function passphraseOf(args: EncryptPasswordArgs, io: CommandIo): ResultAsync<string, CommandError> {
  const given =
    args.passphrase === null
      ? ResultAsync.fromThrowable(
          io.readPassphrase,
          (): CommandError => ({
            code: "no_passphrase",
            message: "The passphrase could not be read from standard input.",
          }),
        )()
      : okAsync<string, CommandError>(args.passphrase);
  return given.andThen((passphrase) =>
    passphrase === ""
      ? errAsync<string, CommandError>({
          code: "no_passphrase",
          message: "The passphrase is empty: give it with --passphrase or on standard input.",
        })
      : okAsync(passphrase),
  );
}

function publicKeyOf(details: unknown, restoreId: number): ResultAsync<object, CommandError> {
  const record = isObject(details) ? details : null;
  if (record === null || !("PublicKey" in record) || typeof record.IsEncrypted !== "boolean") {
    return errAsync({
      code: "unexpected_answer",
      message: `The server's answer for restore ${restoreId} is not restore details (no PublicKey or IsEncrypted). Is --url a restorekit server?`,
    });
  }
  if (!record.IsEncrypted) {
    return errAsync({
      code: "not_encrypted",
      message: `Restore ${restoreId} is not encrypted: start it without an EncryptedPassword.`,
    });
  }
  if (!isObject(record.PublicKey)) {
    return errAsync({
      code: "no_public_key",
      message: `Restore ${restoreId} has no public key: its destination agent published none, so it cannot take an encrypted password.`,
    });
  }
  return okAsync(record.PublicKey);
}

/** The server's own message, from a v1 fault body (`{"itemNotFound": {"message": ...}}`). */
function refused(status: number, body: unknown, args: EncryptPasswordArgs): CommandError {
  const fault = isObject(body) ? Object.values(body)[0] : undefined;
  const message = isObject(fault) && typeof fault.message === "string" ? fault.message : null;
  const hint =
    status === 401
      ? " Check --token (or RESTOREKIT_TOKEN)."
      : status === 403
        ? ` The token may not read restores of tenant ${args.tenantId} (--tenant).`
        : "";
  return {
    code: "refused",
    message: `The server answered ${status}${message === null ? "." : `: ${message}`}${hint}`,
  };
}

function parsedJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function causeOf(cause: unknown): string {
  const inner = (cause as { cause?: { code?: unknown } } | null)?.cause?.code;
  if (typeof inner === "string") return inner;
  return cause instanceof Error ? cause.message : "unknown error";
}
