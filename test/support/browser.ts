// A real headless browser for tests: Debian's Chromium (/usr/bin/chromium, installed by .ci/run when missing),
// driven by playwright-core, with a fresh profile and nothing that reaches the network on its own.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type BrowserContext, chromium, type Page } from "playwright-core";

export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

const FLAGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];

/** Opens a page in a new headless Chromium, runs `use`, and closes the browser and its profile whatever happens. */
export async function withPage<T>(
  use: (page: Page) => Promise<T>,
  viewport = { width: 1280, height: 900 },
): Promise<T> {
  const profile = mkdtempSync(join(tmpdir(), "chromium-profile-"));
  let context: BrowserContext | undefined;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: FLAGS,
      viewport,
    });
    const page = await context.newPage();
    return await use(page);
  } finally {
    await context?.close();
    rmSync(profile, { recursive: true, force: true });
  }
}
