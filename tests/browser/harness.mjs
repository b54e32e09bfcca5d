// Shared helpers for the browser tests: start the demo clinic, launch the system Chromium, sign in, fill
// questionnaires. Not a test file itself (node --test only runs *.test.mjs and the like).

import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { chromium } from 'playwright-core';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The alliance binary: env ALLIANCE_BIN, else the debug build in the shared target folder. */
export const ALLIANCE_BIN = path.resolve(REPO_ROOT, process.env.ALLIANCE_BIN ?? 'target/debug/alliance');

/** Debian's Chromium; env CHROMIUM_PATH overrides it. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export const SCREENSHOT_DIR = path.resolve(REPO_ROOT, process.env.SCREENSHOT_DIR ?? 'ci-artifacts/screenshots');

/** The demo's therapists; the client's page must name none of them. */
export const DEMO_THERAPISTS = ['Taylor Reed', 'Jordan Lee', 'Morgan Diaz'];

const ACCOUNT_LINE = /^\s+(administrator|supervisor|researcher|therapist)\s+(\S+@\S+)\s+password\s+(\S+)\s+\((.+)\)\s*$/;

/**
 * Starts `alliance demo` on a free loopback port with a fresh data folder (and `args`, such as another measure
 * schedule), and resolves once it has printed its accounts and the client's link. Returns { base, accounts,
 * clientLink, stop }.
 */
export async function startDemo({ timeoutMs = 90_000, args = [] } = {}) {
  if (!existsSync(ALLIANCE_BIN)) {
    throw new Error(`${ALLIANCE_BIN} does not exist: run \`cargo build -p alliance\` first, or set ALLIANCE_BIN`);
  }
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'alliance-browser-'));
  const child = spawn(ALLIANCE_BIN, ['demo', '--bind', '127.0.0.1:0', '--data', dataDir, ...args], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, RUST_LOG: process.env.RUST_LOG ?? 'warn' },
  });
  // Never leave the server running, even when the test process dies of an uncaught error or is interrupted.
  const killOnExit = () => child.kill('SIGKILL');
  const killOnSignal = (signal) => {
    child.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  process.once('exit', killOnExit);
  process.once('SIGINT', killOnSignal);
  process.once('SIGTERM', killOnSignal);

  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8');
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
    if (stderr.length > 100_000) stderr = stderr.slice(-50_000);
  });
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));

  const stop = async () => {
    process.removeListener('exit', killOnExit);
    process.removeListener('SIGINT', killOnSignal);
    process.removeListener('SIGTERM', killOnSignal);
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(dataDir, { recursive: true, force: true });
  };

  try {
    const ready = await new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`alliance demo printed no client link within ${timeoutMs} ms.\nstdout:\n${stdout}\nstderr:\n${stderr}`)),
        timeoutMs,
      );
      child.once('error', (e) => {
        clearTimeout(timer);
        reject(e);
      });
      exited.then(({ code, signal }) => {
        clearTimeout(timer);
        reject(new Error(`alliance demo exited early (code ${code}, signal ${signal}).\nstdout:\n${stdout}\nstderr:\n${stderr}`));
      });
      child.stdout.on('data', (chunk) => {
        stdout += chunk;
        const link = stdout.match(/post-session check[^\n]*?(http:\/\/\S+\/c\/\S+)/);
        const base = stdout.match(/Open (http:\/\/\S+?)\/login/);
        if (link && base) {
          clearTimeout(timer);
          resolve({ base: base[1], clientLink: link[1] });
        }
      });
    });
    const accounts = [];
    for (const line of stdout.split('\n')) {
      const m = line.match(ACCOUNT_LINE);
      if (m) accounts.push({ role: m[1], email: m[2], password: m[3], name: m[4] });
    }
    if (!accounts.some((a) => a.role === 'therapist') || !accounts.some((a) => a.role === 'supervisor')) {
      throw new Error(`could not read the demo accounts from:\n${stdout}`);
    }
    // Keep draining stdout so the server never blocks on a full pipe.
    child.stdout.resume();
    return { ...ready, accounts, stop, stderr: () => stderr };
  } catch (e) {
    await stop();
    throw e;
  }
}

/**
 * Headless Chromium. Playwright gives every launch() a fresh, empty --user-data-dir of its own in the temp
 * folder (and deletes it on close); passing --user-data-dir in args is refused by Playwright.
 */
export async function launchChromium() {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`${CHROMIUM_PATH} does not exist: \`apt-get install chromium\`, or set CHROMIUM_PATH`);
  }
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    timeout: 60_000,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

export const PHONE = { viewport: { width: 375, height: 667 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 };
export const DESKTOP = { viewport: { width: 1280, height: 900 } };

/**
 * A new context and page that record page errors, console errors and failed responses, so a test can assert
 * there were none (a CSP violation shows up as a console error). `expectedStatuses` are document statuses the
 * test provokes on purpose (such as 422); Chromium logs those as console errors too.
 */
export async function newPage(browser, options, { expectedStatuses = [] } = {}) {
  const context = await browser.newContext({ locale: 'en-GB', ...options });
  context.setDefaultTimeout(30_000);
  context.setDefaultNavigationTimeout(30_000);
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() !== 'error') return;
    const text = m.text();
    // Browsers ask for /favicon.ico by themselves; the app has none, which is harmless.
    if (m.location()?.url?.endsWith('/favicon.ico')) return;
    if (expectedStatuses.some((s) => text.includes(`status of ${s}`))) return;
    problems.push(`console error: ${text}`);
  });
  page.on('response', (r) => {
    const status = r.status();
    if (status >= 400 && !expectedStatuses.includes(status)) problems.push(`HTTP ${status} for ${r.url()}`);
  });
  page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()} (${r.failure()?.errorText})`));
  return { context, page, problems };
}

export function screenshotPath(name) {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  return path.join(SCREENSHOT_DIR, name);
}

export async function screenshot(page, name) {
  await page.screenshot({ path: screenshotPath(name), fullPage: true });
}

export function account(demo, email) {
  const a = demo.accounts.find((x) => x.email === email);
  if (!a) throw new Error(`the demo printed no account ${email}`);
  return a;
}

/** Signs in at /login and waits for the caseload. */
export async function signIn(page, base, { email, password }) {
  await page.goto(`${base}/login`);
  await page.locator('input[name="email"]').fill(email);
  await page.locator('input[name="password"]').fill(password);
  const [response] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/login'),
    page.getByRole('button', { name: 'Sign in' }).click(),
  ]);
  if (response.status() >= 400) {
    await page.waitForLoadState();
    const shown = (await page.locator('main').innerText()).replace(/\s+/g, ' ').trim();
    throw new Error(`signing in as ${email} failed with HTTP ${response.status()}: "${shown}"`);
  }
  await page.waitForURL((url) => url.pathname === '/');
  await page.locator('h1').waitFor();
}

/**
 * Answers every required radio group (each `fieldset.options` whose inputs are `required`) the way a person
 * would: by tapping (or clicking) the option's visible label. `choose(name, labels)` returns the label to
 * pick, or null to leave the question empty. Returns { name: value } of what was picked.
 */
export async function answerRequired(page, choose, { tap }) {
  const groups = page.locator('fieldset.options:has(input[type="radio"][required])');
  const count = await groups.count();
  if (count === 0) throw new Error('the form has no required questions');
  const picked = {};
  for (let i = 0; i < count; i++) {
    const group = groups.nth(i);
    await showPart(group);
    const name = await group.locator('input').first().getAttribute('name');
    const labels = (await group.locator('label.option').allInnerTexts()).map((s) => s.trim());
    const pick = choose(name, labels);
    if (pick === null) continue;
    await pickOption(group, pick, { tap });
    picked[name] = await group.locator('input:checked').getAttribute('value');
  }
  return picked;
}

/** Taps or clicks the option whose label is exactly `label` inside `group`, and checks that it took. */
export async function pickOption(group, label, { tap }) {
  await showPart(group);
  const target = group.locator('label.option').filter({ has: group.page().getByText(label, { exact: true }) });
  if ((await target.count()) !== 1) throw new Error(`expected one option "${label}" in the group`);
  if (tap) await target.tap();
  else await target.click();
  if (!(await target.locator('input').isChecked())) throw new Error(`option "${label}" did not get checked`);
}

/**
 * On the client's check, shown one questionnaire at a time (static/check.js), shows the part that holds
 * `locator`, as a client would reach it with Back and Next.
 */
export async function showPart(locator) {
  await locator.evaluate((el) => window.allianceCheck?.show(el));
}

/** The radio group or checklist whose legend starts with `question`. */
export function question(page, text) {
  return page.locator('fieldset.options').filter({ has: page.locator('legend', { hasText: text }) });
}

/**
 * A real SMTP server (aiosmtpd, which `.ci/run` installs into `ALLIANCE_TEST_PYTHON`) on a free loopback port,
 * keeping each message it accepts in a maildir. Resolves to null, with the reason printed, when Python has no
 * aiosmtpd: the caller then skips what needs e-mail. Returns { port, messages(), stop() }.
 */
export async function startMailServer() {
  const python = process.env.ALLIANCE_TEST_PYTHON ?? 'python3';
  const probe = spawnSync(python, ['-c', 'import aiosmtpd'], { stdio: 'ignore' });
  if (probe.status !== 0) {
    console.log(`skipped: no aiosmtpd for ${python} (pip install aiosmtpd, or set ALLIANCE_TEST_PYTHON)`);
    return null;
  }
  const port = await new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port: free } = server.address();
      server.close(() => resolve(free));
    });
  });
  const dir = mkdtempSync(path.join(os.tmpdir(), 'alliance-mail-'));
  const child = spawn(python, ['-m', 'aiosmtpd', '-n', '-l', `127.0.0.1:${port}`, '-c', 'aiosmtpd.handlers.Mailbox', path.join(dir, 'box')], {
    stdio: 'ignore',
  });
  const started = Date.now();
  for (;;) {
    const up = await new Promise((resolve) => {
      const socket = net.connect(port, '127.0.0.1', () => { socket.end(); resolve(true); });
      socket.once('error', () => resolve(false));
    });
    if (up) break;
    if (Date.now() - started > 20_000) throw new Error('aiosmtpd did not start');
    await new Promise((r) => setTimeout(r, 100));
  }
  const messages = () => {
    const folder = path.join(dir, 'box', 'new');
    if (!existsSync(folder)) return [];
    return readdirSync(folder).sort().map((f) => readFileSync(path.join(folder, f), 'utf8'));
  };
  const stop = () => {
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  };
  return { port, messages, stop };
}

/** Subject and body of a message as received: encoded words and quoted-printable or base64 bodies decoded. */
export function decodeMail(raw) {
  const split = raw.indexOf('\n\n');
  const head = raw.slice(0, split).replace(/\r?\n[ \t]+/g, ' ');
  const body = raw.slice(split + 2);
  const header = (name) => head.split(/\r?\n/).find((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}: `))?.slice(name.length + 2) ?? '';
  const subject = header('Subject')
    .replace(/\?=\s+=\?/g, '?==?')
    .replace(/=\?utf-8\?b\?([^?]*)\?=/gi, (_, b) => Buffer.from(b, 'base64').toString('utf8'));
  const encoding = header('Content-Transfer-Encoding').toLowerCase();
  let text = body;
  if (encoding === 'base64') text = Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
  if (encoding === 'quoted-printable') {
    const bytes = [];
    const joined = body.replace(/=\r?\n/g, '');
    for (let i = 0; i < joined.length; i++) {
      if (joined[i] === '=' && /^[0-9A-F]{2}$/i.test(joined.slice(i + 1, i + 3))) {
        bytes.push(parseInt(joined.slice(i + 1, i + 3), 16));
        i += 2;
      } else {
        bytes.push(...Buffer.from(joined[i], 'utf8'));
      }
    }
    text = Buffer.from(bytes).toString('utf8');
  }
  return { to: header('To'), subject, body: text };
}
