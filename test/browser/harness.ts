import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { Application } from 'egg';
import { Browser, BrowserContext, chromium, Page } from 'playwright-core';

/**
 * Real Chromium for the browser tests: Debian's package (`apt-get install
 * chromium`, which .ci/run does when it is missing), driven by playwright-core.
 * Playwright's own browser download is not used: it cannot run here.
 */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Screenshots of every screen the tests visit, kept as CI artifacts (run/ is ignored by git). */
export const SCREENSHOT_DIR = path.join(__dirname, '../../run/screenshots');

// As root Chromium needs --no-sandbox; the others keep it from calling out to
// Google's services, which a closed network refuses many times a second.
const CHROMIUM_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage',
];

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`no Chromium at ${CHROMIUM_PATH}: install Debian's chromium (apt-get install chromium) or set CHROMIUM_PATH`);
  }
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS });
}

/** The origin the test app listens on (test/.setup.ts points the notify URL at it). */
export function appOrigin(app: Application): string {
  return new URL(app.config.wxpay.notifyUrl).origin;
}

export type Viewport = 'laptop' | 'phone';
const VIEWPORTS: Record<Viewport, { width: number; height: number }> = {
  laptop: { width: 1280, height: 800 },
  phone: { width: 390, height: 844 },
};

/**
 * A fresh browser context (no storage shared with other tests) whose pages
 * fail the test on any uncaught script error or console error.
 */
export async function openPage(browser: Browser, origin: string, viewport: Viewport = 'laptop'): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
  const context = await browser.newContext({ baseURL: origin, viewport: VIEWPORTS[viewport] });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', error => errors.push(`pageerror: ${error.message}`));
  page.on('console', message => {
    // Chromium reports every 4xx/5xx reply as "Failed to load resource": the tests expect some (a refused refund, an expired token).
    if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) errors.push(`console.error: ${message.text()}`);
  });
  return { context, page, errors };
}

/** Saves a full-page screenshot as run/screenshots/<name>.png. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const file = path.join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/**
 * One Chromium per test file and a fresh context per test, closed after it:
 * call inside `describe`. `open` gives a page of the test app at `path`;
 * `errors` holds the script errors of the page opened last.
 */
export function chromiumPerFile(app: Application) {
  let browser: Browser | undefined;
  let context: BrowserContext | undefined;
  let errors: string[] = [];
  before(async () => {
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
  });
  afterEach(async () => {
    await context?.close();
    context = undefined;
  });
  return {
    async open(path: string, viewport: Viewport = 'laptop'): Promise<Page> {
      if (!browser) throw new Error('Chromium is not running: chromiumPerFile() belongs inside describe()');
      const opened = await openPage(browser, appOrigin(app), viewport);
      context = opened.context;
      errors = opened.errors;
      await opened.page.goto(path);
      return opened.page;
    },
    get errors(): string[] {
      return errors;
    },
  };
}

