import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  backoffMs,
  createRestoreClient,
  nextLink,
  parseRetryAfter,
  retryPolicy,
} from "../src/index.js";

describe("backoffMs", () => {
  it("waits a random time up to the doubled ceiling (full jitter), never less than Retry-After", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 20 }),
        fc.double({ min: 0, max: 0.999_999, noNaN: true }),
        fc.option(fc.integer({ min: 0, max: 60_000 }), { nil: null }),
        (retry, random, retryAfter) => {
          const policy = retryPolicy({ baseDelayMs: 100, maxDelayMs: 3000, random: () => random });
          const ms = backoffMs(policy, retry, retryAfter);
          const ceiling = Math.min(3000, 100 * 2 ** (retry - 1));
          expect(ms).toBeGreaterThanOrEqual(retryAfter ?? 0);
          if (retryAfter === null || retryAfter <= ceiling) expect(ms).toBeLessThanOrEqual(ceiling);
        },
      ),
    );
  });
});

describe("parseRetryAfter", () => {
  it("reads seconds and HTTP dates, and nothing else", () => {
    expect(parseRetryAfter("1")).toBe(1000);
    expect(parseRetryAfter(" 30 ")).toBe(30_000);
    expect(
      parseRetryAfter("Thu, 01 Jan 2026 00:00:10 GMT", Date.parse("2026-01-01T00:00:00Z")),
    ).toBe(10_000);
    expect(
      parseRetryAfter("Thu, 01 Jan 2026 00:00:10 GMT", Date.parse("2026-02-01T00:00:00Z")),
    ).toBe(0);
    expect(parseRetryAfter("soon")).toBeNull();
    expect(parseRetryAfter(null)).toBeNull();
  });
});

describe("nextLink", () => {
  it("finds rel=next among links and resolves it against the page's URL", () => {
    const base = "http://h:1/api/v1.0/1/restore/2/events?limit=2";
    expect(nextLink('</api/v1.0/1/restore/2/events?marker=2&limit=2>; rel="next"', base)).toBe(
      "http://h:1/api/v1.0/1/restore/2/events?marker=2&limit=2",
    );
    expect(nextLink('<a>; rel="prev", <b?x=1>; rel=next', base)).toBe(
      "http://h:1/api/v1.0/1/restore/2/b?x=1",
    );
    expect(nextLink('<a>; rel="prev"', base)).toBeNull();
    expect(nextLink(null, base)).toBeNull();
  });
});

describe("a client over a fetch that fails", () => {
  it("answers an unexpected body as unexpected_response, with the schema's problems", async () => {
    const client = createRestoreClient({
      baseUrl: "http://x",
      tenantId: "1",
      token: "t",
      fetch: async () => new Response(JSON.stringify({ RestoreId: "abc" }), { status: 200 }),
    });
    const got = await client.get(1);
    expect(got._unsafeUnwrapErr()).toMatchObject({ code: "unexpected_response", status: 200 });
    expect(
      got.isErr() && got.error.code === "unexpected_response" && got.error.problems.length,
    ).toBeGreaterThan(3);
  });

  it("retries a fetch that throws, the same key each time, then gives up within the tries", async () => {
    const keys: (string | undefined)[] = [];
    const pauses: number[] = [];
    const client = createRestoreClient({
      baseUrl: "http://x/",
      tenantId: "1",
      token: "t",
      retry: { attempts: 5, sleep: async (ms) => void pauses.push(ms), random: () => 0.5 },
      fetch: async (request) => {
        expect(request.url).toBe("http://x/v1.0/1/restore/action-requested");
        keys.push(request.headers.get("idempotency-key") ?? undefined);
        throw new TypeError("fetch failed");
      },
    });
    const stopped = await client.stop(3);
    expect(stopped._unsafeUnwrapErr()).toMatchObject({
      code: "retry_budget_exhausted",
      attempts: 5,
      last: { code: "network_error" },
    });
    expect(keys).toHaveLength(5);
    expect(new Set(keys).size).toBe(1);
    expect(pauses).toEqual([100, 200, 400, 800]);
  });

  it("does not retry a refusal: a 404 is answered at once", async () => {
    let calls = 0;
    const client = createRestoreClient({
      baseUrl: "http://x",
      tenantId: "1",
      token: "t",
      fetch: async () => {
        calls += 1;
        return new Response(
          '{"itemNotFound":{"code":404,"message":"Restore 1 was not found.","details":"restore_not_found"}}',
          {
            status: 404,
          },
        );
      },
    });
    expect((await client.get(1))._unsafeUnwrapErr().code).toBe("restore_not_found");
    expect(calls).toBe(1);
  });
});

describe("the client's sources", () => {
  it("import no node: module outside the command line tool, so they run in any fetch runtime", () => {
    const src = join(import.meta.dirname, "../src");
    const files = readdirSync(src, { recursive: true, encoding: "utf8" }).filter(
      (file) => file.endsWith(".ts") && !file.startsWith("cli"),
    );
    expect(files.length).toBeGreaterThan(5);
    for (const file of files) {
      expect(readFileSync(join(src, file), "utf8"), file).not.toMatch(
        /from\s+["']node:|import\(\s*["']node:/,
      );
    }
    expect(readFileSync(join(src, "index.ts"), "utf8")).not.toContain("./cli/");
  });
});
