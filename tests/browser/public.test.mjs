// The public pages in a real browser: a decided licence's verification page and the licence
// registry, in Kazakh and Russian, axe-core clean, phone-friendly and without JavaScript.
// The demo server starts with no licence, so one is issued first through the JSON API, as
// tests/api/common/licence.rs does: the demo company applies, pays on the sandbox gateway,
// signs with `ruqsat sign` and its PKCS#12 file, and the official approves.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { launch, newPage, checkA11y, screenshot, text, api, BASE, BIN, DATA_DIR } from './lib.mjs';

const HOLDER_BIN = '050340001235'; // the demo company (catalog/demo/users.toml)
const KIND = { kk: 'Медициналық қызметпен айналысуға арналған лицензия', ru: 'Лицензия на медицинскую деятельность' };
const VALID = { kk: 'Жарамды', ru: 'Действителен' };

let browser;
let licence; // { number, documentId, sha256 }

/** A minimal PDF, as the API tests attach (ruqsat::demo::sample_pdf). */
function samplePdf(tag) {
  return `%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n% ${tag}\ntrailer<</Root 1 0 R>>\n%%EOF\n`;
}

async function until(what, check, seconds = 20) {
  const end = Date.now() + seconds * 1000;
  for (;;) {
    const value = await check();
    if (value) return value;
    assert.ok(Date.now() < end, `timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Issues an e-licence to the demo company; returns its number, document id and hash. */
async function issueLicence() {
  const med = await api('medcenter');
  let r = await med.post('/api/v1/requests', {
    service: 'med-licence', variant: 'issue', channel: 'portal', applicant: { kind: 'legal_entity' },
    form: {
      applicant_name: 'ТОО «Медицинский центр Ақжол»',
      legal_address: 'Ақтау қ., 14 шағын аудан, 5 үй',
      phone: '+7 729 250 00 00',
      activity_subkinds: ['primary-care', 'laboratory'],
      objects: 'Ақтау қ., 14 шағын аудан, 5 үй',
    },
  });
  assert.equal(r.status, 201, r.text);
  const number = r.json.number;
  for (const doc of ['application', 'staff-qualification', 'premises']) {
    const form = new FormData();
    form.append('doc_type', doc);
    form.append('file', new Blob([samplePdf(doc)], { type: 'application/pdf' }), `${doc}.pdf`);
    const res = await fetch(`${BASE}/api/v1/requests/${number}/attachments`, {
      method: 'POST', headers: { authorization: `Bearer ${med.token}` }, body: form,
    });
    assert.equal(res.status, 201, await res.text());
  }
  r = await med.post(`/api/v1/requests/${number}/transitions`, { action: 'submit' });
  assert.equal(r.status, 200, r.text);

  // Pay on the sandbox gateway's page; only its signed callback marks the request paid.
  r = await med.post(`/api/v1/requests/${number}/payment`, {});
  assert.equal(r.status, 200, r.text);
  const [page, token] = r.json.payment_page_url.split('?t=');
  const paid = await fetch(`${page}/pay`, {
    method: 'POST', redirect: 'manual', body: new URLSearchParams({ t: token }),
  });
  assert.ok(paid.status < 400, `sandbox payment: ${paid.status}`);
  await until('the payment callback', async () => (await med.get(`/api/v1/requests/${number}`)).json.state === 'paid');

  // Sign as the company with its demo certificate (BIN), through the CLI; the CLI takes
  // every RUQSAT_* variable for a setting, so the test runner's own are left out.
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('RUQSAT_')));
  const sign = spawnSync(BIN, ['sign', '--request', number, '--p12', join(DATA_DIR, 'pki', 'users', 'medcenter.p12'),
    '--server', BASE, '--login', 'medcenter'], { encoding: 'utf8', env });
  assert.equal(sign.status, 0, `ruqsat sign: ${sign.stdout}\n${sign.stderr}`);

  // The official reviews, marks every qualification item met and approves.
  const official = await api('official');
  r = await official.post(`/api/v1/requests/${number}/transitions`, { action: 'start_review' });
  assert.equal(r.status, 200, r.text);
  const items = ['premises', 'sanitary-conclusion', 'qualified-staff', 'lab-equipment'];
  r = await official.post(`/api/v1/requests/${number}/transitions`,
    { action: 'assess', checklist: items.map((item) => ({ item, met: true })) });
  assert.equal(r.status, 200, r.text);
  r = await official.post(`/api/v1/requests/${number}/transitions`, { action: 'approve' });
  assert.equal(r.status, 200, r.text);

  const docs = (await med.get(`/api/v1/requests/${number}/documents`)).json;
  const doc = docs.find((d) => d.kind === 'licence');
  assert.ok(doc, `no licence among ${JSON.stringify(docs)}`);
  const found = await (await fetch(`${BASE}/api/v1/licences?holder=${HOLDER_BIN}`)).json();
  const entry = found.licences.find((l) => l.current_document.id === doc.id);
  assert.ok(entry, 'the licence is in the registry');
  return { number: entry.number, documentId: doc.id, sha256: doc.sha256 };
}

before(async () => {
  browser = await launch();
  licence = await issueLicence();
});
after(async () => { await browser?.close(); });

for (const lang of ['kk', 'ru']) {
  test(`a licence's verification page, in the visitor's language (${lang})`, async () => {
    const page = await newPage(browser, lang);
    const res = await page.goto(`/verify/${licence.documentId}`);
    assert.equal(res.status(), 200);
    assert.equal(res.headers()['cache-control'], 'no-store');
    assert.equal(await page.getAttribute('html', 'lang'), lang);
    assert.equal(await text(page, 'h1'), KIND[lang]);
    assert.equal(await page.getAttribute('#status', 'data-status'), 'valid');
    assert.equal(await text(page, '#status .doc-status-label'), VALID[lang]);
    assert.equal(await text(page, '#sha256'), licence.sha256);
    const body = await page.locator('main').innerText();
    for (const personal of [HOLDER_BIN, 'Ақжол', 'Жұмабаев']) {
      assert.ok(!body.includes(personal), `no holder data on the page: ${personal}`);
    }
    await checkA11y(page, `verification page (${lang})`);
    await screenshot(page, 'verify', lang);
    await page.context().close();
  });

  test(`the registry finds the licence by the holder's BIN (${lang})`, async () => {
    const page = await newPage(browser, lang);
    await page.goto('/registry');
    assert.equal(await page.getAttribute('html', 'lang'), lang);
    await checkA11y(page, `registry search (${lang})`);
    await page.fill('#holder', HOLDER_BIN);
    await Promise.all([page.waitForNavigation(), page.click('form:has(#holder) button[type=submit]')]);
    assert.match(page.url(), new RegExp(`/registry\\?holder=${HOLDER_BIN}$`));
    const card = page.locator(`article.licence[data-number="${licence.number}"]`);
    assert.equal(await card.count(), 1);
    assert.equal(await card.getAttribute('data-status'), 'valid');
    const shown = await card.innerText();
    assert.ok(shown.includes(KIND[lang]), shown);
    assert.ok(shown.includes(HOLDER_BIN), 'a company\'s BIN is public');
    assert.ok(shown.includes(VALID[lang]), shown);
    await checkA11y(page, `registry results (${lang})`);
    await screenshot(page, 'registry', lang);
    // The card leads to the document's verification page.
    await Promise.all([page.waitForNavigation(), card.locator('a.verify-link').click()]);
    assert.equal(new URL(page.url()).pathname, `/verify/${licence.documentId}`);
    await page.context().close();
  });
}

test('a wrong BIN is refused at its field, in the user\'s language', async () => {
  const page = await newPage(browser, 'kk');
  await page.goto('/registry');
  await page.fill('#holder', '050340001236');
  const [res] = await Promise.all([page.waitForNavigation(), page.click('form:has(#holder) button[type=submit]')]);
  assert.equal(res.status(), 422);
  assert.equal(await page.getAttribute('#holder-error', 'data-code'), 'BIN_CHECKSUM');
  assert.equal(await text(page, '#holder-error'), 'БСН қате: бақылау разряды сәйкес келмейді');
  assert.equal(await page.getAttribute('#holder', 'aria-invalid'), 'true');
  assert.match(await page.getAttribute('#holder', 'aria-describedby'), /holder-error/);
  assert.equal(await page.inputValue('#holder'), '050340001236');
  await checkA11y(page, 'registry with a field error');
  await page.context().close();
});

test('a document id or the QR link typed on /verify leads to the page; an unknown one is a 404 page', async () => {
  const page = await newPage(browser, 'ru');
  await page.goto('/verify');
  await checkA11y(page, 'verification form');
  await page.fill('#verify-id', `${BASE}/verify/${licence.documentId}`);
  await Promise.all([page.waitForNavigation(), page.click('form[action="/verify"] button[type=submit]')]);
  assert.equal(new URL(page.url()).pathname, `/verify/${licence.documentId}`);
  await page.fill('#verify-id', 'AAAAAAAAAAAAAAAAAAAAAA');
  const [res] = await Promise.all([page.waitForNavigation(), page.click('form[action="/verify"] button[type=submit]')]);
  assert.equal(res.status(), 404);
  assert.equal(await page.getAttribute('.alert.error', 'data-code'), 'DOCUMENT_NOT_FOUND');
  assert.match(await text(page, '.alert.error'), /^Документ не найден/);
  await checkA11y(page, 'unknown document');
  await page.context().close();
});

test('the public pages fit a phone', async () => {
  const page = await newPage(browser, 'kk', { viewport: { width: 360, height: 740 }, isMobile: true });
  for (const path of [`/verify/${licence.documentId}`, `/registry?holder=${HOLDER_BIN}`, '/registry?holder=050340001236', '/verify']) {
    await page.goto(path);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(overflow <= 0, `${path} scrolls sideways by ${overflow}px on a phone`);
  }
  await page.context().close();
});

test('the public pages work without JavaScript', async () => {
  const page = await newPage(browser, 'ru', { javaScriptEnabled: false });
  await page.goto('/registry');
  await page.fill('#number', licence.number.toLowerCase());
  await Promise.all([page.waitForNavigation(), page.click('form:has(#number) button[type=submit]')]);
  assert.equal(await page.locator(`article.licence[data-number="${licence.number}"]`).count(), 1);
  await page.goto('/verify');
  await page.fill('#verify-id', licence.documentId);
  await Promise.all([page.waitForNavigation(), page.click('form[action="/verify"] button[type=submit]')]);
  assert.equal(new URL(page.url()).pathname, `/verify/${licence.documentId}`);
  assert.equal(await page.getAttribute('#status', 'data-status'), 'valid');
  await page.context().close();
});
