// Every client in their language (issue 17), in a browser: a Spanish-speaking client (their phone asks for Spanish)
// and an Arabic-speaking one (who picks Arabic with the switch on the page) each complete a check, see the
// thank-you page and their own page in their language, right to left for Arabic, at 375 px without sideways
// scrolling; axe-core finds no critical or serious violation on any of those pages. Each then receives the link
// to their next check by e-mail, in their language, through a real SMTP server, and opens it from the message.
// Screenshots are kept by CI.
// Run: npm ci && cargo build -p alliance && node --test tests/browser/

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { after, before, describe, it } from 'node:test';

import {
  DESKTOP,
  PHONE,
  account,
  answerRequired,
  decodeMail,
  launchChromium,
  newPage,
  screenshot,
  signIn,
  startDemo,
  startMailServer,
} from './harness.mjs';

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

/** Critical and serious axe violations of the page open now, as lines. */
async function seriousViolations(page) {
  await page.evaluate(AXE_SOURCE);
  const result = await page.evaluate((tags) => window.axe.run(document, { runOnly: { type: 'tag', values: tags } }), TAGS);
  return result.violations
    .filter((v) => v.impact === 'critical' || v.impact === 'serious')
    .map((v) => `${new URL(page.url()).pathname}: ${v.impact} ${v.id} at ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}`);
}

async function width(page) {
  return page.evaluate(() => document.documentElement.scrollWidth);
}

/** A new client of the therapist with one recorded session and its check link; returns the link and the client page. */
async function clientWithLink(t, base, pseudonym, contact) {
  await t.goto(`${base}/clients/new`);
  await t.locator('input[name="pseudonym"]').fill(pseudonym);
  await t.locator('input[name="contact"]').fill(contact);
  await t.getByRole('button', { name: 'Add client and open an episode of care' }).click();
  await t.waitForURL(/\/clients\/\d+$/);
  const clientPage = t.url();
  await t.getByRole('button', { name: 'Record session' }).click();
  await t.waitForURL(/\/sessions\/\d+$/);
  await t.getByRole('button', { name: 'Create a link and QR code' }).click();
  const copy = t.locator('input.copy');
  await copy.waitFor();
  return { link: await copy.inputValue(), clientPage };
}

/**
 * The therapist records the client's next session and has its link sent by e-mail; returns the message the
 * client receives (decoded), once the server's mail job has delivered it.
 */
async function mailedLink(t, clientPage, mail, to) {
  await t.goto(clientPage);
  await t.getByRole('button', { name: 'Record session' }).click();
  await t.waitForURL(/\/sessions\/\d+$/);
  await t.locator('button[name="send"][value="yes"]').click();
  const deadline = Date.now() + 60_000;
  for (;;) {
    const found = mail.messages().map(decodeMail).find((m) => m.to.includes(to));
    if (found) return found;
    if (Date.now() > deadline) throw new Error(`no message to ${to} within a minute`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** The client's check address in a message. */
function linkIn(message) {
  const found = message.body.match(/https?:\/\/\S+\/c\/[\w-]+/);
  assert.ok(found, message.body);
  return found[0];
}

/** The therapist gives the client a personal page; returns its address. */
async function ownPage(t, clientPage) {
  await t.goto(clientPage);
  await t.getByRole('button', { name: 'Give the client a personal link' }).click();
  return t.locator('#own-page-link').innerText();
}

describe('every client in their language', { timeout: 300_000 }, () => {
  let demo;
  let browser;
  let mail;

  before(async () => {
    mail = await startMailServer();
    const args = mail ? ['--smtp-url', `smtp+plain://127.0.0.1:${mail.port}`, '--mail-from', 'Demo Practice <checks@demo.invalid>'] : [];
    demo = await startDemo({ args });
    browser = await launchChromium();
  }, { timeout: 120_000 });

  after(async () => {
    await browser?.close().catch(() => {});
    await demo?.stop();
    mail?.stop();
  });

  it('a Spanish-speaking client completes the check and reads their page in Spanish', { timeout: 180_000 }, async () => {
    const therapist = await newPage(browser, DESKTOP);
    await signIn(therapist.page, demo.base, account(demo, 'therapist1@demo.invalid'));
    const { link, clientPage } = await clientWithLink(therapist.page, demo.base, 'Lucía Prado', 'lucia@example.net');

    const { context, page, problems } = await newPage(browser, { ...PHONE, locale: 'es-ES', bypassCSP: true });
    const failing = [];
    await page.goto(link);
    assert.equal(await page.locator('html').getAttribute('lang'), 'es');
    await page.getByRole('heading', { name: 'Después de su sesión' }).waitFor();
    assert.match(await page.locator('.part-label').innerText(), /^Parte 1 de \d+: La sesión de hoy$/);
    assert.equal(await page.getByRole('button', { name: 'Siguiente' }).count(), 1);
    // The PHQ-9 has no validated Spanish text here: shown in English, and the page says so in Spanish.
    const phq = page.locator('fieldset.instrument[lang="en"]').first();
    assert.match(await phq.innerText(), /Este cuestionario se muestra en inglés/);
    failing.push(...(await seriousViolations(page)));
    await screenshot(page, 'languages-01-es-check.png');
    await answerRequired(page, (name, labels) => (name.endsWith('.rupture') ? 'No' : labels[0]), { tap: true });
    const w = await width(page);
    assert.ok(w <= 375, `the Spanish check is ${w} px wide at 375 px`);
    await page.getByRole('button', { name: 'Enviar mis respuestas' }).tap();
    await page.getByRole('heading', { name: 'Gracias' }).waitFor();
    failing.push(...(await seriousViolations(page)));
    await screenshot(page, 'languages-02-es-thanks.png');

    const own = await ownPage(therapist.page, clientPage);
    await page.goto(own);
    await page.getByRole('heading', { name: 'Su página' }).waitFor();
    assert.match(await page.locator('main').innerText(), /Sus objetivos/);
    failing.push(...(await seriousViolations(page)));
    await screenshot(page, 'languages-03-es-own-page.png');

    // The next check's link arrives by e-mail in Spanish (the check's language became the client's).
    if (mail) {
      const message = await mailedLink(therapist.page, clientPage, mail, 'lucia@example.net');
      assert.equal(message.subject, 'Su cuestionario después de la sesión de hoy');
      assert.match(message.body, /No reenvíe este mensaje, por favor\./);
      await page.goto(linkIn(message));
      await page.getByRole('heading', { name: 'Después de su sesión' }).waitFor();
      await screenshot(page, 'languages-07-es-check-from-email.png');
    }
    assert.deepEqual(problems, []);
    assert.deepEqual(failing, []);
    await context.close();
    await therapist.context.close();
  });

  it('an Arabic-speaking client switches to Arabic, answers right to left, and keeps it', { timeout: 180_000 }, async () => {
    const therapist = await newPage(browser, DESKTOP);
    await signIn(therapist.page, demo.base, account(demo, 'therapist1@demo.invalid'));
    const { link, clientPage } = await clientWithLink(therapist.page, demo.base, 'Layla Haddad', 'layla@example.net');

    // A phone that asks for English: the client picks Arabic with the switch at the top of the page.
    const { context, page, problems } = await newPage(browser, { ...PHONE, bypassCSP: true });
    const failing = [];
    await page.goto(link);
    await page.getByRole('heading', { name: 'After your session' }).waitFor();
    await Promise.all([page.waitForURL(link), page.getByRole('button', { name: 'العربية' }).tap()]);
    await page.getByRole('heading', { name: 'بعد جلستك' }).waitFor();
    assert.equal(await page.locator('html').getAttribute('dir'), 'rtl');
    assert.equal(await page.locator('html').getAttribute('lang'), 'ar');
    // Mirrored: the form's questions start at the right edge.
    const box = await page.locator('fieldset.instrument:visible legend').first().boundingBox();
    assert.ok(box.x + box.width > 375 - 40, `the first legend ends at ${box.x + box.width} px, not at the right edge`);
    assert.match(await page.locator('.part-label').innerText(), /الجزء/);
    failing.push(...(await seriousViolations(page)));
    await screenshot(page, 'languages-04-ar-check.png');
    await answerRequired(page, (name, labels) => (name.endsWith('.rupture') ? 'لا' : labels[0]), { tap: true });
    const w = await width(page);
    assert.ok(w <= 375, `the Arabic check is ${w} px wide at 375 px`);
    await page.getByRole('button', { name: 'إرسال إجاباتي' }).tap();
    await page.getByRole('heading', { name: 'شكراً لك' }).waitFor();
    failing.push(...(await seriousViolations(page)));
    await screenshot(page, 'languages-05-ar-thanks.png');

    // Their own page, opened later on another device that asks for nothing: the client's language is kept.
    const own = await ownPage(therapist.page, clientPage);
    const other = await newPage(browser, { ...PHONE, locale: 'fr-FR', bypassCSP: true });
    await other.page.goto(own);
    await other.page.getByRole('heading', { name: 'صفحتك' }).waitFor();
    assert.equal(await other.page.locator('html').getAttribute('dir'), 'rtl');
    failing.push(...(await seriousViolations(other.page)));
    const ow = await width(other.page);
    assert.ok(ow <= 375, `the Arabic own page is ${ow} px wide at 375 px`);
    await screenshot(other.page, 'languages-06-ar-own-page.png');

    // The next check's link arrives by e-mail in Arabic, and opens in Arabic on yet another device.
    if (mail) {
      const message = await mailedLink(therapist.page, clientPage, mail, 'layla@example.net');
      assert.equal(message.subject, 'استبيانك بعد جلسة اليوم');
      assert.match(message.body, /يرجى عدم إعادة توجيه هذه الرسالة\./);
      await other.page.goto(linkIn(message));
      await other.page.getByRole('heading', { name: 'بعد جلستك' }).waitFor();
      assert.equal(await other.page.locator('html').getAttribute('dir'), 'rtl');
      await screenshot(other.page, 'languages-08-ar-check-from-email.png');
    }
    assert.deepEqual([...problems, ...other.problems], []);
    assert.deepEqual(failing, []);
    await other.context.close();
    await context.close();
    await therapist.context.close();
  });
});
