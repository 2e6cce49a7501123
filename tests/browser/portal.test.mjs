// The portal's foundation in a real browser: sign-in with the demo users listed, the
// language (browser first, then the switch, remembered), the catalog, errors as pages,
// pages without JavaScript, and axe-core on each page.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, newPage, signIn, checkA11y, screenshot, screenshotBoth, text, BASE } from './lib.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

for (const lang of ['kk', 'ru']) {
  test(`the sign-in page lists the demo users, in the browser's language (${lang})`, async () => {
    const page = await newPage(browser, lang);
    const res = await page.goto('/');
    assert.equal(res.status(), 200);
    assert.match(page.url(), /\/login$/);
    assert.equal(await page.getAttribute('html', 'lang'), lang);
    const heading = await text(page, 'h1');
    assert.equal(heading, lang === 'kk' ? 'Ruqsat жүйесіне кіру' : 'Вход в Ruqsat');
    for (const login of ['aigerim', 'official', 'operator', 'registrar', 'admin']) {
      assert.equal(await page.locator(`tr[data-login="${login}"]`).count(), 1, `demo user ${login} listed`);
    }
    assert.match(await text(page, 'tr[data-login="aigerim"]'), /aigerim-demo/);
    await checkA11y(page, `sign-in (${lang})`);
    await screenshot(page, 'login', lang);
    await page.context().close();
  });
}

test('a wrong password is refused on the page, in the user\'s language', async () => {
  const page = await newPage(browser, 'kk');
  await page.goto('/login');
  await page.fill('#login', 'aigerim');
  await page.fill('#password', 'not-the-password');
  const [res] = await Promise.all([page.waitForNavigation(), page.click('form[action="/login"] button[type=submit]')]);
  assert.equal(res.status(), 401);
  assert.equal(await page.getAttribute('.alert.error', 'data-code'), 'INVALID_CREDENTIALS');
  assert.equal(await text(page, '.alert.error'), 'Логин немесе құпиясөз қате.');
  assert.equal(await page.inputValue('#login'), 'aigerim');
  await checkA11y(page, 'sign-in with an error');
  await page.context().close();
});

test('the language switch changes every page and is remembered for the user', async () => {
  const page = await newPage(browser, 'kk');
  await signIn(page, 'daulet');
  assert.equal(await page.getAttribute('html', 'lang'), 'kk');
  await Promise.all([page.waitForNavigation(), page.click('.langs button[value="ru"]')]);
  assert.equal(await page.getAttribute('html', 'lang'), 'ru');
  assert.equal(await text(page, 'h1'), 'Мои заявки');
  // Another browser that asks for English still gets the user's Russian after signing in.
  const other = await newPage(browser, 'en');
  await other.goto('/login');
  assert.equal(await other.getAttribute('html', 'lang'), 'en');
  await signIn(other, 'daulet', { keepLang: true });
  assert.equal(await other.getAttribute('html', 'lang'), 'ru');
  // Back to Kazakh for the other tests.
  await Promise.all([page.waitForNavigation(), page.click('.langs button[value="kk"]')]);
  assert.equal(await page.getAttribute('html', 'lang'), 'kk');
  await screenshot(page, 'requests', 'kk');
  await page.context().close();
  await other.context().close();
});

for (const lang of ['kk', 'ru', 'en']) {
  test(`the catalog shows every service with its fee and term (${lang})`, async () => {
    const page = await newPage(browser, lang);
    await page.goto('/services');
    assert.equal(await page.getAttribute('html', 'lang'), lang);
    const codes = await page.locator('li.service').evaluateAll((els) => els.map((e) => e.dataset.service));
    assert.deepEqual(codes.sort(), ['disabled-child-support', 'doctor-appointment', 'doctor-home-call', 'med-licence', 'phc-attachment']);
    await checkA11y(page, `catalog (${lang})`);
    if (lang !== 'en') await screenshot(page, 'services', lang);
    await page.goto('/services/med-licence');
    // The licence fee is a number of МРП: shown in tenge, grouped by thousands.
    assert.match(await text(page, 'tr[data-variant="issue"]'), /\d+\s\d{3},\d\d ₸/);
    assert.ok(await page.locator('section[data-channel="portal"] li').count() >= 2, 'portal documents listed');
    await checkA11y(page, `service page (${lang})`);
    if (lang !== 'en') await screenshot(page, 'service', lang);
    await page.context().close();
  });
}

test('an unknown page is a 404 page in the visitor\'s language, never JSON', async () => {
  const page = await newPage(browser, 'ru');
  const res = await page.goto('/no/such/page');
  assert.equal(res.status(), 404);
  assert.match(res.headers()['content-type'], /text\/html/);
  assert.equal(await page.getAttribute('html', 'lang'), 'ru');
  assert.equal(await text(page, 'h1'), 'Страница не найдена');
  assert.equal(await page.getAttribute('.alert.error', 'data-code'), 'NOT_FOUND');
  await checkA11y(page, '404 page');
  await page.goto('/services/no-such-service');
  assert.equal(await page.getAttribute('.alert.error', 'data-code'), 'UNKNOWN_SERVICE');
  await page.context().close();
});

test('the pages work without JavaScript', async () => {
  const page = await newPage(browser, 'ru', { javaScriptEnabled: false });
  await signIn(page, 'aigerim');
  assert.match(page.url(), /\/requests$/);
  await page.goto('/services/disabled-child-support');
  assert.equal(await page.getAttribute('html', 'lang'), 'ru');
  await page.context().close();
});

test('a page that needs a user sends a visitor to sign in and back', async () => {
  const page = await newPage(browser, 'ru');
  await page.goto('/requests');
  assert.match(page.url(), /\/login\?next=%2Frequests$/);
  await page.fill('#login', 'aigerim');
  await page.fill('#password', 'aigerim-demo');
  await Promise.all([page.waitForNavigation(), page.click('form[action="/login"] button[type=submit]')]);
  assert.equal(new URL(page.url()).pathname, '/requests');
  await checkA11y(page, 'my requests');
  await screenshot(page, 'requests', 'ru');
  await page.context().close();
  assert.ok(BASE);
});

test('registration signs the challenge in the browser; a certificate with an account is told so', async () => {
  const { demoP12 } = await import('./lib.mjs');
  const page = await newPage(browser, 'kk');
  await page.goto('/login');
  await Promise.all([page.waitForNavigation(), page.click('a[href="/register"]')]);
  assert.equal(await text(page, 'h1'), 'Тіркелу');
  await checkA11y(page, 'registration');
  await screenshotBoth(page, 'register');
  await page.fill('#r-login', 'aigerim2');
  await page.fill('#r-password', 'a-long-password-1');
  await page.setInputFiles('#p12', demoP12('aigerim'));
  await page.fill('#p12-password', 'ruqsat-demo');
  const [res] = await Promise.all([page.waitForNavigation(), page.click('#register-form button[type=submit]')]);
  // The signature was verified (else SIGNATURE_*); Әйгерім already has an account.
  assert.equal(res.status(), 409);
  assert.equal(await page.getAttribute('.alert.error', 'data-code'), 'ACCOUNT_EXISTS');
  assert.equal(await page.inputValue('#r-login'), 'aigerim2');
  await page.context().close();
});

test('the applicant\'s pages fit a phone screen', async () => {
  const page = await newPage(browser, 'kk', { viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true });
  await signIn(page, 'aigerim');
  for (const path of ['/requests', '/services', '/services/disabled-child-support', '/services/disabled-child-support/apply']) {
    await page.goto(path);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `${path} is ${overflow}px wider than the phone`);
  }
  await screenshotBoth(page, 'phone-apply');
  await page.context().close();
});
