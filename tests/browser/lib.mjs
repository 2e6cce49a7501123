// Shared helpers of the browser tests: the browser, signing in, the accessibility check,
// screenshots and a small JSON API client (for the steps of other users, e.g. an official).
import { chromium } from 'playwright-core';
import { readFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';

export const BASE = process.env.RUQSAT_URL;
export const DATA_DIR = process.env.RUQSAT_TEST_DATA_DIR;
export const BIN = process.env.RUQSAT_TEST_BIN;
const here = dirname(fileURLToPath(import.meta.url));
export const ROOT = resolve(here, '..', '..');
const require = createRequire(import.meta.url);
const AXE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

if (!BASE) throw new Error('RUQSAT_URL is not set: run the tests with node tests/browser/run.mjs');

/** Headless Debian chromium. */
export async function launch() {
  return chromium.launch({
    executablePath: process.env.RUQSAT_CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-dev-shm-usage'],
  });
}

const LOCALES = { kk: 'kk-KZ', ru: 'ru-RU', en: 'en-US' };

/** A new page whose browser asks for `lang` (Accept-Language). */
export async function newPage(browser, lang = 'ru', options = {}) {
  const context = await browser.newContext({
    locale: LOCALES[lang],
    baseURL: BASE,
    viewport: { width: 1280, height: 900 },
    acceptDownloads: true,
    ...options,
  });
  const page = await context.newPage();
  page.setDefaultTimeout(15000);
  return page;
}

/** Signs in through the sign-in page as a demo user and waits for the next page. */
export async function signIn(page, login, password = `${login}-demo`) {
  await page.goto('/login');
  await page.fill('#login', login);
  await page.fill('#password', password);
  await Promise.all([page.waitForNavigation(), page.click('form[action="/login"] button[type=submit]')]);
  assert.ok(!page.url().includes('/login'), `still on the sign-in page after signing in as ${login}`);
}

/** axe-core on the current page: fails on any serious or critical violation. */
export async function checkA11y(page, what) {
  // Evaluated through the DevTools protocol: the page's CSP (no inline script) stays on.
  await page.evaluate(AXE);
  const result = await page.evaluate(async () =>
    // eslint-disable-next-line no-undef
    axe.run(document, { resultTypes: ['violations'] }));
  const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  const report = bad.map((v) => `${v.impact} ${v.id}: ${v.help}\n  ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join('\n  ')}`).join('\n');
  assert.equal(bad.length, 0, `accessibility violations on ${what} (${page.url()}):\n${report}`);
}

/** A full-page screenshot as docs/screenshots/<name>-<lang>.png. */
export async function screenshot(page, name, lang) {
  const dir = join(ROOT, 'docs', 'screenshots');
  mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: join(dir, `${name}-${lang}.png`), fullPage: true });
}

/** The JSON API as a demo user (bearer token). */
export async function api(login, password = `${login}-demo`) {
  const r = await fetch(`${BASE}/api/v1/auth/login`, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ login, password }),
  });
  assert.equal(r.status, 200, `API login as ${login}`);
  const { token } = await r.json();
  const call = async (method, path, body) => {
    const res = await fetch(`${BASE}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    let json = null;
    try { json = JSON.parse(text); } catch { /* not JSON */ }
    return { status: res.status, json, text };
  };
  return {
    token,
    get: (p) => call('GET', p),
    post: (p, b) => call('POST', p, b ?? {}),
  };
}

/** The text of the element matching `selector`, trimmed. */
export async function text(page, selector) {
  return (await page.locator(selector).first().innerText()).trim();
}
