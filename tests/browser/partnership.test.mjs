// The client as a partner (issue 16), in a browser: a therapist agrees goals and a task in session; the client,
// on a phone (375 px), rates the goals at one check and marks the task at the next, then opens their own page;
// with the relationship ratings hidden, that page shows none of them.
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

const GOALS = ['To sleep through the night', 'To go back to work'];
const TASK = 'A short walk before breakfast';

/** Ratings the client gives: 3 and 4 at the first check, 6 and 5 at the second. */
function ratingFor(check, name, labels, goalNames) {
  if (name.startsWith('goal-')) {
    const which = goalNames.indexOf(name);
    return String([[3, 4], [6, 5]][check][which]);
  }
  if (name.startsWith('task-')) return 'Partly';
  if (name === 'relationship-check.rupture') return 'No';
  if (name.startsWith('relationship-check.') && labels.includes('Mostly')) return 'Mostly';
  return labels[0];
}

async function width(page) {
  return page.evaluate(() => document.documentElement.scrollWidth);
}

/** Records a session of the client on the desktop page, makes its link and returns the link. */
async function sessionLink(page) {
  await page.getByRole('button', { name: 'Record session' }).click();
  await page.waitForURL(/\/sessions\/\d+$/);
  const session = page.url();
  await page.getByRole('button', { name: 'Create a link and QR code' }).click();
  const copy = page.locator('input.copy');
  await copy.waitFor();
  return { link: await copy.inputValue(), session };
}

/** The client answers a check on the phone; returns the page after sending. */
async function answerCheck(browser, link, check) {
  const { context, page, problems } = await newPage(browser, PHONE);
  await page.goto(link);
  // One questionnaire per screen, with where the client is.
  await page.locator('.part-label').waitFor();
  const parts = await page.locator('fieldset.instrument').count();
  assert.equal(await page.locator('fieldset.instrument:visible').count(), 1, 'one part on the screen');
  assert.equal(await page.locator('.part-label').innerText(), `Part 1 of ${parts}: Today's session`);
  // Next does not leave a part with a question unanswered.
  await page.getByRole('button', { name: 'Next' }).tap();
  assert.match(await page.locator('.part-label').innerText(), /^Part 1 of/);
  await page.locator('legend', { hasText: 'Your goals' }).waitFor({ state: 'attached' });
  const goalNames = await page.locator('input[name^="goal-"][value="0"]').evaluateAll((inputs) => inputs.map((i) => i.name));
  assert.equal(goalNames.length, 2, 'both agreed goals are asked');
  await answerRequired(page, (name, labels) => ratingFor(check, name, labels, goalNames), { tap: true });
  // The last part holds the goals; Back goes to the one before.
  assert.match(await page.locator('.part-label').innerText(), new RegExp(`^Part ${parts} of ${parts}: Your goals`));
  if (check === 1) {
    await page.locator('textarea[name$="-obstacle"]').evaluate((el) => window.allianceCheck.show(el));
    await page.locator('textarea[name$="-obstacle"]').fill('It rained all week');
  }
  const w = await width(page);
  assert.ok(w <= 375, `the check with goals and a task is ${w} px wide at 375 px`);
  await screenshot(page, `partnership-0${check + 1}-phone-check.png`);
  await page.getByRole('button', { name: 'Send my answers' }).tap();
  await page.getByRole('heading', { name: 'Thank you' }).waitFor();
  assert.deepEqual(problems, []);
  return { context, page };
}

describe('The client as a partner', { timeout: 300_000 }, () => {
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

  it('shares goals and tasks with the client, who sees their own page', { timeout: 180_000 }, async () => {
    const therapist = await newPage(browser, DESKTOP);
    const t = therapist.page;
    await signIn(t, demo.base, account(demo, 'therapist1@demo.invalid'));
    await t.goto(`${demo.base}/clients/new`);
    await t.locator('input[name="pseudonym"]').fill('Partner Wren');
    await t.getByRole('button', { name: 'Add client and open an episode of care' }).click();
    await t.waitForURL(/\/clients\/\d+$/);
    const clientPage = t.url();
    for (const goal of GOALS) {
      await t.getByLabel("A goal agreed today, in the client's words").fill(goal);
      await t.getByRole('button', { name: 'Add goal' }).click();
      await t.locator('ol.goals > li', { hasText: goal }).waitFor();
    }

    // Session 1: a task agreed for until the next; the client rates the goals.
    const first = await sessionLink(t);
    await t.goto(clientPage);
    await t.getByLabel('A task agreed in the latest session, until the next').fill(TASK);
    await t.getByRole('button', { name: 'Add task' }).click();
    await t.locator('ul.tasks li', { hasText: TASK }).waitFor();
    const one = await answerCheck(browser, first.link, 0);
    await one.context.close();

    // Session 2: the check asks about the task; the client says "partly" and what got in the way.
    await t.goto(clientPage);
    await t.getByRole('button', { name: 'Give the client a personal link' }).click();
    const own = await t.locator('#own-page-link').innerText();
    assert.match(own, /^http:\/\/127\.0\.0\.1:\d+\/my\/[\w-]{43}$/);
    const second = await sessionLink(t);
    const two = await answerCheck(browser, second.link, 1);
    const ownLink = two.page.getByRole('link', { name: 'See your goals and progress' });
    assert.equal(await ownLink.getAttribute('href'), own, 'the thank-you page leads to the own page');

    // The client's own page on the phone: goals with ratings, plain outcome, relationship ratings, the task.
    await ownLink.tap();
    await two.page.getByRole('heading', { name: 'Your page' }).waitFor();
    const text = await two.page.locator('main').innerText();
    assert.match(text, /To sleep through the night\s*Your latest rating: 6 of 10 \(3 at the start\)/);
    // The demo asks the PHQ-9 every second session: one score so far.
    assert.match(text, /Your first PHQ-9 score is 0\./);
    assert.match(text, /How the sessions went for you/);
    assert.match(text, new RegExp(`${TASK}: you did part of it`));
    assert.ok((await width(two.page)) <= 375, 'the own page fits 375 px');
    await screenshot(two.page, 'partnership-03-phone-own-page.png');
    await two.context.close();

    // The therapist sees the ratings and the report.
    await t.goto(clientPage);
    const partnership = await t.locator('#partnership').innerText();
    assert.match(partnership, /ratings: 3 at session 1, now 6 at session 2/);
    assert.match(partnership, /done in part; in the way: “It rained all week”/);
    await screenshot(t, 'partnership-04-therapist-goals.png');

    // With the relationship ratings hidden, the client's page shows none anywhere.
    await t.getByRole('button', { name: 'Hide their relationship ratings from it' }).click();
    await t.getByRole('button', { name: 'Show their relationship ratings on it' }).waitFor();
    const phone = await newPage(browser, PHONE);
    await phone.page.goto(own);
    await phone.page.getByRole('heading', { name: 'Your page' }).waitFor();
    const hidden = await phone.page.content();
    assert.ok(!hidden.includes('How the sessions went') && !hidden.includes('chart-own-alliance'));
    assert.ok(!/relationship/i.test(await phone.page.locator('main').innerText()), 'no relationship rating shown');
    assert.deepEqual(phone.problems, []);
    await phone.context.close();
    assert.deepEqual(therapist.problems, []);
    await therapist.context.close();
  });

  it('opens a check on a waiting-room tablet with a one-time code, which then clears itself', { timeout: 120_000 }, async () => {
    // The administrator adds the tablet.
    const admin = await newPage(browser, DESKTOP);
    const who = account(demo, 'admin@demo.invalid');
    await admin.page.goto(`${demo.base}/login`);
    await admin.page.locator('input[name="email"]').fill(who.email);
    await admin.page.locator('input[name="password"]').fill(who.password);
    await Promise.all([
      admin.page.waitForURL((u) => u.pathname !== '/login'),
      admin.page.getByRole('button', { name: 'Sign in' }).click(),
    ]);
    await admin.page.goto(`${demo.base}/admin/kiosks`);
    const add = admin.page.locator('form[action="/admin/kiosks"]');
    await add.getByLabel('Where it stands').fill('Waiting room, ground floor');
    await add.getByLabel('Your password').fill(who.password);
    await add.getByRole('button', { name: 'Add the tablet' }).click();
    const tabletAddress = await admin.page.locator('#kiosk-address').inputValue();
    assert.match(tabletAddress, /\/kiosk\/[\w-]{43}$/);
    await admin.context.close();

    // A therapist makes a code for a new session of a client.
    const therapist = await newPage(browser, DESKTOP);
    await signIn(therapist.page, demo.base, account(demo, 'therapist2@demo.invalid'));
    await therapist.page.goto(`${demo.base}/clients/new`);
    await therapist.page.locator('input[name="pseudonym"]').fill('Tablet Finch');
    await therapist.page.getByRole('button', { name: 'Add client and open an episode of care' }).click();
    await therapist.page.getByRole('button', { name: 'Record session' }).click();
    await therapist.page.waitForURL(/\/sessions\/\d+$/);
    await therapist.page.getByRole('button', { name: 'Code for the waiting-room tablet' }).click();
    const code = (await therapist.page.locator('#kiosk-code').innerText()).trim();
    assert.match(code, /^[ACDEFHJKMNPQRTUVWXY34679]{3}-[ACDEFHJKMNPQRTUVWXY34679]{3}$/);
    await therapist.context.close();

    // On the tablet (a phone-sized screen here): the code, the check, the thanks, and back to the code form.
    const tablet = await newPage(browser, PHONE);
    await tablet.page.goto(tabletAddress);
    await tablet.page.getByLabel('Code').fill(code.toLowerCase());
    await tablet.page.getByRole('button', { name: 'Open my check' }).tap();
    await tablet.page.waitForURL(/\/c\/[\w-]+$/);
    await answerRequired(tablet.page, (name, labels) => (name === 'relationship-check.rupture' ? 'No' : labels[0]), { tap: true });
    assert.ok((await width(tablet.page)) <= 375, 'the check on the tablet fits');
    await tablet.page.getByRole('button', { name: 'Send my answers' }).tap();
    await tablet.page.getByRole('heading', { name: 'Thank you' }).waitFor();
    assert.match(await tablet.page.locator('main').innerText(), /hand the tablet back/);
    assert.equal(await tablet.page.locator('a[href^="/my/"]').count(), 0, 'no way to a client page on a shared tablet');
    await screenshot(tablet.page, 'partnership-05-tablet-thanks.png');
    await tablet.page.waitForURL((u) => u.pathname.startsWith('/kiosk/'), { timeout: 45_000 });
    await tablet.page.getByLabel('Code').waitFor();
    // Going back finds nothing kept: the sent form's page is not in the cache (no-store), so the browser has no
    // answers to show.
    const shown = await tablet.page.goBack().then(
      () => tablet.page.content(),
      (e) => {
        assert.match(String(e), /ERR_CACHE_MISS/);
        return '';
      },
    );
    assert.ok(!/checked/.test(shown) && !/Not at all/.test(shown), 'no answers after going back');
    await tablet.context.close();
  });
});

