// End-to-end browser tests of the demo clinic: the client's post-session check on a phone, the server's
// validation, the therapist's client and session pages, and a supervisor's read-only view.
// Run: npm ci && cargo build -p alliance && node --test tests/browser/

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import {
  DEMO_THERAPISTS,
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

const TEST_TIMEOUT = 90_000;

/** The client's answers: "Mostly" on the relationship check, "Yes" to the rupture question, the first option
 *  elsewhere (PHQ-9 and GAD-7 "Not at all", so no risk item is raised). */
function clientChoice(name, labels) {
  if (name === 'relationship-check.rupture') return 'Yes';
  if (name.startsWith('relationship-check.') && labels.includes('Mostly')) return 'Mostly';
  return labels[0];
}

async function scrollWidth(page) {
  return page.evaluate(() => document.documentElement.scrollWidth);
}

/** The page's main text on one line, for failure messages. */
async function mainText(page) {
  await page.waitForLoadState().catch(() => {});
  const text = await page.locator('main').innerText().catch(() => '(no main element)');
  return `"${text.replace(/\s+/g, ' ').trim().slice(0, 300)}"`;
}

async function expectStatus(page, response, status, what) {
  if (response.status() !== status) {
    assert.fail(`${what}: HTTP ${response.status()}, expected ${status}; the page says ${await mainText(page)}`);
  }
}

async function assertNoProblems(problems) {
  assert.deepEqual(problems, [], 'the page logged errors or failed requests');
}

/** The caseload's client links, in the order shown. */
async function caseloadClients(page) {
  const links = page.locator('table.caseload tbody th a, ol.triage li a.who');
  const names = (await links.allInnerTexts()).map((s) => s.trim());
  return { links, names };
}

describe('Alliance in a browser', { timeout: 300_000 }, () => {
  let demo;
  let browser;
  // Set by the therapist test, read by the supervisor test.
  let reflectedSession = null;

  before(async () => {
    demo = await startDemo();
    browser = await launchChromium();
  }, { timeout: 120_000 });

  after(async () => {
    await browser?.close().catch(() => {});
    await demo?.stop();
  });

  it('lets a client answer the check on a phone, once', { timeout: TEST_TIMEOUT }, async () => {
    const { context, page, problems } = await newPage(browser, PHONE);
    const response = await page.goto(demo.clientLink);
    assert.equal(response.status(), 200);
    await page.getByRole('heading', { name: 'After your session' }).waitFor();

    // Everything the client's browser gets (hidden text and attributes too), checked for names below.
    const seen = [await page.content()];
    for (const name of [...DEMO_THERAPISTS, ...demo.accounts.map((a) => a.name)]) {
      assert.ok(!seen[0].includes(name), `the client's page names "${name}"`);
    }
    assert.ok((await scrollWidth(page)) <= 375, 'the empty form needs horizontal scrolling at 375 px');

    const picked = await answerRequired(page, clientChoice, { tap: true });
    assert.equal(picked['relationship-check.rupture'], 'yes');
    await pickOption(question(page, 'If yes: how did you respond'), 'I pulled back or went quiet', { tap: true });
    await pickOption(question(page, 'If yes: did you talk about it together?'), 'Partly', { tap: true });

    const width = await scrollWidth(page);
    assert.ok(width <= 375, `the filled form is ${width} px wide at a 375 px viewport`);
    await screenshot(page, '01-client-phone-form-filled.png');

    const [submitted] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === 'POST' && r.url() === demo.clientLink),
      page.getByRole('button', { name: 'Send my answers' }).tap(),
    ]);
    await expectStatus(page, submitted, 200, 'sending the answers');
    await page.getByRole('heading', { name: 'Thank you' }).waitFor();
    assert.match(await page.locator('main').innerText(), /sent to your therapist/);
    assert.ok((await scrollWidth(page)) <= 375, 'the thank-you page needs horizontal scrolling');
    await screenshot(page, '02-client-phone-thank-you.png');
    seen.push(await page.content());

    const again = await page.goto(demo.clientLink);
    assert.equal(again.status(), 200);
    await page.getByRole('heading', { name: 'Already answered' }).waitFor();
    // No form to answer with (the language switch is the page's only form) and no question.
    assert.equal(await page.locator('form.check').count(), 0, 'a used link shows no form');
    assert.equal(await page.locator('input[type="radio"]').count(), 0, 'a used link shows no question');
    await screenshot(page, '03-client-phone-already-answered.png');
    seen.push(await page.content());
    await assertNoProblems(problems);
    await context.close();

    // The client's pages name no client nor therapist, as the therapists see them in their caseloads.
    const pseudonyms = [];
    const staff = await newPage(browser, DESKTOP);
    for (const a of demo.accounts.filter((x) => x.role === 'therapist')) {
      await staff.context.clearCookies();
      await signIn(staff.page, demo.base, a);
      pseudonyms.push(...(await caseloadClients(staff.page)).names);
    }
    await staff.context.close();
    assert.ok(pseudonyms.length > 0, 'the therapists have clients');
    for (const name of [...pseudonyms, ...DEMO_THERAPISTS]) {
      for (const html of seen) assert.ok(!html.includes(name), `a client's page shows "${name}"`);
    }
  });

  it('keeps the answers when the server rejects a missing one', { timeout: TEST_TIMEOUT }, async () => {
    // A therapist records a session and creates a fresh link for it.
    const therapist = await newPage(browser, DESKTOP);
    await signIn(therapist.page, demo.base, account(demo, 'therapist1@demo.invalid'));
    const { links } = await caseloadClients(therapist.page);
    await links.first().click();
    await therapist.page.waitForURL(/\/clients\/\d+$/);
    const openEpisode = therapist.page.getByRole('button', { name: 'Open an episode of care' });
    if (await openEpisode.isVisible()) {
      await openEpisode.click();
      await therapist.page.getByRole('button', { name: 'Record session' }).waitFor();
    }
    await therapist.page.getByRole('button', { name: 'Record session' }).click();
    await therapist.page.waitForURL(/\/sessions\/\d+$/);
    await therapist.page.getByRole('button', { name: 'Create a link and QR code' }).click();
    const copy = therapist.page.locator('input.copy');
    await copy.waitFor();
    const link = await copy.inputValue();
    assert.match(link, /^http:\/\/127\.0\.0\.1:\d+\/c\/[\w-]+$/);
    assert.equal(await therapist.page.locator('.qr svg[role="img"]').count(), 1, 'the link has a QR code');
    await screenshot(therapist.page, '04-therapist-new-link.png');
    // A refresh loads the page again (post-redirect-get) and keeps the link the client may have scanned.
    await therapist.page.reload();
    await copy.waitFor();
    assert.equal(await copy.inputValue(), link, 'a refresh keeps the same link');
    await assertNoProblems(therapist.problems);
    await therapist.context.close();

    // The client leaves one question empty; the browser's own check is switched off to reach the server's.
    const skipped = 'relationship-check.bond-2';
    const { context, page, problems } = await newPage(browser, PHONE, { expectedStatuses: [422] });
    await page.goto(link);
    const picked = await answerRequired(page, (name, labels) => (name === skipped ? null : clientChoice(name, labels)), {
      tap: true,
    });
    await pickOption(question(page, 'If yes: how did you respond'), 'I pushed back or disagreed', { tap: true });
    const removed = await page.evaluate(() => {
      const required = [...document.querySelectorAll('[required]')];
      for (const el of required) el.removeAttribute('required');
      return required.length;
    });
    assert.ok(removed > 0);

    const [rejected] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === 'POST' && r.url() === link),
      page.getByRole('button', { name: 'Send my answers' }).tap(),
    ]);
    await expectStatus(page, rejected, 422, 'sending with a question left empty');
    await page.getByRole('heading', { name: 'After your session' }).waitFor();
    const alert = page.getByRole('alert');
    assert.match(await alert.innerText(), /Some answers are missing or not valid/);
    const marked = page.locator(`[id="q-${skipped}"]`);
    assert.match((await marked.getAttribute('class')) ?? '', /\binvalid\b/, 'the empty question is marked');
    assert.equal(await marked.locator('.error').count(), 1, 'the empty question has its own message');
    assert.equal(await page.locator('.item.invalid').count(), 1, 'only the empty question is marked');
    for (const [name, value] of Object.entries(picked)) {
      const input = page.locator(`input[name="${name}"][value="${value}"]`);
      assert.ok(await input.isChecked(), `the answer to ${name} was kept`);
    }
    assert.ok(
      await page.locator('input[name="relationship-check.rupture-kind"][value="confrontation"]').isChecked(),
      'the optional checklist answer was kept',
    );
    assert.equal(await page.locator(`input[name="${skipped}"]:checked`).count(), 0);
    const width = await scrollWidth(page);
    assert.ok(width <= 375, `the re-rendered form is ${width} px wide`);
    await screenshot(page, '05-client-phone-validation.png');

    // Fixing the marked question is enough to send.
    await pickOption(question(page, 'I trust my therapist.'), 'Completely', { tap: true });
    const [accepted] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === 'POST' && r.url() === link),
      page.getByRole('button', { name: 'Send my answers' }).tap(),
    ]);
    await expectStatus(page, accepted, 200, 'sending the corrected answers');
    await page.getByRole('heading', { name: 'Thank you' }).waitFor();

    await assertNoProblems(problems);
    await context.close();
  });

  it('fits the caseload on a 375 px phone without horizontal scrolling', { timeout: TEST_TIMEOUT }, async () => {
    const { context, page, problems } = await newPage(browser, PHONE);
    await signIn(page, demo.base, account(demo, 'therapist1@demo.invalid'));
    await page.getByRole('heading', { name: /caseload/i }).waitFor();
    const { names } = await caseloadClients(page);
    assert.ok(names.length > 0, 'the caseload lists clients');
    const width = await scrollWidth(page);
    assert.ok(width <= 375, `the caseload is ${width} px wide at a 375 px viewport`);
    // Badges carry words, not colour alone (docs/TRIAGE.md#the-caseload-line).
    const tags = await page.locator('ol.triage .tag').allTextContents();
    assert.ok(tags.every((t) => /[A-Za-z]/.test(t)), `a badge without words: ${tags.join(' | ')}`);
    await screenshot(page, '06b-therapist-caseload-phone.png');
    await assertNoProblems(problems);
    await context.close();
  });

  // Issue 13, item 4: the demo looks like a real clinic's Monday morning, not a wall of alarms: most clients quiet,
  // a few open signals of several kinds, older ones already seen (aged, not "new"), past ones acknowledged, and a
  // sign-in for every role.
  it("looks like a clinic's Monday morning", { timeout: TEST_TIMEOUT }, async () => {
    const roles = new Set(demo.accounts.map((a) => a.role));
    for (const role of ['administrator', 'supervisor', 'researcher', 'therapist']) {
      assert.ok(roles.has(role), `the demo prints a ${role} sign-in: ${[...roles].join(', ')}`);
    }
    const { context, page, problems } = await newPage(browser, DESKTOP);
    const rows = [];
    for (const therapist of demo.accounts.filter((a) => a.role === 'therapist')) {
      await page.context().clearCookies();
      await signIn(page, demo.base, therapist);
      for (const row of await page.locator('ol.triage > li').all()) {
        rows.push({ tags: await row.locator('.tag').allTextContents(), href: await row.locator('a.who').getAttribute('href') });
      }
    }
    const quiet = rows.filter((r) => r.tags.length === 0).length;
    assert.ok(rows.length >= 30 && quiet >= rows.length / 2, `${quiet} of ${rows.length} clients without an open signal`);
    const tags = rows.flatMap((r) => r.tags.map((t) => t.replace(/^\W+/, '').trim()));
    const kinds = new Set(tags.map((t) => t.split(' · ')[0].split(' ')[0]));
    assert.ok(kinds.size >= 3, `open signals of ${kinds.size} kinds: ${tags.join(' | ')}`);
    const aged = tags.filter((t) => / · \d+ (d|wk|mo)$/.test(t));
    assert.ok(aged.length >= 1 && aged.length < tags.length, `seen signals age, new ones say so: ${tags.join(' | ')}`);
    // Two badges of one kind say which questionnaire each is about.
    for (const row of rows) assert.equal(new Set(row.tags).size, row.tags.length, row.tags.join(' | '));
    // The last therapist's past signals were acknowledged as a diligent therapist would have.
    let acknowledged = 0;
    for (const row of rows.slice(-12)) {
      await page.goto(`${demo.base}${row.href}`);
      acknowledged += await page.getByText(/^Acknowledged by /).count();
    }
    assert.ok(acknowledged >= 1, 'past signals acknowledged on the client pages');
    await assertNoProblems(problems);
    await context.close();
  });

  it("shows a therapist the client's charts and takes a reflection", { timeout: TEST_TIMEOUT }, async () => {
    const { context, page, problems } = await newPage(browser, DESKTOP);
    await signIn(page, demo.base, account(demo, 'therapist1@demo.invalid'));
    await page.getByRole('heading', { name: /caseload/i }).waitFor();
    const { links, names } = await caseloadClients(page);
    assert.ok(names.length > 0, 'the caseload lists clients');
    await screenshot(page, '06-therapist-caseload.png');

    await links.first().click();
    await page.waitForURL(/\/clients\/\d+$/);
    await page.getByRole('heading', { level: 1, name: names[0] }).waitFor();
    const charts = page.locator('figure.chart-box svg[role="img"]');
    assert.ok((await charts.count()) >= 1, 'the client page has charts');
    for (const chart of await charts.all()) {
      assert.ok((await chart.locator(':scope > title').innerHTML()).trim().length > 0, 'each chart has a <title>');
    }
    const titles = await page.locator('figure.chart-box svg[role="img"] > title').allTextContents();
    assert.ok(
      titles.some((t) => t.startsWith('Working alliance by session')),
      `no "Working alliance by session" chart among: ${titles.join(' | ')}`,
    );
    const sessions = page.locator('table.sessions tbody tr');
    assert.ok((await sessions.count()) >= 1, 'the sessions table lists sessions');
    assert.equal(await page.getByRole('heading', { name: 'Record a session' }).count(), 1);
    await screenshot(page, '07-therapist-client.png');

    // A session that the client answered, so the page shows both sides.
    const answered = sessions.filter({ has: page.locator('td:nth-child(3)', { hasText: /Check \d/ }) });
    const row = (await answered.count()) > 0 ? answered.first() : sessions.first();
    await row.getByRole('link', { name: 'Open' }).click();
    await page.waitForURL(/\/sessions\/\d+$/);
    const sessionUrl = page.url();
    const heading = (await page.locator('h1').innerText()).trim();
    assert.match(heading, /^Session \d+/);

    await page.getByRole('link', { name: /^(Record|Edit) reflection$/ }).click();
    await page.waitForURL(/\/sessions\/\d+\/reflection$/);
    await page.getByRole('heading', { name: /^Your reflection on session/ }).waitFor();
    await answerRequired(
      page,
      (name, labels) => {
        if (name === 'rupture') return 'Yes';
        if (name === 'supervision') return 'Yes';
        if (labels.includes('Mostly')) return 'Mostly';
        return labels[0];
      },
      { tap: false },
    );
    // "Yes" to the rupture brings its follow-ups into view (the stylesheet shows them; no script).
    const kind = question(page, 'If yes: what did it look like?');
    const repaired = question(page, 'If yes: was it addressed and repaired?');
    assert.ok(await kind.isVisible(), 'the rupture follow-ups appear after "Yes"');
    await pickOption(kind, 'Withdrawal: the client moved away (went quiet, deferred, changed topic)', { tap: false });
    await pickOption(repaired, 'Partly', { tap: false });
    const note = 'Browser test: private note, for the therapist only.';
    await page.locator('textarea[name="note"]').fill(note);
    await screenshot(page, '08-therapist-reflection-form.png');
    await page.getByRole('button', { name: 'Save reflection' }).click();

    await page.waitForURL(sessionUrl);
    await page.getByRole('heading', { level: 1, name: heading }).waitFor();
    await page.getByRole('link', { name: 'Edit reflection' }).waitFor();
    const reflection = page.locator('section.card').filter({ has: page.getByRole('heading', { name: /^Therapist reflection/ }) });
    await reflection.waitFor();
    const shown = await reflection.innerText();
    assert.match(shown, /Take this session to supervision\?\s+Yes/);
    assert.match(shown, /If yes: what did it look like\?\s+Withdrawal/, 'the kind of rupture was stored');
    assert.match(shown, /If yes: was it addressed and repaired\?\s+Partly/, 'whether it was repaired was stored');
    assert.ok(shown.includes(note), 'the therapist sees their private note');
    await screenshot(page, '09-therapist-session-with-reflection.png');
    reflectedSession = { url: sessionUrl, note };

    await assertNoProblems(problems);
    await context.close();
  });

  it('leaves nothing of a clinical page in the browser after sign-out', { timeout: TEST_TIMEOUT }, async () => {
    assert.ok(reflectedSession, 'the reflection test ran first and left a private note');
    const { context, page, problems } = await newPage(browser, DESKTOP);
    await signIn(page, demo.base, account(demo, 'therapist1@demo.invalid'));
    await page.goto(reflectedSession.url);
    assert.ok((await page.locator('main').innerText()).includes(reflectedSession.note), 'the note is on the page');

    // Signing out is a boosted form post: htmx would keep a snapshot of this page for Back.
    const [signedOut] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/logout'),
      page.getByRole('button', { name: 'Sign out' }).click(),
    ]);
    const cleared = (await signedOut.allHeaders())['clear-site-data'] ?? '';
    assert.match(cleared, /"cache"/, 'sign-out clears the cache');
    assert.match(cleared, /"storage"/, 'sign-out clears the storage');
    await page.waitForURL((url) => url.pathname === '/login');
    const kept = await page.evaluate(() => JSON.stringify(Object.entries(sessionStorage)));
    assert.ok(!kept.includes(reflectedSession.note), `the tab's storage keeps no clinical page: ${kept.slice(0, 200)}`);

    // Back: the server is asked again and answers with the sign-in page, not the note.
    await page.goBack();
    await page.locator('input[name="password"]').waitFor();
    await page.waitForURL((url) => url.pathname === '/login');
    const shown = await page.locator('body').innerText();
    assert.ok(!shown.includes(reflectedSession.note), 'Back after sign-out shows no private note');
    await screenshot(page, '13-back-after-sign-out.png');
    await assertNoProblems(problems);
    await context.close();
  });

  it('lets a supervisor read but not write', { timeout: TEST_TIMEOUT }, async () => {
    const { context, page, problems } = await newPage(browser, DESKTOP);
    await signIn(page, demo.base, account(demo, 'supervisor@demo.invalid'));
    const { links, names } = await caseloadClients(page);
    assert.ok(names.length > 0, "the supervisor's caseload lists supervisees' clients");
    // Supervisees' caseloads come grouped under each therapist's name.
    const home = await page.locator('main').innerText();
    assert.ok(
      DEMO_THERAPISTS.some((t) => home.includes(t)),
      `the caseload is grouped by therapist: ${DEMO_THERAPISTS.join(', ')}`,
    );
    assert.equal(await page.getByRole('link', { name: 'Add client' }).count(), 0, 'a supervisor cannot add clients');
    await screenshot(page, '10-supervisor-caseload.png');

    await links.first().click();
    await page.waitForURL(/\/clients\/\d+$/);
    await page.locator('h1').waitFor();
    assert.equal(await page.getByRole('heading', { name: 'Record a session' }).count(), 0);
    assert.equal(await page.locator('form[action*="/sessions"], form[action*="/episodes"]').count(), 0);
    assert.match(await page.locator('main').innerText(), /viewing this client as a supervisor/);
    assert.ok((await page.locator('figure.chart-box svg[role="img"]').count()) >= 1, 'the supervisor sees the charts');
    await screenshot(page, '11-supervisor-client.png');

    // A reflection taken to supervision is visible to the supervisor, without the private note.
    if (reflectedSession) {
      await page.goto(reflectedSession.url);
      await page.locator('h1').waitFor();
      assert.equal(await page.getByRole('link', { name: /reflection$/ }).count(), 0, 'no reflection button');
      assert.equal(await page.getByRole('button', { name: 'Create a link and QR code' }).count(), 0);
      const main = await page.locator('main').innerText();
      assert.match(main, /Therapist reflection/);
      assert.ok(!main.includes(reflectedSession.note), 'the supervisor must not see the private note');
      await screenshot(page, '12-supervisor-session.png');
    }

    await assertNoProblems(problems);
    await context.close();
  });
});
