import { errAsync, okAsync, type Result, ResultAsync } from "neverthrow";
import { type ChangeOutcome, createRestoreClient, type RestoreClient } from "../client.js";
import { encryptPassphrase } from "../encrypt-passphrase.js";
import { type ClientError, describeError } from "../errors.js";
import type { RestoreEventWire } from "../events.js";
import type { FetchLike } from "../transport.js";
import {
  type EncryptPasswordArgs,
  type Env,
  parseCliArgs,
  type RestoresArgs,
  type Target,
  USAGE,
} from "./cli-args.js";
import { detailsText, eventsText, outcomeJson, outcomeText } from "./format.js";

/** What the tool reads and writes: the process's, or a test's. */
export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** The passphrase from standard input (typed unseen at a terminal, after `prompt`). */
  readonly readPassphrase: (prompt: string) => Promise<string>;
  readonly fetch?: FetchLike;
}

/** 0 done, 1 the command failed, 2 the command line is wrong. */
export type ExitCode = 0 | 1 | 2;

/** A failure of the tool itself, before or besides the server's answer. */
interface Failure {
  readonly message: string;
}

function clientOf(target: Target, io: CliIo): RestoreClient {
  return createRestoreClient({
    baseUrl: target.url,
    tenantId: target.tenantId,
    token: target.token,
    ...(io.fetch === undefined ? {} : { fetch: io.fetch }),
    retry: { attempts: 3 },
  });
}

/** The error for a person, with what to try when the fix is on the command line. */
function failureOf(error: ClientError, target: Target): Failure {
  const last = error.code === "retry_budget_exhausted" ? error.last : error;
  if (last.code === "network_error") {
    return {
      message: `Cannot reach the server at ${target.url}: ${last.message} Is it running? Start it with \`pnpm start\`, or point --url (or RESTOREKIT_URL) at it.`,
    };
  }
  const hint =
    error.code === "unauthenticated"
      ? " Check --token (or RESTOREKIT_TOKEN)."
      : error.code === "forbidden"
        ? ` The token may not do this in tenant ${target.tenantId} (--tenant, RESTOREKIT_TENANT).`
        : error.code === "password_required"
          ? " Give the vault passphrase with --password-stdin."
          : "";
  return { message: `${describeError(error)}${hint}` };
}

function passphraseOf(
  given: string | null,
  io: CliIo,
  restoreId: number,
): ResultAsync<string, Failure> {
  const read =
    given !== null
      ? okAsync<string, Failure>(given)
      : ResultAsync.fromThrowable(
          io.readPassphrase,
          (): Failure => ({ message: "The passphrase could not be read from standard input." }),
        )(`Passphrase for restore ${restoreId}: `);
  return read.andThen((passphrase) =>
    passphrase === ""
      ? errAsync<string, Failure>({
          message: "The passphrase is empty: give it on standard input (or with --passphrase).",
        })
      : okAsync(passphrase),
  );
}

async function restores(args: RestoresArgs, io: CliIo): Promise<ExitCode> {
  const client = clientOf(args, io);
  const print = (value: object) => io.stdout(`${JSON.stringify(value, null, 2)}\n`);
  const fail = (failure: Failure): ExitCode => {
    io.stderr(`restorekit: ${failure.message}\n`);
    return 1;
  };
  const change = args.ifMatch === null ? {} : { ifMatch: args.ifMatch };
  switch (args.action) {
    case "get": {
      const got = await client.get(args.restoreId);
      if (got.isErr()) return fail(failureOf(got.error, args));
      io.stdout(
        args.json
          ? `${JSON.stringify(got.value.details, null, 2)}\n`
          : `${detailsText(got.value.details, got.value.etag)}\n`,
      );
      return 0;
    }
    case "start":
    case "stop": {
      let outcome: Result<ChangeOutcome, ClientError>;
      if (args.action === "start" && args.passwordStdin) {
        const passphrase = await passphraseOf(null, io, args.restoreId);
        if (passphrase.isErr()) return fail(passphrase.error);
        outcome = await client.start(args.restoreId, { ...change, password: passphrase.value });
      } else {
        outcome = await client[args.action](args.restoreId, change);
      }
      if (outcome.isErr()) return fail(failureOf(outcome.error, args));
      if (args.json) print(outcomeJson(outcome.value));
      else
        io.stdout(
          `${outcomeText(args.action === "start" ? "started" : "stopped", outcome.value)}\n`,
        );
      return 0;
    }
    case "events": {
      const events: RestoreEventWire[] = [];
      for await (const page of client.events(
        args.restoreId,
        args.pageSize === null ? {} : { pageSize: args.pageSize },
      )) {
        if (page.isErr()) return fail(failureOf(page.error, args));
        events.push(...page.value.events);
      }
      io.stdout(
        args.json ? `${JSON.stringify({ Events: events }, null, 2)}\n` : `${eventsText(events)}\n`,
      );
      return 0;
    }
  }
}

async function encryptPassword(args: EncryptPasswordArgs, io: CliIo): Promise<ExitCode> {
  const client = clientOf(args, io);
  const hex = await client
    .get(args.restoreId)
    .mapErr((error) => failureOf(error, args))
    .andThen(({ details }) => {
      if (!details.IsEncrypted) {
        return errAsync<typeof details.PublicKey & object, Failure>({
          message: `Restore ${args.restoreId} is not encrypted: start it without an EncryptedPassword.`,
        });
      }
      if (details.PublicKey === null) {
        return errAsync({
          message: `Restore ${args.restoreId} has no public key: its destination agent published none, so it cannot take an encrypted password.`,
        });
      }
      return okAsync(details.PublicKey);
    })
    .andThen((publicKey) =>
      passphraseOf(args.passphrase, io, args.restoreId).andThen((passphrase) =>
        encryptPassphrase(passphrase, publicKey, args.padding).mapErr(
          (error): Failure => ({ message: error.message }),
        ),
      ),
    );
  if (hex.isErr()) {
    io.stderr(`restorekit: ${hex.error.message}\n`);
    return 1;
  }
  io.stdout(`${hex.value}\n`);
  return 0;
}

/**
 * Runs the `restorekit` command line: `restores get|start|stop|events <id>`
 * and `encrypt-password`. Answers the exit code; what it prints goes through
 * `io`, so it runs the same in a process and in a test.
 *
 * @example
 * ```ts
 * process.exitCode = await runCli(process.argv.slice(2), process.env, io);
 * ```
 */
export async function runCli(argv: readonly string[], env: Env, io: CliIo): Promise<ExitCode> {
  const command = parseCliArgs(argv, env);
  if (command.isErr()) {
    io.stderr(`restorekit: ${command.error.message}\n\n${USAGE}\n`);
    return 2;
  }
  switch (command.value.command) {
    case "help":
      io.stdout(`${USAGE}\n`);
      return 0;
    case "restores":
      return restores(command.value, io);
    case "encrypt-password":
      return encryptPassword(command.value, io);
  }
}
