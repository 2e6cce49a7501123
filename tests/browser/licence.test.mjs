// The medical licence on the portal, end to end in the browser: an applicant
// applies, uploads the documents, pays in the sandbox gateway, signs in the browser with
// the demo .p12 (the key stays in the browser), and after the official's approval (through
// the API here; the official's workspace is the staff issue) downloads the e-licence PDF,
// which `ruqsat verify` accepts.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launch, newPage, signIn, checkA11y, screenshot, screenshotBoth, text, api, samplePdf, demoP12, ruqsat, DATA_DIR, BASE } from './lib.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const state = (page) => page.getAttribute('#request-state [data-state]', 'data-state');

test('an applicant gets a medical licence through the portal and the e-licence verifies', async () => {
  const page = await newPage(browser, 'kk');
  await signIn(page, 'medcenter');

  // The service page and its form (R-003-10, R-003-15).
  await page.goto('/services/med-licence');
  await Promise.all([page.waitForNavigation(), page.click('a.button.primary')]);
  await page.check('#variant-issue');
  await Promise.all([page.waitForNavigation(), page.click('main form button.primary')]);
  await checkA11y(page, 'licence form');
  await screenshot(page, 'licence-apply', 'kk');

  // A wrong phone is shown next to its field, in Kazakh, and what was typed is kept.
  await page.fill('#f-applicant_name', 'ТОО «Медицинский центр Ақжол»');
  await page.fill('#f-legal_address', 'Ақтау қ., 14 шағын аудан, 5 үй');
  await page.fill('#f-phone', '12');
  await page.check('#f-activity_subkinds-primary-care');
  await page.check('#f-activity_subkinds-laboratory');
  await page.fill('#f-objects', 'Ақтау қ., 14 шағын аудан, 5 үй');
  const [bad] = await Promise.all([page.waitForNavigation(), page.click('form.apply-form button[type=submit]')]);
  assert.equal(bad.status(), 422);
  assert.equal(await page.getAttribute('#f-phone', 'aria-invalid'), 'true');
  assert.match(await text(page, '#e-phone'), /өріс|мән/i);
  assert.equal(await page.inputValue('#f-applicant_name'), 'ТОО «Медицинский центр Ақжол»');
  assert.ok(await page.isChecked('#f-activity_subkinds-laboratory'));
  await checkA11y(page, 'licence form with an error');
  await page.fill('#f-phone', '+7 729 250 00 00');
  await Promise.all([page.waitForNavigation(), page.click('form.apply-form button[type=submit]')]);
  const number = (await text(page, 'h1')).match(/LIC-\d{4}-\d{6}/)[0];
  assert.equal(await state(page), 'draft');

  // Documents: the missing ones are listed until each is uploaded (R-003-10).
  assert.equal(await page.locator('#missing li').count(), 3);
  await checkA11y(page, 'draft request page');
  await screenshotBoth(page, 'licence-draft');
  for (const doc of ['application', 'staff-qualification', 'premises']) {
    await page.selectOption('#doc_type', doc);
    await page.setInputFiles('#file', { name: `${doc}.pdf`, mimeType: 'application/pdf', buffer: samplePdf(doc) });
    await Promise.all([page.waitForNavigation(), page.click('#upload-form button[type=submit]')]);
    assert.equal(await page.locator(`#attachments li[data-doc-type="${doc}"]`).count(), 1, `${doc} listed`);
  }
  assert.equal(await page.locator('#missing li').count(), 0);
  await Promise.all([page.waitForNavigation(), page.click('#submit-request')]);
  assert.equal(await state(page), 'submitted');

  // Payment in the sandbox gateway, back to the request (R-003-20, R-003-21).
  await Promise.all([page.waitForNavigation(), page.click('#pay-button')]);
  assert.match(page.url(), /\/pay\//);
  await Promise.all([page.waitForNavigation(), page.click('button[value="pay"]')]);
  assert.match(page.url(), new RegExp(`/requests/${number}$`));
  for (let i = 0; i < 20 && (await state(page)) !== 'paid'; i++) {
    await new Promise((r) => setTimeout(r, 250));
    await page.reload();
  }
  assert.equal(await state(page), 'paid');

  // Signing in the browser with the demo key (R-003-23..28).
  await Promise.all([page.waitForNavigation(), page.click('#sign-link')]);
  await checkA11y(page, 'sign page');
  await screenshotBoth(page, 'licence-sign');
  await page.setInputFiles('#p12', demoP12('medcenter'));
  await page.fill('#p12-password', 'ruqsat-demo');
  await Promise.all([page.waitForURL(new RegExp(`/requests/${number}$`)), page.click('[data-role=sign-in-browser]')]);
  assert.equal(await state(page), 'registered');
  assert.match(await text(page, '#request-due'), /\d\d\.\d\d\.\d{4}/);

  // The official decides (the staff pages are another issue): review, checklist, approve.
  const official = await api('official');
  assert.equal((await official.post(`/api/v1/requests/${number}/transitions`, { action: 'start_review' })).status, 200);
  const items = ['premises', 'sanitary-conclusion', 'qualified-staff', 'lab-equipment'];
  const assess = await official.post(`/api/v1/requests/${number}/transitions`,
    { action: 'assess', checklist: items.map((item) => ({ item, met: true })) });
  assert.equal(assess.status, 200, assess.text);
  assert.equal((await official.post(`/api/v1/requests/${number}/transitions`, { action: 'approve' })).status, 200);

  // The applicant sees the result and downloads the e-licence (R-003-32, R-003-55).
  await page.reload();
  assert.ok(['approved', 'result_delivered'].includes(await state(page)));
  const link = page.locator('#documents li[data-kind="licence"] a[download]');
  assert.equal(await link.count(), 1);
  await checkA11y(page, 'decided request page');
  await screenshot(page, 'licence-result', 'kk');
  const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
  const dir = mkdtempSync(join(tmpdir(), 'ruqsat-licence-'));
  const pdf = join(dir, 'licence.pdf');
  await download.saveAs(pdf);
  // Exits 0 only when the signature, the chain, revocation and the registry status hold.
  const out = ruqsat(['verify', pdf, '--trust', join(DATA_DIR, 'pki', 'root-ca.pem'), '--server', BASE]);
  assert.match(out.trim().split('\n').pop(), /^VALID/, out);

  // The same page in Russian.
  await page.click('.langs button[value="ru"]');
  await page.waitForLoadState();
  assert.equal(await page.getAttribute('html', 'lang'), 'ru');
  await screenshot(page, 'licence-result', 'ru');
  await page.goto('/services/med-licence/apply?variant=issue');
  assert.equal(await page.getAttribute('html', 'lang'), 'ru');
  await screenshot(page, 'licence-apply', 'ru');
  await page.goto(`/requests/${number}`);
  await page.click('.langs button[value="kk"]');
  await page.context().close();
  writeFileSync(join(dir, 'number.txt'), number);
});
