// The staff review workspace in the browser: the work queue of the employee's provider
// (filters, CSV, overdue), a request's page (form values, scans, signatures, history with
// names) and the steps taken on it. (a) A licence official reviews a medical licence, fills
// in the qualification checklist and approves; the applicant's e-licence verifies; the
// official suspends and resumes it in the registry. (b) Commission members record their
// opinions on a disabled-child support request and the desk employee refuses it with
// reasons. The requests are created as their applicants through the JSON API.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launch, newPage, signIn, kzDay, checkA11y, screenshot, screenshotBoth, text, api, samplePdf, demoP12, ruqsat, DATA_DIR, BASE } from './lib.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const state = (page) => page.getAttribute('#request-state [data-state]', 'data-state');

/** Attaches `doc` (a small PDF) to the draft `number` as the API user `who`. */
async function attach(who, number, doc) {
  const form = new FormData();
  form.append('doc_type', doc);
  form.append('file', new Blob([samplePdf(doc)], { type: 'application/pdf' }), `${doc}.pdf`);
  const r = await fetch(`${BASE}/api/v1/requests/${number}/attachments`, {
    method: 'POST', headers: { authorization: `Bearer ${who.token}` }, body: form,
  });
  assert.equal(r.status, 201, await r.text());
}

/** Signs the request as its applicant with their demo key, as `ruqsat sign` does. */
function sign(number, login) {
  const out = ruqsat(['sign', '--request', number, '--p12', demoP12(login), '--server', BASE, '--login', login]);
  assert.match(out, /registered/, out);
}

/** A medical licence request of the demo company, paid in the sandbox and signed. */
async function registeredLicence() {
  const med = await api('medcenter');
  const created = await med.post('/api/v1/requests', {
    service: 'med-licence', variant: 'issue', channel: 'portal', applicant: { kind: 'legal_entity' },
    form: {
      applicant_name: 'ТОО «Медицинский центр Ақжол»', legal_address: 'Ақтау қ., 14 шағын аудан, 5 үй',
      phone: '+7 729 250 00 00', activity_subkinds: ['primary-care', 'laboratory'],
      objects: 'Ақтау қ., 14 шағын аудан, 5 үй',
    },
  });
  assert.equal(created.status, 201, created.text);
  const number = created.json.number;
  for (const doc of ['application', 'staff-qualification', 'premises']) await attach(med, number, doc);
  assert.equal((await med.post(`/api/v1/requests/${number}/transitions`, { action: 'submit' })).status, 200);
  // The sandbox gateway's page: its form posts the link's key to `{page}/pay`.
  const pay = await med.post(`/api/v1/requests/${number}/payment`);
  assert.equal(pay.status, 200, pay.text);
  const [pageUrl, key] = pay.json.payment_page_url.split('?t=');
  const pressed = await fetch(`${pageUrl}/pay`, { method: 'POST', body: new URLSearchParams({ t: key }), redirect: 'manual' });
  assert.ok(pressed.status < 400, `sandbox pay: ${pressed.status}`);
  for (let i = 0; i < 80; i++) {
    if ((await med.get(`/api/v1/requests/${number}`)).json.state === 'paid') break;
    await new Promise((r) => setTimeout(r, 250));
  }
  assert.equal((await med.get(`/api/v1/requests/${number}`)).json.state, 'paid');
  sign(number, 'medcenter');
  return { med, number };
}

/** A disabled-child support request of Даулет, with its documents, submitted and signed. */
async function registeredSupport() {
  const daulet = await api('daulet');
  const created = await daulet.post('/api/v1/requests', {
    service: 'disabled-child-support', channel: 'portal',
    form: {
      applicant_name: 'Даулет Серікұлы Омаров', address: 'Шымкент қ., Тәуке хан даңғылы, 12',
      phone: '+7 701 555 12 34', email: 'daulet@example.kz', relationship: 'father',
      child_iin: '150606600013', child_name: 'Әлия Даулетқызы Омарова', child_birth_date: '2015-06-06',
      disability_group: 'child-under-16', disability_valid_until: kzDay(365),
      consultation_number: 'ППК-2026/114', consultation_date: kzDay(-60),
      bank_name: 'Halyk Bank', iban: 'KZ86125KZT5004100100', delivery: 'email',
    },
  });
  assert.equal(created.status, 201, created.text);
  const number = created.json.number;
  for (const doc of ['birth-certificate', 'residence', 'consultation-conclusion', 'disability-certificate', 'bank-account']) {
    await attach(daulet, number, doc);
  }
  assert.equal((await daulet.post(`/api/v1/requests/${number}/transitions`, { action: 'submit' })).status, 200);
  sign(number, 'daulet');
  return number;
}

/** Submits the form holding `selector` and waits for the page that answers. */
async function submit(page, selector) {
  const [res] = await Promise.all([page.waitForNavigation(), page.click(selector)]);
  return res;
}

test('an official works the queue, fills the checklist and approves a licence; the e-licence verifies', async () => {
  const { med, number } = await registeredLicence();

  // The official's start page is the queue of their department (mangystau-health).
  const page = await newPage(browser, 'kk');
  await signIn(page, 'official');
  assert.match(page.url(), /\/work\/queue$/);
  assert.equal(await page.locator(`tr[data-number="${number}"]`).count(), 1, 'the new request is queued');
  assert.match(await text(page, '#queue-total'), /\d/);
  await checkA11y(page, 'work queue (kk)');
  await screenshot(page, 'queue', 'kk');

  // Filters (GET form) keep to the queue; the CSV link carries them.
  await page.selectOption('#f-service', 'med-licence');
  await page.selectOption('#f-state', 'registered');
  await page.selectOption('#f-channel', 'portal');
  await submit(page, '#filter-apply');
  assert.match(page.url(), /service=med-licence/);
  assert.match(page.url(), /state=registered/);
  assert.equal(await page.locator(`tr[data-number="${number}"]`).count(), 1);
  for (const row of await page.locator('tbody tr [data-state]').all()) {
    assert.equal(await row.getAttribute('data-state'), 'registered');
  }
  const csvHref = await page.getAttribute('#queue-csv', 'href');
  assert.match(csvHref, /^\/work\/queue\.csv\?service=med-licence&state=registered&channel=portal$/);
  const csv = await page.request.get(csvHref);
  assert.equal(csv.status(), 200);
  assert.equal(csv.headers()['content-type'], 'text/csv; charset=utf-8');
  const csvBytes = await csv.body();
  assert.deepEqual([...csvBytes.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'UTF-8 BOM for Excel');
  const csvText = csvBytes.toString('utf8').slice(1);
  assert.equal(csvText.split('\r\n')[0].split(';').length, 7, 'the columns of the page');
  assert.ok(csvText.includes(`${number};`), 'the request is in the CSV');
  assert.ok(csvText.includes('"ТОО «Медицинский центр Ақжол»"') || csvText.includes('ТОО «Медицинский центр Ақжол»'));

  // The request's page: form values with the catalog's labels, scans, the signature.
  await submit(page, `tr[data-number="${number}"] a`);
  assert.equal(await state(page), 'registered');
  assert.match(await text(page, '#form-values'), /Медициналық-санитариялық алғашқы көмек/);
  assert.equal(await page.locator('#attachments li').count(), 3);
  const scan = await page.getAttribute('#attachments li[data-doc-type="premises"] a', 'href');
  const inline = await page.request.get(scan);
  assert.equal(inline.status(), 200);
  assert.equal(inline.headers()['content-type'], 'application/pdf');
  assert.match(inline.headers()['content-disposition'], /^inline;/);
  // Opened from the page, the scan shows in the browser's PDF viewer (no download).
  const viewer = await page.context().newPage();
  let downloaded = false;
  viewer.on('download', () => { downloaded = true; });
  await viewer.goto(scan);
  for (let i = 0; i < 40 && !viewer.frames().some((f) => f.url().startsWith('chrome-extension://')); i++) {
    await viewer.waitForTimeout(100);
  }
  assert.ok(viewer.frames().some((f) => f.url().startsWith('chrome-extension://')), 'the PDF viewer shows the scan');
  assert.ok(!downloaded);
  await viewer.close();
  assert.match(await text(page, '#signatures'), /050340001235/, 'the BIN of the signing certificate');
  assert.match(await text(page, '#signatures'), /Ерлан Маратович Жұмабаев/);
  await checkA11y(page, 'request page (kk)');
  await screenshot(page, 'review', 'kk');

  // Review: start, then the checklist (R-003-30): an item not met needs its reason, shown
  // next to the checklist; then every item met.
  await submit(page, '#start-review');
  assert.equal(await state(page), 'under_review');
  const items = await page.locator('#checklist fieldset.item').evaluateAll((els) => els.map((e) => e.dataset.item));
  assert.deepEqual(items.sort(), ['lab-equipment', 'premises', 'qualified-staff', 'sanitary-conclusion']);
  for (const item of items) await page.check(`#met-${item}-yes`);
  await page.check('#met-lab-equipment-no');
  const refused = await submit(page, '#assess-button');
  assert.equal(refused.status(), 422);
  assert.match(await text(page, '#checklist-error'), /себеб/i);
  assert.equal(await page.getAttribute('#comment-lab-equipment', 'aria-invalid'), 'true');
  assert.ok(await page.isChecked('#met-lab-equipment-no'), 'what was marked is kept');
  await checkA11y(page, 'checklist with an error (kk)');
  await screenshot(page, 'checklist', 'kk');
  await page.check('#met-lab-equipment-yes');
  await submit(page, '#assess-button');
  assert.equal(await page.locator('#history li[data-action="assess"]').count(), 1);

  // Approve: the e-licence is issued, signed with the official's key.
  await submit(page, '#approve-button');
  assert.equal(await state(page), 'approved');
  const approved = page.locator('#history li[data-action="approve"]');
  assert.match(await approved.innerText(), /Бауыржан Оралұлы Тәжібаев/);
  assert.equal(await page.locator('#documents li[data-kind="licence"]').count(), 1);
  assert.match(await text(page, '#documents li[data-kind="licence"]'), /ТӘЖІБАЕВ|Тәжібаев/i);

  // The applicant downloads the e-licence through the API; ruqsat verify accepts it.
  const pdf = await fetch(`${BASE}/api/v1/requests/${number}/result.pdf`, { headers: { authorization: `Bearer ${med.token}` } });
  assert.equal(pdf.status, 200);
  const dir = mkdtempSync(join(tmpdir(), 'ruqsat-review-'));
  const file = join(dir, 'licence.pdf');
  writeFileSync(file, Buffer.from(await pdf.arrayBuffer()));
  const out = ruqsat(['verify', file, '--trust', join(DATA_DIR, 'pki', 'root-ca.pem'), '--server', BASE]);
  assert.match(out.trim().split('\n').pop(), /^VALID/, out);

  // The licence registry (R-003-07): a suspension needs its basis; then suspend and resume.
  const licence = '#documents li[data-kind="licence"]';
  await page.selectOption(`${licence} select`, 'suspend');
  const noBasis = await submit(page, `${licence} .registry-button`);
  assert.equal(noBasis.status(), 422);
  assert.equal(await page.locator(`${licence} textarea[aria-invalid="true"]`).count(), 1);
  await page.selectOption(`${licence} select`, 'suspend');
  await page.fill(`${licence} textarea`, 'Бұйрық №12, 01.12.2026');
  await submit(page, `${licence} .registry-button`);
  assert.equal(await page.getAttribute(licence, 'data-status'), 'suspended');
  assert.equal(await page.locator('#history li[data-action="document_suspend"]').count(), 1);
  await page.selectOption(`${licence} select`, 'resume');
  await page.fill(`${licence} textarea`, 'Бұйрық №13, 02.12.2026');
  await submit(page, `${licence} .registry-button`);
  assert.equal(await page.getAttribute(licence, 'data-status'), 'valid');
  await page.context().close();

  // The same pages in Russian (the browser's language; the official chose none).
  const ru = await newPage(browser, 'ru');
  await signIn(ru, 'official');
  assert.equal(await ru.getAttribute('html', 'lang'), 'ru');
  await ru.goto(`/work/requests/${number}`);
  assert.match(await text(ru, '#history li[data-action="approve"]'), /Положительное решение/);
  await checkA11y(ru, 'request page (ru)');
  await screenshot(ru, 'review', 'ru');
  await ru.goto('/work/queue');
  await checkA11y(ru, 'work queue (ru)');
  await screenshot(ru, 'queue', 'ru');
  // The checklist's problem in Russian: an item not met needs its reason (R-003-30).
  const { number: other } = await registeredLicence();
  await ru.goto(`/work/requests/${other}`);
  await submit(ru, '#start-review');
  const others = await ru.locator('#checklist fieldset.item').evaluateAll((els) => els.map((e) => e.dataset.item));
  for (const item of others) await ru.check(`#met-${item}-yes`);
  await ru.check('#met-lab-equipment-no');
  const refusedRu = await submit(ru, '#assess-button');
  assert.equal(refusedRu.status(), 422);
  assert.match(await text(ru, '#checklist-error'), /причин/i);
  await checkA11y(ru, 'checklist with an error (ru)');
  await screenshot(ru, 'checklist', 'ru');
  await ru.context().close();
});

test('commission members conclude and the desk employee refuses a support request with reasons', async () => {
  const number = await registeredSupport();

  // The desk employee takes it into review from the queue.
  const mio = await newPage(browser, 'ru');
  await signIn(mio, 'mio');
  assert.equal(await mio.locator(`tr[data-number="${number}"]`).count(), 1);
  await submit(mio, `tr[data-number="${number}"] a`);
  await submit(mio, '#start-review');
  assert.equal(await state(mio), 'under_review');
  assert.equal(await mio.getAttribute('#commission-conclusion', 'data-status'), 'pending');

  // A commission member records the opinion on the page: the grounds are required.
  const member = await newPage(browser, 'kk');
  await signIn(member, 'commission');
  assert.match(member.url(), /\/work\/queue$/);
  await member.goto(`/work/requests/${number}`);
  assert.equal(await member.locator('#refuse-form').count(), 0, 'a member does not decide');
  await member.check('#opinion-refuse');
  const empty = await submit(member, '#opinion-button');
  assert.equal(empty.status(), 422);
  assert.ok(await member.isVisible('#opinion-reason-error'));
  assert.ok(await member.isChecked('#opinion-refuse'), 'the opinion chosen is kept');
  await member.fill('#opinion-reason', 'ППК қорытындысы үйде оқытуды растамайды');
  await submit(member, '#opinion-button');
  assert.match(await text(member, '#history li[data-action="record_conclusion"]'), /Асқар Нұрұлы Қалиев/);
  await checkA11y(member, 'request page of a commission member (kk)');
  await screenshotBoth(member, 'commission');
  await member.context().close();

  // The second member through the API: the quorum of two is reached.
  const second = await api('commission2');
  const op = await second.post(`/api/v1/requests/${number}/transitions`,
    { action: 'record_conclusion', opinion: 'refuse', reason: 'Құжаттар толық емес' });
  assert.equal(op.status, 200, op.text);

  // The desk employee refuses: the reason is required and is shown next to its field.
  await mio.reload();
  assert.equal(await mio.getAttribute('#commission-conclusion', 'data-status'), 'formed');
  const noReason = await submit(mio, '#refuse-button');
  assert.equal(noReason.status(), 422);
  assert.equal(await mio.getAttribute('#refuse-reason', 'aria-invalid'), 'true');
  assert.match(await text(mio, '#refuse-reason-error'), /причин/i);
  await checkA11y(mio, 'refusal without a reason (ru)');
  await mio.fill('#refuse-reason', 'Заключение ППК не подтверждает обучение на дому\nЗаключение комиссии: отказать');
  await submit(mio, '#refuse-button');
  assert.equal(await state(mio), 'refused');
  const refusal = await text(mio, '#history li[data-action="refuse"]');
  assert.match(refusal, /Жанар Ғалымқызы Бекова/);
  assert.match(refusal, /Заключение ППК не подтверждает обучение на дому/);
  const opinions = await mio.locator('#history li[data-action="record_conclusion"]').allInnerTexts();
  assert.equal(opinions.length, 2);
  assert.match(opinions.join('\n'), /Асқар Нұрұлы Қалиев/);
  assert.match(opinions.join('\n'), /Гүлмира Сапарқызы Ержанова/);
  assert.equal(await mio.locator('#documents li[data-kind="support_refusal"]').count(), 1);
  await checkA11y(mio, 'refused support request (ru)');
  await screenshotBoth(mio, 'refusal');

  // Another provider's request is "not found" for this employee.
  const licence = (await (await api('medcenter')).get('/api/v1/requests?service=med-licence&limit=1')).json.items[0].number;
  const other = await mio.goto(`/work/requests/${licence}`);
  assert.equal(other.status(), 404);
  assert.equal(await mio.getAttribute('.alert.error', 'data-code'), 'REQUEST_NOT_FOUND');
  await mio.context().close();
});
