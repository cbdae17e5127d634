import { readFileSync } from "node:fs";

/** The text of a file in `test/fixtures/` (copied from the API reference, quirks included). */
export function readFixture(name: string): string {
  return readFileSync(new URL(`../fixtures/${name}`, import.meta.url), "utf8");
}

/** A fixture parsed as JSON; only for the fixtures that are valid JSON. */
export function fixtureJson(name: string): unknown {
  return JSON.parse(readFixture(name));
}
