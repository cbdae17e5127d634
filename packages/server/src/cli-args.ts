import { isRsaPadding, type RsaPadding } from "@restorekit/crypto";
import { err, ok, type Result } from "neverthrow";
import type { Env } from "./config.js";

/** What `restorekit encrypt-password` was asked to do. */
export interface EncryptPasswordArgs {
  readonly command: "encrypt-password";
  readonly restoreId: number;
  /** The server's base URL, without a trailing slash. */
  readonly url: string;
  readonly tenantId: string;
  readonly token: string;
  /** `null`: read it from standard input. */
  readonly passphrase: string | null;
  readonly padding: RsaPadding;
}

export type CliCommand = { readonly command: "help" } | EncryptPasswordArgs;

/** A command line the tool cannot run: exit code 2, with the usage. */
export interface UsageError {
  readonly code: "usage";
  readonly message: string;
}

export const DEFAULT_URL = "http://127.0.0.1:8080";
export const DEFAULT_TENANT = "1234";
export const DEFAULT_TOKEN = "demo-creator";

export const USAGE = `Usage: restorekit encrypt-password --restore <id> [options]

Encrypts a vault passphrase with the public key of a restore's destination
agent and prints the EncryptedPassword (hex) for StartManual. The passphrase
is read from standard input unless --passphrase gives it.

Options:
  --restore <id>        the restore (required)
  --passphrase <text>   the passphrase (else read from standard input)
  --url <url>           the server (default $RESTOREKIT_URL or ${DEFAULT_URL})
  --tenant <id>         the tenant (default ${DEFAULT_TENANT})
  --token <token>       an X-Auth-Token that may read the restore
                        (default $RESTOREKIT_TOKEN or ${DEFAULT_TOKEN})
  --padding <padding>   oaep-sha1 (default), oaep-sha256 or pkcs1-v1_5
  --help                this text`;

const OPTIONS = new Set(["restore", "passphrase", "url", "tenant", "token", "padding"]);

/**
 * Reads the command line (without `node` and the script). Options take
 * `--name value` or `--name=value`; `RESTOREKIT_URL` and `RESTOREKIT_TOKEN`
 * give defaults.
 *
 * @example
 * ```ts
 * parseCliArgs(["encrypt-password", "--restore", "13689"], {});
 * ```
 */
export function parseCliArgs(argv: readonly string[], env: Env): Result<CliCommand, UsageError> {
  const args = argv[0] === "--" ? argv.slice(1) : [...argv];
  const [command, ...rest] = args;
  if (command === undefined || command === "help" || command === "--help" || command === "-h") {
    return ok({ command: "help" });
  }
  if (command !== "encrypt-password") {
    return usage(`unknown command "${command}"; the one command is encrypt-password`);
  }
  const values = new Map<string, string>();
  for (let i = 0; i < rest.length; i += 1) {
    const arg = rest[i] ?? "";
    if (arg === "--help" || arg === "-h") return ok({ command: "help" });
    const match = /^--([a-z-]+)(?:=(.*))?$/s.exec(arg);
    if (match === null) return usage(`unexpected argument "${arg}"`);
    const name = match[1] ?? "";
    if (!OPTIONS.has(name)) return usage(`unknown option --${name}`);
    if (values.has(name)) return usage(`--${name} is given twice`);
    const value = match[2] ?? rest[i + 1];
    if (match[2] === undefined) i += 1;
    if (value === undefined) return usage(`--${name} needs a value`);
    values.set(name, value);
  }

  const restore = values.get("restore");
  if (restore === undefined) return usage("--restore <id> is required");
  const restoreId = /^\d{1,15}$/.test(restore) ? Number(restore) : Number.NaN;
  if (!(restoreId > 0 && Number.isSafeInteger(restoreId))) {
    return usage("--restore must be a positive whole number");
  }
  const url = (values.get("url") ?? nonEmpty(env.RESTOREKIT_URL) ?? DEFAULT_URL).replace(
    /\/+$/,
    "",
  );
  const parsedUrl = URL.canParse(url) ? new URL(url) : null;
  if (parsedUrl === null || (parsedUrl.protocol !== "http:" && parsedUrl.protocol !== "https:")) {
    return usage("--url must be an http:// or https:// URL");
  }
  const tenantId = values.get("tenant") ?? DEFAULT_TENANT;
  if (!/^[^\s/?#]{1,128}$/.test(tenantId)) {
    return usage("--tenant must be a tenant id (no spaces or slashes)");
  }
  const token = values.get("token") ?? nonEmpty(env.RESTOREKIT_TOKEN) ?? DEFAULT_TOKEN;
  if (token.trim() === "") return usage("--token must not be empty");
  const padding = values.get("padding") ?? "oaep-sha1";
  if (!isRsaPadding(padding))
    return usage("--padding must be oaep-sha1, oaep-sha256 or pkcs1-v1_5");
  return ok({
    command: "encrypt-password",
    restoreId,
    url,
    tenantId,
    token,
    passphrase: values.get("passphrase") ?? null,
    padding,
  });
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === "" ? undefined : value.trim();
}

function usage(message: string): Result<never, UsageError> {
  return err({ code: "usage", message });
}
