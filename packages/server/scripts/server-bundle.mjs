// @ts-check
/**
 * The server (or the command line tool) precompiled into one ES module, so
 * plain `node` starts it without compiling TypeScript at every start. The
 * bundle holds the workspace's sources and the packages they use, but for
 * PGlite, pg and pino, which stay imports of the files installed in
 * node_modules. A bundle is never run stale:
 * each start hashes the files it was built from (sources, package.json and
 * tsconfig files, the lockfile, these scripts) and rebuilds on any change.
 *
 * Plain JavaScript on purpose: this runs before anything is compiled.
 */
import { createHash } from "node:crypto";
import { existsSync, readFileSync, statSync } from "node:fs";
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const SERVER_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const REPO_ROOT = resolve(SERVER_ROOT, "../..");
/** Ignored by git (`dist/`): a bundle is built on the machine that runs it, never committed. */
export const BUNDLE_DIR = join(SERVER_ROOT, "dist", "start");
/** Bumped when the manifest's shape or the build's settings change. */
const FORMAT = 1;
/** Old bundles are removed once no start can still be about to import them. */
const KEEP_OLD_MS = 10 * 60_000;

/** @typedef {"main"} Entry */
/**
 * @typedef {object} Manifest
 * @property {number} format
 * @property {string} bundle The bundle's file name, in BUNDLE_DIR.
 * @property {Record<string, string>} inputs Repository-relative path to SHA-256 of each file it was built from.
 * @property {string[]} externals The installed files the bundle imports, by absolute path.
 */

/** The files always checked, besides the bundle's own sources. */
const ALWAYS = [
  "package.json",
  "pnpm-lock.yaml",
  "pnpm-workspace.yaml",
  "tsconfig.json",
  "packages/server/scripts/server-bundle.mjs",
];

/**
 * The path of an up-to-date bundle of `entry` (`src/main.ts`), building it first when there is none or any file it was
 * built from changed. `onBuilt` hears how long a build took.
 *
 * @param {Entry} entry
 * @param {{ dir?: string, onBuilt?: (ms: number) => void }} [options]
 * @returns {Promise<string>}
 */
export async function upToDateBundle(entry, options = {}) {
  const dir = options.dir ?? BUNDLE_DIR;
  const manifest = await readManifest(dir, entry);
  if (manifest !== null && isFresh(manifest, dir)) return join(dir, manifest.bundle);
  const started = performance.now();
  const built = await buildBundle(entry, dir);
  options.onBuilt?.(performance.now() - started);
  return built;
}

/**
 * @param {string} dir
 * @param {Entry} entry
 * @returns {Promise<Manifest | null>}
 */
async function readManifest(dir, entry) {
  try {
    const manifest = JSON.parse(await readFile(manifestPath(dir, entry), "utf8"));
    return manifest?.format === FORMAT ? manifest : null;
  } catch {
    return null;
  }
}

/**
 * @param {string} dir
 * @param {Entry} entry
 */
function manifestPath(dir, entry) {
  return join(dir, `${entry}.json`);
}

/**
 * Whether the bundle is there and every file it was built from still hashes
 * the same (content, not modification times, which a checkout or a copy can
 * leave older than the bundle).
 *
 * @param {Manifest} manifest
 * @param {string} dir
 * @returns {boolean}
 */
export function isFresh(manifest, dir = BUNDLE_DIR) {
  if (!existsSync(join(dir, manifest.bundle))) return false;
  if (!manifest.externals.every((path) => existsSync(path))) return false;
  // Synchronous reads: for a few hundred small files they beat a round trip each through the
  // thread pool, and nothing else runs this early in the start.
  return Object.entries(manifest.inputs).every(
    ([path, hash]) => hashOf(join(REPO_ROOT, path)) === hash,
  );
}

/**
 * A file's fingerprint: the SHA-256 of its content, or for an installed
 * package's file (which pnpm links from its store and never edits in place;
 * a new version is a new path and a new lockfile) its size and modification
 * time, which is cheaper for the thousand files of the bundled packages.
 *
 * @param {string} path
 * @returns {string | null} null for a file that is gone
 */
function hashOf(path) {
  try {
    if (path.includes(`${sep}node_modules${sep}`)) {
      const info = statSync(path);
      return `stat:${info.size}:${info.mtimeMs}`;
    }
    return createHash("sha256").update(readFileSync(path)).digest("hex");
  } catch {
    return null;
  }
}

/**
 * Bundles `src/<entry>.ts` into a file of its own name, then points the
 * manifest at it (written aside and renamed, so a start reading it at the
 * same time sees the old or the new one, whole). Two starts building at once
 * each run their own bundle.
 *
 * @param {Entry} entry
 * @param {string} dir
 * @returns {Promise<string>}
 */
export async function buildBundle(entry, dir = BUNDLE_DIR) {
  const esbuild = await importEsbuild();
  /** The hash of each source as esbuild compiled it: one saved during the build is then stale. */
  const compiled = new Map();
  const id = `${Date.now().toString(36)}-${process.pid}`;
  const bundle = `${entry}.${id}.mjs`;
  const result = await esbuild.build({
    entryPoints: [join(SERVER_ROOT, "src", `${entry}.ts`)],
    outfile: join(dir, bundle),
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    conditions: ["@restorekit/source"],
    sourcemap: "linked",
    metafile: true,
    logLevel: "error",
    plugins: [externalPackagesByPath(), sourcesAsRead(compiled)],
    // CommonJS packages bundled into this ES module still call require() for node's own modules.
    banner: {
      js: 'import { createRequire as __restorekitCreateRequire } from "node:module";\nconst require = __restorekitCreateRequire(import.meta.url);',
    },
  });
  const externals = new Set();
  for (const output of Object.values(result.metafile.outputs)) {
    for (const imported of output.imports) {
      if (imported.external && !imported.path.startsWith("node:")) externals.add(imported.path);
    }
  }
  const sources = Object.keys(result.metafile.inputs).map((path) => resolve(path));
  const inputs = inputHashes([...sources, ...packageFilesOf(sources)], compiled);
  /** @type {Manifest} */
  const manifest = { format: FORMAT, bundle, inputs, externals: [...externals].sort() };
  const partial = `${manifestPath(dir, entry)}.${id}.partial`;
  await writeFile(partial, `${JSON.stringify(manifest, null, 2)}\n`);
  await rename(partial, manifestPath(dir, entry));
  await removeOldBundles(dir, entry, bundle);
  return join(dir, bundle);
}

/** @returns {Promise<typeof import("esbuild")>} */
async function importEsbuild() {
  try {
    return await import("esbuild");
  } catch (cause) {
    throw new Error(
      "esbuild is not installed, and the server is started from a bundle it builds. Run `pnpm install` first.",
      { cause },
    );
  }
}

/**
 * The package.json and tsconfig.json files that decide how the sources
 * resolve and compile, from each source's package up to the repository.
 *
 * @param {string[]} sources absolute paths
 * @returns {string[]}
 */
function packageFilesOf(sources) {
  const files = new Set(ALWAYS.map((path) => join(REPO_ROOT, path)));
  for (const source of sources) {
    let dir = dirname(source);
    while (dir.startsWith(REPO_ROOT + sep)) {
      for (const name of ["package.json", "tsconfig.json"]) {
        const path = join(dir, name);
        if (existsSync(path)) files.add(path);
      }
      dir = dirname(dir);
    }
  }
  return [...files];
}

/**
 * @param {string[]} paths absolute paths
 * @param {Map<string, string>} compiled the hashes of the sources as they were compiled
 * @returns {Record<string, string>}
 */
function inputHashes(paths, compiled) {
  const unique = [...new Set(paths)].filter((path) => existsSync(path)).sort();
  const hashes = unique.map((path) => compiled.get(path) ?? hashOf(path));
  /** @type {Record<string, string>} */
  const inputs = {};
  unique.forEach((path, i) => {
    const hash = hashes[i];
    if (hash !== null && hash !== undefined) inputs[relative(REPO_ROOT, path)] = hash;
  });
  return inputs;
}

/**
 * Packages left to node rather than bundled: each finds files of its own
 * beside its code at run time (PGlite its WebAssembly and data files, pino
 * its worker, pg its optional native binding).
 */
const EXTERNAL_PACKAGES = new Set(["@electric-sql/pglite", "pg", "pino"]);

/**
 * An import of an EXTERNAL_PACKAGES package is left to node, as the absolute
 * path of the file it resolves to now: pnpm links each package's
 * dependencies beside that package only, so a bare name would not resolve
 * from the bundle's folder. The others are bundled: one file loads faster
 * than the hundreds of modules of zod, hono and jose.
 *
 * @returns {import("esbuild").Plugin}
 */
function externalPackagesByPath() {
  return {
    name: "external-packages-by-path",
    setup(build) {
      build.onResolve({ filter: /^[^./]/ }, async (args) => {
        if (args.pluginData?.resolving === true) return;
        if (args.path.startsWith("node:")) return { path: args.path, external: true };
        if (!EXTERNAL_PACKAGES.has(packageName(args.path))) return;
        const found = await build.resolve(args.path, {
          kind: args.kind,
          resolveDir: args.resolveDir,
          importer: args.importer,
          pluginData: { resolving: true },
        });
        if (found.errors.length > 0) return { errors: found.errors };
        return { path: found.path, external: true };
      });
    },
  };
}

/**
 * `@scope/name/sub` is `@scope/name`, `name/sub` is `name`.
 *
 * @param {string} specifier
 */
function packageName(specifier) {
  const parts = specifier.split("/");
  return (specifier.startsWith("@") ? parts.slice(0, 2) : parts.slice(0, 1)).join("/");
}

/**
 * Reads each TypeScript source once, records the hash of what it read in
 * `compiled`, and compiles exactly that. `import.meta.url` and
 * `import.meta.resolve("...")` in a source mean that source's place, not the
 * bundle's: the first becomes the source's own URL, the second the URL
 * esbuild resolves the name to from there (a name that is not a string
 * literal cannot be resolved ahead, and fails the build).
 *
 * @param {Map<string, string>} compiled
 * @returns {import("esbuild").Plugin}
 */
function sourcesAsRead(compiled) {
  return {
    name: "sources-as-read",
    setup(build) {
      build.onLoad({ filter: /\.ts$/ }, async (args) => {
        if (args.path.includes(`${sep}node_modules${sep}`)) return;
        const bytes = await readFile(args.path);
        compiled.set(args.path, createHash("sha256").update(bytes).digest("hex"));
        const text = bytes.toString("utf8");
        const resolveDir = dirname(args.path);
        if (!text.includes("import.meta")) return { contents: text, loader: "ts", resolveDir };
        let contents = text.replaceAll(
          "import.meta.url",
          JSON.stringify(pathToFileURL(args.path).href),
        );
        for (const call of contents.matchAll(/import\.meta\.resolve\(\s*("[^"]*"|'[^']*')\s*\)/g)) {
          const specifier = JSON.parse(call[1]?.replaceAll("'", '"') ?? '""');
          const found = await build.resolve(specifier, {
            kind: "import-statement",
            resolveDir,
            pluginData: { resolving: true },
          });
          if (found.errors.length > 0) return { errors: found.errors };
          contents = contents.replace(call[0], JSON.stringify(pathToFileURL(found.path).href));
        }
        if (contents.includes("import.meta.resolve(")) {
          return {
            errors: [{ text: "import.meta.resolve() with a name that is not a string literal" }],
          };
        }
        return { contents, loader: "ts", resolveDir };
      });
    },
  };
}

/**
 * @param {string} dir
 * @param {Entry} entry
 * @param {string} keep
 */
async function removeOldBundles(dir, entry, keep) {
  const names = await readdir(dir).catch(() => /** @type {string[]} */ ([]));
  const now = Date.now();
  for (const name of names) {
    if (!name.startsWith(`${entry}.`) || name.startsWith(keep) || name.endsWith(".json")) continue;
    const path = join(dir, name);
    const info = await stat(path).catch(() => null);
    if (info !== null && now - info.mtimeMs > KEEP_OLD_MS) await rm(path, { force: true });
  }
}

/**
 * Runs `entry` from its bundle, as `node` would run the TypeScript source:
 * `process.argv[1]` names the bundle and the arguments follow it.
 *
 * @param {Entry} entry
 */
export async function runBundled(entry) {
  await mkdir(BUNDLE_DIR, { recursive: true });
  let path;
  try {
    path = await upToDateBundle(entry, {
      onBuilt: (ms) =>
        process.stderr.write(
          `restorekit: built the server bundle in ${Math.round(ms)} ms (there was none, or a source changed).\n`,
        ),
    });
  } catch (error) {
    process.stderr.write(
      `restorekit did not start: its bundle could not be built. ${error instanceof Error ? error.message : String(error)}\n`,
    );
    process.exit(1);
  }
  // Source maps are written beside the bundle but not turned on here: node would then read the
  // maps of every module it loads (PGlite's alone are 2MB) at each start. NODE_OPTIONS=
  // --enable-source-maps shows stack traces in the TypeScript sources.
  process.argv[1] = path;
  await import(pathToFileURL(path).href);
}
