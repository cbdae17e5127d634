#!/usr/bin/env node
// @ts-check
/**
 * `restorekit`: the command line tool. Installed from npm, it runs the
 * compiled `dist/cli/main.js`. In the restorekit repository (`pnpm
 * restorekit`), it runs the TypeScript sources through a bundle esbuild
 * makes of them, rebuilt whenever a file it was made from changed, so an
 * edited source is never run stale and nothing needs building first.
 *
 * Plain JavaScript on purpose: this runs before anything is compiled.
 */
import { createHash } from "node:crypto";
import { existsSync, readFileSync, statSync } from "node:fs";
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { dirname, join, resolve, sep } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const PACKAGE_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const REPO_ROOT = resolve(PACKAGE_ROOT, "../..");
const ENTRY = join(PACKAGE_ROOT, "src/cli/main.ts");
const BUNDLE_DIR = join(PACKAGE_ROOT, "dist/cli-bundle");
const MANIFEST = join(BUNDLE_DIR, "manifest.json");

/** @param {string} path */
function fingerprint(path) {
  try {
    // Installed packages are never edited in place (a new version is a new path): size and time do.
    if (path.includes(`${sep}node_modules${sep}`)) {
      const info = statSync(path);
      return `stat:${info.size}:${info.mtimeMs}`;
    }
    return createHash("sha256").update(readFileSync(path)).digest("hex");
  } catch {
    return null;
  }
}

/** @returns {Promise<string | null>} an up-to-date bundle of the sources, or null outside the repository */
async function bundleFromSources() {
  if (!existsSync(join(REPO_ROOT, "pnpm-workspace.yaml")) || !existsSync(ENTRY)) return null;
  try {
    const manifest = JSON.parse(await readFile(MANIFEST, "utf8"));
    const fresh =
      existsSync(join(BUNDLE_DIR, manifest.bundle)) &&
      Object.entries(manifest.inputs).every(([path, hash]) => fingerprint(path) === hash);
    if (fresh) return join(BUNDLE_DIR, manifest.bundle);
  } catch {
    // No manifest yet, or an unreadable one: build.
  }
  let esbuild;
  try {
    esbuild = await import("esbuild");
  } catch {
    return null;
  }
  const started = performance.now();
  await mkdir(BUNDLE_DIR, { recursive: true });
  const id = `${Date.now().toString(36)}-${process.pid}`;
  const bundle = `main.${id}.mjs`;
  const result = await esbuild.build({
    entryPoints: [ENTRY],
    outfile: join(BUNDLE_DIR, bundle),
    absWorkingDir: REPO_ROOT,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    conditions: ["@restorekit/source"],
    metafile: true,
    logLevel: "error",
  });
  const files = new Set(
    Object.keys(result.metafile.inputs).map((path) => resolve(REPO_ROOT, path)),
  );
  for (const path of ["package.json", "pnpm-lock.yaml", "packages/client/scripts/restorekit.mjs"]) {
    files.add(join(REPO_ROOT, path));
  }
  for (const path of [...files]) {
    if (path.includes(`${sep}node_modules${sep}`)) continue;
    for (let dir = dirname(path); dir.startsWith(REPO_ROOT + sep); dir = dirname(dir)) {
      for (const name of ["package.json", "tsconfig.json"]) {
        if (existsSync(join(dir, name))) files.add(join(dir, name));
      }
    }
  }
  /** @type {Record<string, string>} */
  const inputs = {};
  for (const path of [...files].sort()) {
    const hash = fingerprint(path);
    if (hash !== null) inputs[path] = hash;
  }
  const partial = `${MANIFEST}.${id}.partial`;
  await writeFile(partial, `${JSON.stringify({ bundle, inputs }, null, 2)}\n`);
  await rename(partial, MANIFEST);
  process.stderr.write(
    `restorekit: built the command line bundle in ${Math.round(performance.now() - started)} ms (there was none, or a source changed).\n`,
  );
  return join(BUNDLE_DIR, bundle);
}

const bundled = await bundleFromSources();
const entry = bundled ?? join(PACKAGE_ROOT, "dist/cli/main.js");
process.argv[1] = entry;
await import(pathToFileURL(entry).href);
