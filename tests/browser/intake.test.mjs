// Staff intake in the browser (R-004-12..24, R-003-45..55, G-38, G-47): a department's desk
// employee takes in a support request for Даулет, who came in person: the registry shows his
// name, the form, the five documents scanned with their originals seen and returned, the
// employee's own signature in the browser, the signed intake receipt, and, once decided, the
// result handed over with the recipient recorded. The ЦОН operator takes in a licence.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launch, newPage, signIn, useLang, fillSupportForm, SUPPORT_DOCUMENTS, checkA11y, screenshot, text, api, samplePdf, demoP12, ruqsat, DATA_DIR } from './lib.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const state = (page) => page.getAttribute('#request-state [data-state]', 'data-state');
const focused = (page) => page.evaluate(() => document.activeElement && document.activeElement.id);

test('a desk employee takes in a support request, signs it in the browser and prints the receipt', async () => {
  const page = await newPage(browser, 'kk');
  await signIn(page, 'mio');
  await page.goto('/work/intake');
  // Keyboard first: the IIN field has the focus, Enter finds.
  assert.equal(await focused(page), 'applicant');
  await checkA11y(page, 'intake start');
  await screenshot(page, 'intake', 'kk');
  // A wrong check digit is said at the field, what was typed kept.
  await page.keyboard.type('900712304568');
  await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
  assert.equal(await page.getAttribute('#applicant', 'aria-invalid'), 'true');
  assert.equal(await page.inputValue('#applicant'), '900712304568');
  await page.fill('#applicant', '900712304567');
  await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);

  // The registry's name, to confirm with the person (R-004-12).
  assert.match(await text(page, '#applicant-name'), /Омаров Даулет Серікұлы/);
  await checkA11y(page, 'applicant found');
  await page.check('input[name=offer][value="disabled-child-support|provider_desk"]');
  await Promise.all([page.waitForNavigation(), page.click('#offer-next')]);

  // The catalog's form, the registry's name and address already in it.
  assert.equal(await page.inputValue('#f-applicant_name'), 'Омаров Даулет Серікұлы');
  assert.match(await page.inputValue('#f-address'), /Шымкент/);
  assert.equal(await focused(page), 'f-phone');
  await fillSupportForm(page, 'by-hand');
  await checkA11y(page, 'intake form');
  await Promise.all([page.waitForNavigation(), page.click('#intake-form button[type=submit]')]);
  const number = (await text(page, 'h1')).match(/DCS-\d{4}-\d{6}/)[0];
  assert.match(page.url(), new RegExp(`/work/intake/${number}$`));
  assert.equal(await state(page), 'draft');

  // One screen: the five documents, each with its file and the originals' marks.
  assert.equal(await page.locator('#documents-form fieldset.doc').count(), 5);
  assert.equal(await page.locator('#missing li').count(), 5);
  await checkA11y(page, 'intake documents');
  await screenshot(page, 'intake-documents', 'kk');
  await useLang(page, 'ru');
  await checkA11y(page, 'intake documents (ru)');
  await screenshot(page, 'intake-documents', 'ru');
  await useLang(page, 'kk');

  // An original cannot be returned unless it was seen: said at its document, nothing kept.
  await page.setInputFiles('#file-birth-certificate', { name: 'birth-certificate.pdf', mimeType: 'application/pdf', buffer: samplePdf('birth-certificate') });
  await page.check('#returned-birth-certificate');
  const [refused] = await Promise.all([page.waitForNavigation(), page.click('#submit-documents')]);
  assert.equal(refused.status(), 422);
  assert.equal(await page.locator('#doc-error-birth-certificate').count(), 1);
  assert.equal(await page.locator('#missing li').count(), 5);

  for (const doc of SUPPORT_DOCUMENTS) {
    await page.setInputFiles(`#file-${doc}`, { name: `${doc}.pdf`, mimeType: 'application/pdf', buffer: samplePdf(doc) });
    await page.check(`#seen-${doc}`);
    await page.check(`#returned-${doc}`);
  }
  // Submitted at once (the receipt is issued), then the employee's own signature.
  await Promise.all([page.waitForURL(new RegExp(`/work/intake/${number}/sign$`)), page.click('#submit-documents')]);
  await checkA11y(page, 'intake sign page');
  await page.setInputFiles('#p12', demoP12('mio'));
  await page.fill('#p12-password', 'ruqsat-demo');
  await Promise.all([page.waitForURL(new RegExp(`/work/intake/${number}(#receipt)?$`)), page.click('[data-role=sign-in-browser]')]);
  assert.equal(await state(page), 'registered');
  assert.equal(await page.locator('#registered').count(), 1);
  assert.equal(await page.locator('#attachments li').count(), 5);
  await checkA11y(page, 'registered request');

  // The signed intake receipt (G-47): opened to print, downloaded, verified.
  const receipt = page.locator('#receipt li[data-kind="intake_receipt"]');
  assert.equal(await receipt.count(), 1);
  const open = await receipt.locator('a[data-role=open]').getAttribute('href');
  const shown = await page.request.get(open);
  assert.equal(shown.status(), 200);
  assert.match(shown.headers()['content-type'], /application\/pdf/);
  const [download] = await Promise.all([page.waitForEvent('download'), receipt.locator('a[data-role=download]').click()]);
  const dir = mkdtempSync(join(tmpdir(), 'ruqsat-intake-'));
  const pdf = join(dir, 'receipt.pdf');
  await download.saveAs(pdf);
  assert.equal(readFileSync(pdf).subarray(0, 5).toString('latin1'), '%PDF-');
  const out = ruqsat(['verify', pdf, '--trust', join(DATA_DIR, 'pki', 'root-ca.pem')]);
  assert.match(out.trim().split('\n').pop(), /^VALID/, out);

  // The commission concludes and the department decides (the review pages are another
  // workspace), then the result is handed over at the desk with the recipient recorded.
  const mio = await api('mio');
  const move = async (who, body) => {
    const r = await who.post(`/api/v1/requests/${number}/transitions`, body);
    assert.equal(r.status, 200, r.text);
  };
  await move(mio, { action: 'start_review' });
  for (const member of ['commission', 'commission2']) {
    await move(await api(member), { action: 'record_conclusion', opinion: 'grant', reason: 'Құжаттар толық' });
  }
  await move(mio, { action: 'approve', fields: { support_start: '01.12.2026', support_period: '01.12.2026 – 31.05.2027' } });
  await page.reload();
  assert.equal(await state(page), 'approved');
  assert.equal(await page.inputValue('#recipient-name'), 'Омаров Даулет Серікұлы');
  await checkA11y(page, 'hand-over form');
  // A wrong IIN is refused and the form kept.
  await page.fill('#recipient-iin', '900712304568');
  const [bad] = await Promise.all([page.waitForNavigation(), page.click('#handover-button')]);
  assert.equal(bad.status(), 422);
  assert.equal(await state(page), 'approved');
  assert.equal(await page.inputValue('#recipient-iin'), '900712304568');
  await page.fill('#recipient-iin', '900712304567');
  await Promise.all([page.waitForNavigation(), page.click('#handover-button')]);
  assert.equal(await state(page), 'result_delivered');
  assert.match(await text(page, '.history li[data-action="deliver"]'), /Омаров Даулет/);

  // The start page lists it, and its CSV has it with a byte-order mark.
  await page.goto('/work/intake');
  assert.equal(await page.locator(`#intake-list tr[data-number="${number}"]`).count(), 1);
  const csv = await page.request.get('/work/intake/requests.csv');
  assert.equal(csv.status(), 200);
  assert.match(csv.headers()['content-type'], /^text\/csv; charset=utf-8/);
  const body = await csv.body();
  assert.deepEqual([...body.subarray(0, 3)], [0xef, 0xbb, 0xbf]);
  assert.ok(body.toString('utf8').includes(number));
  await useLang(page, 'ru');
  assert.equal(await focused(page), 'applicant');
  await checkA11y(page, 'intake start (ru)');
  await screenshot(page, 'intake', 'ru');
  await useLang(page, 'kk');
  await page.context().close();
});

test('the ЦОН operator takes in a licence for a company and it waits for the payment', async () => {
  const page = await newPage(browser, 'ru');
  await signIn(page, 'operator');
  assert.match(page.url(), /\/work\/intake$/);
  await page.fill('#applicant', '050340001235');
  await page.check('#kind-legal_entity');
  await Promise.all([page.waitForNavigation(), page.click('#find-form button[type=submit]')]);
  assert.match(await text(page, '#applicant-name'), /\S/);
  // Only the services with a ЦОН channel are offered to the operator.
  const offers = await page.locator('input[name=offer]').evaluateAll((xs) => xs.map((x) => x.value));
  assert.deepEqual(offers, ['med-licence|con']);
  await Promise.all([page.waitForNavigation(), page.click('#offer-next')]);
  await page.check('#variant-issue');
  await Promise.all([page.waitForNavigation(), page.click('main form button.primary')]);
  assert.match(await page.inputValue('#f-applicant_name'), /\S/);
  await page.fill('#f-phone', '+7 729 250 00 00');
  await page.check('#f-activity_subkinds-primary-care');
  await page.fill('#f-objects', 'Ақтау қ., 14 шағын аудан, 5 үй');
  await Promise.all([page.waitForNavigation(), page.click('#intake-form button[type=submit]')]);
  const number = (await text(page, 'h1')).match(/LIC-\d{4}-\d{6}/)[0];
  for (const doc of ['application', 'staff-qualification', 'premises']) {
    await page.setInputFiles(`#file-${doc}`, { name: `${doc}.pdf`, mimeType: 'application/pdf', buffer: samplePdf(doc) });
    await page.check(`#seen-${doc}`);
    await page.check(`#returned-${doc}`);
  }
  await Promise.all([page.waitForNavigation(), page.click('#submit-documents')]);
  assert.match(page.url(), new RegExp(`/work/intake/${number}$`));
  assert.equal(await state(page), 'submitted');
  // A paid service: the payment comes before the signature (R-003-22); the receipt is issued.
  assert.equal(await page.locator('#pay-button').count(), 1);
  assert.equal(await page.locator('#sign-link').count(), 0);
  assert.equal(await page.locator('#receipt li[data-kind="intake_receipt"]').count(), 1);
  await checkA11y(page, 'ЦОН request awaiting payment');
  await page.context().close();
});
