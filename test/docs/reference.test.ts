import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ERROR_STATUS, LIMITS } from "../../packages/core/src/index.js";
import { ADAPTER_ERROR_STATUS, FAULT_KEYS } from "../../packages/hono/src/index.js";
import { ROOT } from "./markdown.js";

// The HTTP reference restates tables of core and of the adapter; these tests keep them equal to the code.

const reference = readFileSync(join(ROOT, "docs/http.md"), "utf8");

/** The text of one `## ` section. */
function section(title: string): string {
  const start = reference.indexOf(`\n## ${title}\n`);
  const end = reference.indexOf("\n## ", start + 1);
  expect(start, `docs/http.md has a section "${title}"`).toBeGreaterThan(0);
  return reference.slice(start, end === -1 ? undefined : end);
}

/** The first two cells of every table row whose first cell is one `code` span. */
function rows(text: string, pattern: RegExp): [string, string][] {
  return [...text.matchAll(pattern)].map((match) => [match[1] ?? "", match[2] ?? ""]);
}

describe("docs/http.md", () => {
  it("lists every error code with the status ERROR_STATUS or ADAPTER_ERROR_STATUS gives it, and no other", () => {
    const listed = rows(section("Errors and their statuses"), /^\| `([a-z_]+)` +\| +(\d{3}) \|/gm);
    const expected = { ...ERROR_STATUS, ...ADAPTER_ERROR_STATUS };
    expect(Object.fromEntries(listed.map(([code, status]) => [code, Number(status)]))).toEqual(
      expected,
    );
    expect(listed).toHaveLength(Object.keys(expected).length);
  });

  it("names the fault key of every status as FAULT_KEYS does, and no other", () => {
    const listed = rows(
      section("Errors and their statuses"),
      /^\| +(\d{3}) \| `([a-zA-Z]+)` +\|/gm,
    );
    expect(Object.fromEntries(listed.map(([status, key]) => [status, key]))).toEqual(
      Object.fromEntries(Object.entries(FAULT_KEYS)),
    );
  });

  it("lists every limit with the value LIMITS holds, and no other", () => {
    const listed = rows(section("Limits"), /^\| `([a-zA-Z]+)` +\| +(\d+) \|/gm);
    expect(Object.fromEntries(listed.map(([name, max]) => [name, Number(max)]))).toEqual({
      ...LIMITS,
    });
  });
});

describe("shipped sources", () => {
  it("never point outside the repository for a rule", () => {
    const offenders: string[] = [];
    for (const pkg of readdirSync(join(ROOT, "packages"))) {
      const src = join(ROOT, "packages", pkg, "src");
      if (!existsSync(src)) continue;
      for (const file of readdirSync(src, { recursive: true, encoding: "utf8" })) {
        if (!file.endsWith(".ts")) continue;
        const text = readFileSync(join(src, file), "utf8");
        text.split("\n").forEach((line, i) => {
          if (/SPEC \d|\.\.\/shared\b/.test(line))
            offenders.push(`packages/${pkg}/src/${file}:${i + 1}`);
        });
      }
    }
    expect(offenders).toEqual([]);
  });
});
