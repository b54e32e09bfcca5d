// The list of one's active sign-ins (ASVS 3.3.4) in two real browsers: one ends the other's sign-in, which is
// refused at once; and the administrator's task page, for people to look at.
// Run: npm ci && cargo build -p alliance && node --test tests/browser/

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { DESKTOP, account, launchChromium, newPage, screenshot, signIn, startDemo } from './harness.mjs';

const TEST_TIMEOUT = 90_000;

/** The rows of the account page's sign-in table, as their text. */
async function signInRows(page) {
  const table = page.locator('section', { has: page.getByRole('heading', { name: 'Your active sign-ins' }) });
  return table.locator('tbody tr').allInnerTexts();
}

describe('active sign-ins', () => {
  let demo;
  let first;
  let second;

  before(async () => {
    demo = await startDemo();
    // Two browsers, as a laptop and a second computer would be: nothing shared between them.
    [first, second] = await Promise.all([launchChromium(), launchChromium()]);
  });

  after(async () => {
    await Promise.all([first?.close(), second?.close()]);
    await demo?.stop();
  });

  it('lists both sign-ins and ends the other one at once', { timeout: TEST_TIMEOUT }, async () => {
    const therapist = account(demo, 'therapist1@demo.invalid');
    const laptop = await newPage(first, DESKTOP);
    const desk = await newPage(second, DESKTOP);
    await signIn(laptop.page, demo.base, therapist);
    await signIn(desk.page, demo.base, therapist);

    await laptop.page.goto(`${demo.base}/account`);
    const rows = await signInRows(laptop.page);
    assert.equal(rows.length, 2, rows.join('\n'));
    assert.equal(rows.filter((r) => r.includes('(this one)')).length, 1, 'the current sign-in is marked');
    assert.ok(rows.every((r) => /Chrom/.test(r) && r.includes('127.0.0.1')), rows.join('\n'));
    await screenshot(laptop.page, '20-account-sign-ins.png');

    const other = laptop.page.locator('tbody tr', { hasNotText: '(this one)' });
    await Promise.all([
      laptop.page.waitForURL((url) => url.pathname === '/account'),
      other.getByRole('button', { name: 'End this sign-in' }).click(),
    ]);
    assert.equal((await signInRows(laptop.page)).length, 1);

    // The other browser's very next page asks it to sign in again; this one goes on.
    await desk.page.goto(`${demo.base}/account`);
    assert.equal(new URL(desk.page.url()).pathname, '/login');
    await laptop.page.goto(`${demo.base}/account`);
    assert.equal(new URL(laptop.page.url()).pathname, '/account');
    assert.deepEqual([...laptop.problems, ...desk.problems], []);
    await Promise.all([laptop.context.close(), desk.context.close()]);
  });

  it("shows the administrator's tasks", { timeout: TEST_TIMEOUT }, async () => {
    const admin = await newPage(first, DESKTOP);
    // An administrator's home is the accounts page, not a caseload (so not the harness's `signIn`).
    const { email, password } = account(demo, 'admin@demo.invalid');
    await admin.page.goto(`${demo.base}/login`);
    await admin.page.locator('input[name="email"]').fill(email);
    await admin.page.locator('input[name="password"]').fill(password);
    await Promise.all([
      admin.page.waitForURL((url) => url.pathname === '/admin/users'),
      admin.page.getByRole('button', { name: 'Sign in' }).click(),
    ]);
    await admin.page.getByRole('link', { name: 'Therapists' }).click();
    await admin.page.getByRole('heading', { name: 'Change a therapist\'s supervisor' }).waitFor();
    await admin.page.getByRole('heading', { name: 'Move clients to another therapist' }).waitFor();
    await screenshot(admin.page, '21-admin-tasks.png');
    assert.deepEqual(admin.problems, []);
    await admin.context.close();
  });
});
