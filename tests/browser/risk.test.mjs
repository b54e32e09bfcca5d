// Risk as a protocol (issue 13, item 2): a therapist acknowledges a client's risk signal by saying what was done
// and when, and the client page then shows the action recorded; until then every staff page carries a banner.
// Run: npm ci && cargo build -p alliance && node --test tests/browser/risk.test.mjs

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { DESKTOP, account, launchChromium, newPage, screenshot, signIn, startDemo } from './harness.mjs';

const TEST_TIMEOUT = 90_000;

describe('risk protocol', () => {
  let demo;
  let browser;

  before(async () => {
    // The PHQ-9 at every session, as before schedules: the demo's recent risk answers come with it.
    demo = await startDemo({ args: ['--measure-schedule', ''] });
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    await demo?.stop();
  });

  it('risk acknowledgement records its action', { timeout: TEST_TIMEOUT }, async () => {
    const staff = await newPage(browser, DESKTOP);
    const { page } = staff;
    // The demo's therapists: the first whose caseload has an open risk signal.
    let found = false;
    for (const email of ['therapist1@demo.invalid', 'therapist2@demo.invalid', 'therapist3@demo.invalid']) {
      await staff.context.clearCookies();
      await signIn(page, demo.base, account(demo, email));
      const atRisk = page.locator('ol.triage li', { hasText: 'Risk ·' }).first();
      if ((await atRisk.count()) === 0) continue;
      await Promise.all([
        page.waitForURL((url) => url.pathname.startsWith('/clients/')),
        atRisk.locator('a.who').click(),
      ]);
      found = true;
      break;
    }
    assert.ok(found, 'some demo therapist has a client with an open risk signal');

    // Every staff page carries the banner until the risk is acknowledged: here, and on the account page.
    const client = new URL(page.url()).pathname;
    const link = `#risk-alerts a[href="${client}#attn"]`;
    await page.locator(link).waitFor();
    await page.goto(`${demo.base}/account`);
    await page.locator(link).waitFor();
    await page.goto(`${demo.base}${client}`);

    const form = page.locator('form.risk-ack').first();
    await form.waitFor();
    // One click is no longer possible: the form asks what was done, when, and why if nothing was needed.
    await form.getByLabel('Safety plan reviewed').check();
    await form.locator('input[name="acted_at"]').fill('2026-01-05T09:30');
    await form.locator('textarea[name="note"]').fill('Went through the safety plan by phone.');
    await Promise.all([
      page.waitForURL((url) => url.pathname.startsWith('/clients/')),
      form.getByRole('button', { name: 'Record and acknowledge' }).click(),
    ]);
    const recorded = page.locator('ul.risk-actions li').first();
    await recorded.waitFor();
    const text = await recorded.innerText();
    assert.match(text, /^Safety plan reviewed on 5 Jan 2026, 09:30 UTC \(recorded by .+ on .+\): Went through the safety plan by phone\.$/);
    assert.ok((await page.locator('main').innerText()).includes('Acknowledged by'), 'the signal is acknowledged');
    await screenshot(page, '30-risk-action-recorded.png');
    // Acknowledged: the banner no longer names this client (other clients of the demo may still be waiting).
    await page.goto(`${demo.base}/account`);
    await page.waitForLoadState('networkidle');
    assert.equal(await page.locator(link).count(), 0, 'the banner no longer names the client');
    assert.deepEqual(staff.problems, []);
    await staff.context.close();
  });
});
