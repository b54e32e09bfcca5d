// The practice research report (issue 19) in a browser: the researcher's page on the demo practice, and the
// self-contained file `alliance analyze research --html` writes for the research fixture. Both are
// photographed for CI's artifacts; the plots are drawn, nothing overflows a phone's width, and the file loads
// nothing from elsewhere.
// Run: npm ci && cargo build -p alliance && node --test tests/browser/

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';

import {
  ALLIANCE_BIN,
  DESKTOP,
  PHONE,
  REPO_ROOT,
  account,
  launchChromium,
  newPage,
  screenshot,
  startDemo,
} from './harness.mjs';

/**
 * Signs the researcher in (their home is the research page) and reloads it until the practice report is
 * there: the first view starts making it in the background.
 */
async function signInResearcher(page, base, { email, password }) {
  await page.goto(`${base}/login`);
  await page.locator('input[name="email"]').fill(email);
  await page.locator('input[name="password"]').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((url) => url.pathname === '/research');
  for (let i = 0; i < 60 && (await page.locator('#report-outcomes').count()) === 0; i += 1) {
    await page.waitForTimeout(500);
    await page.reload();
  }
}

async function width(page) {
  return page.evaluate(() => document.documentElement.scrollWidth);
}

describe('Practice research report', { timeout: 300_000 }, () => {
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

  it('shows the demo practice its report with its plots', async () => {
    const { context, page, problems } = await newPage(browser, DESKTOP);
    await signInResearcher(page, demo.base, account(demo, 'researcher@demo.invalid'));
    await page.locator('#report-outcomes').waitFor();
    const report = page.locator('#report');
    assert.match(await report.innerText(), /courses of care of clients who consented/);
    assert.match(await page.locator('#report-outcomes').innerText(), /not a norm/);
    // The demo has enough data for the alliance model's two parts and the therapists' caterpillar.
    assert.equal(await page.locator('#report-lagged svg circle').count(), 2);
    assert.ok((await page.locator('#report-therapists svg').count()) === 1);
    await screenshot(page, 'research-report-demo.png');
    assert.deepEqual(problems, []);
    await context.close();

    const { context: phoneContext, page: phone } = await newPage(browser, PHONE);
    await signInResearcher(phone, demo.base, account(demo, 'researcher@demo.invalid'));
    await phone.locator('#report-outcomes').waitFor();
    assert.ok((await width(phone)) <= 375 + 1, 'the report fits a phone');
    await phoneContext.close();
  });

  it('writes the fixture report as one file that draws every plot', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'alliance-report-'));
    const file = path.join(dir, 'report.html');
    const fixture = path.join(REPO_ROOT, 'crates/core/tests/fixtures/research_practice.csv');
    execFileSync(ALLIANCE_BIN, ['analyze', 'research', '--input', fixture, '--html', file]);
    const { context, page } = await newPage(browser, DESKTOP);
    const requests = [];
    page.on('request', (r) => requests.push(r.url()));
    await page.goto(pathToFileURL(file).href);
    assert.equal(await page.locator('svg').count(), 3);
    assert.equal(await page.locator('#report-therapists circle').count(), 24, 'one dot per therapist');
    const box = await page.locator('#report-lagged svg').boundingBox();
    assert.ok(box && box.width > 300 && box.height > 40, `the alliance plot is drawn: ${JSON.stringify(box)}`);
    assert.deepEqual(requests.filter((u) => !u.startsWith('file:')), [], 'nothing loaded from elsewhere');
    await screenshot(page, 'research-report-fixture.png');
    await page.emulateMedia({ media: 'print' });
    await page.pdf({ path: path.join(dir, 'report.pdf') });
    await context.close();
  });
});
