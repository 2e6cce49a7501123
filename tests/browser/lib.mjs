// Shared helpers of the browser tests: the browser, signing in, the accessibility check,
// screenshots and a small JSON API client (for the steps of other users, e.g. an official).
import { chromium } from 'playwright-core';
import { readFileSync, mkdirSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
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
  page.ruqsatLang = lang;
  return page;
}

/** Signs in through the sign-in page as a demo user and waits for the next page, which is
 * then in the page's language (`newPage`): a language another test chose for the account
 * is switched back. `keepLang` leaves the account's choice as it is. */
export async function signIn(page, login, { password = `${login}-demo`, keepLang = false } = {}) {
  await page.goto('/login');
  await page.fill('#login', login);
  await page.fill('#password', password);
  await Promise.all([page.waitForNavigation(), page.click('form[action="/login"] button[type=submit]')]);
  assert.ok(!page.url().includes('/login'), `still on the sign-in page after signing in as ${login}`);
  if (!keepLang && page.ruqsatLang) await useLang(page, page.ruqsatLang);
}

/** Puts the signed-in user's pages in `lang` with the language switch. The choice belongs to
 * the account and outlives the test (the server is shared by every test file), so a test
 * that reads a staff member's messages sets their language first. */
export async function useLang(page, lang) {
  if ((await page.getAttribute('html', 'lang')) === lang) return;
  await Promise.all([page.waitForNavigation(), page.click(`.langs button[value="${lang}"]`)]);
  assert.equal(await page.getAttribute('html', 'lang'), lang);
}

/** Screenshots of the page as it is, in Kazakh and in Russian: the page's own language
 * first, then the other one through the language switch (which loads the page again by
 * GET), then back. For pages reached by GET only, not a form's answer. */
export async function screenshotBoth(page, name) {
  const lang = await page.getAttribute('html', 'lang');
  const other = lang === 'kk' ? 'ru' : 'kk';
  await screenshot(page, name, lang);
  await useLang(page, other);
  await screenshot(page, name, other);
  await useLang(page, lang);
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

/** A small valid one-page PDF (for uploads), with `text` in its content stream. */
export function samplePdf(text = 'Ruqsat test document') {
  const objs = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
    null,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
  ];
  const stream = `BT /F1 14 Tf 72 770 Td (${text.replace(/[()\\]/g, '')}) Tj ET`;
  objs[3] = `<< /Length ${stream.length} >>\nstream\n${stream}\nendstream`;
  let out = '%PDF-1.4\n';
  const offsets = [];
  objs.forEach((o, i) => { offsets.push(out.length); out += `${i + 1} 0 obj\n${o}\nendobj\n`; });
  const xref = out.length;
  out += `xref\n0 ${objs.length + 1}\n0000000000 65535 f \n`;
  for (const off of offsets) out += `${String(off).padStart(10, '0')} 00000 n \n`;
  out += `trailer\n<< /Size ${objs.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}

/** The demo PKCS#12 file of a demo user (written by the server's demo PKI). */
export function demoP12(login) {
  return join(DATA_DIR, 'pki', 'users', `${login}.p12`);
}

/** Runs the ruqsat binary (as a user would: without this harness's RUQSAT_* variables,
 *  which the binary refuses as unknown settings); returns its standard output. */
export function ruqsat(args) {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('RUQSAT_')));
  return execFileSync(BIN, args, { encoding: 'utf8', env });
}

/** A date `days` from today in Kazakhstan (UTC+5), as YYYY-MM-DD. */
export function kzDay(days) {
  return new Date(Date.now() + 5 * 3600e3 + days * 86400e3).toISOString().slice(0, 10);
}

/** The documents the disabled-child support request needs. */
export const SUPPORT_DOCUMENTS = ['birth-certificate', 'residence', 'consultation-conclusion', 'disability-certificate', 'bank-account'];

/** Fills the disabled-child support form's own fields as Даулет, for his daughter Әлия
 * (the applicant's name, address and provider are the caller's): the result `delivery`,
 * with the e-mail address when it is `email`. */
export async function fillSupportForm(page, delivery) {
  await page.fill('#f-phone', '+7 701 555 12 34');
  await page.selectOption('#f-relationship', 'father');
  await page.fill('#f-child_iin', '150606600013');
  await page.fill('#f-child_name', 'Әлия Даулетқызы Омарова');
  await page.fill('#f-child_birth_date', '2015-06-06');
  await page.selectOption('#f-disability_group', 'child-under-16');
  await page.fill('#f-disability_valid_until', kzDay(365));
  await page.fill('#f-consultation_number', 'ППК-2026/114');
  await page.fill('#f-consultation_date', kzDay(-60));
  await page.fill('#f-bank_name', 'Halyk Bank');
  await page.fill('#f-iban', 'KZ86125KZT5004100100');
  await page.selectOption('#f-delivery', delivery);
  if (delivery === 'email') await page.fill('#f-email', 'daulet@example.kz');
}
