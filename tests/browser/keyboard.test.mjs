// The keyboard alone, a narrow screen and no JavaScript (issue 17, item 5): a client completes the check at
// 320 px with JavaScript off using only Tab, Space and Enter; a therapist signs in and opens a client with the
// keyboard at 640 px (a 1280 px screen at 200 % zoom). Focus stays visible and nothing scrolls sideways.
// Run: npm ci && cargo build -p alliance && node --test tests/browser/

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { DESKTOP, launchChromium, newPage, screenshot, startDemo } from './harness.mjs';

/** What has the keyboard focus: its tag, type, name, text and whether a focus outline is drawn. */
async function focused(page) {
  const element = page.locator(':focus');
  if ((await element.count()) === 0) return null;
  return element.evaluate((e) => {
    const style = getComputedStyle(e);
    return {
      tag: e.tagName.toLowerCase(),
      type: e.getAttribute('type'),
      name: e.getAttribute('name'),
      text: (e.innerText ?? '').trim(),
      href: e.getAttribute('href'),
      checked: e.checked === true,
      outlined: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0,
    };
  });
}

async function horizontalOverflow(page) {
  return page.locator('html').evaluate((html) => html.scrollWidth - html.clientWidth);
}

describe('keyboard, narrow screens and no JavaScript', { timeout: 300_000 }, () => {
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

  it('a client answers at 320 px with JavaScript off, by keyboard alone', async () => {
    const { context, page, problems } = await newPage(browser, {
      viewport: { width: 320, height: 640 },
      javaScriptEnabled: false,
    });
    await page.goto(demo.clientLink);
    await page.getByRole('heading', { name: 'After your session' }).waitFor();
    assert.equal(await horizontalOverflow(page), 0, 'no sideways scrolling at 320 px');
    const groups = await page.locator('fieldset.options:has(input[required])').count();
    const answered = new Set();
    let submitted = false;
    for (let presses = 0; presses < 400 && !submitted; presses++) {
      await page.keyboard.press('Tab');
      const at = await focused(page);
      if (!at) continue;
      assert.ok(at.outlined, `no visible focus on ${JSON.stringify(at)}`);
      if (at.type === 'radio' && !answered.has(at.name)) {
        // Space checks the focused option of a group that has none checked yet (its first).
        await page.keyboard.press('Space');
        assert.ok((await focused(page)).checked, `Space did not check ${at.name}`);
        answered.add(at.name);
      } else if (at.tag === 'button' && at.text === 'Send my answers') {
        assert.ok(answered.size >= groups, `only ${answered.size} of ${groups} required questions reached by Tab`);
        await Promise.all([page.waitForLoadState('load'), page.keyboard.press('Enter')]);
        submitted = true;
      }
    }
    assert.ok(submitted, 'the send button was never reached with Tab');
    await page.getByRole('heading', { name: 'Thank you' }).waitFor();
    assert.equal(await horizontalOverflow(page), 0, 'no sideways scrolling on the thank-you page');
    await screenshot(page, '30-client-keyboard-320px.png');
    assert.deepEqual(problems, []);
    await context.close();
  });

  it('stops motion for people who ask their system for less of it', async () => {
    // An element given a transition, as any later style might: the stylesheet must switch it off
    // under prefers-reduced-motion, and leave it alone otherwise.
    const probe = async (reducedMotion) => {
      const { context, page } = await newPage(browser, { ...DESKTOP, reducedMotion });
      await page.goto(`${demo.base}/login`);
      const style = await page.evaluate(() => {
        const el = document.createElement('div');
        el.style.transition = 'opacity 1s';
        document.querySelector('main').append(el);
        const s = getComputedStyle(el);
        return { transition: s.transitionDuration, scroll: getComputedStyle(document.documentElement).scrollBehavior };
      });
      await context.close();
      return style;
    };
    const reduced = await probe('reduce');
    assert.equal(reduced.transition, '0s', 'transitions are off under reduced motion');
    assert.equal(reduced.scroll, 'auto');
    const normal = await probe('no-preference');
    assert.equal(normal.transition, '1s', 'and on otherwise: the probe itself works');
  });

  it('a therapist signs in and opens a client by keyboard at 200 % zoom', async () => {
    const therapist = demo.accounts.find((a) => a.role === 'therapist');
    const { context, page, problems } = await newPage(browser, { viewport: { width: 640, height: 450 } });
    await page.goto(`${demo.base}/login`);
    // The first Tab stops may be the skip link or the header; type into the e-mail field once it has focus.
    for (let presses = 0; presses < 10; presses++) {
      await page.keyboard.press('Tab');
      if ((await focused(page))?.name === 'email') break;
    }
    assert.equal((await focused(page))?.name, 'email', 'Tab reaches the e-mail field');
    await page.keyboard.type(therapist.email);
    await page.keyboard.press('Tab');
    assert.equal((await focused(page))?.name, 'password');
    await page.keyboard.type(therapist.password);
    await Promise.all([page.waitForURL((u) => u.pathname === '/'), page.keyboard.press('Enter')]);
    assert.equal(await horizontalOverflow(page), 0, 'the caseload scrolls sideways at 640 px');

    let opened = false;
    for (let presses = 0; presses < 80 && !opened; presses++) {
      await page.keyboard.press('Tab');
      const at = await focused(page);
      if (at?.tag === 'a' && /^\/clients\/\d+$/.test(at.href ?? '')) {
        assert.ok(at.outlined, 'the focused link shows its focus');
        await Promise.all([page.waitForURL((u) => /^\/clients\/\d+$/.test(u.pathname)), page.keyboard.press('Enter')]);
        opened = true;
      }
    }
    assert.ok(opened, 'no client link reached with Tab');
    await page.locator('h1').waitFor();
    assert.equal(await horizontalOverflow(page), 0, 'the client page scrolls sideways at 640 px');
    await screenshot(page, '31-therapist-client-640px.png');
    assert.deepEqual(problems, []);
    await context.close();
  });
});
