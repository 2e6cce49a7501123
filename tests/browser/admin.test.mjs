// The administrator's workspace in the browser: the yearly-data panel, accounts, a dead
// letter put back in the queue, the payment reconciliation and the quality report with its
// server-drawn chart; CSV exports; no other role gets in.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, newPage, signIn, checkA11y, screenshot, screenshotBoth, text, api, BASE } from './lib.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

async function deadLetter() {
  // A password-reset mail for Әйгерім: the harness's SMTP port is closed, so it dies.
  const r = await fetch(`${BASE}/api/v1/auth/password-reset`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ login: 'aigerim' }),
  });
  assert.ok(r.status < 300, `password reset: ${r.status}`);
  const admin = await api('admin');
  for (let i = 0; i < 40; i++) {
    const dead = (await admin.get('/api/v1/admin/outbox?status=dead')).json;
    if (dead.length) return dead[0].id;
    await new Promise((ok) => setTimeout(ok, 250));
  }
  throw new Error('no dead letter after 10 s');
}

for (const lang of ['kk', 'ru']) {
  test(`the administrator's start page and tools (${lang})`, async () => {
    const page = await newPage(browser, lang);
    await signIn(page, 'admin');
    assert.equal(new URL(page.url()).pathname, '/admin');
    assert.equal(await page.locator('#yearly tbody tr').count() >= 4, true);
    await checkA11y(page, `admin start (${lang})`);
    await screenshot(page, 'admin', lang);
    await page.goto('/admin/users');
    assert.equal(await page.locator('#users tr[data-login="official"]').count(), 1);
    await checkA11y(page, `admin users (${lang})`);
    await screenshot(page, 'admin-users', lang);
    await page.goto('/admin/payments');
    assert.match(await text(page, '#ledger-payments'), /^\d+$/);
    await checkA11y(page, `payment reconciliation (${lang})`);
    await page.context().close();
  });
}

test('an administrator puts a dead letter back in the queue', async () => {
  const id = await deadLetter();
  const page = await newPage(browser, 'kk');
  await signIn(page, 'admin');
  await page.goto('/admin/outbox?status=dead');
  const row = page.locator(`#outbox tr[data-id="${id}"]`);
  assert.equal(await row.getAttribute('data-status'), 'dead');
  const before = await row.getAttribute('data-next');
  await checkA11y(page, 'outbox');
  await screenshotBoth(page, 'admin-outbox');
  await Promise.all([page.waitForNavigation(), row.locator('button').click()]);
  assert.equal(await page.locator('#requeued').count(), 1);
  await page.goto('/admin/outbox');
  // Queued again now (the worker may already have tried it once more).
  assert.notEqual(await page.locator(`#outbox tr[data-id="${id}"]`).getAttribute('data-next'), before);
  // The CSV export lists it.
  const csv = await (await page.request.get('/admin/outbox.csv')).text();
  assert.ok(csv.startsWith('\ufeffid;kind;status'), csv.slice(0, 40));
  assert.ok(csv.includes(id));
  await page.context().close();
});

test('the quality report draws its chart on the server', async () => {
  const page = await newPage(browser, 'ru');
  await signIn(page, 'admin');
  await page.goto('/admin/quality');
  assert.equal(await page.locator('figure svg.chart[role="img"]').count(), 1);
  assert.ok(await page.locator('#quality tbody tr').count() >= 1);
  assert.match(await text(page, '#responses'), /\d+ ответ/);
  await checkA11y(page, 'quality report');
  await screenshotBoth(page, 'admin-quality');
  await page.goto('/admin/quality?from=2026-13-01');
  assert.equal(await page.getAttribute('.alert.error', 'data-code'), 'BAD_REQUEST');
  await page.context().close();
});

test('no other role opens the administrator\'s pages', async () => {
  const page = await newPage(browser, 'ru');
  await signIn(page, 'official');
  const res = await page.goto('/admin/users');
  assert.equal(res.status(), 403);
  assert.equal(await page.getAttribute('.alert.error', 'data-code'), 'FORBIDDEN');
  await page.context().close();
});
