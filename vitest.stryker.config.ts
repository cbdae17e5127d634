import { fileURLToPath } from "node:url";
import type { RunnerTestCase, RunnerTestFile, RunnerTestSuite } from "vitest";
import { defineConfig } from "vitest/config";
import type { Reporter, Vitest } from "vitest/node";
import projects from "./vitest.workspace.js";

/**
 * The Vitest configuration of `pnpm mutate` (see docs/mutation-testing.md),
 * never used by `pnpm test`.
 *
 * Stryker copies the repository to a sandbox and mutates the copy of
 * packages/core/src. A workspace import of `@restorekit/core` would still
 * reach the original sources, through the symlinked node_modules, so the
 * aliases below point it at the sandbox's own (mutated) sources instead:
 * `import.meta.url` is this file's location, inside the sandbox when Stryker
 * runs it.
 */
const coreSource = (path: string): string =>
  fileURLToPath(new URL(`./packages/core/src/${path}`, import.meta.url));

/** The projects whose tests exercise `@restorekit/core`, cheaply and without a database. */
const MUTATION_PROJECTS = new Set(["core", "testing"]);

/**
 * Some mutants leave a test waiting forever (for an agent request that never
 * comes): Vitest's timeout fails that test, and the mutant is killed, before
 * Stryker's own timeout (30 s and more, see stryker.config.mjs) would have to
 * restart the test runner. The longest test takes about 3 s on its own; 15 s
 * leaves room for instrumented code and two runners on two cores, since a
 * test that times out in Stryker's initial run stops the whole run.
 */
const TEST_TIMEOUT = 15_000;

/**
 * Stryker's Vitest runner builds a mutant's result from the tests Vitest
 * collected. A mutant that makes a module throw while it is imported (say
 * `new Map(rows.map(() => undefined))` at the top level of a file) leaves
 * each test file that imports that module with no test at all, so no test
 * fails and Stryker would count the mutant as survived. This reporter gives
 * each test file that failed without collecting a single test one failed
 * test, carrying the load error: the mutant is then killed, as it should be,
 * since no user of the library could even import it. A file that loaded is
 * left as it is.
 */
function loadFailuresAsFailedTests(): Reporter {
  let vitest: Vitest | undefined;
  return {
    onInit(context) {
      vitest = context;
    },
    onTestRunEnd() {
      for (const file of vitest?.state.getFiles() ?? []) {
        if (file.result?.state === "fail" && !hasTests(file)) {
          file.tasks.push(loadFailure(file));
        }
      }
    },
  };
}

function hasTests(suite: RunnerTestSuite): boolean {
  return suite.tasks.some(
    (task) => task.type === "test" || (task.type === "suite" && hasTests(task)),
  );
}

function loadFailure(file: RunnerTestFile): RunnerTestCase {
  const name = "the test file loads";
  return {
    type: "test",
    id: `${file.id}_load`,
    name,
    fullName: `${file.name} > ${name}`,
    fullTestName: name,
    mode: "run",
    meta: {},
    file,
    result: { state: "fail", errors: file.result?.errors ?? [] },
    timeout: 0,
    annotations: [],
    artifacts: [],
    // Only Vitest can build a test's context, and nothing reads it once the run has ended.
    context: undefined as unknown as RunnerTestCase["context"],
  };
}

export default defineConfig({
  resolve: {
    conditions: ["@restorekit/source"],
    alias: [
      { find: /^@restorekit\/core$/, replacement: coreSource("index.ts") },
      { find: /^@restorekit\/core\/fp-ts$/, replacement: coreSource("fp-ts/index.ts") },
    ],
  },
  ssr: {
    resolve: {
      conditions: ["@restorekit/source"],
    },
  },
  test: {
    projects: projects
      .filter((project) => MUTATION_PROJECTS.has(String(project.test?.name)))
      .map((project) => ({ ...project, test: { ...project.test, testTimeout: TEST_TIMEOUT } })),
    reporters: ["default", loadFailuresAsFailedTests()],
  },
});
