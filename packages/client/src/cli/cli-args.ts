import { err, ok, type Result } from "neverthrow";
import type { OaepPadding } from "../encrypt-passphrase.js";

/** The environment variables the tool reads. */
export type Env = Readonly<Record<string, string | undefined>>;

/** Where the server is and who is asking: from flags, else the environment, else the demo's. */
export interface Target {
  /** The server's base URL, without a trailing slash. */
  readonly url: string;
  readonly tenantId: string;
  readonly token: string;
}

/** `restorekit restores get|start|stop|events <id>`. */
export interface RestoresArgs extends Target {
  readonly command: "restores";
  readonly action: "get" | "start" | "stop" | "events";
  readonly restoreId: number;
  /** JSON on standard output, for scripts; else aligned text for people. */
  readonly json: boolean;
  /** start: read the passphrase from standard input and encrypt it for the agent. */
  readonly passwordStdin: boolean;
  readonly ifMatch: string | null;
  /** events: how many events each request asks for. */
  readonly pageSize: number | null;
}

/** `restorekit encrypt-password --restore <id>`. */
export interface EncryptPasswordArgs extends Target {
  readonly command: "encrypt-password";
  readonly restoreId: number;
  /** `null`: read it from standard input. */
  readonly passphrase: string | null;
  readonly padding: OaepPadding;
}

export type CliCommand = { readonly command: "help" } | RestoresArgs | EncryptPasswordArgs;

/** A command line the tool cannot run: exit code 2, with the usage. */
export interface UsageError {
  readonly code: "usage";
  readonly message: string;
}

export const DEFAULT_URL = "http://127.0.0.1:8080";
export const DEFAULT_TENANT = "1234";
export const DEFAULT_TOKEN = "demo-creator";

export const USAGE = `Usage:
  restorekit restores get <id> [--json]
  restorekit restores start <id> [--password-stdin] [--if-match <etag>] [--json]
  restorekit restores stop <id> [--if-match <etag>] [--json]
  restorekit restores events <id> [--page-size <n>] [--json]
  restorekit encrypt-password --restore <id> [--passphrase <text>] [--padding <padding>]

restores: reads, starts, stops or lists the events of a restore. An encrypted
restore is started with --password-stdin: the vault passphrase is read from
standard input (typed unseen at a terminal) and encrypted here with the
public key of the restore's destination agent; it never leaves unencrypted.

encrypt-password: prints the EncryptedPassword (hex) of a passphrase for a
restore, for a StartManual sent by other means; the passphrase is read from
standard input unless --passphrase gives it.

Options:
  --url <url>           the server (default $RESTOREKIT_URL or ${DEFAULT_URL})
  --tenant <id>         the tenant (default $RESTOREKIT_TENANT or ${DEFAULT_TENANT})
  --token <token>       the X-Auth-Token (default $RESTOREKIT_TOKEN or ${DEFAULT_TOKEN})
  --json                JSON on standard output, for scripts
  --padding <padding>   oaep-sha1 (default, what agents decrypt) or oaep-sha256
  --help                this text

Exit codes: 0 done, 1 the command failed (the message says why), 2 the
command line is wrong.`;

const OPTIONS: Readonly<
  Record<string, { readonly flag: boolean; readonly actions: readonly string[] }>
> = {
  url: { flag: false, actions: ["*"] },
  tenant: { flag: false, actions: ["*"] },
  token: { flag: false, actions: ["*"] },
  json: { flag: true, actions: ["get", "start", "stop", "events"] },
  "password-stdin": { flag: true, actions: ["start"] },
  "if-match": { flag: false, actions: ["start", "stop"] },
  "page-size": { flag: false, actions: ["events"] },
  restore: { flag: false, actions: ["encrypt-password"] },
  passphrase: { flag: false, actions: ["encrypt-password"] },
  padding: { flag: false, actions: ["encrypt-password"] },
};
const ACTIONS = ["get", "start", "stop", "events"] as const;

function usage(message: string): Result<never, UsageError> {
  return err({ code: "usage", message });
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === "" ? undefined : value.trim();
}

function positiveId(text: string | undefined): number | null {
  const id = text !== undefined && /^\d{1,16}$/.test(text) ? Number(text) : Number.NaN;
  return id > 0 && Number.isSafeInteger(id) ? id : null;
}

/** The options and the words that are not options, for the command `action`. */
function readOptions(
  words: readonly string[],
  action: string,
): Result<{ values: Map<string, string>; positional: string[] }, UsageError> {
  const values = new Map<string, string>();
  const positional: string[] = [];
  for (let i = 0; i < words.length; i += 1) {
    const word = words[i] ?? "";
    if (!word.startsWith("--")) {
      positional.push(word);
      continue;
    }
    const match = /^--([a-z-]+)(?:=(.*))?$/s.exec(word);
    const name = match?.[1] ?? "";
    const option = Object.hasOwn(OPTIONS, name) ? OPTIONS[name] : undefined;
    if (match === null || option === undefined)
      return usage(`unknown option ${word.split("=")[0]}`);
    if (!option.actions.includes("*") && !option.actions.includes(action)) {
      return usage(`--${name} does not apply to ${action}`);
    }
    if (values.has(name)) return usage(`--${name} is given twice`);
    if (option.flag) {
      if (match[2] !== undefined) return usage(`--${name} takes no value`);
      values.set(name, "");
      continue;
    }
    const value = match[2] ?? words[i + 1];
    if (match[2] === undefined) i += 1;
    if (value === undefined) return usage(`--${name} needs a value`);
    values.set(name, value);
  }
  return ok({ values, positional });
}

function targetOf(values: Map<string, string>, env: Env): Result<Target, UsageError> {
  const url = (values.get("url") ?? nonEmpty(env.RESTOREKIT_URL) ?? DEFAULT_URL).replace(
    /\/+$/,
    "",
  );
  const parsed = URL.canParse(url) ? new URL(url) : null;
  if (parsed === null || (parsed.protocol !== "http:" && parsed.protocol !== "https:")) {
    return usage("--url must be an http:// or https:// URL");
  }
  const tenantId = values.get("tenant") ?? nonEmpty(env.RESTOREKIT_TENANT) ?? DEFAULT_TENANT;
  if (!/^[^\s/?#]{1,128}$/.test(tenantId)) {
    return usage("--tenant must be a tenant id (no spaces or slashes)");
  }
  const token = values.get("token") ?? nonEmpty(env.RESTOREKIT_TOKEN) ?? DEFAULT_TOKEN;
  if (token.trim() === "") return usage("--token must not be empty");
  return ok({ url, tenantId, token });
}

/**
 * Reads the command line (without `node` and the script). Options take
 * `--name value` or `--name=value`; `RESTOREKIT_URL`, `RESTOREKIT_TENANT`
 * and `RESTOREKIT_TOKEN` give defaults.
 *
 * @example
 * ```ts
 * parseCliArgs(["restores", "start", "13689", "--password-stdin"], process.env);
 * ```
 */
export function parseCliArgs(argv: readonly string[], env: Env): Result<CliCommand, UsageError> {
  const args = argv[0] === "--" ? argv.slice(1) : [...argv];
  if (args.some((word) => word === "--help" || word === "-h") || args.length === 0) {
    return ok({ command: "help" });
  }
  const [command, ...rest] = args;
  if (command === "help") return ok({ command: "help" });
  if (command === "encrypt-password") {
    return readOptions(rest, command).andThen(({ values, positional }) => {
      if (positional.length > 0) return usage(`unexpected argument "${positional[0]}"`);
      const restore = values.get("restore");
      if (restore === undefined) return usage("--restore <id> is required");
      const restoreId = positiveId(restore);
      if (restoreId === null) return usage("--restore must be a positive whole number");
      const padding = values.get("padding") ?? "oaep-sha1";
      if (padding !== "oaep-sha1" && padding !== "oaep-sha256") {
        return usage("--padding must be oaep-sha1 or oaep-sha256");
      }
      return targetOf(values, env).map(
        (target): EncryptPasswordArgs => ({
          command: "encrypt-password",
          ...target,
          restoreId,
          passphrase: values.get("passphrase") ?? null,
          padding,
        }),
      );
    });
  }
  if (command !== "restores") {
    return usage(`unknown command "${command}"; the commands are restores and encrypt-password`);
  }
  const [action, ...words] = rest;
  if (action === undefined || !(ACTIONS as readonly string[]).includes(action)) {
    return usage(
      action === undefined
        ? "restores needs an action: get, start, stop or events"
        : `unknown action "${action}"; restores takes get, start, stop or events`,
    );
  }
  return readOptions(words, action).andThen(({ values, positional }) => {
    if (positional.length === 0) return usage(`restores ${action} needs a restore id`);
    if (positional.length > 1) return usage(`unexpected argument "${positional[1]}"`);
    const restoreId = positiveId(positional[0]);
    if (restoreId === null) return usage("the restore id must be a positive whole number");
    const pageText = values.get("page-size");
    const pageSize = pageText === undefined ? null : positiveId(pageText);
    if (pageText !== undefined && (pageSize === null || pageSize > 1000)) {
      return usage("--page-size must be a whole number from 1 to 1000");
    }
    const ifMatch = values.get("if-match") ?? null;
    if (ifMatch !== null && ifMatch.trim() === "") return usage("--if-match must not be empty");
    return targetOf(values, env).map(
      (target): RestoresArgs => ({
        command: "restores",
        action: action as RestoresArgs["action"],
        ...target,
        restoreId,
        json: values.has("json"),
        passwordStdin: values.has("password-stdin"),
        ifMatch,
        pageSize,
      }),
    );
  });
}
