import type { BrowserContext } from "playwright-core";
import { afterAll, describe, expect, it } from "vitest";
import { docsApp } from "../../src/index.js";
import { launchChromium } from "./support/headless-chromium.js";
import { restoreAppUnderTest, TOKENS } from "./support/restore-app.js";
import { type Served, served } from "./support/served.js";

const SEED_PATH = "/v1.0/{tenant_id}/restore/action-requested";
const SEED_SUMMARY = "Start or stop a restore manually";
// Generous: two busy cores, and a 1.7 MB script to parse.
const WAIT = { timeout: 90_000 };
// Several such waits in a row, each far longer than they take on an idle machine.
const BROWSER_TEST_TIMEOUT = 300_000;

const launch = await launchChromium();
if (launch.skipped !== undefined) console.warn(launch.skipped);
afterAll(async () => {
  await launch.browser?.close();
});

interface Visit {
  /** Every request the page made to anywhere but the server; each was blocked. */
  readonly outside: string[];
  /** Console errors and uncaught exceptions, e.g. a Content-Security-Policy refusal. */
  readonly errors: string[];
  readonly context: BrowserContext;
}

async function visit(origin: string): Promise<Visit & { page: import("playwright-core").Page }> {
  const browser = launch.browser;
  if (browser === undefined) throw new Error("no browser");
  const context = await browser.newContext();
  const outside: string[] = [];
  const errors: string[] = [];
  await context.route("**/*", (route) => {
    const url = route.request().url();
    if (new URL(url).origin === origin) return route.continue();
    outside.push(url);
    return route.abort("blockedbyclient");
  });
  const page = await context.newPage();
  page.on("console", (message) => {
    if (message.type() === "error") errors.push(message.text());
  });
  page.on("pageerror", (error) => errors.push(error.message));
  await page.goto(`${origin}/docs`, { waitUntil: "load", ...WAIT });
  return { page, outside, errors, context };
}

const suite = launch.skipped ?? "the /docs page in headless Chromium";

describe.skipIf(launch.browser === undefined)(suite, () => {
  it(
    "shows the seed operation first, with nothing fetched from outside",
    async () => {
      const server: Served = await served(docsApp().fetch);
      try {
        const { page, outside, errors, context } = await visit(server.origin);
        const seed = page.locator(`.opblock-summary-path[data-path="${SEED_PATH}"]`);
        await seed.waitFor({ state: "visible", ...WAIT });
        const first = page.locator(".opblock-summary-path").first();
        expect(await first.getAttribute("data-path")).toBe(SEED_PATH);
        const block = page.locator(".opblock", { has: seed });
        expect((await block.locator(".opblock-summary-description").textContent())?.trim()).toBe(
          SEED_SUMMARY,
        );
        expect((await block.locator(".opblock-summary-method").textContent())?.trim()).toBe("POST");

        // Opened, it shows the request body the document describes.
        await seed.click();
        await block.locator(".opblock-body").waitFor({ state: "visible", ...WAIT });
        await block.getByText("EncryptedPassword").first().waitFor(WAIT);
        expect(await page.locator(".errors-wrapper").count()).toBe(0);

        expect(outside).toEqual([]);
        expect(errors).toEqual([]);
        await context.close();
      } finally {
        await server.close();
      }
    },
    BROWSER_TEST_TIMEOUT,
  );

  it(
    "works through createRestoreApp, and tries the seed operation against it",
    async () => {
      const { app, env, tenant } = restoreAppUnderTest();
      const created = await env.createRestore();
      if (created.isErr()) throw new Error(created.error.message);
      const restoreId = created.value.restoreId;
      const server = await served(app.fetch);
      try {
        const { page, outside, errors, context } = await visit(server.origin);
        const seed = page.locator(`.opblock-summary-path[data-path="${SEED_PATH}"]`);
        await seed.waitFor({ state: "visible", ...WAIT });

        // Authorize with a token, as a person trying the API would.
        await page.locator("button.authorize").first().click();
        const dialog = page.locator(".dialog-ux");
        await dialog.locator("input").first().fill(TOKENS.admin);
        await dialog.locator("button.authorize").first().click();
        await dialog.locator("button.close-modal").first().click();

        await seed.click();
        const block = page.locator(".opblock", { has: seed });
        await block.locator("button.try-out__btn").click(WAIT);
        await block.locator('input[placeholder="tenant_id"]').fill(tenant);
        await block
          .locator("textarea.body-param__text")
          .fill(JSON.stringify({ Action: "StartManual", Id: restoreId }));
        await block.locator("button.execute").click();
        const status = block
          .locator(".live-responses-table tr.response .response-col_status")
          .first();
        await status.waitFor({ state: "visible", ...WAIT });
        expect((await status.textContent())?.trim()).toBe("204");

        const now = await env.service.getRestore(env.context(), restoreId);
        expect(now.isOk() && now.value.state).toBe("StartRequested");
        expect(outside).toEqual([]);
        expect(errors).toEqual([]);
        await context.close();
      } finally {
        await server.close();
      }
    },
    BROWSER_TEST_TIMEOUT,
  );
});
