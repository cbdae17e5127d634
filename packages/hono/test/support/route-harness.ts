import type {
  IdempotencyKeys,
  RestoreRepository,
  RestoreService,
  ServiceErrorReport,
} from "@restorekit/core";
import { createRestoreService } from "@restorekit/core";
import { createKeyring, createPasswordVault, generateSealingKey } from "@restorekit/crypto";
import {
  type FakeBackupCatalog,
  type FaultyRepository,
  fakeBackupCatalog,
  fixedClock,
  withFaults,
} from "@restorekit/testing";
import type { Hono } from "hono";
import { createRestoreApp, type RestoreAppEnv } from "../../src/index.js";
import { type CapturedLogger, capturedLogger } from "./captured-logger.js";
import { type Answer, answerOf, requestInit, type SendOptions } from "./http-answer.js";
import { type SteerableIds, steerableIds } from "./steerable-ids.js";
import { openStore, type Reachable, type StoreKind } from "./store-under-test.js";
import { type Tenant, tenantScope } from "./tenant-scope.js";
import { tokenRegistry } from "./token-registry.js";

export interface RouteHarnessOptions {
  /** Passed to `createRestoreApp`. */
  readonly bodyLimit?: number;
  readonly retryAfterSeconds?: number;
  readonly eventStream?: { readonly pollMs?: number; readonly heartbeatMs?: number };
  /** Serve without an `Idempotency-Key` store, as an embedder that wires none. */
  readonly withoutIdempotencyKeys?: boolean;
  /** Passed to `createRestoreApp`: aborting it is the app shutting down. */
  readonly signal?: AbortSignal;
}

/** The app over one store, with everything a route test needs to drive and inspect it. */
export interface RouteHarness {
  readonly kind: StoreKind;
  readonly app: Hono<RestoreAppEnv>;
  readonly service: RestoreService;
  /** The store behind the service: plan faults here (they are healed after each test). */
  readonly repository: FaultyRepository;
  /** The same store without faults: read it to see what the requests did. */
  readonly store: RestoreRepository;
  /** The app's `Idempotency-Key` store, on the same store as the repository. */
  readonly idempotencyKeys: IdempotencyKeys;
  readonly ids: SteerableIds;
  readonly catalog: FakeBackupCatalog;
  /** The app's request log. */
  readonly log: CapturedLogger;
  /** What the service reported to its `onError`, oldest first. */
  readonly serviceFaults: ServiceErrorReport[];
  /** Sends a request for `path` (from its first `/`) through the app in process (`app.request`): no port. */
  send(method: string, path: string, options?: SendOptions): Promise<Answer>;
  /** A tenant no other test uses, with its tokens and catalog. */
  tenant(): Tenant;
  close(): Promise<void>;
}

/** The tenant `/readyz` reads from: one load answers whether the store does. */
const PROBE_TENANT = "readiness-probe";

let harnesses = 0;

/**
 * Builds `createRestoreApp` over a fresh store of the kind, core's service,
 * the real crypto vault with a fresh sealing key, the fake catalog and the
 * harness's own request log.
 */
export async function routeHarness(
  kind: StoreKind,
  reachable: Reachable,
  options: RouteHarnessOptions = {},
): Promise<RouteHarness> {
  harnesses += 1;
  const opened = await openStore(kind, reachable);
  const repository = withFaults(opened.repository);
  const keyring = createKeyring({ keys: [{ id: "k1", key: generateSealingKey() }] });
  if (keyring.isErr()) throw new Error(keyring.error.message);
  const catalog = fakeBackupCatalog();
  // Far from the API reference's ids (13689...), which tests steer to in tenants of their own.
  const ids = steerableIds(500_000 + harnesses * 10_000);
  const serviceFaults: ServiceErrorReport[] = [];
  const service = createRestoreService({
    repository,
    vault: createPasswordVault({ keyring: keyring.value }),
    catalog,
    clock: fixedClock("2026-03-01T09:00:00.000Z"),
    ids,
    onError: (report) => void serviceFaults.push(report),
  });
  const log = capturedLogger();
  const tokens = tokenRegistry();
  const app = createRestoreApp({
    service,
    tokens: tokens.verifier,
    logger: log.logger,
    ready: () => repository.load(PROBE_TENANT, 1).map(() => undefined),
    ...(options.bodyLimit === undefined ? {} : { bodyLimit: options.bodyLimit }),
    ...(options.retryAfterSeconds === undefined
      ? {}
      : { retryAfterSeconds: options.retryAfterSeconds }),
    ...(options.eventStream === undefined ? {} : { eventStream: options.eventStream }),
    ...(options.withoutIdempotencyKeys === true ? {} : { idempotencyKeys: opened.idempotencyKeys }),
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  });

  // An absolute URL, so that a path such as "//v1.0/" is a path and not a host.
  const send = async (method: string, path: string, sendOptions: SendOptions = {}) =>
    answerOf(await app.request(`http://localhost${path}`, requestInit(method, sendOptions)));

  let tenants = 0;
  const harness: RouteHarness = {
    kind,
    app,
    service,
    repository,
    store: opened.repository,
    idempotencyKeys: opened.idempotencyKeys,
    ids,
    catalog,
    log,
    serviceFaults,
    send,
    tenant() {
      tenants += 1;
      return tenantScope(harness, tokens, `${200_000 + tenants * 2}`, `${200_001 + tenants * 2}`);
    },
    close: () => opened.close(),
  };
  return harness;
}
