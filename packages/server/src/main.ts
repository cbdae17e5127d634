/**
 * `pnpm start`: reads the environment, starts the server and prints where it
 * is. A bad setting is a plain message and exit code 1, never a stack trace;
 * SIGINT or SIGTERM shuts down gracefully and exits 0.
 */
import pino from "pino";
import { readConfig } from "./config.js";
import { startMessage, warningMessage } from "./start-message.js";
import { type RunningServer, startServer } from "./start-server.js";

// Static imports are evaluated before this line: the time until now is loading the modules.
const modulesLoadedMs = performance.now();
const config = readConfig(process.env);
if (config.isErr()) {
  process.stderr.write(`restorekit did not start. ${config.error.message}\n`);
  process.exit(1);
}

const logger = pino({ level: config.value.logLevel });
const started = await startServer(config.value, logger);
if (started.isErr()) {
  process.stderr.write(`restorekit did not start. ${started.error.message}\n`);
  process.exit(1);
}
const server: RunningServer = started.value;

// Before the start message: whoever waits for it may signal at once, and a SIGTERM that came before
// the handler would kill the process without a graceful shutdown.
let signalled = false;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    if (signalled) {
      process.stderr.write(`${signal} again: exiting without waiting.\n`);
      process.exit(1);
    }
    signalled = true;
    logger.info({ signal }, "shutting down: finishing requests in flight");
    void server.close().then(
      () => {
        logger.info("stopped");
        process.exit(0);
      },
      (cause: unknown) => {
        logger.error({ err: cause }, "the shutdown failed");
        process.exit(1);
      },
    );
  });
}

if (server.info.warnings.length > 0)
  process.stderr.write(`${warningMessage(server.info.warnings)}\n`);
const startedInMs = process.uptime() * 1000;
process.stdout.write(`${startMessage(server.info, startedInMs)}\n`);
logger.info(
  {
    startedInMs: Math.round(startedInMs),
    modulesLoadedMs: Math.round(modulesLoadedMs),
    ...Object.fromEntries(
      Object.entries(server.info.timings).map(([step, ms]) => [step, Math.round(ms)]),
    ),
    storage: server.info.storage,
  },
  "ready",
);
