/**
 * `pnpm restorekit <command>`: the command line tool. Exit codes: 0 done,
 * 1 the command failed (the message says why), 2 the command line is wrong.
 */
import { parseCliArgs, USAGE } from "./cli-args.js";
import { encryptPasswordCommand } from "./encrypt-password-command.js";
import { readPassphrase } from "./read-passphrase.js";

const command = parseCliArgs(process.argv.slice(2), process.env);
if (command.isErr()) {
  process.stderr.write(`restorekit: ${command.error.message}\n\n${USAGE}\n`);
  process.exit(2);
}
if (command.value.command === "help") {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}

const args = command.value;
const encrypted = await encryptPasswordCommand(args, {
  fetch: (url, init) => fetch(url, { ...init, signal: AbortSignal.timeout(30_000) }),
  readPassphrase: () =>
    readPassphrase(process.stdin, process.stderr, `Passphrase for restore ${args.restoreId}: `),
});
if (encrypted.isErr()) {
  process.stderr.write(`restorekit: ${encrypted.error.message}\n`);
  process.exit(1);
}
process.stdout.write(`${encrypted.value}\n`);
