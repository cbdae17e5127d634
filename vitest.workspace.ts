import type { TestProjectInlineConfiguration } from "vitest/config";

/**
 * The test projects of the monorepo, one per package. Vitest 4 does not read
 * this file by itself: `vitest.config.ts` imports it into `test.projects`.
 */
const packages: Record<string, TestProjectInlineConfiguration["test"]> = {
  core: {},
  testing: {},
  crypto: {},
  // A fresh PGlite takes seconds to start and real-server tests run for a few seconds each.
  postgres: { testTimeout: 120_000, hookTimeout: 120_000 },
};

export default Object.entries(packages).map(
  ([name, options]): TestProjectInlineConfiguration => ({
    extends: true,
    test: {
      name,
      root: `packages/${name}`,
      include: ["test/**/*.test.ts"],
      ...options,
    },
  }),
);
