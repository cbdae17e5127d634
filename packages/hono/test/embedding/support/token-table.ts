import type { TokenVerifier } from "@restorekit/core";
import { staticTokens } from "@restorekit/hono";
import { DEFAULT_TENANT, OTHER_TENANT } from "@restorekit/testing";

/** An admin of the default tenant. */
export const ADMIN_TOKEN = "a-long-random-admin-token";
/** An admin of the other tenant, which holds none of the default tenant's restores. */
export const STRANGER_TOKEN = "a-long-random-stranger-token";

/** The hosts' token table, through the verifier that ships. */
export function tokenTable(): TokenVerifier {
  const tokens = staticTokens([
    { token: ADMIN_TOKEN, tenantId: DEFAULT_TENANT, roles: ["cloudbackup:admin"] },
    { token: STRANGER_TOKEN, tenantId: OTHER_TENANT, roles: ["cloudbackup:admin"] },
  ]);
  if (tokens.isErr()) throw new Error(tokens.error.message);
  return tokens.value;
}
