import { readdirSync, readFileSync } from "node:fs";
import { Hono } from "hono";
import { errAsync } from "neverthrow";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  DOCS_CONTENT_SECURITY_POLICY,
  type DocsAssetsUnavailable,
  docsApp,
  openApiDocument,
  readSwaggerUiDist,
  SWAGGER_UI_FILES,
} from "../../src/index.js";
import { restoreAppUnderTest } from "./support/restore-app.js";
import { type Served, served } from "./support/served.js";

const PAGE_FILES = [
  ...SWAGGER_UI_FILES.map((name) => `docs/${name}`),
  "docs/swagger-initializer.js",
];

function packageFile(name: string): Buffer {
  return readFileSync(new URL(import.meta.resolve(`swagger-ui-dist/${name}`)));
}

/** The URLs a page loads through its `href` and `src` attributes. */
function linksOf(html: string): string[] {
  return [...html.matchAll(/\b(?:href|src)="([^"]*)"/g)].map((match) => match[1] as string);
}

describe("docsApp on a real server", () => {
  let server: Served;
  let reads = 0;

  beforeAll(async () => {
    const app = docsApp({
      assets: () => {
        reads += 1;
        return readSwaggerUiDist();
      },
    });
    server = await served(app.fetch);
  });
  afterAll(() => server.close());

  it("serves the OpenAPI document as JSON, with an ETag that a client can revalidate", async () => {
    const response = await fetch(`${server.origin}/openapi.json`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/json; charset=utf-8");
    expect(response.headers.get("cache-control")).toBe("no-cache");
    expect(await response.text()).toBe(JSON.stringify(openApiDocument()));
    const etag = response.headers.get("etag");
    expect(etag).toMatch(/^"[0-9a-f]{32}"$/);
    const again = await fetch(`${server.origin}/openapi.json`, {
      headers: { "if-none-match": etag ?? "" },
    });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe("");
  });

  it("serves the page with a policy that lets it load only from this server", async () => {
    const response = await fetch(`${server.origin}/docs`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/html; charset=utf-8");
    const policy = response.headers.get("content-security-policy") ?? "";
    expect(policy).toBe(DOCS_CONTENT_SECURITY_POLICY);
    expect(policy).toContain("default-src 'none'");
    for (const directive of policy.split(";").map((part) => part.trim())) {
      const sources = directive.split(/\s+/).slice(1);
      // data: fetches nothing; it is how swagger-ui's stylesheet draws its icons.
      expect(sources.every((source) => ["'self'", "'none'", "data:"].includes(source))).toBe(true);
    }
    expect(response.headers.get("x-content-type-options")).toBe("nosniff");
    const html = await response.text();
    expect(html).not.toMatch(/https?:/);
    expect(html).not.toMatch(/<script>|<style|\bstyle=|\bon[a-z]+=/i);
    expect(linksOf(html).sort()).toEqual([...PAGE_FILES, "openapi.json"].sort());
  });

  it("serves swagger-ui-dist's own files, with their types and a validator", async () => {
    const types: Record<string, string> = {
      "swagger-ui.css": "text/css; charset=utf-8",
      "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
      "favicon-32x32.png": "image/png",
    };
    const version = (
      JSON.parse(
        readFileSync(new URL(import.meta.resolve("swagger-ui-dist/package.json")), "utf8"),
      ) as {
        version: string;
      }
    ).version;
    for (const name of SWAGGER_UI_FILES) {
      const response = await fetch(`${server.origin}/docs/${name}`);
      expect(response.status, name).toBe(200);
      expect(response.headers.get("content-type")).toBe(types[name]);
      expect(response.headers.get("cache-control")).toBe("public, max-age=86400");
      const etag = response.headers.get("etag") ?? "";
      expect(etag).toBe(`"swagger-ui-dist@${version}"`);
      // Compared as one buffer: element by element, 1.7 MB takes the test runner ages.
      const same = Buffer.from(await response.arrayBuffer()).equals(packageFile(name));
      expect(same, `${name} is served byte for byte`).toBe(true);
      const again = await fetch(`${server.origin}/docs/${name}`, {
        headers: { "if-none-match": etag },
      });
      expect(again.status).toBe(304);
      await again.arrayBuffer();
    }
    const initializer = await fetch(`${server.origin}/docs/swagger-initializer.js`);
    expect(initializer.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    const script = await initializer.text();
    expect(script).toContain('new URL("openapi.json", document.baseURI)');
    expect(script).toContain("validatorUrl: null");
    expect(script).not.toMatch(/https?:/);
  });

  it("reads the files once, whatever the number of requests", async () => {
    await Promise.all(
      Array.from({ length: 5 }, () => fetch(`${server.origin}/docs`).then((r) => r.text())),
    );
    expect(reads).toBe(1);
  });

  it("sends /docs/ to /docs, where the page's relative links resolve", async () => {
    const response = await fetch(`${server.origin}/docs/`, { redirect: "manual" });
    expect(response.status).toBe(301);
    expect(new URL(response.headers.get("location") ?? "", `${server.origin}/docs/`).href).toBe(
      `${server.origin}/docs`,
    );
  });
});

describe("docsApp mounted under a prefix", () => {
  it("serves the page's files under that prefix, since every link is relative", async () => {
    const app = new Hono().route("/api", docsApp());
    const page = await app.request("/api/docs");
    expect(page.status).toBe(200);
    for (const link of linksOf(await page.text())) {
      const target = new URL(link, "http://localhost/api/docs");
      const file = await app.request(target.pathname);
      expect(file.status, target.pathname).toBe(200);
      await file.arrayBuffer();
    }
    expect((await app.request("/api/openapi.json")).status).toBe(200);
  });
});

describe("docsApp where files cannot be read", () => {
  const noFileSystem = (): ReturnType<typeof readSwaggerUiDist> =>
    errAsync<never, DocsAssetsUnavailable>({
      code: "docs_assets_unavailable",
      message: "The API page needs a runtime with a file system to read swagger-ui-dist from.",
    });

  it("answers /docs and its files with a plain 404 that says why", async () => {
    const app = docsApp({ assets: noFileSystem });
    for (const path of ["/docs", ...SWAGGER_UI_FILES.map((name) => `/docs/${name}`)]) {
      const response = await app.request(path);
      expect(response.status, path).toBe(404);
      expect(response.headers.get("content-type")).toBe("text/plain; charset=utf-8");
      expect(await response.text()).toMatch(/needs a runtime with a file system/);
    }
  });

  it("still serves the document", async () => {
    const response = await docsApp({ assets: noFileSystem }).request("/openapi.json");
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual(openApiDocument());
  });

  it("says so by default too, when swagger-ui-dist cannot be read", async () => {
    const missing = new URL("./no-such-package/package.json", import.meta.url);
    const read = await readSwaggerUiDist({ packageUrl: missing });
    expect(read.isErr() && read.error.code).toBe("docs_assets_unavailable");
    const response = await docsApp({
      assets: () => readSwaggerUiDist({ packageUrl: missing }),
    }).request("/docs");
    expect(response.status).toBe(404);
    expect(await response.text()).toMatch(/needs a runtime with a file system/);
  });
});

describe("the adapter's sources", () => {
  it("import no node: module at their top level, so they load on Workers", () => {
    const root = new URL("../../src/", import.meta.url);
    const files = readdirRecursive(root);
    expect(files.length).toBeGreaterThan(10);
    const offenders = files.filter((file) =>
      /^\s*import[^(]*from\s+["']node:/m.test(readFileSync(file, "utf8")),
    );
    expect(offenders.map((file) => file.pathname)).toEqual([]);
  });
});

function readdirRecursive(directory: URL): URL[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? readdirRecursive(new URL(`${entry.name}/`, directory))
      : entry.name.endsWith(".ts")
        ? [new URL(entry.name, directory)]
        : [],
  );
}

describe("the docs through createRestoreApp", () => {
  it("serves the page and the document with the app's X-Request-Id", async () => {
    const { app } = restoreAppUnderTest();
    const page = await app.request("/docs", { headers: { "x-request-id": "docs-1" } });
    expect(page.status).toBe(200);
    expect(page.headers.get("x-request-id")).toBe("docs-1");
    expect(page.headers.get("content-security-policy")).toBe(DOCS_CONTENT_SECURITY_POLICY);
    await page.text();
    const spec = await app.request("/openapi.json");
    expect(spec.headers.get("x-request-id")).toBeTruthy();
    expect(await spec.json()).toEqual(openApiDocument());
  });
});
