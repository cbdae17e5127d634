import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium } from "../support/headless-chromium.js";
import { ENCRYPTED_BACKUP, startTestServer, type TestServer } from "../support/test-server.js";
import { type UnavailableProxy, unavailableProxy } from "../support/unavailable-proxy.js";

// The client bundled for the browser (esbuild, platform browser: a node: import would not
// build) and run in headless Chromium against the real server. The test's own node:http server
// serves the page and passes /v1.0 through, so the page and the API share an origin and the
// server needs no CORS. In the page, WebCrypto encrypts the passphrase; the server's simulated
// agent decrypts it with its private key and completes the restore.

const launch = await launchChromium();
if (launch.skipped !== undefined) console.warn(launch.skipped);

const PASSPHRASE = "vault passphrase from a browser ☂";

let test: TestServer;
let proxy: UnavailableProxy;

beforeAll(async () => {
  if (launch.browser === undefined) return;
  const bundled = await build({
    stdin: {
      contents: `import { createRestoreClient } from "@restorekit/client";\nglobalThis.restorekit = { createRestoreClient };\n`,
      resolveDir: fileURLToPath(new URL(".", import.meta.url)),
      loader: "ts",
    },
    bundle: true,
    platform: "browser",
    format: "iife",
    target: "chrome120",
    conditions: ["@restorekit/source"],
    write: false,
    logLevel: "silent",
  });
  const script = bundled.outputFiles[0]?.text ?? "";
  test = await startTestServer("pglite");
  proxy = await unavailableProxy(
    test.url,
    () => ({ kind: "forward" }),
    (path) =>
      path === "/"
        ? {
            type: "text/html; charset=utf-8",
            body: `<!doctype html><meta charset="utf-8"><title>client</title><script>${script.replaceAll("</script", "<\\/script")}</script>`,
          }
        : null,
  );
}, 240_000);

afterAll(async () => {
  await launch.browser?.close();
  await proxy?.close();
  await test?.close();
});

describe("where the browser test runs", () => {
  it("says why it was skipped when there is no Chromium to drive", () => {
    if (launch.browser === undefined) {
      expect(launch.skipped).toMatch(/^SKIPPED: .*Chromium/);
    } else {
      expect(launch.skipped).toBeUndefined();
    }
  });
});

describe.skipIf(launch.browser === undefined)(
  launch.skipped ?? "the client in headless Chromium",
  () => {
    it("starts an encrypted restore with a passphrase it encrypts by WebCrypto; the agent opens it and the restore completes", async () => {
      const page = await (launch.browser as NonNullable<typeof launch.browser>).newPage();
      const errors: string[] = [];
      page.on("pageerror", (error) => errors.push(error.message));
      await page.goto(`${proxy.url}/`);
      const outcome = await page.evaluate(
        async ({ body, passphrase, origin }) => {
          type Client = import("@restorekit/client").RestoreClient;
          const { createRestoreClient } = (
            globalThis as unknown as {
              restorekit: {
                createRestoreClient: typeof import("@restorekit/client").createRestoreClient;
              };
            }
          ).restorekit;
          const client: Client = createRestoreClient({
            baseUrl: origin,
            tenantId: "1234",
            token: "demo-creator",
          });
          const created = await client.create(body);
          if (created.isErr()) return { failed: created.error.message };
          const id = created.value.details.RestoreId;
          const started = await client.start(id, { password: passphrase });
          if (started.isErr()) return { failed: started.error.message };
          for (let i = 0; i < 600; i += 1) {
            const got = await client.get(id);
            if (got.isErr()) return { failed: got.error.message };
            if ([3, 4, 5, 8].includes(got.value.details.RestoreStateId)) {
              const report = await client.report(id);
              return {
                id,
                started: started.value.state,
                state: report.isOk() ? report.value.State : report.error.code,
                hasSubtle: typeof crypto.subtle?.encrypt === "function",
              };
            }
            await new Promise((resolve) => setTimeout(resolve, 100));
          }
          return { failed: "the restore did not finish" };
        },
        // The page's own origin: the proxy serves it and passes the API through.
        { body: ENCRYPTED_BACKUP, passphrase: PASSPHRASE, origin: proxy.url },
      );
      expect(errors).toEqual([]);
      expect(outcome).toMatchObject({
        started: "StartRequested",
        state: "Completed",
        hasSubtle: true,
      });

      // What the page sent: the passphrase encrypted for the agent, which its key opens.
      const sent = proxy.seen.find((seen) => seen.url.endsWith("/action-requested"));
      const { EncryptedPassword } = JSON.parse(sent?.body ?? "{}") as { EncryptedPassword: string };
      expect(test.decrypt(EncryptedPassword)).toBe(PASSPHRASE);
      expect(sent?.headers["user-agent"]).toMatch(/Chrome/);
      expect(test.server.output()).toContain("simulated agent: decrypted the restore's password");
    });
  },
);
