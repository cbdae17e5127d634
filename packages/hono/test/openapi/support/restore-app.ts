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
import { createRestoreApp, type RestoreAppOptions } from "../../../src/index.js";

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
}

/** The whole adapter over in-memory ports: `createRestoreApp`, which serves the docs routes itself. */
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
  return { app, env, tenant: DEFAULT_TENANT };
}
