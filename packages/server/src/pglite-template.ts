import { existsSync, readFileSync } from "node:fs";
import { mkdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { homedir } from "node:os";
import { dirname, join } from "node:path";

/**
 * A freshly initialised, empty PGlite database kept as a tarball, so a new
 * database is unpacked from it instead of being initialised again: that
 * takes a third of the time and half the memory. A variant keeps a
 * database that holds more, such as the server's schema already migrated,
 * so a new database need not apply the migrations either. Every method fails soft
 * (a missing, unreadable or unwritable cache is just no template), since
 * the template only saves time.
 */
export interface PGliteTemplate {
  /** The template, or null when there is none (yet). */
  read(variant?: TemplateVariant): Promise<Blob | null>;
  /** Keeps a dump of a database that was just initialised (and migrated, for a variant) and not yet written to. */
  write(dump: Blob, variant?: TemplateVariant): Promise<void>;
  /** Drops a template that did not load. */
  discard(variant?: TemplateVariant): Promise<void>;
}

/**
 * Which template: the empty database when absent, otherwise a name of
 * lower-case letters, digits, `_` and `-` for a database that holds more,
 * such as one schema migrated to a given list of migrations.
 */
export type TemplateVariant = string;

const VARIANT = /^[a-z0-9_-]{1,100}$/;

/**
 * The template cache in `dir` (default `$XDG_CACHE_HOME/restorekit` or
 * `~/.cache/restorekit`), one file per PGlite version: a database written by
 * one version is never unpacked by another. The directory is the user's
 * own (mode 0700), as a database unpacked from a file someone else could
 * write would run what they put in it.
 *
 * @example
 * ```ts
 * const template = await pgliteTemplate().read();
 * const db = await PGlite.create(template === null ? {} : { loadDataDir: template });
 * ```
 */
export function pgliteTemplate(dir: string = defaultCacheDir()): PGliteTemplate {
  const version = pgliteVersion();
  if (version === null) return NO_TEMPLATE;
  const fileOf = (variant: TemplateVariant | undefined) => {
    if (variant !== undefined && !VARIANT.test(variant)) return null;
    return join(dir, `pglite-${version}-${variant ?? "empty"}.tar.gz`);
  };
  return {
    async read(variant) {
      const file = fileOf(variant);
      if (file === null) return null;
      try {
        const info = await stat(dir);
        const uid = process.getuid?.();
        if (uid !== undefined && (info.uid !== uid || (info.mode & 0o077) !== 0)) return null;
        // Untyped on purpose: typed as gzip, PGlite gunzips it on a path that leaves a damaged
        // file's error unhandled (which would end the process) instead of throwing it to us.
        return new Blob([await readFile(file)]);
      } catch {
        return null;
      }
    },
    async write(dump, variant) {
      const file = fileOf(variant);
      if (file === null) return;
      try {
        await mkdir(dir, { recursive: true, mode: 0o700 });
        // Written aside and renamed, so a reader never sees half a template.
        const partial = `${file}.${process.pid}.partial`;
        await writeFile(partial, Buffer.from(await dump.arrayBuffer()), { mode: 0o600 });
        await rename(partial, file);
      } catch {
        // No cache: the next start initialises its database again.
      }
    },
    async discard(variant) {
      const file = fileOf(variant);
      if (file !== null) await rm(file, { force: true }).catch(() => undefined);
    },
  };
}

/** Without a known PGlite version no template is safe to use. */
const NO_TEMPLATE: PGliteTemplate = {
  read: () => Promise.resolve(null),
  write: () => Promise.resolve(),
  discard: () => Promise.resolve(),
};

function defaultCacheDir(): string {
  const xdg = process.env.XDG_CACHE_HOME;
  return join(xdg !== undefined && xdg !== "" ? xdg : join(homedir(), ".cache"), "restorekit");
}

/** The installed PGlite's version, from its package.json (which the package does not export). */
function pgliteVersion(): string | null {
  try {
    const require = createRequire(import.meta.url);
    let dir = dirname(require.resolve("@electric-sql/pglite"));
    for (let i = 0; i < 4; i += 1) {
      const path = join(dir, "package.json");
      if (existsSync(path)) {
        const pkg = JSON.parse(readFileSync(path, "utf8")) as { name?: string; version?: string };
        if (pkg.name === "@electric-sql/pglite" && typeof pkg.version === "string")
          return pkg.version;
      }
      dir = dirname(dir);
    }
  } catch {
    // Unknown: fall through.
  }
  return null;
}
