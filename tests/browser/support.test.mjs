// Material support for a disabled child through the pages, end to end: the form
// with its problems shown at each field (R-004-29), the department chosen (R-004-02),
// delivery by e-mail (R-004-24), the five documents the portal asks for (R-004-06..10),
// submission, the consumer's signature in the browser (R-004-30..33) and registration
// (R-004-35). Then the department decides through the API (as its staff would), and the
// applicant reads the notifications (R-004-39, R-004-40) and answers the quality
// questionnaire (R-004-54, R-004-55).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { launch, newPage, signIn, useLang, fillSupportForm, SUPPORT_DOCUMENTS, checkA11y, screenshot, screenshotBoth, text, api, DATA_DIR } from './lib.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

/** A small PDF, as the demo's sample documents. */
function pdf(title) {
  return Buffer.from(`%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n% ${title}\ntrailer<</Root 1 0 R>>\n%%EOF\n`);
}

/** Fills the support form as Даулет, for his daughter. */
async function fillForm(page) {
  await page.selectOption('#f-provider', 'shymkent-employment');
  await page.fill('#f-applicant_name', 'Даулет Серікұлы Омаров');
  await page.fill('#f-address', 'Шымкент қ., Тәуке хан даңғылы, 12');
  await fillSupportForm(page, 'email');
}

let number;

test('an applicant applies for support on the pages: form, documents, submission, signature, registered', async () => {
  const page = await newPage(browser, 'kk');
  await signIn(page, 'daulet');
  await page.goto('/services/disabled-child-support');
  await Promise.all([page.waitForNavigation(), page.click('a.button.primary[href$="/apply"]')]);
  assert.match(new URL(page.url()).pathname, /\/services\/disabled-child-support\/apply$/);
  // The department that decides is chosen (R-004-02); the e-mail says when it is needed.
  assert.ok(await page.locator('#f-provider option').count() >= 4);
  assert.match(await text(page, '#c-email'), /«Нәтижені алу тәсілі».*«Электрондық пошта арқылы».*міндетті/);
  await checkA11y(page, 'support form');
  await screenshot(page, 'support-apply', 'kk');

  // Wrong and missing answers: each field shows its own problem, what was typed stays.
  await fillForm(page);
  await page.fill('#f-child_iin', '150606600012');
  await page.fill('#f-iban', 'KZ00');
  await page.fill('#f-email', '');
  const [refused] = await Promise.all([page.waitForNavigation(), page.click('.apply-form button[type=submit]')]);
  assert.equal(refused.status(), 422);
  for (const f of ['child_iin', 'iban', 'email']) {
    assert.equal(await page.getAttribute(`#f-${f}`, 'aria-invalid'), 'true', f);
    assert.ok((await text(page, `#e-${f}`)).length > 0, `${f} says what is wrong`);
  }
  assert.equal(await text(page, '#e-email'), 'Осы өрісті толтырыңыз.');
  assert.equal(await text(page, '#e-child_iin'), 'ЖСН қате: бақылау разряды сәйкес келмейді', 'the IIN says what is wrong');
  assert.equal(await page.locator('.alert.error li').count(), 3);
  assert.equal(await page.inputValue('#f-child_name'), 'Әлия Даулетқызы Омарова', 'typed values kept');
  assert.equal(await page.inputValue('#f-provider'), 'shymkent-employment');
  await checkA11y(page, 'support form with errors');
  await screenshot(page, 'support-apply-errors', 'kk');

  await fillForm(page);
  await Promise.all([page.waitForNavigation(), page.click('.apply-form button[type=submit]')]);
  assert.match(page.url(), /\/requests\/DCS-\d{4}-\d{6}$/);
  number = new URL(page.url()).pathname.split('/').pop();
  assert.equal(await page.getAttribute('#request-state .state', 'data-state'), 'draft');

  // The documents the portal asks for: all five missing, submission waits for them.
  const missing = await page.locator('#missing li').evaluateAll((els) => els.map((e) => e.dataset.doc));
  assert.deepEqual(missing.sort(), [...SUPPORT_DOCUMENTS].sort());
  assert.equal(await page.locator('#submit-request').count(), 0, 'no submission with documents missing');
  assert.match(await text(page, '#submit-blocked'), /жетіспейтін құжаттарды/);
  await checkA11y(page, 'support draft');
  await screenshot(page, 'support-documents', 'kk');
  for (const [i, doc] of SUPPORT_DOCUMENTS.entries()) {
    await page.selectOption('#doc_type', doc);
    await page.setInputFiles('#file', { name: `${doc}.pdf`, mimeType: 'application/pdf', buffer: pdf(doc) });
    await Promise.all([page.waitForNavigation(), page.click('#upload-form button[type=submit]')]);
    assert.equal(await page.locator('#attachments li').count(), i + 1);
  }
  assert.equal(await page.locator('#missing li').count(), 0);
  assert.equal(await page.getAttribute('#missing', 'class'), 'alert ok');

  // Submit, then sign in the browser with his own key: registered, with a term.
  await Promise.all([page.waitForNavigation(), page.click('#submit-request')]);
  assert.equal(await page.getAttribute('#request-state .state', 'data-state'), 'submitted');
  await Promise.all([page.waitForNavigation(), page.click('#sign-link')]);
  await page.waitForSelector('[data-role=sign-in-browser]:not([hidden])');
  await checkA11y(page, 'sign page');
  await page.setInputFiles('#p12', join(DATA_DIR, 'pki', 'users', 'daulet.p12'));
  await page.fill('#p12-password', 'ruqsat-demo');
  await Promise.all([
    page.waitForURL(new RegExp(`/requests/${number}$`), { timeout: 30000 }),
    page.click('[data-role=sign-in-browser]'),
  ]);
  assert.equal(await page.getAttribute('#request-state .state', 'data-state'), 'registered');
  assert.equal(await text(page, '#request-state'), 'Тіркелді');
  assert.match(await text(page, '#request-due'), /^\d\d\.\d\d\.\d{4} \d\d:\d\d$/);
  const actions = await page.locator('.history li').evaluateAll((els) => els.map((e) => e.dataset.action));
  assert.deepEqual(actions.slice(-3), ['submit', 'sign', 'register']);
  await checkA11y(page, 'registered request');
  await screenshotBoth(page, 'support-registered');
  await page.context().close();
});

test('the support form and a draft in Russian', async () => {
  const page = await newPage(browser, 'ru');
  await signIn(page, 'daulet');
  await page.goto('/services/disabled-child-support/apply');
  assert.match(await text(page, '#c-email'), /Обязательно, если в поле «Способ получения результата» выбрано «По электронной почте»/);
  await screenshot(page, 'support-apply', 'ru');
  // The problems in Russian, each at its field.
  await fillForm(page);
  await page.fill('#f-child_iin', '150606600012');
  await page.fill('#f-iban', 'KZ00');
  const [refused] = await Promise.all([page.waitForNavigation(), page.click('.apply-form button[type=submit]')]);
  assert.equal(refused.status(), 422);
  assert.match(await text(page, '#e-child_iin'), /ИИН/);
  assert.equal(await page.locator('.alert.error li').count(), 2);
  await screenshot(page, 'support-apply-errors', 'ru');
  await fillForm(page);
  await Promise.all([page.waitForNavigation(), page.click('.apply-form button[type=submit]')]);
  assert.match(await text(page, '#missing'), /Осталось приложить 5 документов/);
  assert.match(await text(page, '#submit-blocked'), /приложите недостающие документы \(5\)/);
  await checkA11y(page, 'support draft (ru)');
  await screenshot(page, 'support-documents', 'ru');
  // The draft is not needed: withdrawn.
  await Promise.all([page.waitForNavigation(), page.click('form[action$="/withdraw"] button')]);
  assert.equal(await page.getAttribute('#request-state .state', 'data-state'), 'withdrawn');
  await useLang(page, 'kk');
  await page.context().close();
});

test('the department decides; the applicant reads the notifications and answers the questionnaire', async () => {
  assert.ok(number, 'the request of the first test');
  // The department's steps, as its staff take them (R-004-22, G-41, R-004-39, R-004-23).
  const mio = await api('mio');
  let r = await mio.post(`/api/v1/requests/${number}/transitions`, { action: 'start_review' });
  assert.equal(r.status, 200, r.text);
  for (const member of ['commission', 'commission2']) {
    const c = await api(member);
    r = await c.post(`/api/v1/requests/${number}/transitions`, { action: 'record_conclusion', opinion: 'grant', reason: 'Негіздер бар' });
    assert.equal(r.status, 200, r.text);
  }
  const due = new Date(Date.now() + 30 * 86400 * 1000).toISOString();
  r = await mio.post(`/api/v1/requests/${number}/transitions`, { action: 'extend_deadline', reason: 'ГБД ФЛ сұрауы', new_due_at: due });
  assert.equal(r.status, 200, r.text);
  r = await mio.post(`/api/v1/requests/${number}/transitions`, {
    action: 'approve', fields: { support_start: '01.12.2026', support_period: '01.12.2026 – 31.05.2027' },
  });
  assert.equal(r.status, 200, r.text);

  const page = await newPage(browser, 'kk');
  await signIn(page, 'daulet');
  // The notifications, newest first: the result, the extension, each status change.
  await page.goto('/notifications');
  assert.equal(await text(page, 'h1'), 'Хабарламалар');
  const mine = page.locator(`li.notification[data-request="${number}"]`);
  const kinds = await mine.evaluateAll((els) => els.map((e) => e.dataset.kind));
  assert.equal(kinds[0], 'result_ready', `newest first: ${kinds}`);
  assert.ok(kinds.includes('deadline_extended') && kinds.includes('status_changed'), `${kinds}`);
  assert.match(await text(page, `li.notification[data-request="${number}"][data-kind="deadline_extended"] .message`), /мерзімі .* дейін ұзартылды\. Себебі: ГБД ФЛ сұрауы/);
  assert.ok(await page.locator('li.notification.unread').count() >= kinds.length, 'unread marked');
  assert.match(await text(page, '#unread-count'), /^Оқылмаған хабарламалар: \d+$/);
  // The navigation counts them on every page.
  const unread = await page.locator('li.notification.unread').count();
  assert.equal(await page.getAttribute('#unread-badge', 'data-count'), String(unread));
  assert.equal(await text(page, '#unread-badge .visually-hidden'), `${unread} оқылмаған`);
  await checkA11y(page, 'notifications');
  await screenshot(page, 'notifications', 'kk');
  await useLang(page, 'ru');
  assert.match(await text(page, '#unread-count'), /непрочитанн/);
  await screenshot(page, 'notifications', 'ru');
  await useLang(page, 'kk');
  // Opening one marks that one read and shows its request.
  await Promise.all([page.waitForNavigation(), page.locator(`li.notification.unread[data-request="${number}"] button[data-role=open]`).first().click()]);
  assert.equal(new URL(page.url()).pathname, `/requests/${number}`);
  assert.equal(await page.getAttribute('#unread-badge', 'data-count'), String(unread - 1));
  await page.goto('/notifications');
  assert.equal(await page.locator('li.notification.unread').count(), unread - 1);
  await Promise.all([page.waitForNavigation(), page.click('#mark-all-read')]);
  assert.equal(await page.locator('li.notification.unread').count(), 0);
  assert.equal(await text(page, '#unread-count'), 'Барлық хабарлама оқылды.');
  assert.equal(await page.locator('#mark-all-read').count(), 0);
  assert.equal(await page.locator('#unread-badge').count(), 0, 'no count once all are read');

  // The request: the decision and the questionnaire. The result's notification names the
  // document, and each status change names its state as the request's history does.
  const result = await text(page, `li.notification[data-request="${number}"][data-kind="result_ready"] .message`);
  const changes = await page.locator(`li.notification[data-request="${number}"][data-kind="status_changed"] .message`).allInnerTexts();
  await Promise.all([page.waitForNavigation(), page.click(`li.notification[data-request="${number}"][data-kind="result_ready"] a`)]);
  assert.match(await text(page, '#request-state .state'), /^Нәтиже (дайын|берілді)$/);
  const decision = await text(page, '#documents li[data-kind="support_decision"]');
  assert.ok(decision.startsWith(result.split(': ').pop()), `"${result}" names the document "${decision}"`);
  const history = await text(page, '.history');
  assert.ok(changes.length >= 2);
  for (const m of changes) assert.ok(history.includes(m.split(': ').pop()), `"${m}" in the history:\n${history}`);
  assert.equal(await page.locator('#documents li[data-kind="support_decision"]').count(), 1);
  assert.equal(await page.locator('#questionnaire fieldset.question').count(), 2);
  await checkA11y(page, 'questionnaire');
  await screenshot(page, 'questionnaire', 'kk');
  await useLang(page, 'ru');
  assert.equal(await text(page, '#questionnaire-title'), 'Оцените качество услуги');
  await screenshot(page, 'questionnaire', 'ru');
  await useLang(page, 'kk');
  // One question unanswered (the browser's own check set aside): the page says which.
  await page.check('#answer-process_and_result-satisfied');
  await page.$eval('#questionnaire-form', (f) => { f.noValidate = true; });
  const [refused] = await Promise.all([page.waitForNavigation(), page.click('#questionnaire-send')]);
  assert.equal(refused.status(), 422);
  assert.equal(await text(page, '#qe-information'), 'Жауаптың бірін таңдаңыз.');
  assert.equal(await page.locator('#qe-process_and_result').count(), 0);
  assert.ok(await page.isChecked('#answer-process_and_result-satisfied'), 'the answer given stays');
  await page.check('#answer-information-partly_satisfied');
  await Promise.all([page.waitForNavigation(), page.click('#questionnaire-send')]);
  assert.equal(await text(page, '#questionnaire-thanks'), 'Рақмет! Жауаптарыңыз қабылданды.');
  assert.equal(await page.getAttribute('dd[data-question="process_and_result"]', 'data-answer'), 'satisfied');
  assert.equal(await text(page, 'dd[data-question="information"]'), 'Ішінара қанағаттанамын');
  assert.equal(await page.locator('#questionnaire-form').count(), 0, 'answered once');
  await checkA11y(page, 'questionnaire answered');
  await screenshotBoth(page, 'questionnaire-answered');
  // The API sees the same answers.
  const daulet = await api('daulet');
  r = await daulet.get(`/api/v1/requests/${number}/questionnaire`);
  assert.deepEqual(r.json.answers, { information: 'partly_satisfied', process_and_result: 'satisfied' });
  await page.context().close();
});
