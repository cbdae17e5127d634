import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import type { Answer } from "../support/http-answer.js";
import { type RestoreWorld, restoreWorld } from "../support/restore-world.js";
import { routeSuite } from "../support/route-suite.js";
import { answerProblems } from "../support/sane-answer.js";

// Odd paths, methods and headers, on the in-memory store: every answer sane, nothing
// changed by a 4xx, and X-Request-Id and Accept honoured exactly as far as they are sane.

/** Tokens longer than any a table may hold (8192 characters): refused, and never written down. */
const LONG_TOKEN = "tok3n-".repeat(1366).slice(0, 8193);
const HUGE_TOKEN = "Zq9".repeat(33_334);

const METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"] as const;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** What `Headers` makes of a value: leading and trailing spaces and tabs dropped. */
const asHeader = (value: string) => new Headers({ "x-request-id": value }).get("x-request-id");

routeSuite(
  "hostile requests",
  (harness) => {
    let world: RestoreWorld;
    beforeAll(async () => {
      world = await restoreWorld(harness());
    });

    function segment(): fc.Arbitrary<string> {
      const { tenant, allIds } = world;
      return fc.oneof(
        fc.constantFrom(
          tenant.id,
          tenant.otherId,
          ...allIds.map(String),
          "restore",
          "restores",
          "action-requested",
          "report",
          "events",
          "password",
          "v1.0",
          "v2",
          "",
          "..",
          ".",
          "%2e%2e",
          "%2F",
          "a%2Fb",
          "..%2F..%2Fetc%2Fpasswd",
          "%00",
          "%",
          "%zz",
          "%C0%AF",
          "%FF",
          "%E2%80%8B",
          "%D9%A1%D9%A3",
          "١٣٦٨٩",
          "ü",
          "😀",
          "0",
          "-1",
          "1e3",
          "13689.0",
          "x".repeat(10_000),
          "9".repeat(400),
        ),
        fc.string({ maxLength: 16 }).map(encodeURIComponent),
        fc.string({ unit: "grapheme", maxLength: 8 }).map(encodeURIComponent),
      );
    }

    function oddPath(): fc.Arbitrary<string> {
      const { tenant } = world;
      return fc
        .tuple(
          fc.constantFrom(
            `/v1.0/${tenant.id}/restore/`,
            `/v2/${tenant.id}/restores/`,
            "/v1.0/",
            "/v2/",
            "/",
            "//v1.0/",
            "/V1.0/",
            "/v1.0//",
          ),
          fc.array(segment(), { maxLength: 5 }),
          fc.constantFrom(
            "",
            "/",
            "?after=-1",
            "?limit=99999999999999999999",
            "?after=1&after=2",
            "#x",
          ),
        )
        .map(([prefix, segments, suffix]) => `${prefix}${segments.join("/")}${suffix}`);
    }

    function expectSane(answer: Answer, path: string, method: string, problem = false) {
      expect(
        answerProblems(answer, { path, method, problem }),
        `${method} ${path.slice(0, 120)}`,
      ).toEqual([]);
    }

    it("any method on any path: a sane answer, and nothing changed by a 4xx", {
      timeout: 90_000,
    }, async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom(...METHODS),
          oddPath(),
          fc.constantFrom("admin", "agent", "observer", null),
          fc.boolean(),
          async (method, path, as, withBody) => {
            const before = await world.footprint();
            const answer = await world.tenant.send(method, path, {
              as,
              ...(withBody && method !== "GET" && method !== "HEAD"
                ? { json: { Action: "StopManual", Id: world.ids.Completed } }
                : {}),
            });
            expectSane(answer, path, method);
            if (answer.status >= 400) expect(await world.footprint()).toEqual(before);
            if (answer.status === 405) expect(answer.headers.get("allow")).toMatch(/^[A-Z, ]+$/);
          },
        ),
        { numRuns: 200 },
      );
    });

    describe("paths that try to climb or hide a slash", () => {
      it.each([
        ["GET", (t: string, id: number) => `/v1.0/${t}/restore/..%2F..%2F${id}`, [400, 404]],
        ["GET", (t: string, id: number) => `/v1.0/${t}%2Frestore/${id}`, [403, 404]],
        ["GET", (t: string, id: number) => `/v1.0/${t}/restore/${id}%2Fevents`, [400, 404]],
        ["GET", (t: string, id: number) => `/v1.0/${t}/restore/report%2F${id}`, [400, 404]],
        [
          "GET",
          (t: string, id: number) => `/v1.0/${t}/restore/%2e%2e/restore/${id}`,
          [200, 400, 404],
        ],
        ["GET", (t: string, id: number) => `/v1.0/${t}/restore/${id}/events/..`, [200, 404]],
        // The URL parser reads %2e%2e as "..": this is /restore/<id>, which is no route.
        ["GET", (_t: string, id: number) => `/v1.0/%2e%2e/restore/${id}`, [404]],
        ["GET", (_t: string, id: number) => `/v1.0//restore/${id}`, [403, 404]],
        ["PATCH", (t: string, id: number) => `/v2/${t}/restores/${id}%2Fpassword`, [400, 404]],
        ["GET", (t: string, id: number) => `/v2/${t}/restores/${id}/password%00`, [404]],
        // A tenant id longer than any is refused as a request problem before any permission.
        ["GET", (_t: string, id: number) => `/v1.0/${"t".repeat(129)}/restore/${id}`, [400]],
        ["GET", (t: string) => `/v1.0/${t}/restore/${"9".repeat(10_000)}`, [400]],
      ] as const)("%s %s", async (method, makePath, statuses) => {
        const path = makePath(world.tenant.id, world.ids.Completed);
        const before = await world.footprint();
        const answer = await world.tenant.send(method, path, {
          as: method === "PATCH" || path.includes("password") ? "agent" : "admin",
          ...(method === "PATCH"
            ? { json: [{ op: "replace", path: "/state", value: "queued" }] }
            : {}),
        });
        expectSane(answer, path, method);
        expect(statuses as readonly number[]).toContain(answer.status);
        expect(await world.footprint()).toEqual(before);
      });
    });

    describe("X-Auth-Token", () => {
      it("any token that is not one of the table's: 401 unauthorized, the token never echoed", {
        timeout: 60_000,
      }, async () => {
        const { tenant } = world;
        const token = fc
          .oneof(
            fc.string({ maxLength: 80 }),
            fc.string({ unit: "binary", maxLength: 80 }),
            fc.constantFrom(
              "x".repeat(8193),
              "x".repeat(100_000),
              `${tenant.tokens.admin} `,
              ` ${tenant.tokens.admin}x`,
              tenant.tokens.admin.toUpperCase(),
              tenant.tokens.admin.slice(0, -1),
              `${tenant.tokens.admin}, ${tenant.tokens.admin}`,
              `Bearer ${tenant.tokens.admin}`,
              "null",
              "undefined",
              "[object Object]",
            ),
          )
          .map(asHeaderValue);
        const path = tenant.v1(`/restore/${world.ids.Completed}`);
        await fc.assert(
          fc.asyncProperty(token, async (sent) => {
            const header = new Headers({ "x-auth-token": sent }).get("x-auth-token") ?? "";
            fc.pre(
              !Object.values(tenant.tokens).includes(header) || header === tenant.tokens.unknown,
            );
            const answer = await harness().send("GET", path, { token: sent });
            expect(answer.status).toBe(401);
            expectSane(answer, path, "GET");
            if (header.trim().length >= 4) expect(answer.text).not.toContain(header.trim());
          }),
          { numRuns: 150 },
        );
        expect(harness().log.text()).not.toContain(LONG_TOKEN.slice(0, 64));
        expect(harness().log.text()).not.toContain(HUGE_TOKEN.slice(0, 64));
      });
    });

    describe("X-Request-Id", () => {
      it("echoed exactly when it is 1-200 visible ASCII characters, else a fresh UUID", {
        timeout: 60_000,
      }, async () => {
        const idChar = fc.oneof(
          { weight: 8, arbitrary: fc.integer({ min: 0x21, max: 0x7e }) },
          { weight: 1, arbitrary: fc.constantFrom(0x09, 0x20, 0x01, 0x1f, 0x7f) },
          { weight: 1, arbitrary: fc.integer({ min: 0x80, max: 0xff }) },
        );
        const requestId = fc
          .oneof(
            fc.array(idChar, { maxLength: 40 }),
            fc.array(idChar, { minLength: 190, maxLength: 260 }),
          )
          .map((codes) => String.fromCharCode(...codes));
        const paths = [
          world.tenant.v1(`/restore/${world.ids.Creating}`),
          world.tenant.v1("/restore/999999999"),
          "/healthz",
          "/missing",
        ];
        await fc.assert(
          fc.asyncProperty(requestId, fc.constantFrom(...paths), async (sent, path) => {
            const answer = await world.tenant.send("GET", path, { requestId: sent });
            expectSane(answer, path, "GET");
            const header = asHeader(sent);
            const answered = answer.headers.get("x-request-id");
            if (header !== null && /^[\x21-\x7e]{1,200}$/.test(header)) {
              expect(answered).toBe(header);
            } else {
              expect(answered).toMatch(UUID);
            }
            for (const line of harness().log.lines().slice(-3)) {
              expect(typeof line.requestId === "string" ? line.requestId : "").not.toMatch(
                /[^\x21-\x7e]/,
              );
            }
          }),
          { numRuns: 150 },
        );
      });

      it("10,000 characters: not echoed", async () => {
        const answer = await world.tenant.send("GET", "/healthz", {
          requestId: "a".repeat(10_000),
        });
        expect(answer.headers.get("x-request-id")).toMatch(UUID);
      });
    });

    describe("Accept", () => {
      it.each([
        [undefined, false],
        ["application/json", false],
        ["*/*", false],
        ["text/html", false],
        ["application/problem+json", true],
        ["APPLICATION/PROBLEM+JSON", true],
        ["application/json, application/problem+json;q=0.5", true],
        ["application/problem+json;q=0", false],
        ["application/problem+json; q=0.001", true],
        ["application/problem+xml", false],
        ["", false],
        [";;;,,,", false],
        ["application/problem+json;q=abc", false],
      ])("%j: problem details %s", async (accept, problem) => {
        const path = world.tenant.v1("/restore/999999999");
        const answer = await world.tenant.send("GET", path, accept === undefined ? {} : { accept });
        expect(answer.status).toBe(404);
        expectSane(answer, path, "GET", problem);
        if (problem) {
          expect(answer.json).toEqual({
            type: "urn:restorekit:problem:restore_not_found",
            title: "Not Found",
            status: 404,
            detail: "Restore 999999999 was not found.",
            code: "restore_not_found",
          });
        } else {
          expect(answer.json).toEqual({
            itemNotFound: {
              code: 404,
              message: "Restore 999999999 was not found.",
              details: "restore_not_found",
            },
          });
        }
      });

      it("any Accept header on any failing route: the error body its Content-Type says", {
        timeout: 60_000,
      }, async () => {
        const accept = fc
          .oneof(
            fc.string({ maxLength: 60 }),
            fc
              .array(
                fc.tuple(
                  fc.constantFrom(
                    "application/problem+json",
                    "application/json",
                    "*/*",
                    "text/*",
                    "PROBLEM",
                  ),
                  fc.option(fc.constantFrom("q=0", "q=1", "q=0.5", "q=", "q=-1", "q=2", "level=1")),
                ),
                { minLength: 1, maxLength: 4 },
              )
              .map((ranges) =>
                ranges.map(([type, q]) => (q === null ? type : `${type};${q}`)).join(", "),
              ),
          )
          .map(asHeaderValue);
        const failing = [
          ["GET", world.tenant.v1("/restore/999999999")],
          ["GET", world.tenant.v1("/restore/abc")],
          ["DELETE", world.tenant.v1("/restore")],
          ["PATCH", world.tenant.v2("/restores/999999999")],
          ["GET", "/missing"],
        ] as const;
        await fc.assert(
          fc.asyncProperty(accept, fc.constantFrom(...failing), async (value, [method, path]) => {
            const answer = await world.tenant.send(method, path, {
              accept: value,
              as: path.startsWith("/v2/") ? "agent" : "admin",
              ...(method === "PATCH" ? { json: [] } : {}),
            });
            expect(answer.status).toBeGreaterThanOrEqual(400);
            const problem =
              answer.headers.get("content-type") === "application/problem+json; charset=utf-8";
            expectSane(answer, path, method, problem);
            if (!/problem\+json/i.test(value)) expect(problem).toBe(false);
          }),
          { numRuns: 150 },
        );
      });
    });
  },
  { stores: ["memory"] },
);

/** A random string as a header can carry it (no NUL, CR or LF, Latin-1 only). */
function asHeaderValue(value: string): string {
  return [...value]
    .filter((char) => char !== "\0" && char !== "\r" && char !== "\n")
    .map((char) => ((char.codePointAt(0) ?? 0) > 0xff ? "?" : char))
    .join("");
}
