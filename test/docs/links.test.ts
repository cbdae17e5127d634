/**
 * The documentation stands alone: it points at nothing outside the
 * repository, every link inside it leads somewhere, and the package READMEs
 * link with absolute URLs, since npm shows them away from the repository.
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, join, resolve, sep } from "node:path";
import { describe, expect, it } from "vitest";
import {
  anchorsOf,
  type DocFile,
  docFiles,
  fromRoot,
  GITHUB_BLOB,
  githubPathOf,
  isRelative,
  linksOf,
  ROOT,
} from "./markdown.js";

const docs = docFiles();

describe.each(docs.map((doc) => [doc.path, doc] as const))("%s", (_, doc) => {
  it('names no outside specification: no "../shared", no "SPEC <number>"', () => {
    const found = doc.text.split("\n").flatMap((line, index) => {
      const hits = [...line.matchAll(/\.\.\/shared|\bSPEC\s*§?\s*\d/g)].map((hit) => hit[0]);
      return hits.map((hit) => `${doc.path}:${index + 1}: "${hit}" in: ${line.trim()}`);
    });
    expect(found).toEqual([]);
  });

  if (doc.kind === "package") {
    it(`links only with absolute URLs (${GITHUB_BLOB}<path> for the repository's files) or to its own headings`, () => {
      const relative = linksOf(doc.text)
        .filter((link) => isRelative(link.target))
        .flatMap((link) =>
          link.target.startsWith("#")
            ? problemsOf(doc, link.target).map(
                (problem) => `${doc.path}:${link.line}: ${link.target}: ${problem}`,
              )
            : [`${doc.path}:${link.line}: ${link.target} is relative`],
        );
      expect(relative).toEqual([]);
    });
  } else {
    it("links to files of the repository that exist", () => {
      const broken = linksOf(doc.text)
        .filter((link) => isRelative(link.target))
        .flatMap((link) =>
          problemsOf(doc, link.target).map(
            (problem) => `${doc.path}:${link.line}: ${link.target}: ${problem}`,
          ),
        );
      expect(broken).toEqual([]);
    });
  }

  it("links to this repository on GitHub only at paths that exist", () => {
    const broken = linksOf(doc.text).flatMap((link) => {
      const path = githubPathOf(link.target);
      if (path === undefined) return [];
      const anchor = link.target.includes("#") ? link.target.slice(link.target.indexOf("#")) : "";
      return problemsOf({ ...doc, path: "README.md" }, `${path}${anchor}`).map(
        (problem) => `${doc.path}:${link.line}: ${link.target}: ${problem}`,
      );
    });
    expect(broken).toEqual([]);
  });
});

/** What is wrong with a relative link of a file: nothing, or why it leads nowhere. */
function problemsOf(doc: DocFile, target: string): string[] {
  const hash = target.indexOf("#");
  const path = decodeURIComponent(hash < 0 ? target : target.slice(0, hash));
  const anchor = hash < 0 ? undefined : decodeURIComponent(target.slice(hash + 1));
  const file = path === "" ? join(ROOT, doc.path) : resolve(ROOT, dirname(doc.path), path);
  if (file !== ROOT && !file.startsWith(`${ROOT}${sep}`)) {
    return ["leads outside the repository"];
  }
  if (!existsSync(file)) return [`${fromRoot(file)} does not exist`];
  if (anchor !== undefined && anchor !== "" && file.endsWith(".md") && statSync(file).isFile()) {
    if (!anchorsOf(readFileSync(file, "utf8")).has(anchor)) {
      return [`${fromRoot(file)} has no heading with the anchor #${anchor}`];
    }
  }
  return [];
}
