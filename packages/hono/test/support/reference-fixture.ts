import { readFileSync } from "node:fs";

/** One of the API reference's example bodies, as stored in core's test fixtures: the exact text. */
export function referenceFixture(name: string): string {
  return readFileSync(new URL(`../../../core/test/fixtures/${name}`, import.meta.url), "utf8");
}
