import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  authorize,
  authorizeAgentFor,
  isPrincipal,
  type Permission,
  type Principal,
  RestoreErrors,
  ROLE_PERMISSIONS,
} from "../src/index.js";

const TENANT = "123456";
const USER_PERMISSIONS: Permission[] = ["create", "update", "start", "stop", "read"];

// SPEC 4's roles, written out here rather than read from the implementation.
const EXPECTED: Record<string, Permission[]> = {
  "cloudbackup:admin": USER_PERMISSIONS,
  admin: USER_PERMISSIONS,
  "cloudbackup:creator": USER_PERMISSIONS,
  "cloudbackup:observer": ["read"],
  observer: ["read"],
};

function user(roles: string[], tenantId = TENANT): Principal {
  return { type: "user", userId: "u-1", tenantId, roles };
}

describe("authorize", () => {
  for (const [role, allowed] of Object.entries(EXPECTED)) {
    for (const permission of [...USER_PERMISSIONS, "report", "receive-password"] as const) {
      const expected = allowed.includes(permission);
      it(`${role} ${expected ? "may" : "may not"} ${permission}`, () => {
        const result = authorize(user([role]), permission, TENANT);
        expect(result.isOk()).toBe(expected);
        if (result.isErr()) expect(result.error.code).toBe("forbidden");
      });
    }
  }

  it("forbids a token of another tenant whatever its roles", () => {
    fc.assert(
      fc.property(
        fc.subarray(Object.keys(EXPECTED)),
        fc.constantFrom(...USER_PERMISSIONS),
        fc.string().filter((t) => t !== TENANT),
        (roles, permission, otherTenant) => {
          const result = authorize(user(roles, otherTenant), permission, TENANT);
          expect(result._unsafeUnwrapErr().code).toBe("forbidden");
        },
      ),
    );
  });

  it("forbids everything to roles it does not know, including inherited object keys", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.string(),
            fc.constantFrom("__proto__", "constructor", "toString", "hasOwnProperty"),
          ),
        ),
        fc.constantFrom(...USER_PERMISSIONS),
        (roles, permission) => {
          fc.pre(roles.every((r) => !Object.hasOwn(EXPECTED, r)));
          expect(authorize(user(roles), permission, TENANT).isErr()).toBe(true);
        },
      ),
    );
  });

  it("lets an agent only report and receive the password, and only in its tenant", () => {
    const agent: Principal = { type: "agent", agentId: 156751, tenantId: TENANT };
    expect(authorize(agent, "report", TENANT).isOk()).toBe(true);
    expect(authorize(agent, "receive-password", TENANT).isOk()).toBe(true);
    expect(authorize(agent, "receive-password", "654321")._unsafeUnwrapErr().code).toBe(
      "forbidden",
    );
    for (const permission of USER_PERMISSIONS) {
      expect(authorize(agent, permission, TENANT).isErr()).toBe(true);
    }
    expect(authorize(agent, "report", "654321")._unsafeUnwrapErr().code).toBe("forbidden");
  });
});

describe("the policy cannot be bent", () => {
  it("ignores any change to ROLE_PERMISSIONS: it is frozen, and authorize reads its own copy", () => {
    const observer: Principal = { type: "user", userId: "u", tenantId: "t", roles: ["observer"] };
    expect(Object.isFrozen(ROLE_PERMISSIONS)).toBe(true);
    expect(Object.isFrozen(ROLE_PERMISSIONS.observer)).toBe(true);
    expect(() => {
      (ROLE_PERMISSIONS as Record<string, Permission[]>).observer?.push("start");
    }).toThrow(TypeError);
    expect(authorize(observer, "start", "t").isErr()).toBe(true);
  });

  it("forbids a principal that is not well formed, a role named like a prototype key, and an unknown permission", () => {
    const cases: unknown[] = [
      null,
      {},
      { type: "user", userId: "u", tenantId: "t" },
      { type: "user", userId: "u", tenantId: "t", roles: "cloudbackup:admin" },
      { type: "user", userId: "", tenantId: "t", roles: ["admin"] },
      { type: "user", userId: "u\u0000", tenantId: "t", roles: ["admin"] },
      { type: "user", userId: "u", tenantId: 7, roles: ["admin"] },
      { type: "agent", agentId: "7", tenantId: "t" },
      { type: "agent", agentId: 0, tenantId: "t" },
      { type: "robot", tenantId: "t" },
      { type: "user", userId: "u", tenantId: "t", roles: ["constructor", "__proto__", "toString"] },
    ];
    for (const principal of cases) {
      expect(authorize(principal as Principal, "read", "t")._unsafeUnwrapErr().code).toBe(
        "forbidden",
      );
      expect(isPrincipal(principal)).toBe(
        (principal as { roles?: unknown[] } | null)?.roles?.[0] === "constructor",
      );
    }
    const admin: Principal = { type: "user", userId: "u", tenantId: "t", roles: ["admin"] };
    expect(authorize(admin, "destroy" as Permission, "t").isErr()).toBe(true);
  });
});

describe("authorize and authorizeAgentFor say why", () => {
  const restore = { restoreId: 13689, config: { destinationMachineId: 156751 } } as never;

  it("name the reason of each refusal", () => {
    const user: Principal = { type: "user", userId: "u", tenantId: "t", roles: ["observer"] };
    const agent: Principal = { type: "agent", agentId: 156751, tenantId: "t" };
    expect(
      authorize({ ...user, roles: [1, "admin"] } as never, "read", "t")._unsafeUnwrapErr(),
    ).toEqual(RestoreErrors.forbidden("the token does not name a well-formed user or agent"));
    expect(authorize(user, "read", "other")._unsafeUnwrapErr()).toEqual(
      RestoreErrors.forbidden("the token belongs to another tenant"),
    );
    expect(authorize(agent, "read", "t")._unsafeUnwrapErr()).toEqual(
      RestoreErrors.forbidden("agent tokens may only report on their restores"),
    );
    expect(authorize(user, "start", "t")._unsafeUnwrapErr()).toEqual(
      RestoreErrors.forbidden('no role of the token allows "start"'),
    );
    expect(authorizeAgentFor(user, restore)._unsafeUnwrapErr()).toEqual(
      RestoreErrors.forbidden("the token is not the destination agent of restore 13689"),
    );
  });

  it("lets only a well-formed agent principal be the destination agent", () => {
    const agent = { type: "agent", agentId: 156751, tenantId: "t" };
    expect(authorizeAgentFor(agent as Principal, restore).isOk()).toBe(true);
    for (const principal of [
      { ...agent, tenantId: 5 },
      { ...agent, agentId: 1 },
      { type: "user", userId: "u", tenantId: "t", roles: ["admin"], agentId: 156751 },
    ]) {
      expect(authorizeAgentFor(principal as Principal, restore).isErr()).toBe(true);
    }
  });
});
