import { existsSync } from "node:fs";
import { type Browser, chromium } from "playwright-core";

/** The browser to drive: `CHROMIUM_PATH`, else Debian's chromium package. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

/** A launched browser, or why there is none. */
export type Launch =
  | { readonly browser: Browser; readonly skipped?: undefined }
  | { readonly browser?: undefined; readonly skipped: string };

/**
 * Launches headless Chromium, or says plainly why it could not, so a test can
 * be skipped by name rather than fail on a machine without a browser.
 */
export async function launchChromium(): Promise<Launch> {
  if (!existsSync(CHROMIUM_PATH)) {
    return {
      skipped: `SKIPPED: no Chromium at ${CHROMIUM_PATH}; install the chromium package or set CHROMIUM_PATH`,
    };
  }
  try {
    const browser = await chromium.launch({
      executablePath: CHROMIUM_PATH,
      headless: true,
      // Chromium refuses its sandbox to root, which CI containers often are.
      args: process.getuid?.() === 0 ? ["--no-sandbox"] : [],
      timeout: 90_000,
    });
    return { browser };
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message.split("\n")[0] : String(cause);
    return { skipped: `SKIPPED: Chromium at ${CHROMIUM_PATH} could not be launched: ${reason}` };
  }
}
