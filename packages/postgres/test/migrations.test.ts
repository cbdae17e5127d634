import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { MIGRATIONS } from "../src/index.js";

describe("the shipped migrations", () => {
  it("keep the versions and names databases already recorded", () => {
    expect(MIGRATIONS.map(({ version, name }) => [version, name])).toEqual([
      [1, "0001_restores.sql"],
    ]);
  });

  it("never change once shipped: a changed one would not reach databases that applied it", () => {
    // SHA-256 of migrations/0001_restores.sql as it shipped in 0.1.0.
    expect(MIGRATIONS.map(({ sql }) => createHash("sha256").update(sql).digest("hex"))).toEqual([
      "b5203c8c0425540a2b458c2b2eec4ca9b066f32bbcf75bd2bd00d61083b5addf",
    ]);
  });

  it("cannot be altered by an app that imports them", () => {
    const [first] = MIGRATIONS;
    expect(Object.isFrozen(MIGRATIONS)).toBe(true);
    expect(Object.isFrozen(first)).toBe(true);
  });
});
