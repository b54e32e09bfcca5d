// Session transcripts (issue 21) in a browser: the demo therapist finds a coded transcript from the client
// page's trend, reads the indicators with the utterances behind each and the rupture markers beside the
// client's own check, on a desktop and on a phone; then uploads a WebVTT file to another session in two steps
// (the file, then who is who), sees it coded, and replaces it by pasting text. Photographed for CI's artifacts.
// Run: npm ci && cargo build -p alliance && node --test tests/browser/

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { DESKTOP, PHONE, account, launchChromium, newPage, screenshot, signIn, startDemo } from './harness.mjs';

/** A session as a video-call tool exports it: WebVTT with voices. Written for this test. */
const VTT = `WEBVTT

00:00:01.000 --> 00:00:05.000
<v Dr Ames>What would you like to focus on today?

00:00:06.000 --> 00:00:11.000
<v Sam>I want to sleep better, I think I need to stop scrolling at night.

00:00:12.000 --> 00:00:16.000
<v Dr Ames>So the phone at night is costing you sleep, and you are ready to change that.

00:00:17.000 --> 00:00:19.000
<v Sam>Yes, exactly.
`;

async function width(page) {
  return page.evaluate(() => document.documentElement.scrollWidth);
}

/** The caseload's client pages, as hrefs. */
async function clientPages(page) {
  const hrefs = await page.locator('a[href^="/clients/"]').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
  return [...new Set(hrefs.filter((h) => /^\/clients\/\d+$/.test(h)))];
}

describe('Session transcripts', { timeout: 300_000 }, () => {
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

  it('shows a coded transcript beside the client check, and attaches a new one', async () => {
    const { context, page, problems } = await newPage(browser, DESKTOP);
    await signIn(page, demo.base, account(demo, 'therapist1@demo.invalid'));

    // The demo coded transcripts of three of this therapist's clients: find one from its client page's trend.
    let clientPage = null;
    for (const href of await clientPages(page)) {
      await page.goto(`${demo.base}${href}`);
      if ((await page.locator('#transcript-trend').count()) > 0) {
        clientPage = href;
        break;
      }
    }
    assert.ok(clientPage, 'a client page of the first therapist shows transcript indicators by session');
    const trend = page.locator('#transcript-trend');
    await trend.getByText('For reflection, not rating', { exact: false }).first().waitFor();
    await trend.locator('tbody th a').first().click();
    await page.waitForURL(/\/sessions\/\d+#transcript$/);
    const section = page.locator('#transcript');
    await section.getByRole('heading', { name: 'Session transcript' }).waitFor();
    await section.getByText('heuristic, not validated').waitFor();
    await section.getByText(/^Coded by the rule coder/).waitFor();
    const rows = section.locator('table.answers').first().locator('tbody th[scope="row"]');
    assert.ok((await rows.count()) >= 8, `${await rows.count()} indicators shown`);
    // The client's own check of the same session is named beside the markers.
    await section.getByText(/In this session's check|no check/).first().waitFor();

    // The utterances behind an indicator lead to the utterances themselves.
    const behind = section.locator('details summary', { hasText: /^The ([1-9]\d* utterances|utterance) counted$/ }).first();
    await behind.click();
    const link = section.locator('details[open] a[href^="#utterance-"]').first();
    const target = await link.getAttribute('href');
    await section.locator('details summary', { hasText: /^The transcript/ }).click();
    await link.click();
    await page.locator(target).waitFor({ state: 'visible' });
    await screenshot(page, '40-transcript-session.png');

    // On a phone the section fits the screen.
    const phone = await newPage(browser, PHONE);
    await signIn(phone.page, demo.base, account(demo, 'therapist1@demo.invalid'));
    await phone.page.goto(page.url());
    await phone.page.locator('#transcript h2').waitFor();
    assert.ok((await width(phone.page)) <= 375, 'the transcript section needs horizontal scrolling at 375 px');
    await screenshot(phone.page, '41-transcript-phone.png');
    assert.deepEqual(phone.problems, []);
    await phone.context.close();

    // Another session of the same client gets a transcript in two steps.
    await page.goto(`${demo.base}${clientPage}`);
    const withTranscript = new Set(
      await page.locator('#transcript-trend tbody th a').evaluateAll((as) => as.map((a) => a.getAttribute('href').split('#')[0])),
    );
    const sessions = await page
      .locator('table.sessions a[href^="/sessions/"]')
      .evaluateAll((as) => as.map((a) => a.getAttribute('href')));
    const bare = sessions.find((h) => /^\/sessions\/\d+$/.test(h) && !withTranscript.has(h));
    assert.ok(bare, 'a session without a transcript');
    await page.goto(`${demo.base}${bare}`);
    // As a video-call tool exports it: a file.
    await page
      .locator('#transcript-file')
      .setInputFiles({ name: 'session.vtt', mimeType: 'text/vtt', buffer: Buffer.from(VTT, 'utf8') });
    await page.getByRole('button', { name: 'Read the transcript' }).click();
    await page.getByRole('heading', { name: 'Who is who in the transcript' }).waitFor();
    await page.getByRole('group', { name: 'Dr Ames' }).getByText('Therapist').click();
    await page.getByRole('group', { name: 'Sam' }).getByText('Client').click();
    await page.getByRole('button', { name: 'Code and attach the transcript' }).click();
    await page.waitForURL((url) => url.pathname === bare);
    const attached = page.locator('#transcript');
    await attached.getByText(/^Coded by the rule coder/).waitFor();
    await attached.locator('details summary', { hasText: /^The transcript \(4 utterances/ }).click();
    await attached.getByText('So the phone at night is costing you sleep', { exact: false }).waitFor();
    await screenshot(page, '42-transcript-attached.png');

    // Replaced by pasting plain lines: speakers called Therapist and Client are placed already.
    await page.locator('#transcript-text').fill('Therapist: How was the week?\nClient: Long. I am tired of all this.\n');
    await page.getByRole('button', { name: 'Read the transcript' }).click();
    await page.getByRole('heading', { name: 'Who is who in the transcript' }).waitFor();
    await page.getByRole('button', { name: 'Code and attach the transcript' }).click();
    await page.waitForURL((url) => url.pathname === bare);
    await attached.locator('details summary', { hasText: /^The transcript \(2 utterances/ }).click();
    await attached.getByText('I am tired of all this', { exact: false }).waitFor();
    assert.deepEqual(problems, []);
    await context.close();
  });
});
