// Booking a doctor's appointment on the portal (R-002-12, A-16): clinic → doctor →
// calendar of free slots, then the applicant's signature confirms it (R-000-04: no
// registrar action), the request page shows the doctor and the time, and cancelling frees
// the slot in the calendar again. Also the steps without JavaScript, on a phone's width, and
// the home-call and attachment forms naming a clinic from the register.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { launch, newPage, signIn, useLang, checkA11y, screenshot, screenshotBoth, text, DATA_DIR } from './lib.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const CLINIC = 'astana-polyclinic-1';

/** The calendar of `doctor` at the Astana polyclinic from `from` (YYYY-MM-DD). */
function calendarUrl(doctor, from) {
  return `/services/doctor-appointment/book?clinic=${CLINIC}&doctor=${doctor}${from ? `&from=${from}` : ''}`;
}

/** The first free slot of the second day that has any (never one about to start now). */
async function pickSlot(page) {
  const days = page.locator('fieldset.day:has(.slot input)');
  assert.ok(await days.count() >= 2, 'at least two days with free times in the calendar');
  const input = days.nth(1).locator('.slot input').first();
  const start = await input.getAttribute('value');
  const id = await input.getAttribute('id');
  const time = (await page.locator(`label[for="${id}"]`).innerText()).trim().split(/\s/).pop();
  await page.click(`label[for="${id}"]`);
  assert.ok(await input.isChecked(), 'the slot is chosen by its label');
  return { start, time, date: start.slice(0, 10) };
}

/** Signs the request in the browser with the user's demo key (RUQSAT_TEST_DATA_DIR). */
async function signInBrowser(page, login) {
  await Promise.all([page.waitForNavigation(), page.click('#sign-link')]);
  await page.waitForSelector('[data-role=sign-in-browser]:not([hidden])');
  await page.setInputFiles('#p12', join(DATA_DIR, 'pki', 'users', `${login}.p12`));
  await page.fill('#p12-password', 'ruqsat-demo');
  await Promise.all([
    page.waitForURL(/\/requests\/[A-Z]+-\d{4}-\d+$/, { timeout: 30000 }),
    page.click('[data-role=sign-in-browser]'),
  ]);
}

test('an applicant books a free slot from the calendar, signs, and cancelling frees the slot again', async () => {
  const page = await newPage(browser, 'kk');
  await signIn(page, 'aigerim');
  // From the service page: the apply button leads to the booking steps.
  await page.goto('/services/doctor-appointment');
  await Promise.all([page.waitForNavigation(), page.click('a.button.primary[href$="/apply"]')]);
  assert.match(new URL(page.url()).pathname, /\/services\/doctor-appointment\/book$/);

  // Step 1: the clinics of her region; hers chosen, another one refused by the register.
  assert.equal(await text(page, 'h1'), 'Дәрігерге жазылу');
  assert.ok(await page.isChecked(`#clinic-${CLINIC}`));
  assert.match(await text(page, `.choice[data-clinic="${CLINIC}"] label`), /сіз тіркелген емхана/);
  assert.ok(await page.isDisabled('#clinic-astana-polyclinic-4'), 'not attached there');
  assert.match(await text(page, '#clinic-astana-polyclinic-4-why'), /тіркелмегенсіз/);
  assert.equal(await page.locator('.choice[data-clinic^="kokshetau"]').count(), 0, 'another region is not listed');
  await checkA11y(page, 'booking: clinics');
  await screenshot(page, 'clinic-clinics', 'kk');
  await Promise.all([page.waitForNavigation(), page.click('#clinic-form button[type=submit]')]);

  // Step 2: the clinic's doctors.
  assert.match(await text(page, '#chosen-clinic'), /№1 қалалық емхана/);
  assert.ok(await page.locator('.choice[data-doctor]').count() >= 4);
  assert.match(await text(page, '.choice[data-doctor="ast1-therapist-1"] label'), /Ахметова Сәуле[\s\S]*101-кабинет/);
  await checkA11y(page, 'booking: doctors');
  await screenshot(page, 'clinic-doctors', 'kk');
  await page.check('#doctor-ast1-therapist-1');
  await Promise.all([page.waitForNavigation(), page.click('#doctor-form button[type=submit]')]);

  // Step 3: fourteen days of free times, grouped by day, each day named.
  assert.equal(await page.locator('fieldset.day').count(), 14);
  assert.match(await text(page, 'fieldset.day legend'), /^(Дүйсенбі|Сейсенбі|Сәрсенбі|Бейсенбі|Жұма|Сенбі|Жексенбі) \d\d\.\d\d\.\d{4}$/);
  assert.match(await text(page, 'fieldset.day.closed'), /Бос уақыт жоқ/, 'a day without free times says so');
  await checkA11y(page, 'booking: calendar');
  await screenshot(page, 'clinic-slots', 'kk');
  // Booking with no time chosen: the problem is shown at the calendar.
  const [refused] = await Promise.all([page.waitForNavigation(), page.click('#book-button')]);
  assert.equal(refused.status(), 422);
  assert.equal(await text(page, '#e-slot_start'), 'Күнтізбеден бос уақытты таңдаңыз.');
  const slot = await pickSlot(page);
  await page.fill('#f-phone', '+7 701 555 12 34');
  await Promise.all([page.waitForNavigation(), page.click('#book-button')]);

  // The request: submitted, the slot held, the doctor and the time shown.
  assert.match(page.url(), /\/requests\/APT-\d{4}-\d{6}#appointment$/);
  const number = new URL(page.url()).pathname.split('/').pop();
  assert.equal(await page.getAttribute('#request-state .state', 'data-state'), 'submitted');
  assert.equal(await text(page, '#appointment-doctor'), 'Ахметова Сәуле Қайратқызы, Учаскелік терапевт');
  assert.equal(await page.getAttribute('#appointment-time time', 'datetime'), slot.start);
  assert.match(await text(page, '#appointment-time'), new RegExp(`${slot.date.split('-').reverse().join('\\.')}, ${slot.time}–`));
  assert.equal(await text(page, '#appointment-cabinet'), '101');
  assert.match(await text(page, '#appointment-status'), /ЭЦҚ-мен қол қойыңыз/);
  // The slot is no longer offered.
  await page.goto(calendarUrl('ast1-therapist-1', slot.date));
  assert.equal(await page.locator(`.slot input[value="${slot.start}"]`).count(), 0, 'the held slot is not offered');

  // The signature registers the request and the system confirms it with the ticket.
  await page.goto(`/requests/${number}`);
  await signInBrowser(page, 'aigerim');
  assert.equal(await page.getAttribute('#request-state .state', 'data-state'), 'approved');
  assert.match(await text(page, '#appointment-status'), /Жазылу расталды/);
  assert.equal(await page.locator('#documents li[data-kind="appointment_ticket"]').count(), 1);
  assert.equal(await page.locator('#questionnaire-form').count(), 1, 'the questionnaire is offered once the ticket is issued');
  await checkA11y(page, 'booked appointment');
  await screenshot(page, 'clinic-appointment', 'kk');

  // Moving it to another free time of the same doctor (A-16): a new ticket, the first time
  // free again.
  await Promise.all([page.waitForNavigation(), page.click('#reschedule-link')]);
  assert.equal(await text(page, '#current-slot'), `${slot.date.split('-').reverse().join('.')} ${slot.time}`);
  assert.equal(await page.locator(`#slot_start option[value="${slot.start}"]`).count(), 0, 'her own time is not offered');
  await checkA11y(page, 'moving an appointment');
  await screenshotBoth(page, 'clinic-reschedule');
  const moved = await page.locator('#slot_start option').last().getAttribute('value');
  await page.selectOption('#slot_start', moved);
  await Promise.all([page.waitForNavigation(), page.click('#reschedule-button')]);
  assert.match(page.url(), new RegExp(`/requests/${number}#appointment$`));
  assert.equal(await page.getAttribute('#request-state .state', 'data-state'), 'approved');
  assert.equal(await page.getAttribute('#appointment-time time', 'datetime'), moved);
  assert.equal(await page.locator('.history li[data-action="reschedule"]').count(), 1);
  await page.goto(calendarUrl('ast1-therapist-1', slot.date));
  assert.equal(await page.locator(`.slot input[value="${slot.start}"]`).count(), 1, 'the first time is free again');
  await page.goto(`/requests/${number}`);

  // Cancelling: the request ends, the slot is free again.
  await page.click('#cancel-open');
  await page.fill('#cancel-reason', 'Келе алмаймын');
  await Promise.all([page.waitForNavigation(), page.click('#cancel-appointment')]);
  assert.equal(await page.getAttribute('#request-state .state', 'data-state'), 'cancelled');
  assert.equal(await text(page, '#appointment-status'), 'Жазылу болдырылмады, бұл уақыт қайтадан бос.');
  assert.equal(await page.locator('#cancel-appointment').count(), 0, 'nothing more to cancel');
  assert.match(await text(page, '.history li[data-action="cancel"]'), /Болдырылмады: .?Келе алмаймын/);
  await page.goto(calendarUrl('ast1-therapist-1', moved.slice(0, 10)));
  assert.equal(await page.locator(`.slot input[value="${moved}"]`).count(), 1, 'the slot is free again');
  await page.context().close();
});

test('the booking pages in Russian', async () => {
  const page = await newPage(browser, 'ru');
  await signIn(page, 'daulet');
  await page.goto('/services/doctor-appointment/book');
  assert.equal(await text(page, 'h1'), 'Запись на приём к врачу');
  await screenshot(page, 'clinic-clinics', 'ru');
  await page.goto(`/services/doctor-appointment/book?clinic=${CLINIC}`);
  await screenshot(page, 'clinic-doctors', 'ru');
  await page.goto(calendarUrl('ast1-therapist-2'));
  assert.match(await text(page, 'fieldset.calendar > legend'), /^Выберите время приёма: \d\d\.\d\d\.\d{4} – \d\d\.\d\d\.\d{4}$/);
  await checkA11y(page, 'booking: calendar (ru)');
  await screenshot(page, 'clinic-slots', 'ru');
  const slot = await pickSlot(page);
  await Promise.all([page.waitForNavigation(), page.click('#book-button')]);
  assert.equal(await text(page, '#appointment-doctor'), 'Иванова Ольга Петровна, Участковый терапевт');
  assert.equal(await page.getAttribute('#appointment-time time', 'datetime'), slot.start);
  await signInBrowser(page, 'daulet');
  assert.equal(await page.getAttribute('#request-state .state', 'data-state'), 'approved');
  await checkA11y(page, 'booked appointment (ru)');
  await screenshot(page, 'clinic-appointment', 'ru');
  // Another applicant cannot see it, nor cancel it.
  const number = new URL(page.url()).pathname.split('/').pop();
  const other = await newPage(browser, 'ru');
  await signIn(other, 'aigerim');
  const res = await other.goto(`/requests/${number}`);
  assert.equal(res.status(), 404);
  await other.context().close();
  // Back to Kazakh for the other tests.
  await useLang(page, 'kk');
  await page.context().close();
});

test('booking works without JavaScript and on a phone', async () => {
  const page = await newPage(browser, 'ru', { javaScriptEnabled: false, viewport: { width: 375, height: 740 } });
  await signIn(page, 'aigerim');
  await page.goto('/services/doctor-appointment/book');
  await Promise.all([page.waitForNavigation(), page.click('#clinic-form button[type=submit]')]);
  await page.check('#doctor-ast1-cardiologist-1');
  await Promise.all([page.waitForNavigation(), page.click('#doctor-form button[type=submit]')]);
  const wide = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(wide <= 375, `no sideways scrolling on a phone (${wide}px)`);
  // Later days: the calendar pages forward and back.
  const first = await page.getAttribute('fieldset.day', 'data-date');
  await Promise.all([page.waitForNavigation(), page.click('.calendar-nav a[rel=next]')]);
  const later = await page.getAttribute('fieldset.day', 'data-date');
  assert.ok(later > first, `${later} after ${first}`);
  await Promise.all([page.waitForNavigation(), page.click('.calendar-nav a[rel=prev]')]);
  assert.equal(await page.getAttribute('fieldset.day', 'data-date'), first);
  const slot = await pickSlot(page);
  await Promise.all([page.waitForNavigation(), page.click('#book-button')]);
  assert.equal(await page.getAttribute('#appointment-time time', 'datetime'), slot.start);
  assert.match(await text(page, '#appointment-doctor'), /^Жақсылықов Ерлан Бекұлы, /);
  // The cancel form is a <details>: it opens without JavaScript too.
  await page.click('#cancel-open');
  await Promise.all([page.waitForNavigation(), page.click('#cancel-appointment')]);
  assert.equal(await page.getAttribute('#request-state .state', 'data-state'), 'cancelled');
  await page.context().close();
});

test('the home-call and attachment forms name a clinic from the register', async () => {
  const page = await newPage(browser, 'kk');
  await signIn(page, 'aigerim');
  await page.goto('/services/doctor-home-call/apply');
  // Her clinic is chosen; another clinic would refuse her (not attached there).
  assert.equal(await page.inputValue('#f-provider'), CLINIC);
  assert.ok(await page.locator('#f-provider option[value="astana-polyclinic-4"][disabled]').count() === 1);
  assert.equal(await page.getAttribute('#f-symptoms', 'maxlength'), '1000');
  assert.equal(await page.evaluate(() => document.getElementById('f-symptoms').tagName), 'TEXTAREA');
  await checkA11y(page, 'home call form');
  await screenshotBoth(page, 'home-call-apply');
  await page.goto('/services/phc-attachment/apply');
  // Attaching again to her own clinic is refused; any other clinic, in any region, is open.
  assert.ok(await page.locator(`#f-provider option[value="${CLINIC}"][disabled]`).count() === 1);
  assert.ok(await page.locator('#f-provider optgroup').count() >= 3, 'clinics by region');
  // Where the region checks the address (G-14), the streets each open clinic serves.
  const streets = await page.locator('.territories').textContent();
  assert.match(streets, /№4 қалалық емхана.*: Тәуелсіздік, Республика/);
  assert.doesNotMatch(streets, /Бейбітшілік/, 'not the clinic she cannot attach to');
  await checkA11y(page, 'attachment form');
  await screenshotBoth(page, 'attachment-apply');
  await page.context().close();
});
