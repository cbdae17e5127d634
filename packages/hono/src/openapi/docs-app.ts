import { Hono } from "hono";
import { okAsync, type ResultAsync } from "neverthrow";
import { DOCS_INITIALIZER, docsPageHtml } from "./docs-page.js";
import { openApiDocument } from "./openapi-document.js";
import type { OpenApiDocument } from "./openapi-types.js";
import {
  type DocsAssets,
  type DocsAssetsUnavailable,
  readSwaggerUiDist,
  SWAGGER_UI_FILES,
  type SwaggerUiFile,
} from "./swagger-ui-assets.js";

export interface DocsAppOptions {
  /** The document to serve; `openApiDocument()` when absent. */
  readonly document?: OpenApiDocument;
  /** The page's title; the document's title and "API" when absent. */
  readonly title?: string;
  /**
   * Where the page's files come from; swagger-ui-dist read from the file
   * system when absent. A runtime without one can hand them over from its
   * own asset store.
   */
  readonly assets?: () => ResultAsync<DocsAssets, DocsAssetsUnavailable>;
}

/**
 * The page may load only what this server serves. Images may also be `data:`
 * URLs, which swagger-ui's stylesheet uses for its icons and which fetch
 * nothing.
 */
export const DOCS_CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'self'",
].join("; ");

const CONTENT_TYPES: Readonly<Record<SwaggerUiFile, string>> = {
  "swagger-ui.css": "text/css; charset=utf-8",
  "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
  "favicon-32x32.png": "image/png",
};

const NO_SNIFF = { "x-content-type-options": "nosniff" };

/** An ETag for a text: the first 128 bits of its SHA-256, in hex. */
async function etagOf(text: string): Promise<string> {
  const digest = await globalThis.crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  const hex = Array.from(new Uint8Array(digest).subarray(0, 16), (byte) =>
    byte.toString(16).padStart(2, "0"),
  ).join("");
  return `"${hex}"`;
}

/** Whether the client's `If-None-Match` already names this ETag. */
function isFresh(ifNoneMatch: string | undefined, etag: string): boolean {
  if (ifNoneMatch === undefined) return false;
  return ifNoneMatch
    .split(",")
    .map((tag) => tag.trim().replace(/^W\//, ""))
    .some((tag) => tag === etag || tag === "*");
}

function notModified(etag: string, cacheControl: string): Response {
  return new Response(null, { status: 304, headers: { etag, "cache-control": cacheControl } });
}

function unavailable(error: DocsAssetsUnavailable): Response {
  return new Response(`${error.message}\n`, {
    status: 404,
    headers: {
      "content-type": "text/plain; charset=utf-8",
      "cache-control": "no-store",
      ...NO_SNIFF,
    },
  });
}

/**
 * The API's documentation as a Hono app: `GET /openapi.json` (the OpenAPI
 * 3.1 document) and `GET /docs`, a Swagger UI page to read the routes and try
 * them, served with its own files (from the swagger-ui-dist package) so it
 * works with no internet access. Mount it next to the restore routes with
 * `app.route("/", docsApp())`. Where there is no file system to read the
 * page's files from, `/docs` answers 404 saying so, and `/openapi.json`
 * still works.
 *
 * @example
 * ```ts
 * import { serve } from "@hono/node-server";
 * import { docsApp, openApiDocument } from "@restorekit/hono";
 *
 * serve({ fetch: docsApp({ document: openApiDocument({ title: "Backups" }) }).fetch, port: 8080 });
 * ```
 */
export function docsApp(options: DocsAppOptions = {}): Hono {
  const document = options.document ?? openApiDocument();
  const documentText = JSON.stringify(document);
  const title = options.title ?? `${document.info.title} API`;
  const readAssets = options.assets ?? readSwaggerUiDist;
  let documentEtag: Promise<string> | undefined;
  // Only success is kept: a failure may be passing (too many open files).
  let assets: DocsAssets | undefined;

  const loadAssets = (): ResultAsync<DocsAssets, DocsAssetsUnavailable> =>
    assets !== undefined
      ? okAsync(assets)
      : readAssets().map((read) => {
          assets = read;
          return read;
        });

  const app = new Hono();

  app.get("/openapi.json", async (c) => {
    documentEtag ??= etagOf(documentText);
    const etag = await documentEtag;
    if (isFresh(c.req.header("if-none-match"), etag)) return notModified(etag, "no-cache");
    return new Response(documentText, {
      status: 200,
      headers: {
        "content-type": "application/json; charset=utf-8",
        "cache-control": "no-cache",
        etag,
        ...NO_SNIFF,
      },
    });
  });

  app.get("/docs", () =>
    loadAssets().match(
      () =>
        new Response(docsPageHtml(title), {
          status: 200,
          headers: {
            "content-type": "text/html; charset=utf-8",
            "cache-control": "no-cache",
            "content-security-policy": DOCS_CONTENT_SECURITY_POLICY,
            "referrer-policy": "no-referrer",
            ...NO_SNIFF,
          },
        }),
      unavailable,
    ),
  );

  // Relative URLs in the page resolve against `/docs`, not `/docs/`.
  app.get("/docs/", () => new Response(null, { status: 301, headers: { location: "../docs" } }));

  app.get("/docs/swagger-initializer.js", () => {
    return new Response(DOCS_INITIALIZER, {
      status: 200,
      headers: {
        "content-type": "text/javascript; charset=utf-8",
        "cache-control": "no-cache",
        ...NO_SNIFF,
      },
    });
  });

  for (const name of SWAGGER_UI_FILES) {
    app.get(`/docs/${name}`, (c) =>
      loadAssets().match((loaded) => {
        // The files change only with the package's version, which names them.
        const etag = `"swagger-ui-dist@${loaded.version}"`;
        const cacheControl = "public, max-age=86400";
        if (isFresh(c.req.header("if-none-match"), etag)) return notModified(etag, cacheControl);
        return new Response(loaded.files[name], {
          status: 200,
          headers: {
            "content-type": CONTENT_TYPES[name],
            "cache-control": cacheControl,
            etag,
            ...NO_SNIFF,
          },
        });
      }, unavailable),
    );
  }

  return app;
}
