/**
 * The `restorekit` command line tool's process: `runCli` over the process's
 * arguments, environment and standard streams.
 */
import { readPassphrase } from "./read-passphrase.js";
import { runCli } from "./run-cli.js";

process.exitCode = await runCli(process.argv.slice(2), process.env, {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  readPassphrase: (prompt) => readPassphrase(process.stdin, process.stderr, prompt),
});
