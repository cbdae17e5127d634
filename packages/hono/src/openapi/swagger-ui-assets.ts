import { ResultAsync } from "neverthrow";

/** The files of swagger-ui-dist the page uses, by the name they are served under. */
export const SWAGGER_UI_FILES = [
  "swagger-ui.css",
  "swagger-ui-bundle.js",
  "favicon-32x32.png",
] as const;

export type SwaggerUiFile = (typeof SWAGGER_UI_FILES)[number];

/** The page's files, read once. */
export interface DocsAssets {
  /** The swagger-ui-dist version, which names the files' cache validator. */
  readonly version: string;
  readonly files: Readonly<Record<SwaggerUiFile, Uint8Array>>;
}

export interface DocsAssetsUnavailable {
  readonly code: "docs_assets_unavailable";
  readonly message: string;
}

const UNAVAILABLE: DocsAssetsUnavailable = {
  code: "docs_assets_unavailable",
  message:
    "The API page needs a runtime with a file system to read swagger-ui-dist from; the OpenAPI document itself is served at openapi.json.",
};

type FsPromises = typeof import("node:fs/promises");

// A specifier in a variable keeps bundlers for runtimes without a file system
// (Workers) from trying to include node:fs; there the import fails and the
// page says why.
const FS_MODULE = "node:fs/promises";

async function readFiles(packageUrl: URL): Promise<DocsAssets> {
  const fs = (await import(FS_MODULE)) as FsPromises;
  const manifest = JSON.parse(await fs.readFile(packageUrl, "utf8")) as { version?: unknown };
  const entries = await Promise.all(
    SWAGGER_UI_FILES.map(
      async (name) => [name, new Uint8Array(await fs.readFile(new URL(name, packageUrl)))] as const,
    ),
  );
  return {
    version: typeof manifest.version === "string" ? manifest.version : "unknown",
    files: Object.fromEntries(entries) as Record<SwaggerUiFile, Uint8Array>,
  };
}

export interface ReadSwaggerUiDistOptions {
  /** The `file:` URL of swagger-ui-dist's package.json; the package this one resolves when absent. */
  readonly packageUrl?: string | URL;
}

/**
 * Reads the page's files from the swagger-ui-dist package next to this one,
 * with `node:fs` loaded only now, so that importing this module works on any
 * runtime. Fails (never throws) where there is no file system or no package.
 *
 * @example
 * ```ts
 * const assets = await readSwaggerUiDist();
 * if (assets.isOk()) assets.value.version; // "5.35.0"
 * ```
 */
export function readSwaggerUiDist(
  options: ReadSwaggerUiDistOptions = {},
): ResultAsync<DocsAssets, DocsAssetsUnavailable> {
  return ResultAsync.fromThrowable(
    async () =>
      readFiles(new URL(options.packageUrl ?? import.meta.resolve("swagger-ui-dist/package.json"))),
    () => UNAVAILABLE,
  )();
}
