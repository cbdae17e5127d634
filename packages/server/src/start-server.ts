import { readFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { getRequestListener } from "@hono/node-server";
import {
  type Clock,
  createRestoreService,
  createSweeper,
  RestoreErrors,
  type Sweeper,
  sweepIntervalFor,
} from "@restorekit/core";
import { createPasswordVault } from "@restorekit/crypto";
import { createRestoreApp } from "@restorekit/hono";
import {
  type OnStorageError,
  type PostgresRepository,
  postgresDueRestores,
  postgresIdempotencyKeys,
  postgresIdGenerator,
  postgresRepository,
} from "@restorekit/postgres";
import { errAsync, ok, okAsync, type Result, ResultAsync, safeTry } from "neverthrow";
import type { Logger } from "pino";
import {
  type CheckedCatalog,
  checkCatalog,
  mergeCatalogs,
  readCatalogFile,
} from "./catalog-data.js";
import type { ServerConfig } from "./config.js";
import { type DemoAgentKey, demoAgentKey } from "./demo-agent-key.js";
import {
  DEMO_AGENT_MACHINE_ID,
  DEMO_AGENT_TOKEN,
  DEMO_RESTORES,
  DEMO_TENANT,
  DEMO_TOKENS,
  type DemoToken,
  demoCatalogData,
} from "./demo-data.js";
import { type KeyPurge, startKeyPurge } from "./key-purge.js";
import { openStore, type Store } from "./open-store.js";
import { type SeedReport, seedDemo } from "./seed-demo.js";
import { type RunningAgent, startSimulatedAgent } from "./simulated-agent.js";
import { type StartError, StartErrors } from "./start-error.js";
import { staticCatalog } from "./static-catalog.js";
import { serverTokens } from "./token-verifier.js";

/** What the server started with, for the start message. */
export interface StartInfo {
  readonly url: string;
  readonly port: number;
  readonly storage: string;
  readonly catalog: string;
  readonly tokens: readonly string[];
  readonly demo: {
    readonly tenantId: string;
    readonly restoreIds: readonly number[];
    readonly seeded: SeedReport;
    readonly tokens: readonly DemoToken[];
    readonly agentKeyPath: string;
    readonly agentKeyCreated: boolean;
  } | null;
  readonly simulatedAgent: { readonly machineId: number; readonly stepMs: number } | null;
  /** Things an operator should know: an ephemeral sealing key, no tokens, an unknown variable. */
  readonly warnings: readonly string[];
  /** How long each step of the start took, in milliseconds, for the start log. */
  readonly timings: StartTimings;
}

/** The steps of a start, in the order they run; each in milliseconds. */
export interface StartTimings {
  /** Opening the store: a pool's first connection, or PGlite loading its database. */
  readonly storeOpenMs: number;
  readonly migrateMs: number;
  /** Seeding the demo restores (0 outside demo mode). */
  readonly seedMs: number;
  /** From the seeded store to a listening socket: the service, the HTTP app, the listen. */
  readonly listenMs: number;
}

export interface RunningServer {
  readonly info: StartInfo;
  /**
   * Shuts down gracefully: stops accepting connections, lets requests in
   * flight finish (closing their connections after the configured timeout),
   * stops the simulated agent, then closes the store. Safe to call twice.
   */
  close(): Promise<void>;
}

const systemClock: Clock = { now: () => new Date() };

/** Each part started so far, so a failure later on can close what is open. */
interface Parts {
  key: DemoAgentKey | null;
  store: Store | null;
  /** Sends agents their requests after commits: flushed before the store closes. */
  repository: PostgresRepository | null;
  agent: RunningAgent | null;
  /** Gives up restores whose agents went silent; stopped before the store closes. */
  sweeper: Sweeper | null;
  /** Deletes idempotency keys past their retention. */
  keyPurge: KeyPurge | null;
  server: Server | null;
}

/**
 * Starts the server `config` describes: opens and migrates the store, seeds
 * the demo (in demo mode), builds the service, serves the Hono app on
 * `config.host:config.port` (0 picks a free port, which `info.port` tells)
 * and starts the simulated agent. Nothing is printed: `main` prints `info`.
 * A failure closes whatever was already open.
 *
 * @example
 * ```ts
 * const config = readConfig({ PORT: "0", DATA_DIR: "memory://" });
 * const server = config.asyncAndThen((c) => startServer(c, pino({ level: "silent" })));
 * ```
 */
export function startServer(
  config: ServerConfig,
  logger: Logger,
): ResultAsync<RunningServer, StartError> {
  const parts: Parts = {
    key: null,
    store: null,
    repository: null,
    agent: null,
    sweeper: null,
    keyPurge: null,
    server: null,
  };
  let closing = false;
  // Ends the open event streams at shutdown: agents stay connected for good, and would hold it.
  const streams = new AbortController();

  const started = safeTry(async function* () {
    const tokensFile = yield* readConfigFile("RESTOREKIT_TOKENS_FILE", config.tokensFile);
    const catalogFile = yield* readConfigFile("RESTOREKIT_CATALOG_FILE", config.catalogFile);

    if (config.demo) parts.key = yield* demoAgentKey(config.dataDir);
    const key = parts.key;
    const catalogData = yield* catalogOf(key, catalogFile);
    const catalog = staticCatalog(catalogData);

    const tokens = yield* serverTokens({
      builtIn: key === null ? [] : DEMO_TOKENS.map(({ describe: _, ...entry }) => entry),
      file: tokensFile,
      jwt: config.jwt,
      onJwtError: (cause) => logger.error({ err: cause }, "a JWT could not be checked"),
    });

    parts.store = yield* openStore(config.storage, {
      schema: config.schema,
      onPoolError: (error) => logger.warn({ err: error }, "an idle database connection failed"),
    });
    const store = parts.store;
    const onStorageError: OnStorageError = ({ operation, error, cause }) =>
      logger.error({ operation, code: error.code, err: cause }, "the store failed");
    const repository = postgresRepository(store.client, {
      schema: config.schema,
      onError: onStorageError,
    });
    parts.repository = repository;
    const service = createRestoreService({
      repository,
      vault: createPasswordVault({
        keyring: config.sealing.keyring,
        onError: (error, binding) =>
          logger.error({ code: error.code, restoreId: binding.restoreId }, error.message),
      }),
      catalog,
      clock: systemClock,
      ids: postgresIdGenerator(store.client, { schema: config.schema, onError: onStorageError }),
      onError: (report) => logger.error(report, "restore service fault"),
      deadlines: config.deadlines,
    });

    const seedStarted = performance.now();
    const seeded =
      key === null
        ? null
        : yield* seedDemo({
            repository,
            catalog,
            client: store.client,
            schema: config.schema,
            clock: systemClock,
          }).mapErr((error) => StartErrors.storageFailed("seeded", error.message));

    const seededAt = performance.now();
    // In the repository's schema: an append writes its key's response in the same statement.
    const idempotencyKeys = postgresIdempotencyKeys(store.client, {
      schema: config.schema,
      onError: onStorageError,
    });
    parts.keyPurge = startKeyPurge(idempotencyKeys, systemClock, logger);
    const app = createRestoreApp({
      service,
      tokens: tokens.verifier,
      logger,
      ready: () => (closing ? errAsync(RestoreErrors.storageUnavailable()) : store.ping()),
      idempotencyKeys,
      signal: streams.signal,
    });
    parts.server = yield* listen(
      config.host,
      config.port,
      getRequestListener(app.fetch),
      logger,
      () => closing,
    );
    const server = parts.server;
    const listeningAt = performance.now();
    const port = (server.address() as AddressInfo).port;

    if (config.simulatedAgent && key !== null) {
      parts.agent = yield* startSimulatedAgent({
        fetch: (request) => app.fetch(request),
        tenantId: DEMO_TENANT,
        agentId: DEMO_AGENT_MACHINE_ID,
        token: DEMO_AGENT_TOKEN,
        privateKey: key.privateKey,
        stepMs: config.agentStepMs,
        log: logger,
      }).mapErr((error) =>
        StartErrors.storageFailed("listened to for agent requests", error.message),
      );
    }

    parts.sweeper = createSweeper({
      service,
      due: postgresDueRestores(store.client, { schema: config.schema, onError: onStorageError }),
      clock: systemClock,
      deadlines: config.deadlines,
      onExpired: (restore) =>
        logger.warn(
          { tenantId: restore.tenantId, restoreId: restore.restoreId, state: restore.state },
          "gave up a restore whose agent went silent",
        ),
      onError: (error, target) =>
        logger.error({ code: error.code, ...target }, "the sweeper could not expire a restore"),
    });
    parts.sweeper.start(sweepIntervalFor(config.deadlines));

    const warnings = [...config.warnings];
    if (config.sealing.ephemeral) warnings.push(config.sealing.warning);
    if (tokens.accepted.length === 0) {
      warnings.push(
        "No tokens are configured: every request that needs a token is refused (401). Set RESTOREKIT_TOKENS_FILE or RESTOREKIT_JWT_SECRET / RESTOREKIT_JWT_JWKS_URL, or leave demo mode on.",
      );
    }
    const info: StartInfo = {
      url: `http://${urlHost(config.host)}:${port}`,
      port,
      storage: store.description,
      catalog: describeCatalog(catalogData, key !== null, config.catalogFile),
      tokens: tokens.accepted,
      demo:
        key === null || seeded === null
          ? null
          : {
              tenantId: DEMO_TENANT,
              restoreIds: DEMO_RESTORES.map((r) => r.restoreId),
              seeded,
              tokens: DEMO_TOKENS,
              agentKeyPath: key.path,
              agentKeyCreated: key.created,
            },
      simulatedAgent:
        parts.agent === null
          ? null
          : { machineId: DEMO_AGENT_MACHINE_ID, stepMs: config.agentStepMs },
      warnings,
      timings: {
        storeOpenMs: store.timings.openMs,
        migrateMs: store.timings.migrateMs,
        seedMs: seededAt - seedStarted,
        listenMs: listeningAt - seededAt,
      },
    };
    return ok(info);
  });

  let closed: Promise<void> | null = null;
  const close = (): Promise<void> => {
    closing = true;
    streams.abort();
    closed ??= shutdown(parts, config.shutdownTimeoutMs, logger);
    return closed;
  };

  return started
    .map((info): RunningServer => ({ info, close }))
    .orElse((error) => ResultAsync.fromSafePromise(close()).andThen(() => errAsync(error)));
}

async function shutdown(parts: Parts, timeoutMs: number, logger: Logger): Promise<void> {
  const { server, agent, sweeper, keyPurge, store, repository, key } = parts;
  const stopped = new Promise<void>((resolve) => {
    if (server === null || !server.listening) return resolve();
    server.close(() => resolve());
    // Idle keep-alive connections would hold the close open; busy ones finish their request first.
    server.closeIdleConnections();
  });
  const deadline = setTimeout(() => {
    logger.warn({ timeoutMs }, "requests still in flight at the shutdown deadline: closing them");
    server?.closeAllConnections();
  }, timeoutMs);
  await Promise.all([stopped, agent?.stop(), sweeper?.stop(), keyPurge?.stop()]);
  clearTimeout(deadline);
  // The requests of the last changes may still be queued: sent before the connections go.
  await repository?.flushNotifications();
  await store?.close();
  await key?.dispose();
}

function readConfigFile(
  variable: string,
  path: string | null,
): ResultAsync<{ path: string; text: string } | null, StartError> {
  if (path === null) return okAsync(null);
  return ResultAsync.fromThrowable(
    () => readFile(path, "utf8"),
    (cause) =>
      StartErrors.invalidConfig([
        {
          variable,
          message: `${path} cannot be read (${(cause as NodeJS.ErrnoException)?.code ?? "unknown error"})`,
        },
      ]),
  )().map((text) => ({ path, text }));
}

function catalogOf(
  key: DemoAgentKey | null,
  file: { path: string; text: string } | null,
): Result<CheckedCatalog, StartError> {
  const empty: CheckedCatalog = { backups: [], machines: [] };
  const demo =
    key === null ? ok(empty) : checkCatalog(demoCatalogData(key.publicKey), "demo catalog");
  if (file === null) return demo;
  const source = `RESTOREKIT_CATALOG_FILE (${file.path})`;
  return demo.andThen((built) =>
    readCatalogFile(file.text, source).andThen((read) => mergeCatalogs(built, read, source)),
  );
}

function describeCatalog(catalog: CheckedCatalog, demo: boolean, file: string | null): string {
  if (catalog.backups.length === 0) {
    return "empty: every create is refused as an unknown BackupId (set RESTOREKIT_CATALOG_FILE)";
  }
  const counts = `${catalog.backups.length} backups and ${catalog.machines.length} machines`;
  const from = [demo ? "the demo" : null, file].filter((s) => s !== null).join(" and ");
  return `${counts} (from ${from})`;
}

/** An IPv6 address is bracketed in a URL. */
function urlHost(host: string): string {
  return host.includes(":") && !host.startsWith("[") ? `[${host}]` : host;
}

function listen(
  host: string,
  port: number,
  listener: ReturnType<typeof getRequestListener>,
  logger: Logger,
  isClosing: () => boolean,
): ResultAsync<Server, StartError> {
  const server = createServer((request, response) => {
    logger.debug({ method: request.method, url: request.url }, "request received");
    if (isClosing()) {
      // A request that reached a keep-alive connection as the shutdown began: its connection ends with it.
      response.setHeader("connection", "close");
    }
    response.on("finish", () => {
      if (isClosing()) setImmediate(() => server.closeIdleConnections());
    });
    void listener(request, response);
  });
  return ResultAsync.fromThrowable(
    () =>
      new Promise<Server>((resolve, reject) => {
        server.once("error", reject);
        server.listen(port, host, () => {
          server.off("error", reject);
          resolve(server);
        });
      }),
    (cause) => {
      const code = (cause as NodeJS.ErrnoException)?.code;
      const why =
        code === "EADDRINUSE"
          ? "the port is in use (set PORT to another, or 0 for any free one)"
          : code === "EACCES"
            ? "permission denied (ports below 1024 need privileges)"
            : code === "EADDRNOTAVAIL" || code === "ENOTFOUND"
              ? "the address is not one of this machine's (check HOST)"
              : `listen failed (${code ?? "unknown error"})`;
      return StartErrors.listenFailed(host, port, why);
    },
  )();
}
