import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { ensurePrograms } from '../../src/common/system-packages.js';

/** Where the browser tests keep their screenshots (gitignored: `test-results/`). */
export const SCREENSHOT_DIR = join(import.meta.dirname, '../../test-results/monitor');

/** A headless Debian chromium with a fresh profile; `close` ends it and removes the profile. */
export interface HeadlessChromium {
  context: BrowserContext;
  /** A new tab. */
  newPage(): Promise<Page>;
  close(): Promise<void>;
}

/**
 * Starts Debian's `chromium` headless (installing the package first when it is missing, as on a
 * fresh CI machine), driven by playwright-core: no browser download, nothing from a registry.
 */
export async function launchChromium(): Promise<HeadlessChromium> {
  const programs = await ensurePrograms([
    { program: 'chromium', debianPackage: 'chromium', purpose: 'to test the monitor dashboard' },
  ]);
  const profileDir = await mkdtemp(join(tmpdir(), 'otto-chromium-'));
  try {
    // A persistent context is how playwright takes a user-data-dir: a fresh one per launch.
    const context = await chromium.launchPersistentContext(profileDir, {
      executablePath: programs.get('chromium')!,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
      viewport: { width: 1280, height: 900 },
    });
    return {
      context,
      newPage: () => context.newPage(),
      close: async () => {
        await context.close();
        await rm(profileDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await rm(profileDir, { recursive: true, force: true });
    throw error;
  }
}

/** Saves a screenshot of `page` as `test-results/monitor/<name>.png`; returns its path. */
export async function keepScreenshot(page: Page, name: string): Promise<string> {
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  const path = join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}
