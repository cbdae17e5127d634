import type { Principal, RestoreError } from "@restorekit/core";
import { type StaticTokenEntry, staticTokens } from "@restorekit/hono";
import { fixedClock } from "@restorekit/testing";
import fc from "fast-check";
import type { Result } from "neverthrow";
import { afterEach, describe, expect, it, vi } from "vitest";
import { checkTokenEntries, ENTRY_FIELD_NAMES } from "../../src/auth/check-token-entries.js";
import { nodeSha256 } from "../../src/auth/node-sha256.js";
import { tableVerifier } from "../../src/auth/table-verifier.js";

const tokenArb = fc.stringMatching(/^[A-Za-z0-9_-]{1,40}$/);

/** Tables as `staticTokens` takes them, with and without expiries. */
const tableArb = fc.uniqueArray(tokenArb, { minLength: 1, maxLength: 8 }).chain((tokens) =>
  fc.tuple(
    ...tokens.map((token) =>
      fc.record(
        {
          token: fc.constant(token),
          tenantId: fc.stringMatching(/^[0-9]{1,12}$/),
          roles: fc.array(fc.constantFrom("admin", "observer"), { maxLength: 2 }),
          expiresAt: fc.option(
            fc
              .integer({
                min: Date.parse("2025-06-01T00:00:00Z"),
                max: Date.parse("2026-06-01T00:00:00Z"),
              })
              .map((ms) => new Date(ms).toISOString()),
          ),
        },
        { requiredKeys: ["token", "tenantId", "roles"] },
      ),
    ),
  ),
);

function checked(table: readonly StaticTokenEntry[]) {
  const entries = checkTokenEntries(table, ENTRY_FIELD_NAMES);
  if (entries.isErr()) throw new Error(JSON.stringify(entries.error));
  return entries.value;
}

const verdict = (result: Result<Principal, RestoreError>) =>
  result.match(
    (principal) => ({ principal }),
    (error) => ({ error: error.code }),
  );

describe("tableVerifier: node:crypto and Web Crypto", () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it("give the same verdict for every table, token and time", { timeout: 60_000 }, async () => {
    const sync = nodeSha256();
    if (sync === undefined) throw new Error("node:crypto is not reachable");
    await fc.assert(
      fc.asyncProperty(
        tableArb,
        fc.nat(),
        fc.oneof(
          fc.constant(null),
          tokenArb,
          fc.string({ unit: "binary", maxLength: 60 }),
          fc.string({ maxLength: 9000 }),
        ),
        fc.integer({
          min: Date.parse("2025-01-01T00:00:00Z"),
          max: Date.parse("2026-12-31T00:00:00Z"),
        }),
        async (table, pick, other, nowMs) => {
          // Half the runs present a listed token, the others anything at all.
          const presented = other ?? (table[pick % table.length] as StaticTokenEntry).token;
          const clock = fixedClock(new Date(nowMs).toISOString());
          const entries = checked(table);
          const viaNode = await tableVerifier(entries, clock, sync).verify(presented);
          const viaWeb = await tableVerifier(entries, clock, undefined).verify(presented);
          expect(verdict(viaNode)).toEqual(verdict(viaWeb));
        },
      ),
      { numRuns: 300 },
    );
  });

  it("answers internal_error when the hash fails on a presented token", async () => {
    let calls = 0;
    const failing = (text: string) => {
      calls += 1;
      // The table is hashed first; the presented token's hash is the one that fails.
      if (calls > 1) throw new Error("hash failed");
      return nodeSha256()?.(text) ?? new Uint8Array(32);
    };
    const entries = checked([{ token: "admin-token-0001", tenantId: "1", roles: ["admin"] }]);
    const answer = await tableVerifier(entries, fixedClock(), failing).verify("admin-token-0001");
    expect(verdict(answer)).toEqual({ error: "internal_error" });
  });

  it("keeps to Web Crypto when the table cannot be hashed at once", async () => {
    const entries = checked([{ token: "admin-token-0001", tenantId: "1", roles: ["admin"] }]);
    const broken = () => {
      throw new Error("hash failed");
    };
    const answer = await tableVerifier(entries, fixedClock(), broken).verify("admin-token-0001");
    expect(verdict(answer)).toEqual({
      principal: { type: "user", userId: "static-token-1", tenantId: "1", roles: ["admin"] },
    });
  });

  it("staticTokens verifies through Web Crypto where node:crypto is not handed out", async () => {
    vi.spyOn(process, "getBuiltinModule").mockReturnValue(undefined);
    const built = staticTokens([{ token: "agent-token-00003", tenantId: "5678", agentId: 42 }]);
    if (built.isErr()) throw new Error(built.error.message);
    expect(process.getBuiltinModule).toHaveBeenCalled();
    expect(verdict(await built.value.verify("agent-token-00003"))).toEqual({
      principal: { type: "agent", agentId: 42, tenantId: "5678" },
    });
    expect(verdict(await built.value.verify("agent-token-00004"))).toEqual({
      error: "unauthenticated",
    });
  });
});
