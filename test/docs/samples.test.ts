/**
 * Every ```ts block of README.md, packages/*\/README.md and docs/*.md is a
 * complete program: it is type-checked and run (see samples.ts for how, and
 * for the `vitest` and `postgres` annotations). Other fences are not run.
 */
import { availableParallelism } from "node:os";
import { relative } from "node:path";
import { afterAll, beforeAll, describe, expect, it, type TestContext } from "vitest";
import { docFiles, fencesOf, ROOT } from "./markdown.js";
import {
  ANNOTATIONS,
  DATABASE_URL,
  describeSample,
  type Finished,
  limit,
  postgresAnswers,
  prepareWorkspace,
  removeWorkspace,
  runSample,
  SAMPLE_LANGS,
  SAMPLE_TIMEOUT_MS,
  type Sample,
  samplesOf,
  TYPECHECK_TIMEOUT_MS,
  type TypeCheck,
  tail,
  typeCheck,
  WORKSPACE,
} from "./samples.js";

/**
 * How many ts samples each file holds. A sample dropped, or turned into a
 * fence that is not run, fails here: change this table in the same commit,
 * on purpose. Files not listed hold none.
 */
const SAMPLES_PER_FILE: Readonly<Record<string, number>> = {
  "README.md": 1,
  "packages/agent/README.md": 1,
  "packages/client/README.md": 1,
  "docs/authentication.md": 4,
  "docs/deadlines.md": 1,
  "docs/embedding.md": 4,
  "docs/http.md": 2,
  "packages/core/README.md": 2,
  "packages/crypto/README.md": 2,
  "packages/hono/README.md": 1,
  "packages/postgres/README.md": 3,
  "packages/testing/README.md": 3,
};

const docs = docFiles();
const samples = samplesOf(docs);
const server = samples.some((sample) => sample.needsPostgres)
  ? await postgresAnswers(DATABASE_URL)
  : false;

describe("the samples found", () => {
  for (const doc of docs) {
    const fences = fencesOf(doc.text);
    const found = samples.filter((sample) => sample.doc === doc.path);
    const where = found.map((sample) => [sample.fence.line, ...sample.fence.annotations].join(" "));
    const others = fences.filter((fence) => !SAMPLE_LANGS.has(fence.lang));
    const notRun = others.map((fence) => fence.lang || "untagged");
    const name =
      `${doc.path}: ${found.length} ts sample(s)` +
      (where.length > 0 ? ` at line ${where.join(", ")}` : "") +
      (notRun.length > 0 ? `; not run: ${notRun.join(", ")}` : "");
    it(name, () => {
      const expected = SAMPLES_PER_FILE[doc.path] ?? 0;
      expect(
        found.length,
        `${doc.path} holds ${found.length} ts sample(s), SAMPLES_PER_FILE in test/docs/samples.test.ts says ${expected}: update the table if that is meant`,
      ).toBe(expected);
    });
  }

  it("lists no file that does not exist", () => {
    const paths = new Set(docs.map((doc) => doc.path));
    expect(Object.keys(SAMPLES_PER_FILE).filter((path) => !paths.has(path))).toEqual([]);
  });

  it(`annotates ts fences only with: ${[...ANNOTATIONS].join(", ")}`, () => {
    const unknown = samples.flatMap((sample) =>
      sample.fence.annotations
        .filter((word) => !ANNOTATIONS.has(word))
        .map((word) => `${describeSample(sample)}: unknown annotation "${word}"`),
    );
    expect(unknown).toEqual([]);
  });
});

describe("the samples run and type-check", () => {
  // Two on a 2-core machine; the other test projects may be running beside these.
  const schedule = limit(Math.max(1, Math.min(4, availableParallelism())));
  let checked: Promise<TypeCheck>;
  const runs = new Map<string, Promise<Finished>>();
  let kept = false;
  const keepOnFailure = ({ onTestFailed }: TestContext) =>
    onTestFailed(() => {
      kept = true;
    });

  beforeAll(() => {
    prepareWorkspace(samples);
    checked = schedule(() => typeCheck(samples));
    // Scheduled in test order, so a test waits for its own sample only.
    for (const sample of samples) {
      if (!sample.needsPostgres || server) {
        runs.set(
          sample.file,
          schedule(() => runSample(sample)),
        );
      }
    }
    // A rejection is reported by the test that awaits it, not as an unhandled one.
    checked.catch(() => undefined);
    for (const run of runs.values()) run.catch(() => undefined);
  });

  afterAll(async () => {
    // Samples whose tests were filtered out (vitest -t) and have not started are not waited for.
    schedule.drop();
    await Promise.allSettled([checked, ...runs.values()]);
    if (!kept) removeWorkspace();
    else console.warn(`The generated samples are kept in ${relative(ROOT, WORKSPACE)}`);
  }, SAMPLE_TIMEOUT_MS + 30_000);

  it(
    "tsc accepts the samples and everything they import",
    async (context) => {
      keepOnFailure(context);
      const { finished, bySample, elsewhere } = await checked;
      expect(finished.timedOut, "tsc timed out").toBe(false);
      expect(elsewhere, "tsc errors in no sample").toEqual([]);
      if (bySample.size === 0) expect(finished.exitCode, tail(finished.output)).toBe(0);
    },
    TYPECHECK_TIMEOUT_MS + 30_000,
  );

  for (const sample of samples) {
    const name = describeSample(sample);
    if (sample.needsPostgres && !server) {
      it(
        `${name} type-checks; NOT RUN: no Postgres server answered at DATABASE_URL`,
        async (context) => {
          keepOnFailure(context);
          console.warn(
            `${name} was NOT run: it needs a Postgres server and none answered at DATABASE_URL (${DATABASE_URL}). It was only type-checked.`,
          );
          const problems = typeErrors(sample, await checked);
          if (problems.length > 0) {
            throw new Error(`${name} fails:\n\n${problems.join("\n\n")}`);
          }
        },
        TYPECHECK_TIMEOUT_MS + 30_000,
      );
      continue;
    }
    it(
      `${name} runs with ${sample.runner} and type-checks`,
      async (context) => {
        keepOnFailure(context);
        const run = await (runs.get(sample.file) as Promise<Finished>);
        const problems = typeErrors(sample, await checked);
        if (run.timedOut || run.exitCode !== 0) {
          const what = run.timedOut
            ? `timed out after ${SAMPLE_TIMEOUT_MS} ms`
            : `exited with ${run.signal ?? `code ${run.exitCode}`}`;
          problems.unshift(`it ${what}; its output:\n${tail(run.output)}`);
        }
        if (problems.length > 0) {
          throw new Error(
            `${name} (${relative(ROOT, WORKSPACE)}/${sample.file}) fails:\n\n${problems.join("\n\n")}`,
          );
        }
      },
      SAMPLE_TIMEOUT_MS + 30_000,
    );
  }
});

/** The sample's type errors, as one problem, at their lines in the Markdown file. */
function typeErrors(sample: Sample, checked: TypeCheck): string[] {
  const errors = checked.bySample.get(sample.file) ?? [];
  return errors.length === 0 ? [] : [`it does not type-check:\n${errors.join("\n")}`];
}
