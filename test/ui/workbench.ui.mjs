// UI test: the packaged extension in a real VS Code workbench (code-server 4.139 = Code 1.139, OSS
// build) in headless Debian Chromium, driven the way a person would: activity bar, tree, command
// palette, quick pick, input box, editor, Problems. Run by `npm run test:ui` (node's test runner).
//
// Steps (each a test, in order; a step whose predecessor failed fails with that reason):
//   package  : npm run package -> dist-vsix/seqlab.vsix (SEQLAB_UI_VSIX=<path> uses a given .vsix)
//   install  : code-server --install-extension into a fresh extensions dir
//   open     : workbench on a temp workspace holding examples/hello.seqlab.json
//   tree     : Sequence Lab activity-bar view shows "Experiments" with the example
//   new      : F1 "Sequence Lab: New Experiment", first template, default name -> the file opens
//   problems : the new definition has no problems; a misspelt key shows a Sequence Lab
//              problem (so the zero could have been non-zero), undo clears it
// Screenshots go to test-artifacts/ (workbench.png at the end, <step>-failed.png on failure).
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, cpSync } from 'node:fs';
import { join } from 'node:path';
import {
  repoRoot, startCodeServer, launchChromium, workbenchUrl, installVsix, sleep,
} from '../../scripts/vscode-test/codeserver.mjs';
import { artifacts, workbenchSession, runCommand, see, until, WAIT } from '../../scripts/vscode-test/ui.mjs';

/** @type {{ scratch?: any, server?: any, browser?: any, page?: import('playwright-core').Page, vsix?: string, workspace?: string, extensionsDir?: string, userData?: string, newName?: string }} */
const S = {};
const step = workbenchSession(S, { scratch: 'seqlab-ui-' });

/** The status-bar problems entry's accessible label, e.g. "No Problems" or "1 error, 0 warnings". */
async function problemsLabel(page) {
  const item = await see(page.locator('#status\\.problems a, #status\\.problems [role="button"]'), 'the Problems entry in the status bar');
  return (await item.getAttribute('aria-label')) || (await item.textContent()) || '';
}

/** Polls the status-bar problems label until `ok(label)` holds; returns the label. */
async function waitProblems(page, ok, what, timeout = WAIT) {
  let label = '';
  try {
    return await until(what, async () => ok(label = await problemsLabel(page)) && label, timeout);
  } catch {
    throw new Error(`${what}: the status bar says "${label}" after ${timeout / 1000} s`);
  }
}
const noProblems = (l) => /no problems/i.test(l) || /^\s*0\D+0\s*$/.test(l);

step('package: npm run package builds the .vsix', async () => {
  if (process.env.SEQLAB_UI_VSIX) {
    S.vsix = process.env.SEQLAB_UI_VSIX;
  } else {
    const r = spawnSync('npm', ['run', '--silent', 'package'], { cwd: repoRoot, encoding: 'utf8' });
    assert.equal(r.status, 0, `npm run package failed:\n${r.stdout}\n${r.stderr}`);
    S.vsix = join(repoRoot, 'dist-vsix', 'seqlab.vsix');
  }
  assert.ok(existsSync(S.vsix), `${S.vsix} does not exist`);
});

step('install: code-server --install-extension puts it in a fresh extensions dir', async () => {
  S.extensionsDir = join(S.scratch.dir, 'extensions');
  S.userData = join(S.scratch.dir, 'user-data');
  mkdirSync(S.extensionsDir, { recursive: true });
  const out = installVsix(S.vsix, S.extensionsDir, S.userData);
  const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8'));
  const dir = `${pkg.publisher}.${pkg.name}-${pkg.version}`;
  assert.ok(readdirSync(S.extensionsDir).includes(dir), `${dir} not in ${S.extensionsDir} after install:\n${out}`);
  assert.ok(existsSync(join(S.extensionsDir, dir, 'dist', 'extension.js')), 'the installed extension has no dist/extension.js');
});

step('open: the workbench opens a workspace with the hello example', async () => {
  S.workspace = join(S.scratch.dir, 'workspace');
  mkdirSync(S.workspace, { recursive: true });
  cpSync(join(repoRoot, 'examples', 'hello.seqlab.json'), join(S.workspace, 'hello.seqlab.json'));
  S.server = await startCodeServer({ dir: S.scratch.dir, locale: 'en' });
  S.browser = await launchChromium();
  const context = await S.browser.newContext({ viewport: { width: 1400, height: 900 } });
  S.page = await context.newPage();
  await S.page.goto(workbenchUrl(S.server, S.workspace));
  await see(S.page.locator('.monaco-workbench'), 'the VS Code workbench (.monaco-workbench)', 60_000);
  await see(S.page.locator('.part.statusbar'), 'the status bar');
});

step('tree: the Sequence Lab view lists the example under Experiments', async () => {
  const page = S.page;
  const icon = await see(page.locator('.part.activitybar .action-item a[aria-label^="Sequence Lab"], .part.activitybar [role="tab"][aria-label^="Sequence Lab"]'),
    'the Sequence Lab icon in the activity bar');
  await icon.click();
  const sidebar = page.locator('.part.sidebar');
  // A container with one view shows it in the side bar title ("Sequence Lab: Experiments"),
  // with more views as a pane header.
  await see(sidebar.locator('.composite.title .title-label, .pane-header', { hasText: /Experiments/ }),
    'the "Experiments" view title in the side bar');
  await see(sidebar.locator('.monaco-list-row', { hasText: 'hello' }), 'the "hello" experiment row in the Experiments tree');
  await page.screenshot({ path: join(artifacts, 'tree.png') });
});

step('new: "Sequence Lab: New Experiment" creates a definition from the first template and opens it', async () => {
  const page = S.page;
  await runCommand(page, 'Sequence Lab: New Experiment');
  // Quick pick of templates (its rows describe "<id>.seqlab.json · <task>"): take the first one.
  const widget = page.locator('.quick-input-widget');
  const firstTemplate = await see(widget.locator('.quick-input-list .monaco-list-row', { hasText: '.seqlab.json' }),
    'the template quick pick (rows naming *.seqlab.json)');
  const templateLabel = ((await firstTemplate.locator('.label-name').first().textContent().catch(() => '')) || '').trim();
  await page.keyboard.press('Enter');
  // Input box for the name, prefilled with "<template>-<n>": accept it.
  await see(widget.locator('.quick-input-message, .quick-input-description', { hasText: /name/i }),
    `the name input box after picking template "${templateLabel}"`);
  const input = widget.locator('input');
  const deadline = Date.now() + WAIT;
  let name = '';
  while (Date.now() < deadline && !(name = await input.inputValue())) await sleep(100);
  assert.ok(name && !name.startsWith('>'), `the name input box has no suggested name (template "${templateLabel}", value "${name}")`);
  await page.keyboard.press('Enter');
  S.newName = name;
  const file = `${name}.seqlab.json`;
  await see(page.locator('.tabs-container .tab', { hasText: file }), `an editor tab for ${file}`);
  assert.ok(existsSync(join(S.workspace, file)), `${file} was not written to the workspace`);
  await see(page.locator('.part.sidebar .monaco-list-row', { hasText: name }), `"${name}" in the Experiments tree`);
  await see(page.locator('.editor-instance .monaco-editor .view-lines', { hasText: '"name"' }), `the text of ${file} in the editor`);
});

step('problems: the new definition has no problems, a typo shows one, undo clears it', async () => {
  const page = S.page;
  // Give validation a moment to run, then the count must be zero.
  await sleep(1500);
  await waitProblems(page, noProblems, `${S.newName}.seqlab.json should have no problems`);
  await (await see(page.locator('#status\\.problems'), 'the Problems entry in the status bar')).click();
  await see(page.locator('.markers-panel, .markers-panel-container'), 'the Problems panel');
  await see(page.locator('.part.panel', { hasText: /No problems have been detected/i }), 'the Problems panel saying there are no problems');
  await page.screenshot({ path: join(artifacts, 'workbench.png') });

  // The check above must be able to fail: misspell a key and watch the count go up. Syntax errors
  // are VS Code's JSON support's to report (our schema is annotations only, so nothing is reported
  // twice); a misspelt key is Sequence Lab's own validator's (diagnostic source "seqlab").
  await page.locator('.editor-instance .monaco-editor .view-lines').first().click();
  // before the closing brace of the definition (the last line but the empty one after it)
  await page.keyboard.press('Control+End');
  await page.keyboard.press('ArrowUp');
  await page.keyboard.press('Home');
  await page.keyboard.type(',"lyers": 1\n', { delay: 20 });
  const broken = await waitProblems(page, (l) => !noProblems(l), 'after adding a misspelt key "lyers" a problem should show');
  await see(page.locator('.part.panel .monaco-list-row', { hasText: `${S.newName}.seqlab.json` }), 'the broken file listed in the Problems panel');
  await see(page.locator('.part.panel .monaco-list-row', { hasText: 'seqlab' }).filter({ hasText: /lyers/ }),
    'a Sequence Lab (source "seqlab") problem for the misspelt key in the Problems panel');
  await page.screenshot({ path: join(artifacts, 'workbench-problem.png') });
  for (let i = 0; i < 12; i++) await page.keyboard.press('Control+Z');
  await waitProblems(page, noProblems, `undo should clear the problem ("${broken}")`);
});
