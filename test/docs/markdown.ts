import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root. */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

/** Where the package READMEs' links must point: they are read on npm as well as on GitHub. */
export const GITHUB_BLOB = "https://github.com/restorekit/restorekit/blob/main/";
const GITHUB_PATH = /^https:\/\/github\.com\/restorekit\/restorekit\/(?:blob|tree)\/main\/([^?#]*)/;

export type DocKind = "root" | "package" | "docs";

/** A Markdown file of the project's documentation, by its path from the root. */
export interface DocFile {
  readonly path: string;
  readonly kind: DocKind;
  readonly text: string;
}

/**
 * The documentation the tests check: the root README, every package's README
 * and every Markdown file directly under docs/.
 */
export function docFiles(): DocFile[] {
  const files: DocFile[] = [];
  const add = (path: string, kind: DocKind) => {
    if (existsSync(join(ROOT, path))) {
      files.push({ path, kind, text: readFileSync(join(ROOT, path), "utf8") });
    }
  };
  add("README.md", "root");
  for (const name of readdirSync(join(ROOT, "packages")).sort()) {
    add(`packages/${name}/README.md`, "package");
  }
  for (const name of readdirSync(join(ROOT, "docs")).sort()) {
    if (name.endsWith(".md")) add(`docs/${name}`, "docs");
  }
  return files;
}

/** A fenced code block: its info string split in words, and where it starts. */
export interface Fence {
  /** The language, lower case: the first word of the info string ("" when none). */
  readonly lang: string;
  /** The other words of the info string, e.g. `["vitest"]` for ```ts vitest. */
  readonly annotations: readonly string[];
  /** The 1-based line of the opening fence. Line k of `code` is line `line + k` of the file. */
  readonly line: number;
  readonly code: string;
}

const OPENING = /^(\s*)(`{3,}|~{3,})\s*([^`]*)$/;

/** The fenced code blocks of a Markdown text (CommonMark backtick and tilde fences). */
export function fencesOf(text: string): Fence[] {
  const lines = text.split("\n");
  const fences: Fence[] = [];
  for (let i = 0; i < lines.length; i += 1) {
    const open = OPENING.exec(lines[i] ?? "");
    if (!open) continue;
    const [, indent = "", marker = "", info = ""] = open;
    const body: string[] = [];
    let j = i + 1;
    for (; j < lines.length; j += 1) {
      const current = lines[j] ?? "";
      const trimmed = current.trim();
      if (trimmed.startsWith(marker) && /^(`+|~+)$/.test(trimmed) && trimmed[0] === marker[0]) {
        break;
      }
      body.push(current.startsWith(indent) ? current.slice(indent.length) : current.trimStart());
    }
    const [lang = "", ...annotations] = info.trim().split(/\s+/).filter(Boolean);
    fences.push({ lang: lang.toLowerCase(), annotations, line: i + 1, code: body.join("\n") });
    i = j;
  }
  return fences;
}

/** The text with every fenced block blanked, line numbers kept. */
function withoutFences(text: string): string {
  const lines = text.split("\n");
  for (const fence of fencesOf(text)) {
    const last = fence.line + fence.code.split("\n").length;
    for (let n = fence.line - 1; n <= last && n < lines.length; n += 1) lines[n] = "";
  }
  return lines.join("\n");
}

/** The text with every fenced block and inline code span blanked, line numbers kept. */
export function proseOf(text: string): string {
  return withoutFences(text).replace(/(`+)[\s\S]*?\1/g, (span) => span.replace(/[^\n]/g, " "));
}

/** A link target as written, and the line it is on. */
export interface Link {
  readonly target: string;
  readonly line: number;
}

/** Inline links and images, reference definitions, and HTML href/src attributes. */
export function linksOf(text: string): Link[] {
  const prose = proseOf(text);
  const links: Link[] = [];
  const patterns = [
    /\]\(\s*<([^>]*)>[^)]*\)/g,
    /\]\(\s*([^)\s<]+)(?:\s+(?:"[^"]*"|'[^']*'))?\s*\)/g,
    /^ {0,3}\[[^\]]+\]:\s*<?([^\s>]+)>?/gm,
    /\b(?:href|src)\s*=\s*["']([^"']+)["']/g,
  ];
  for (const pattern of patterns) {
    for (const match of prose.matchAll(pattern)) {
      const line = prose.slice(0, match.index).split("\n").length;
      links.push({ target: match[1] ?? "", line });
    }
  }
  return links.sort((a, b) => a.line - b.line);
}

/** Whether a link target names no scheme: a path relative to the file (or an anchor). */
export function isRelative(target: string): boolean {
  return !/^[a-z][a-z0-9+.-]*:/i.test(target) && !target.startsWith("//");
}

/** The repository path a link to this repository on GitHub names, if it is one. */
export function githubPathOf(target: string): string | undefined {
  const match = GITHUB_PATH.exec(target);
  return match ? decodeURIComponent(match[1] ?? "").replace(/\/$/, "") : undefined;
}

/** The anchors GitHub gives the headings of a Markdown text (github-slugger's rules). */
export function anchorsOf(text: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const line of withoutFences(text).split("\n")) {
    const heading = /^ {0,3}#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (!heading) continue;
    const raw = (heading[1] ?? "").replace(/\[([^\]]*)\]\([^)]*\)/g, "$1").replace(/`/g, "");
    const base = raw
      .toLowerCase()
      .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, "")
      .replace(/ /g, "-");
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    anchors.add(count === 0 ? base : `${base}-${count}`);
  }
  return anchors;
}

/** A path from the root, as the tests print it. */
export function fromRoot(absolute: string): string {
  return relative(ROOT, absolute).split("\\").join("/");
}
