// Clinical support (issue 18) in a browser: the therapist asks the barrier check at the next link; the client
// answers it on a phone (375 px), once with JavaScript and once without; the client page reads it as a decision
// path that starts at the first flagged domain.
// Run: npm ci && cargo build -p alliance && node --test tests/browser/

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import {
  DESKTOP,
  PHONE,
  account,
  answerRequired,
  launchChromium,
  newPage,
  pickOption,
  question,
  screenshot,
  signIn,
  startDemo,
} from './harness.mjs';

async function width(page) {
  return page.evaluate(() => document.documentElement.scrollWidth);
}

/** Asks the barrier check on the client page, records a session and makes its link; returns the link. */
async function barrierLink(t, clientPage) {
  await t.goto(clientPage);
  await t.getByRole('button', { name: 'Ask the barrier check at the next link' }).click();
  await t.getByText('The barrier check will be asked with the next link').waitFor();
  await t.getByRole('button', { name: 'Record session' }).click();
  await t.waitForURL(/\/sessions\/\d+$/);
  await t.getByRole('button', { name: 'Create a link and QR code' }).click();
  const copy = t.locator('input.copy');
  await copy.waitFor();
  return copy.inputValue();
}

/** The answers: the relationship "Mostly" and no strain; the barrier check as `barrier` says; the rest the first. */
function chooser(barrier) {
  return (name, labels) => {
    if (name in barrier) return barrier[name];
    if (name === 'relationship-check.rupture') return 'No';
    if (name.startsWith('relationship-check.') && labels.includes('Mostly')) return 'Mostly';
    return labels[0];
  };
}

describe('Clinical support', { timeout: 300_000 }, () => {
  let demo;
  let browser;

  before(async () => {
    demo = await startDemo();
    browser = await launchChromium();
  }, { timeout: 120_000 });

  after(async () => {
    await browser?.close().catch(() => {});
    await demo?.stop();
  });

  it('asks the barrier check at the next link, on a phone with and without JavaScript', { timeout: 200_000 }, async () => {
    const therapist = await newPage(browser, DESKTOP);
    const t = therapist.page;
    await signIn(t, demo.base, account(demo, 'therapist1@demo.invalid'));
    await t.goto(`${demo.base}/clients/new`);
    await t.locator('input[name="pseudonym"]').fill('Barrier Finch');
    await t.getByRole('button', { name: 'Add client and open an episode of care' }).click();
    await t.waitForURL(/\/clients\/\d+$/);
    const clientPage = t.url();

    // With JavaScript: the relationship "A little" (flagged), the rest "Completely", no hard event.
    const first = await barrierLink(t, clientPage);
    const phone = await newPage(browser, PHONE);
    await phone.page.goto(first);
    await phone.page.locator('legend', { hasText: 'My therapist and I are working on what matters most to me' }).waitFor({ state: 'attached' });
    const barrier = {
      'barrier-check.alliance-1': 'A little',
      'barrier-check.alliance-2': 'A little',
      'barrier-check.motivation-1': 'Completely',
      'barrier-check.motivation-2': 'Completely',
      'barrier-check.support-1': 'Completely',
      'barrier-check.support-2': 'Completely',
      'barrier-check.life-event': 'No',
    };
    const picked = await answerRequired(phone.page, chooser(barrier), { tap: true });
    assert.equal(picked['barrier-check.alliance-1'], '2');
    const w = await width(phone.page);
    assert.ok(w <= 375, `the barrier check is ${w} px wide at 375 px`);
    await screenshot(phone.page, 'support-01-barrier-check-phone.png');
    await phone.page.getByRole('button', { name: 'Send my answers' }).tap();
    await phone.page.getByRole('heading', { name: 'Thank you' }).waitFor();
    assert.deepEqual(phone.problems, []);
    await phone.context.close();

    await t.goto(clientPage);
    const path = t.locator('ol.decision-path > li');
    assert.equal(await path.count(), 5, 'four domains and the last step');
    assert.match(await path.nth(0).innerText(), /^The relationship: stands in the way \(2 of 5\) start here/i);
    assert.match(await path.nth(0).innerText(), /Ask the client directly/);
    assert.match(await path.nth(1).innerText(), /^Readiness for change: no barrier here/);
    assert.doesNotMatch(await path.nth(3).innerText(), /start here/i);
    await screenshot(t, 'support-02-decision-path.png');

    // Without JavaScript: every part on one page; a hard event that affected the client "A lot".
    const second = await barrierLink(t, clientPage);
    const plain = await newPage(browser, { ...PHONE, javaScriptEnabled: false });
    await plain.page.goto(second);
    await plain.page.getByRole('heading', { name: 'After your session' }).waitFor();
    const events = { ...barrier, 'barrier-check.alliance-1': 'Completely', 'barrier-check.alliance-2': 'Completely', 'barrier-check.life-event': 'Yes' };
    await answerRequired(plain.page, chooser(events), { tap: true });
    await pickOption(question(plain.page, 'If yes: how much has it affected you?'), 'A lot', { tap: true });
    const plainWidth = await width(plain.page);
    assert.ok(plainWidth <= 375, `without JavaScript the barrier check is ${plainWidth} px wide`);
    await plain.page.getByRole('button', { name: 'Send my answers' }).tap();
    await plain.page.getByRole('heading', { name: 'Thank you' }).waitFor();
    assert.deepEqual(plain.problems, []);
    await plain.context.close();

    await t.goto(clientPage);
    assert.match(await path.nth(0).innerText(), /^The relationship: no barrier here \(5 of 5\)/);
    assert.match(await path.nth(3).innerText(), /^Recent life events: stands in the way \(3 of 4\) start here/i);
    assert.match(await path.nth(3).innerText(), /check safety and risk/);
    await therapist.context.close();
  });
});
