/**
 * The project is MIT licensed: one LICENSE at the root and the same in every
 * package directory (npm and pnpm pack a package's LICENSE whatever its
 * `files` say), and every package.json says so.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "./markdown.js";

const license = readFileSync(join(ROOT, "LICENSE"), "utf8");
const packages = readdirSync(join(ROOT, "packages"))
  .filter((name) => existsSync(join(ROOT, "packages", name, "package.json")))
  .sort();

describe("licenses", () => {
  it("LICENSE at the root is the MIT license of the restorekit authors", () => {
    expect(license.startsWith("MIT License\n\nCopyright (c) 2026 the restorekit authors\n")).toBe(
      true,
    );
    expect(license).toContain('THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND');
  });

  it("the root package.json says MIT", () => {
    const manifest = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as {
      license?: unknown;
    };
    expect(manifest.license).toBe("MIT");
  });

  it.each(packages)("packages/%s has the same LICENSE and says MIT in package.json", (name) => {
    const dir = join(ROOT, "packages", name);
    expect(existsSync(join(dir, "LICENSE")), `packages/${name}/LICENSE is missing`).toBe(true);
    expect(readFileSync(join(dir, "LICENSE"), "utf8")).toBe(license);
    const manifest = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as {
      license?: unknown;
    };
    expect(manifest.license).toBe("MIT");
  });
});
