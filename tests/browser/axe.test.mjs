// Accessibility kept, not hoped for (issue 17, item 5): axe-core (WCAG 2.0, 2.1 and 2.2, A and AA rules) on every
// page each kind of user reaches by following links, one page per route, and on the client's form and thank-you
// page. Any critical or serious violation fails the build; moderate and minor ones are counted and written to
// ci-artifacts/axe.json for the note.
// Run: npm ci && cargo build -p alliance && node --test tests/browser/

import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { after, before, describe, it } from 'node:test';

import { DESKTOP, PHONE, answerRequired, launchChromium, newPage, screenshotPath, startDemo } from './harness.mjs';

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];
const FAILING = new Set(['critical', 'serious']);
/** Pages per kind of user at most: the route table has about 60 routes, most of them forms' POST targets. */
const MAX_PAGES = 60;

/** `/clients/12/export?x=1` -> `/clients/{id}/export`: pages of one route are checked once. */
function routeOf(url) {
  return new URL(url).pathname.replace(/\/\d+(?=\/|$)/g, '/{id}');
}

/** Runs axe on the page (the context bypasses the page's CSP, which allows only the app's own scripts). */
async function audit(page) {
  await page.evaluate(AXE_SOURCE);
  return page.evaluate((tags) => window.axe.run(document, { runOnly: { type: 'tag', values: tags } }), TAGS);
}

/** What a result says, compactly: rule, impact and the first few targets. */
function summary(violations) {
  return violations.map((v) => `${v.impact} ${v.id} (${v.help}) at ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}`);
}

describe('accessibility (axe-core)', { timeout: 600_000 }, () => {
  let demo;
  let browser;
  const report = { rules: TAGS, pages: [] };

  before(async () => {
    demo = await startDemo();
    browser = await launchChromium();
  }, { timeout: 120_000 });

  after(async () => {
    await browser?.close().catch(() => {});
    await demo?.stop();
    const counts = { pages: report.pages.length, moderate: 0, minor: 0 };
    for (const p of report.pages) {
      for (const v of p.violations) if (v.impact in counts) counts[v.impact] += v.nodes;
    }
    report.counts = counts;
    writeFileSync(screenshotPath('../axe.json'), JSON.stringify(report, null, 2));
    console.log(`axe: ${counts.pages} pages, ${counts.moderate} moderate and ${counts.minor} minor findings (nodes)`);
  });

  /** Checks the page open now, records it, and returns its critical and serious violations. */
  async function check(page, who) {
    const result = await audit(page);
    const route = routeOf(page.url());
    report.pages.push({
      who,
      route,
      violations: result.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.length, help: v.help })),
    });
    return summary(result.violations.filter((v) => FAILING.has(v.impact))).map((s) => `${who} ${route}: ${s}`);
  }

  it('the client form and thank-you page on a phone', async () => {
    const { context, page } = await newPage(browser, { ...PHONE, bypassCSP: true });
    const failing = [];
    await page.goto(demo.clientLink);
    failing.push(...(await check(page, 'client')));
    await answerRequired(page, (name, labels) => (name.endsWith('.rupture') ? 'No' : labels[0]), { tap: true });
    await Promise.all([
      page.waitForURL(() => true),
      page.getByRole('button', { name: 'Send my answers' }).tap(),
    ]);
    await page.getByRole('heading', { name: 'Thank you' }).waitFor();
    failing.push(...(await check(page, 'client')));
    await context.close();
    assert.deepEqual(failing, []);
  });

  it("the client's own page and its print view on a phone", async () => {
    const therapist = demo.accounts.find((a) => a.role === 'therapist');
    const staff = await newPage(browser, DESKTOP);
    await staff.page.goto(`${demo.base}/login`);
    await staff.page.locator('input[name="email"]').fill(therapist.email);
    await staff.page.locator('input[name="password"]').fill(therapist.password);
    await Promise.all([
      staff.page.waitForURL((u) => u.pathname !== '/login'),
      staff.page.getByRole('button', { name: 'Sign in' }).click(),
    ]);
    await staff.page.locator('ol.triage li a.who, table.caseload tbody th a').first().click();
    await staff.page.waitForURL(/\/clients\/\d+$/);
    await staff.page.getByRole('button', { name: 'Give the client a personal link' }).click();
    const own = await staff.page.locator('#own-page-link').innerText();
    await staff.context.close();
    const { context, page } = await newPage(browser, { ...PHONE, bypassCSP: true });
    const failing = [];
    await page.goto(own);
    failing.push(...(await check(page, 'client')));
    await page.goto(`${own}/print`);
    failing.push(...(await check(page, 'client')));
    // "Stop asking me" and its undoing.
    await page.goto(own);
    await page.getByRole('button', { name: 'Stop asking me' }).tap();
    await page.getByRole('heading', { name: 'You will not be asked again' }).waitFor();
    failing.push(...(await check(page, 'client')));
    await page.getByRole('button', { name: 'Start being asked again' }).tap();
    await page.getByRole('heading', { name: 'You will be asked again' }).waitFor();
    failing.push(...(await check(page, 'client')));
    await context.close();
    assert.deepEqual(failing, []);
  });

  it('the waiting-room tablet: its code form, a refused code, and the therapist\'s code page', async () => {
    const signInAs = async (page, who) => {
      await page.goto(`${demo.base}/login`);
      await page.locator('input[name="email"]').fill(who.email);
      await page.locator('input[name="password"]').fill(who.password);
      await Promise.all([
        page.waitForURL((u) => u.pathname !== '/login'),
        page.getByRole('button', { name: 'Sign in' }).click(),
      ]);
    };
    const failing = [];
    const admin = demo.accounts.find((a) => a.role === 'administrator');
    const staff = await newPage(browser, { ...DESKTOP, bypassCSP: true });
    await signInAs(staff.page, admin);
    await staff.page.goto(`${demo.base}/admin/kiosks`);
    const add = staff.page.locator('form[action="/admin/kiosks"]');
    await add.getByLabel('Where it stands').fill('Waiting room');
    await add.getByLabel('Your password').fill(admin.password);
    await add.getByRole('button', { name: 'Add the tablet' }).click();
    const address = await staff.page.locator('#kiosk-address').inputValue();
    failing.push(...(await check(staff.page, 'administrator')));
    await staff.context.clearCookies();
    const therapist = demo.accounts.find((a) => a.role === 'therapist');
    await signInAs(staff.page, therapist);
    await staff.page.goto(`${demo.base}/clients/new`);
    await staff.page.locator('input[name="pseudonym"]').fill('Axe Tablet');
    await staff.page.getByRole('button', { name: 'Add client and open an episode of care' }).click();
    await staff.page.getByRole('button', { name: 'Record session' }).click();
    await staff.page.waitForURL(/\/sessions\/\d+$/);
    await staff.page.getByRole('button', { name: 'Code for the waiting-room tablet' }).click();
    const code = (await staff.page.locator('#kiosk-code').innerText()).trim();
    failing.push(...(await check(staff.page, 'therapist')));
    await staff.context.close();
    const { context, page } = await newPage(browser, { ...PHONE, bypassCSP: true }, { expectedStatuses: [404] });
    await page.goto(address);
    failing.push(...(await check(page, 'client')));
    await page.getByLabel('Code').fill('AAAAAA');
    await page.getByRole('button', { name: 'Open my check' }).tap();
    await page.locator('#e-code').waitFor();
    failing.push(...(await check(page, 'client')));
    // The right code: the check on the tablet, and its thank-you page.
    await page.getByLabel('Code').fill(code);
    await page.getByRole('button', { name: 'Open my check' }).tap();
    await page.waitForURL(/\/c\/[\w-]+$/);
    await answerRequired(page, (name, labels) => (name.endsWith('.rupture') ? 'No' : labels[0]), { tap: true });
    await page.getByRole('button', { name: 'Send my answers' }).tap();
    await page.getByRole('heading', { name: 'Thank you' }).waitFor();
    failing.push(...(await check(page, 'client')));
    await context.close();
    assert.deepEqual(failing, []);
  });

  it('the sign-in page and a page that is not there', async () => {
    const { context, page } = await newPage(browser, { ...DESKTOP, bypassCSP: true }, { expectedStatuses: [404] });
    const failing = [];
    await page.goto(`${demo.base}/login`);
    failing.push(...(await check(page, 'anyone')));
    await page.goto(`${demo.base}/no-such-page`);
    failing.push(...(await check(page, 'anyone')));
    await context.close();
    assert.deepEqual(failing, []);
  });

  // Each kind of user in English and in Arabic (right to left): the browser asks for the language.
  const sweeps = ['therapist', 'supervisor', 'researcher', 'administrator'].flatMap((role) => [
    [role, 'en-GB'],
    [role, 'ar'],
  ]);
  for (const [role, locale] of sweeps) {
    it(`every page a ${role} reaches (${locale})`, async () => {
      const who = demo.accounts.find((a) => a.role === role);
      const { context, page } = await newPage(browser, { ...DESKTOP, locale, bypassCSP: true });
      const failing = [];
      const label = `${role} (${locale})`;
      // Researchers and administrators land on their own first page, not the caseload.
      await page.goto(`${demo.base}/login`);
      assert.equal(await page.locator('html').getAttribute('lang'), locale === 'ar' ? 'ar' : 'en');
      await page.locator('input[name="email"]').fill(who.email);
      await page.locator('input[name="password"]').fill(who.password);
      await Promise.all([
        page.waitForURL((u) => u.pathname !== '/login'),
        page.locator('form[action="/login"] button[type="submit"]').click(),
      ]);
      failing.push(...(await check(page, label)));
      const origin = new URL(demo.base).origin;
      const seen = new Set([routeOf(page.url())]);
      const queue = [
        `${demo.base}/`,
        ...(await page.locator('a[href]:not([download])').evaluateAll((as) => as.map((a) => a.href))),
      ];
      let pages = 1;
      while (queue.length > 0 && pages < MAX_PAGES) {
        const url = queue.shift();
        const route = routeOf(url);
        if (seen.has(route)) continue;
        seen.add(route);
        const response = await page.goto(url);
        // A page that answers with an error is the routes test's business; a download is no page.
        if (!response || response.status() >= 400 || !(response.headers()['content-type'] ?? '').includes('text/html')) {
          continue;
        }
        pages += 1;
        failing.push(...(await check(page, label)));
        // A link marked `download` fetches a file, not a page.
        const links = await page.locator('a[href]:not([download])').evaluateAll((as) => as.map((a) => a.href));
        for (const link of links) {
          const target = new URL(link);
          // Clients' links (the check, their own page) are checked as the client sees them, above.
          const clients = target.pathname.startsWith('/c/') || target.pathname.startsWith('/my/');
          if (target.origin !== origin || clients || target.pathname === '/logout') continue;
          target.hash = '';
          if (!seen.has(routeOf(target.href))) queue.push(target.href);
        }
      }
      await context.close();
      assert.ok(pages >= 3, `only ${pages} pages reached as ${label}`);
      assert.deepEqual(failing, []);
    });
  }
});
