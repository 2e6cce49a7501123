// The clinic registrar's day in the browser (R-000-51, R-002-55, G-16): an appointment booked
// on the portal (through the API here, signed with `ruqsat sign`) is on the registrar's day
// under its doctor and is marked attended; the registrar books another for a person at the
// desk (Astana takes no telephone requests) with the choice of a free slot and signs it in
// the browser, moves it to another slot, then cancels it. Each list is also a CSV file.
//
// The demo server runs on the real clock: the first free slot from now on is used, and the
// day page is opened at that slot's date (today when the clinic still has time today).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, newPage, signIn, useLang, checkA11y, screenshot, text, api, demoP12, ruqsat, BASE } from './lib.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const CLINIC = 'astana-polyclinic-1';
const row = (page, number) => page.locator(`tr[data-number="${number}"]`);
const rowState = (page, number) => row(page, number).locator('[data-state]').getAttribute('data-state');

test('the registrar marks a portal appointment attended and books, moves and cancels one at the desk', async () => {
  // Әйгерім books the first free slot of the district therapist on the portal.
  const aigerim = await api('aigerim');
  const free = await aigerim.get(`/api/v1/clinics/${CLINIC}/slots?doctor=ast1-therapist-1&days=14`);
  assert.equal(free.status, 200, free.text);
  const slot = free.json.slots[0];
  assert.ok(slot, 'a free slot within two weeks');
  const date = slot.start.slice(0, 10);
  const created = await aigerim.post('/api/v1/requests', {
    service: 'doctor-appointment', channel: 'portal',
    form: { clinic: CLINIC, doctor: 'ast1-therapist-1', slot_start: slot.start },
  });
  assert.equal(created.status, 201, created.text);
  const booked = created.json.number;
  assert.equal((await aigerim.post(`/api/v1/requests/${booked}/transitions`, { action: 'submit' })).status, 200);
  ruqsat(['sign', '--p12', demoP12('aigerim'), '--request', booked, '--server', BASE, '--login', 'aigerim']);
  assert.equal((await aigerim.get(`/api/v1/requests/${booked}`)).json.state, 'approved');

  // The registrar's day, at the slot's date: the appointment under its doctor.
  const page = await newPage(browser, 'kk');
  await signIn(page, 'registrar');
  assert.match(page.url(), /\/work\/clinic$/);
  await page.goto(`/work/clinic?date=${date}`);
  assert.equal(await row(page, booked).count(), 1);
  assert.equal(await page.locator('#doctor-ast1-therapist-1').count(), 1);
  assert.match(await row(page, booked).innerText(), new RegExp(slot.start.slice(11, 16)));
  assert.equal(await rowState(page, booked), 'approved');
  await checkA11y(page, 'clinic day');
  await screenshot(page, 'clinic-day', 'kk');

  // Attended (record_visit): the outcome is on the row.
  await Promise.all([page.waitForNavigation(), row(page, booked).locator('button[data-visit="attended"]').click()]);
  assert.equal(await row(page, booked).locator('.visit').getAttribute('data-visit'), 'attended');
  const csv = await page.request.get(`/work/clinic/appointments.csv?date=${date}`);
  assert.equal(csv.status(), 200);
  assert.match(csv.headers()['content-type'], /^text\/csv; charset=utf-8/);
  const body = await csv.body();
  assert.deepEqual([...body.subarray(0, 3)], [0xef, 0xbb, 0xbf]);
  const lines = body.toString('utf8').split('\r\n');
  assert.ok(lines.some((l) => l.includes(booked) && l.includes('Нұрланова')), lines.join('\n'));
  const calls = await page.request.get(`/work/clinic/home-calls.csv?date=${date}`);
  assert.equal(calls.status(), 200);

  // A person at the desk: found by IIN (the registry's name said back), a doctor, a free
  // slot of that day, booked and signed by the registrar in the browser (R-000-40..46).
  await Promise.all([page.waitForNavigation(), page.click('#call-link')]);
  assert.equal(await page.evaluate(() => document.activeElement && document.activeElement.id), 'iin');
  await page.keyboard.type('850305401237');
  await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
  assert.match(await text(page, '#caller-name'), /Нұрланова/);
  await page.selectOption('#doctor', 'ast1-therapist-2');
  await page.fill('#date', date);
  await Promise.all([page.waitForNavigation(), page.click('#show-slots')]);
  const options = await page.locator('#slot option').evaluateAll((xs) => xs.map((x) => x.value));
  assert.ok(options.length >= 2, `free slots on ${date}: ${options}`);
  await checkA11y(page, 'appointment for a caller');
  await page.selectOption('#slot', options[0]);
  await page.fill('#phone', '+7 701 111 22 33');
  await Promise.all([page.waitForURL(/\/work\/clinic\/requests\/APT-\d{4}-\d{6}\/sign$/), page.click('#book')]);
  const desk = page.url().match(/APT-\d{4}-\d{6}/)[0];
  await page.setInputFiles('#p12', demoP12('registrar'));
  await page.fill('#p12-password', 'ruqsat-demo');
  await Promise.all([page.waitForURL(new RegExp(`/work/clinic\\?date=${date}(#r-${desk})?$`)), page.click('[data-role=sign-in-browser]')]);
  assert.equal(await rowState(page, desk), 'approved');
  assert.equal(await page.locator('#doctor-ast1-therapist-2').count(), 1);

  // Moved to another free slot of the same doctor (reschedule), then called off (cancel).
  await Promise.all([page.waitForNavigation(), row(page, desk).locator('[data-role=reschedule]').click()]);
  await checkA11y(page, 'reschedule');
  const later = await page.locator('#slot_start option').evaluateAll((xs) => xs.map((x) => x.value));
  const target = later.find((v) => v !== options[0]);
  await page.selectOption('#slot_start', target);
  await Promise.all([page.waitForNavigation(), page.click('#reschedule-form button[type=submit]')]);
  assert.match(await row(page, desk).innerText(), new RegExp(target.slice(11, 16)));
  assert.equal((await aigerim.get(`/api/v1/requests/${desk}`)).json.form.slot_start.slice(0, 16), target.slice(0, 16));
  await Promise.all([page.waitForNavigation(), row(page, desk).locator('[data-role=cancel]').click()]);
  // The slot is free again: the day lists active bookings only.
  assert.equal(await row(page, desk).count(), 0);
  assert.equal((await aigerim.get(`/api/v1/requests/${desk}`)).json.state, 'cancelled');

  await useLang(page, 'ru');
  await checkA11y(page, 'clinic day (ru)');
  await screenshot(page, 'clinic-day', 'ru');
  await useLang(page, 'kk');
  await page.context().close();
});

test('a registrar takes a home call by telephone, signs it, confirms the visit and marks it done', async () => {
  // Akmola takes requests by telephone and has no same-day cut-off (R-000-50, G-15), so
  // this runs at any hour.
  const page = await newPage(browser, 'kk');
  await signIn(page, 'registrar-kok');
  await page.goto('/work/clinic/call');
  await page.keyboard.type('540214311853');
  await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
  assert.match(await text(page, '#caller-name'), /Иванов/);
  assert.ok(await page.isChecked('#hc-channel-phone'), 'the telephone is offered first');
  assert.notEqual(await page.inputValue('#hc-visit_address'), '', 'the registry address is offered');
  // No symptoms, no telephone: each said at its field, what was typed kept.
  await page.fill('#hc-visit_address', 'Көкшетау қ., Абай к-сі 12, 7 пәтер');
  const [refused] = await Promise.all([page.waitForNavigation(), page.click('#home-call-button')]);
  assert.equal(refused.status(), 422);
  assert.equal(await page.getAttribute('#hc-symptoms', 'aria-invalid'), 'true');
  assert.equal(await page.getAttribute('#hc-phone', 'aria-invalid'), 'true');
  assert.equal(await page.inputValue('#hc-visit_address'), 'Көкшетау қ., Абай к-сі 12, 7 пәтер');
  await checkA11y(page, 'home call with problems');
  await page.fill('#hc-symptoms', 'Қызба 38,5');
  await page.fill('#hc-phone', '+7 701 111 22 33');
  await Promise.all([page.waitForURL(/\/work\/clinic\/requests\/HOM-\d{4}-\d{6}\/sign$/), page.click('#home-call-button')]);
  const number = page.url().match(/HOM-\d{4}-\d{6}/)[0];

  // Signed by the registrar in the browser: registered, on today's list of home calls.
  await page.setInputFiles('#p12', demoP12('registrar-kok'));
  await page.fill('#p12-password', 'ruqsat-demo');
  await Promise.all([page.waitForURL(new RegExp(`/work/clinic(#r-${number})?$`)), page.click('[data-role=sign-in-browser]')]);
  assert.equal(await rowState(page, number), 'registered');
  assert.match(await row(page, number).innerText(), /Абай к-сі 12/);

  // The doctor's arrival window confirms it (R-000-57), then the visit is done.
  await page.fill(`#tw-${number}`, '14:00–18:00');
  await Promise.all([page.waitForNavigation(), row(page, number).locator('form[action$="/confirm"] button').click()]);
  assert.equal(await rowState(page, number), 'approved');
  await Promise.all([page.waitForNavigation(), row(page, number).locator('button[data-visit="done"]').click()]);
  assert.equal(await row(page, number).locator('.visit').getAttribute('data-visit'), 'done');
  const v = (await (await api('registrar-kok')).get(`/api/v1/requests/${number}`)).json;
  assert.equal(v.channel, 'phone');
  assert.equal(v.form.symptoms, 'Қызба 38,5');
  await page.context().close();
});
