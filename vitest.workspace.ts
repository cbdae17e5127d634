import type { TestProjectInlineConfiguration } from "vitest/config";

/**
 * The test projects of the monorepo, one per package and one for the
 * documentation (test/docs). Vitest 4 does not read
 * this file by itself: `vitest.config.ts` imports it into `test.projects`.
 */
// Vitest's 5 s default is too tight for a 2-core machine running two suites at once; long
// property runs also carry their own timeout in the test.
const LOADED_MACHINE = { testTimeout: 30_000, hookTimeout: 30_000 };

const packages: Record<string, TestProjectInlineConfiguration["test"]> = {
  core: LOADED_MACHINE,
  testing: LOADED_MACHINE,
  crypto: LOADED_MACHINE,
  // A fresh PGlite takes seconds to start and real-server tests run for a few seconds each.
  postgres: { testTimeout: 120_000, hookTimeout: 120_000 },
  // The route suites run on PGlite and the real server too; the server tests start processes.
  hono: { testTimeout: 120_000, hookTimeout: 120_000 },
  // Unit tests only: what runs against the real server is in server/test/e2e.
  client: LOADED_MACHINE,
  agent: LOADED_MACHINE,
  // Server processes, the client, CLI and agent against them, and a headless browser.
  server: { testTimeout: 180_000, hookTimeout: 180_000 },
};

export default [
  ...Object.entries(packages).map(
    ([name, options]): TestProjectInlineConfiguration => ({
      extends: true,
      test: {
        name,
        root: `packages/${name}`,
        include: ["test/**/*.test.ts"],
        ...options,
      },
    }),
  ),
  {
    extends: true,
    test: {
      // The documentation: every ts sample runs, links stay inside the repository, licenses.
      name: "docs",
      root: "test/docs",
      include: ["*.test.ts"],
    },
  },
] satisfies TestProjectInlineConfiguration[];
