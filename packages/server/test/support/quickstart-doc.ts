import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "./server-process.js";

/** One fenced block of the doc. */
export interface Fence {
  readonly lang: string;
  readonly text: string;
  /** 1-based line of the opening fence, for messages. */
  readonly line: number;
}

/** A shell block the reader types, with what the doc shows it prints (the fence after it). */
export interface Step {
  readonly command: Fence;
  readonly expected: Fence | null;
}

/** What the reader does between two `pnpm start`s: the server they start, and the steps after. */
export interface Session {
  /** The `VAR=value` settings written before `pnpm start`. */
  readonly env: Readonly<Record<string, string>>;
  readonly start: Fence;
  readonly steps: readonly Step[];
}

export const QUICKSTART = "docs/quickstart.md";
/** The server the doc talks to; the test swaps in the real one. */
export const DOC_URL = "http://127.0.0.1:8080";

export function fencesOf(markdown: string): Fence[] {
  const fences: Fence[] = [];
  const lines = markdown.split("\n");
  for (let i = 0; i < lines.length; i += 1) {
    const open = /^```(\S*)\s*$/.exec(lines[i] ?? "");
    if (open === null) continue;
    const start = i;
    const body: string[] = [];
    for (i += 1; i < lines.length && !/^```\s*$/.test(lines[i] ?? ""); i += 1)
      body.push(lines[i] ?? "");
    fences.push({ lang: open[1] ?? "", text: body.join("\n"), line: start + 1 });
  }
  return fences;
}

const START = /^((?:[A-Z_]+=\S+\s+)*)pnpm start\s*$/m;

/**
 * The doc's sessions: each `sh` block that runs `pnpm start` opens one (its
 * `VAR=value` prefixes are the server's settings); the `sh` blocks after it
 * are its steps, each with the block that follows it as its expected output.
 * Only the fences before the settings section count.
 */
export function sessionsOf(markdown: string): Session[] {
  const fences = fencesOf(markdown.split(/^## Settings$/m)[0] ?? markdown);
  const sessions: { env: Record<string, string>; start: Fence; steps: Step[] }[] = [];
  fences.forEach((fence, i) => {
    if (fence.lang !== "sh") return;
    const start = START.exec(fence.text);
    if (start !== null) {
      const env = Object.fromEntries(
        (start[1] ?? "")
          .trim()
          .split(/\s+/)
          .filter((word) => word !== "")
          .map((word) => [word.slice(0, word.indexOf("=")), word.slice(word.indexOf("=") + 1)]),
      );
      sessions.push({ env, start: fence, steps: [] });
      return;
    }
    const next = fences[i + 1];
    const expected = next !== undefined && next.lang !== "sh" ? next : null;
    const session = sessions.at(-1);
    if (session === undefined)
      throw new Error(`${QUICKSTART}:${fence.line}: a command before any pnpm start`);
    session.steps.push({ command: fence, expected });
  });
  return sessions;
}

export function readQuickstart(): string {
  return readFileSync(join(ROOT, QUICKSTART), "utf8");
}

/** The marker printed before each step's output, so the output of one script can be split. */
export function marker(index: number): string {
  return `@@quickstart-step-${index}@@`;
}

/**
 * One bash script for a session's steps, so a variable one step sets
 * (`ENCRYPTED`) is there for the next; `set -e` stops at a failing command.
 */
export function scriptOf(steps: readonly Step[], replace: (text: string) => string): string {
  return [
    "set -e",
    ...steps.flatMap((step, i) => [`echo '${marker(i)}'`, replace(step.command.text)]),
    `echo '${marker(steps.length)}'`,
  ].join("\n");
}

/** Each step's output, from the output of `scriptOf`'s script. */
export function splitOutput(output: string, count: number): string[] {
  const parts: string[] = [];
  for (let i = 0; i < count; i += 1) {
    const from = output.indexOf(marker(i));
    const to = output.indexOf(marker(i + 1));
    parts.push(
      from < 0 ? "" : output.slice(from + marker(i).length, to < 0 ? undefined : to).trim(),
    );
  }
  return parts;
}

const STATUS = /^HTTP\/1\.1 \d{3}/;
// Different on every run: the times an agent reports now.
const VARYING_KEYS = new Set(["StartTime", "CompletedTime", "Duration"]);

/**
 * What the doc says a step prints, against what it printed. Each problem
 * is a sentence. Checked: the status lines of `curl -i` (all of them, in
 * order) and every complete JSON body line the doc shows; for a JSON block,
 * that the output is JSON and that each top-level field the doc shows with
 * a plain value has that value; otherwise the last line.
 */
export function mismatches(expected: Fence, actual: string): string[] {
  const problems: string[] = [];
  const actualLines = actual.split("\n").map((line) => line.trimEnd());
  const shown = expected.text.split("\n").map((line) => line.trimEnd());
  const where = `${QUICKSTART}:${expected.line}`;
  if (expected.lang === "json") {
    let parsed: Record<string, unknown>;
    try {
      parsed = JSON.parse(actual) as Record<string, unknown>;
    } catch {
      return [`${where}: the output is not JSON: ${actual.slice(0, 300)}`];
    }
    for (const line of shown) {
      const field = /^ {2}"(\w+)": (.*?),?$/.exec(line);
      if (field === null || VARYING_KEYS.has(field[1] ?? "")) continue;
      let value: unknown;
      try {
        value = JSON.parse(field[2] ?? "");
      } catch {
        continue;
      }
      if (typeof value === "object" && value !== null) continue;
      const got = parsed[field[1] ?? ""];
      if (got !== value) {
        problems.push(`${where}: ${field[1]} is ${JSON.stringify(got)}, the doc shows ${field[2]}`);
      }
    }
    return problems;
  }
  const statuses = shown.filter((line) => STATUS.test(line));
  if (statuses.length > 0) {
    const got = actualLines.filter((line) => STATUS.test(line));
    if (got.join(" | ") !== statuses.join(" | ")) {
      problems.push(
        `${where}: the statuses are ${got.join(" | ")}, the doc shows ${statuses.join(" | ")}`,
      );
    }
    for (const line of shown.filter((l) => l.startsWith("{") && !l.includes("..."))) {
      if (!actualLines.includes(line)) {
        problems.push(`${where}: no line of the output is ${line}\n${actual}`);
      }
    }
    return problems;
  }
  const last = (lines: readonly string[]) =>
    lines.filter((line) => line.trim() !== "").at(-1) ?? "";
  if (last(actualLines) !== last(shown)) {
    problems.push(
      `${where}: the last line is ${JSON.stringify(last(actualLines))}, the doc shows ${JSON.stringify(last(shown))}`,
    );
  }
  return problems;
}
