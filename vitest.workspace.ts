import type { TestProjectInlineConfiguration } from "vitest/config";

/**
 * The test projects of the monorepo, one per package. Vitest 4 does not read
 * this file by itself: `vitest.config.ts` imports it into `test.projects`.
 */
const packages = ["core", "testing"] as const;

export default packages.map(
  (name): TestProjectInlineConfiguration => ({
    extends: true,
    test: {
      name,
      root: `packages/${name}`,
      include: ["test/**/*.test.ts"],
    },
  }),
);
