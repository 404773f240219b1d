// Helpers for the Playwright UI tests in test/ui/*.ui.mjs (node's test runner): ordered steps that
// stop the chain on the first failure (with a screenshot), plain-language waits, and the command
// palette driven the way a person uses it.
import { after, before, test } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ensureSetup, makeScratch, repoRoot, sleep } from './codeserver.mjs';

export const artifacts = join(repoRoot, 'test-artifacts');
export const WAIT = 30_000;

/**
 * Returns step(name, fn): each step is a node:test test, run in order. After a failure the later
 * steps fail at once naming the step that broke (they are not skipped), and the failing step leaves
 * test-artifacts/<prefix><step>-failed.png. `page()` gives the current page (or undefined).
 */
export function createSteps({ page, prefix = '', timeout = 120_000 }) {
  let failedStep = '';
  return function step(name, fn) {
    test(name, { timeout }, async () => {
      if (failedStep) throw new Error(`not run: the earlier step "${failedStep}" failed`);
      try {
        await fn();
      } catch (e) {
        failedStep = name;
        const p = page();
        if (p) {
          mkdirSync(artifacts, { recursive: true });
          const shot = join(artifacts, `${prefix}${name.split(':')[0].replace(/\W+/g, '-')}-failed.png`);
          await p.screenshot({ path: shot }).catch(() => {});
          if (e instanceof Error) e.message += `\n(screenshot: ${shot})`;
        }
        throw e;
      }
    });
  };
}

/**
 * One UI test file's session in `S`: before its steps, the artifacts folder, the cached code-server
 * and a scratch folder (`S.scratch`, named from `scratch`); after them, the browser and code-server
 * its steps started (`S.browser`, `S.server`) are closed and the scratch removed. Returns its
 * step() (createSteps, screenshots named with `prefix`).
 */
export function workbenchSession(S, { scratch, prefix = '', timeout = 120_000 }) {
  before(async () => {
    mkdirSync(artifacts, { recursive: true });
    ensureSetup();
    S.scratch = makeScratch(scratch);
  });
  after(async () => {
    await S.browser?.close().catch(() => {});
    await S.server?.stop();
    S.scratch?.cleanup();
  });
  return createSteps({ page: () => S.page, prefix, timeout });
}

/** npm run build, unless SEQLAB_TEST_NO_BUILD=1 (the caller has built already). */
export function buildUnlessSkipped() {
  if (process.env.SEQLAB_TEST_NO_BUILD === '1') return;
  const r = spawnSync('npm', ['run', '--silent', 'build'], { cwd: repoRoot, encoding: 'utf8' });
  assert.equal(r.status, 0, `npm run build failed:\n${r.stdout}\n${r.stderr}`);
}

/** Waits for a locator to be visible, failing with `what` instead of a selector dump. */
export async function see(locator, what, timeout = WAIT) {
  try {
    await locator.first().waitFor({ state: 'visible', timeout });
  } catch {
    throw new Error(`not visible after ${timeout / 1000} s: ${what}`);
  }
  return locator.first();
}

/** Polls fn until it returns a truthy value, which it returns. */
export async function until(what, fn, timeout = WAIT, every = 250) {
  const deadline = Date.now() + timeout;
  let last;
  while (Date.now() < deadline) {
    last = await fn();
    if (last) return last;
    await sleep(every);
  }
  throw new Error(`timed out after ${timeout / 1000} s: ${what} (last: ${JSON.stringify(last)})`);
}

/**
 * Runs a command from the palette like a person: F1, type ">title", wait for the entry, Enter.
 * The palette does not refresh while open, so retry until the extension's command shows up.
 */
export async function runCommand(page, title, timeout = WAIT) {
  const deadline = Date.now() + timeout;
  const input = page.locator('.quick-input-widget input');
  for (;;) {
    await page.keyboard.press('F1');
    await input.waitFor({ state: 'visible', timeout: 10_000 });
    await input.fill(`>${title}`);
    const row = page.locator('.quick-input-list .monaco-list-row', { hasText: title });
    try {
      await row.first().waitFor({ state: 'visible', timeout: 2_000 });
      await page.keyboard.press('Enter');
      return;
    } catch {
      await page.keyboard.press('Escape');
      if (Date.now() > deadline) throw new Error(`command "${title}" did not appear in the command palette within ${timeout / 1000} s`);
      await sleep(500);
    }
  }
}

/** Open a workspace file by name through Quick Open (Ctrl+P), retried until the list shows it. */
export async function quickOpen(page, name) {
  const input = page.locator('.quick-input-widget input');
  await until(`Quick Open to list ${name}`, async () => {
    await page.keyboard.press('Control+P');
    await input.waitFor({ state: 'visible', timeout: 10_000 });
    await input.fill(name);
    const row = page.locator('.quick-input-list .monaco-list-row', { hasText: name });
    try {
      await row.first().waitFor({ state: 'visible', timeout: 3_000 });
      await page.keyboard.press('Enter');
      return true;
    } catch {
      await page.keyboard.press('Escape');
      return false;
    }
  }, 60_000, 500);
  await see(page.locator('.tabs-container .tab', { hasText: name }), `an editor tab for ${name}`);
}
