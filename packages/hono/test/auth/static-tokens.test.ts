import { inspect } from "node:util";
import { LIMITS, type Principal, type RestoreError } from "@restorekit/core";
import { type StaticTokenEntry, staticTokens } from "@restorekit/hono";
import { fixedClock } from "@restorekit/testing";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { digestMatch } from "../../src/auth/digest-match.js";

const UNAUTHENTICATED = { code: "unauthenticated" };

function verifierOf(entries: readonly StaticTokenEntry[], clock = fixedClock()) {
  const built = staticTokens(entries, { clock });
  if (built.isErr()) throw new Error(built.error.message);
  return built.value;
}

async function verified(
  entries: readonly StaticTokenEntry[],
  token: string,
  clock = fixedClock(),
): Promise<Principal | RestoreError> {
  const result = await verifierOf(entries, clock).verify(token);
  return result.match(
    (principal) => principal,
    (error) => error,
  );
}

describe("staticTokens: principals", () => {
  const table: StaticTokenEntry[] = [
    { token: "admin-token-0001", tenantId: "1234", roles: ["cloudbackup:admin"] },
    { token: "observer-token-02", tenantId: "1234", roles: ["observer", "admin"], userId: "ana" },
    { token: "agent-token-00003", tenantId: "5678", agentId: 42 },
  ];

  it("maps a user token to its user, with static-token-<n> as the default user id", async () => {
    expect(await verified(table, "admin-token-0001")).toEqual({
      type: "user",
      userId: "static-token-1",
      tenantId: "1234",
      roles: ["cloudbackup:admin"],
    });
    expect(await verified(table, "observer-token-02")).toEqual({
      type: "user",
      userId: "ana",
      tenantId: "1234",
      roles: ["observer", "admin"],
    });
  });

  it("maps an agent token to its agent", async () => {
    expect(await verified(table, "agent-token-00003")).toEqual({
      type: "agent",
      agentId: 42,
      tenantId: "5678",
    });
  });

  it("answers unauthenticated for an unknown, empty, oversized or non-string token", async () => {
    for (const token of [
      "admin-token-0002",
      "admin-token-000",
      "admin-token-00011",
      " admin-token-0001",
      "ADMIN-TOKEN-0001",
      "",
      "x".repeat(8193),
      `admin-token-0001${"x".repeat(9000)}`,
    ]) {
      expect(await verified(table, token), JSON.stringify(token.slice(0, 40))).toMatchObject(
        UNAUTHENTICATED,
      );
    }
    for (const token of [undefined, null, 42, {}] as unknown as string[]) {
      expect(await verified(table, token)).toMatchObject(UNAUTHENTICATED);
    }
  });

  it("hands out principals that are frozen and hold no token", async () => {
    const principal = await verified(table, "observer-token-02");
    expect(Object.isFrozen(principal)).toBe(true);
    expect(JSON.stringify(principal)).not.toContain("observer-token-02");
    const verifier = verifierOf(table);
    expect(inspect(verifier, { depth: 10, showHidden: true })).not.toContain("token-0");
  });

  it("keeps its own copy of the roles", async () => {
    const roles = ["observer"];
    const verifier = verifierOf([{ token: "copy-roles-token", tenantId: "1", roles }]);
    roles.push("admin");
    expect((await verifier.verify("copy-roles-token"))._unsafeUnwrap()).toMatchObject({
      roles: ["observer"],
    });
  });

  it("answers many requests at once, each as it would alone", async () => {
    const verifier = verifierOf(table);
    const answers = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        verifier.verify(i % 2 === 0 ? "agent-token-00003" : "nope-nope-nope"),
      ),
    );
    answers.forEach((answer, i) => {
      if (i % 2 === 0) expect(answer._unsafeUnwrap()).toMatchObject({ agentId: 42 });
      else expect(answer._unsafeUnwrapErr()).toMatchObject(UNAUTHENTICATED);
    });
  });
});

describe("staticTokens: expiry", () => {
  const table: StaticTokenEntry[] = [
    {
      token: "expiring-token-1",
      tenantId: "1",
      roles: ["admin"],
      expiresAt: "2026-01-01T01:00:00Z",
    },
    {
      token: "expiring-token-2",
      tenantId: "1",
      agentId: 7,
      expiresAt: new Date("2026-01-01T00:00:30.500Z"),
    },
    {
      token: "expiring-token-3",
      tenantId: "1",
      roles: [],
      expiresAt: "2026-01-01T02:00:00+01:00",
    },
    { token: "never-expires-04", tenantId: "1", roles: ["admin"], expiresAt: null },
  ];

  it("accepts a token before its expiry and refuses it at and after", async () => {
    const clock = fixedClock("2026-01-01T00:59:59.999Z");
    const verifier = verifierOf(table, clock);
    expect((await verifier.verify("expiring-token-1")).isOk()).toBe(true);
    clock.set("2026-01-01T01:00:00.000Z");
    expect((await verifier.verify("expiring-token-1"))._unsafeUnwrapErr()).toMatchObject(
      UNAUTHENTICATED,
    );
    clock.set("2030-01-01T00:00:00.000Z");
    expect((await verifier.verify("expiring-token-1"))._unsafeUnwrapErr()).toMatchObject(
      UNAUTHENTICATED,
    );
    expect((await verifier.verify("never-expires-04")).isOk()).toBe(true);
  });

  it("reads a Date and an offset as the instants they are", async () => {
    const clock = fixedClock("2026-01-01T00:00:30.499Z");
    const verifier = verifierOf(table, clock);
    expect((await verifier.verify("expiring-token-2")).isOk()).toBe(true);
    // 02:00 at +01:00 is 01:00Z.
    expect((await verifier.verify("expiring-token-3")).isOk()).toBe(true);
    clock.set("2026-01-01T00:00:30.500Z");
    expect((await verifier.verify("expiring-token-2")).isErr()).toBe(true);
    clock.set("2026-01-01T01:00:00.000Z");
    expect((await verifier.verify("expiring-token-3")).isErr()).toBe(true);
  });

  it("answers internal_error when the clock throws or gives an invalid date", async () => {
    const throwing = {
      now: (): Date => {
        throw new Error("no clock");
      },
    };
    const invalid = { now: () => new Date(Number.NaN) };
    for (const clock of [throwing, invalid]) {
      const built = staticTokens(table, { clock });
      const answer = await built._unsafeUnwrap().verify("expiring-token-1");
      expect(answer._unsafeUnwrapErr()).toMatchObject({ code: "internal_error" });
    }
  });
});

interface ConfigCase {
  readonly name: string;
  readonly entries: unknown;
  readonly paths: readonly string[];
}

const GOOD: StaticTokenEntry = { token: "good-token-value-0", tenantId: "1", roles: ["admin"] };
const SECRET = "s3cret-never-shown";

const CONFIG_CASES: readonly ConfigCase[] = [
  { name: "not a list", entries: { token: SECRET }, paths: [""] },
  { name: "an empty list", entries: [], paths: [""] },
  { name: "an entry that is not an object", entries: [GOOD, SECRET], paths: ["1"] },
  { name: "an empty token", entries: [{ ...GOOD, token: "" }], paths: ["0.token"] },
  {
    name: "a token that is not a string",
    entries: [{ ...GOOD, token: 12345678 }],
    paths: ["0.token"],
  },
  {
    name: "an oversized token",
    entries: [{ ...GOOD, token: `${SECRET}${"x".repeat(9000)}` }],
    paths: ["0.token"],
  },
  {
    name: "a token with a space",
    entries: [GOOD, { ...GOOD, token: `${SECRET} x` }],
    paths: ["1.token"],
  },
  {
    name: "a token with a non-ASCII letter",
    entries: [{ ...GOOD, token: `${SECRET}é` }],
    paths: ["0.token"],
  },
  {
    name: "a token with a newline",
    entries: [{ ...GOOD, token: `${SECRET}\n` }],
    paths: ["0.token"],
  },
  {
    name: "a duplicate token",
    entries: [
      { ...GOOD, token: SECRET },
      { ...GOOD, token: "other-token-value" },
      { token: SECRET, tenantId: "2", agentId: 3 },
    ],
    paths: ["2.token"],
  },
  { name: "a missing tenant", entries: [{ token: SECRET, roles: [] }], paths: ["0.tenantId"] },
  {
    name: "an empty tenant",
    entries: [{ ...GOOD, token: SECRET, tenantId: "" }],
    paths: ["0.tenantId"],
  },
  {
    name: "a tenant that is too long",
    entries: [{ ...GOOD, token: SECRET, tenantId: "t".repeat(LIMITS.tenantId + 1) }],
    paths: ["0.tenantId"],
  },
  {
    name: "a tenant with a NUL",
    entries: [{ ...GOOD, token: SECRET, tenantId: "12\u000034" }],
    paths: ["0.tenantId"],
  },
  {
    name: "a tenant with a lone surrogate",
    entries: [{ ...GOOD, token: SECRET, tenantId: "12\uD800" }],
    paths: ["0.tenantId"],
  },
  {
    name: "both roles and agentId",
    entries: [{ token: SECRET, tenantId: "1", roles: ["admin"], agentId: 4 }],
    paths: ["0"],
  },
  { name: "neither roles nor agentId", entries: [{ token: SECRET, tenantId: "1" }], paths: ["0"] },
  {
    name: "roles that are not a list",
    entries: [{ token: SECRET, tenantId: "1", roles: "admin" }],
    paths: ["0.roles"],
  },
  {
    name: "a role that is empty or not a string",
    entries: [{ token: SECRET, tenantId: "1", roles: ["admin", "", 3] }],
    paths: ["0.roles.1", "0.roles.2"],
  },
  ...[0, -1, 1.5, "7", Number.MAX_SAFE_INTEGER + 1, Number.NaN].map((agentId) => ({
    name: `agent id ${String(agentId)}`,
    entries: [{ token: SECRET, tenantId: "1", agentId }],
    paths: ["0.agentId"],
  })),
  {
    name: "a user id on an agent token",
    entries: [{ token: SECRET, tenantId: "1", agentId: 4, userId: "ana" }],
    paths: ["0.userId"],
  },
  {
    name: "an empty user id",
    entries: [{ ...GOOD, token: SECRET, userId: "" }],
    paths: ["0.userId"],
  },
  {
    name: "a user id that is too long",
    entries: [{ ...GOOD, token: SECRET, userId: "u".repeat(LIMITS.userId + 1) }],
    paths: ["0.userId"],
  },
  ...["2030-02-30T00:00:00Z", "2030-01-01T00:00:00", "tomorrow", "", "2030-01-01"].map(
    (expiresAt) => ({
      name: `expiry ${JSON.stringify(expiresAt)}`,
      entries: [{ ...GOOD, token: SECRET, expiresAt }],
      paths: ["0.expiresAt"],
    }),
  ),
  ...[new Date(Number.NaN), new Date("+010000-01-01T00:00:00Z"), 1767225600000].map(
    (expiresAt) => ({
      name: `expiry ${String(expiresAt)}`,
      entries: [{ ...GOOD, token: SECRET, expiresAt }],
      paths: ["0.expiresAt"],
    }),
  ),
  {
    name: "problems in several entries, all reported",
    entries: [{ token: "", tenantId: "" }, GOOD, { token: SECRET, tenantId: "1", agentId: -2 }],
    paths: ["0.token", "0.tenantId", "0", "2.agentId"],
  },
];

describe("staticTokens: configuration problems", () => {
  for (const { name, entries, paths } of CONFIG_CASES) {
    it(`refuses ${name}, naming ${paths.map((p) => p || "(the table)").join(", ")}`, () => {
      const built = staticTokens(entries as StaticTokenEntry[]);
      const error = built._unsafeUnwrapErr();
      expect(error.code).toBe("invalid_token_config");
      expect(error.issues.map((issue) => issue.path)).toEqual(paths);
      for (const issue of error.issues) {
        expect(error.message).toContain(issue.path === "" ? issue.message : `${issue.path}: `);
      }
      expect(error.message).toMatch(/^The token table is invalid: /);
      expect(JSON.stringify(error)).not.toContain(SECRET);
    });
  }

  it("refuses a clock without now()", () => {
    const error = staticTokens([GOOD], { clock: {} as never })._unsafeUnwrapErr();
    expect(error.issues).toEqual([{ path: "clock", message: expect.any(String) }]);
  });

  it("lists ten issues in the message and counts the rest", () => {
    const entries = Array.from({ length: 25 }, () => ({ token: "", tenantId: "1", roles: [] }));
    const error = staticTokens(entries)._unsafeUnwrapErr();
    expect(error.issues).toHaveLength(25);
    expect(error.message).toContain("9.token");
    expect(error.message).not.toContain("10.token");
    expect(error.message).toContain("and 15 more");
  });
});

// Long enough and random enough that a message could not hold one by chance.
const tokenArb = fc.stringMatching(/^[A-Za-z0-9_-]{12,40}$/);

const badEntryArb = (token: string) =>
  fc.oneof(
    fc.constant({ token, tenantId: "", roles: [] }),
    fc.constant({ token: `${token} `, tenantId: "1", roles: [] }),
    fc.constant({ token: `${token}\u00e9`, tenantId: "1", agentId: 1 }),
    fc.constant({ token, tenantId: "1" }),
    fc.constant({ token, tenantId: "1", roles: [1] }),
    fc.constant({ token, tenantId: "1", agentId: 0 }),
    fc.constant({ token, tenantId: "1", roles: [], agentId: 2 }),
    fc.constant({ token, tenantId: "1", roles: [], expiresAt: "soon" }),
    fc.constant({ token, tenantId: "1", agentId: 3, userId: "u" }),
    fc.constant({ token: token.repeat(300), tenantId: "1", roles: [] }),
  );

describe("staticTokens: properties", () => {
  it("never quotes a token in a configuration error", { timeout: 60_000 }, () => {
    fc.assert(
      fc.property(
        fc
          .uniqueArray(tokenArb, { minLength: 1, maxLength: 6 })
          .chain((tokens) =>
            fc.tuple(
              fc.constant(tokens),
              fc.tuple(
                ...tokens.map((token) =>
                  fc.oneof(badEntryArb(token), fc.constant({ token, tenantId: "1", roles: [] })),
                ),
              ),
              fc.boolean(),
            ),
          ),
        ([tokens, entries, duplicate]) => {
          const table = duplicate
            ? [...entries, { token: tokens[0], tenantId: "9", agentId: 9 }]
            : entries;
          const built = staticTokens(table as StaticTokenEntry[]);
          if (built.isOk()) return;
          const text = JSON.stringify(built.error);
          for (const token of tokens) expect(text).not.toContain(token);
        },
      ),
      { numRuns: 500 },
    );
  });

  const validTableArb = fc
    .uniqueArray(tokenArb, { minLength: 1, maxLength: 8 })
    .chain((tokens) =>
      fc.tuple(
        ...tokens.map((token) =>
          fc.record({
            token: fc.constant(token),
            tenantId: fc.stringMatching(/^[0-9]{1,12}$/),
            kind: fc.oneof(
              fc.record({
                roles: fc.array(fc.constantFrom("admin", "observer", "x"), { maxLength: 3 }),
              }),
              fc.record({ agentId: fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }) }),
            ),
            expiresAtMs: fc.option(
              fc.integer({
                min: Date.parse("2025-01-01T00:00:00Z"),
                max: Date.parse("2027-01-01T00:00:00Z"),
              }),
            ),
          }),
        ),
      ),
    )
    .map((rows) =>
      rows.map(
        (row): StaticTokenEntry => ({
          token: row.token,
          tenantId: row.tenantId,
          ...row.kind,
          expiresAt: row.expiresAtMs === null ? null : new Date(row.expiresAtMs).toISOString(),
        }),
      ),
    );

  it("refuses every token that is not in the table", { timeout: 60_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(
        validTableArb,
        fc.oneof(
          fc.string({ maxLength: 60 }),
          fc.string({ unit: "binary", maxLength: 60 }),
          tokenArb,
        ),
        async (table, presented) => {
          fc.pre(!table.some((entry) => entry.token === presented));
          const answer = await verifierOf(table).verify(presented);
          expect(answer._unsafeUnwrapErr()).toEqual(expect.objectContaining(UNAUTHENTICATED));
        },
      ),
      { numRuns: 300 },
    );
  });

  it("maps a listed token to its principal before its expiry, and refuses it at and after", {
    timeout: 60_000,
  }, async () => {
    await fc.assert(
      fc.asyncProperty(
        validTableArb,
        fc.nat(),
        fc.integer({
          min: Date.parse("2024-06-01T00:00:00Z"),
          max: Date.parse("2027-06-01T00:00:00Z"),
        }),
        fc.boolean(),
        async (table, pick, nowMs, atExpiry) => {
          const index = pick % table.length;
          const entry = table[index] as StaticTokenEntry;
          const expiresMs =
            typeof entry.expiresAt === "string" ? Date.parse(entry.expiresAt) : null;
          // Half the runs stand exactly on the expiry, the edge that matters.
          const now = atExpiry && expiresMs !== null ? expiresMs : nowMs;
          const clock = fixedClock(new Date(now).toISOString());
          const answer = await verifierOf(table, clock).verify(entry.token);
          if (expiresMs !== null && now >= expiresMs) {
            expect(answer._unsafeUnwrapErr()).toMatchObject(UNAUTHENTICATED);
            return;
          }
          const expected =
            entry.agentId === undefined
              ? {
                  type: "user",
                  userId: `static-token-${index + 1}`,
                  tenantId: entry.tenantId,
                  roles: entry.roles,
                }
              : { type: "agent", agentId: entry.agentId, tenantId: entry.tenantId };
          expect(answer._unsafeUnwrap()).toEqual(expected);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe("digestMatch", () => {
  it("finds the one equal digest, or -1, whatever the bytes", { timeout: 60_000 }, () => {
    const digest = fc.uint8Array({ minLength: 32, maxLength: 32 });
    fc.assert(
      fc.property(
        fc.array(digest, { maxLength: 8 }),
        digest,
        fc.nat(),
        fc.boolean(),
        (known, other, pick, present) => {
          const unique = known.filter(
            (d, i) => known.findIndex((e) => Buffer.compare(e, d) === 0) === i,
          );
          const presented =
            present && unique.length > 0 ? (unique[pick % unique.length] as Uint8Array) : other;
          const expected = unique.findIndex((d) => Buffer.compare(d, presented) === 0);
          expect(digestMatch(presented, unique)).toBe(expected);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it("tells digests that differ in one bit or in length apart", () => {
    const base = new Uint8Array(32).fill(7);
    for (let at = 0; at < 32; at += 1) {
      for (let bit = 0; bit < 8; bit += 1) {
        const changed = new Uint8Array(base);
        changed[at] = (changed[at] as number) ^ (1 << bit);
        expect(digestMatch(changed, [base])).toBe(-1);
      }
    }
    expect(digestMatch(base.subarray(0, 31), [base])).toBe(-1);
    expect(digestMatch(base, [new Uint8Array(32), base])).toBe(1);
  });
});
