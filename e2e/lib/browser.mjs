// Launches the system's Chromium (Debian's package) through playwright-core: no browser
// downloads, ever.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { chromium } from "playwright-core";

import { artifactsDir } from "./server.mjs";

/** The Chromium binary: CHROMIUM_PATH, else Debian's /usr/bin/chromium. */
export const chromiumPath = process.env.CHROMIUM_PATH || "/usr/bin/chromium";

export async function launchBrowser() {
  if (!existsSync(chromiumPath)) {
    throw new Error(`no Chromium at ${chromiumPath}: apt-get install chromium, or set CHROMIUM_PATH`);
  }
  return chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    timeout: 60_000,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
      "--disable-quic",
    ],
  });
}

/**
 * A fresh, isolated browser context (its own cookies) on baseURL. Playwright dismisses
 * dialogs nobody handles: a test that submits a confirm()ed form registers
 * page.once("dialog", ...) first.
 */
export async function newSession(browser, baseURL) {
  const context = await browser.newContext({ baseURL, viewport: { width: 1280, height: 900 } });
  context.setDefaultTimeout(10_000);
  context.setDefaultNavigationTimeout(15_000);
  return context;
}

/** Saves a full-page screenshot as e2e/artifacts/NAME.png. */
export async function screenshot(page, name) {
  await page.screenshot({ path: join(artifactsDir, `${name}.png`), fullPage: true });
}
