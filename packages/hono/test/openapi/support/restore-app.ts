import { type Principal, RestoreErrors, type TokenVerifier } from "@restorekit/core";
import {
  agentPrincipal,
  DEFAULT_TENANT,
  type TestEnvironment,
  testEnvironment,
  userPrincipal,
} from "@restorekit/testing";
import type { Hono } from "hono";
import { errAsync, okAsync } from "neverthrow";
import pino from "pino";
import { createRestoreApp, docsApp, type RestoreAppOptions } from "../../../src/index.js";

/** The tokens the test app knows, by what they stand for. */
export const TOKENS = {
  admin: "admin-token",
  observer: "observer-token",
  agent: "agent-token",
  otherTenant: "other-tenant-token",
} as const;

const PRINCIPALS: Readonly<Record<string, Principal>> = {
  [TOKENS.admin]: userPrincipal(),
  [TOKENS.observer]: userPrincipal({ roles: ["cloudbackup:observer"], userId: "observer-1" }),
  [TOKENS.agent]: agentPrincipal(),
  [TOKENS.otherTenant]: userPrincipal({ tenantId: "654321", userId: "stranger" }),
};

const tokens: TokenVerifier = {
  verify: (token) => {
    const principal = PRINCIPALS[token];
    return principal === undefined ? errAsync(RestoreErrors.unauthenticated()) : okAsync(principal);
  },
};

export interface RestoreAppUnderTest {
  readonly app: Hono;
  readonly env: TestEnvironment;
  readonly tenant: string;
  /** Whether `createRestoreApp` served the docs by itself, or the test mounted them. */
  readonly docsBuiltIn: boolean;
}

/**
 * The whole adapter over in-memory ports: `createRestoreApp` with the docs
 * routes, mounted as its own documentation says, when it does not serve them
 * by itself.
 */
export function restoreAppUnderTest(
  options: Partial<Omit<RestoreAppOptions, "service" | "tokens">> = {},
): RestoreAppUnderTest {
  const env = testEnvironment();
  const app = createRestoreApp({
    service: env.service,
    tokens,
    logger: pino({ level: "silent" }),
    ...options,
  }) as unknown as Hono;
  // Asked of the route table: a request would freeze it, and then nothing could be mounted.
  const docsBuiltIn = app.routes.some((route) => route.path === "/openapi.json");
  if (!docsBuiltIn) app.route("/", docsApp());
  return { app, env, tenant: DEFAULT_TENANT, docsBuiltIn };
}
