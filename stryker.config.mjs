/**
 * Mutation testing of @restorekit/core: `pnpm mutate`, not part of CI.
 * See docs/mutation-testing.md; every option is described by
 * node_modules/@stryker-mutator/core/schema/stryker-schema.json.
 */
export default {
  packageManager: "pnpm",
  plugins: ["@stryker-mutator/vitest-runner"],
  testRunner: "vitest",
  vitest: {
    configFile: "vitest.stryker.config.ts",
  },
  // No checker: there is no Stryker TypeScript checker for TypeScript 7.
  // Nor can Stryker rewrite tsconfig files with TypeScript 7, which has no JavaScript API
  // ("ts.parseConfigFileTextToJson is not a function"). No file of the project matches the empty
  // name, so the rewrite is skipped; the sandbox is a copy of the whole repository, so no
  // tsconfig reference or `extends` points outside it, and Vitest does not type-check anyway.
  tsconfigFile: "",
  coverageAnalysis: "perTest",
  // A mutant that only runs while a module loads (a "static" mutant, such as a schema's message)
  // is tested with the whole suite, which runs much slower under two concurrent runners than in
  // the initial run. With the default timeout (1.5 x the initial time + 5 s) surviving static
  // mutants were reported as timeouts, that is detected, and which ones changed from run to run.
  // A generous timeout costs nothing here: an endless loop is stopped by Stryker's hit limit and a
  // test waiting forever by Vitest's test timeout (vitest.stryker.config.ts), both much earlier.
  timeoutFactor: 3,
  timeoutMS: 30_000,
  mutate: [
    "packages/core/src/**/*.ts",
    // Barrels: re-exports only, nothing to mutate.
    "!packages/core/src/index.ts",
    "!packages/core/src/wire/index.ts",
  ],
  // Only core and testing run (vitest.stryker.config.ts); the other packages need not be copied.
  ignorePatterns: ["dist", "coverage", "/packages/postgres", "/packages/crypto"],
  reporters: ["clear-text", "progress", "html", "json"],
  clearTextReporter: {
    // Per-file scores only: the mutant-by-mutant detail is in the HTML report.
    reportMutants: false,
    reportTests: false,
  },
  htmlReporter: { fileName: "reports/mutation/index.html" },
  jsonReporter: { fileName: "reports/mutation/mutation.json" },
  tempDirName: ".stryker-tmp",
  thresholds: { high: 80, low: 60, break: null },
};
