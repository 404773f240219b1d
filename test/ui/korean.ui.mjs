// UI test: Sequence Lab in a real VS Code workbench (code-server 4.139) whose display language is
// Korean (--locale ko with a registered language pack, see scripts/vscode-test/codeserver.mjs), used
// the way a Korean student would: a misspelt key shows a Korean problem in the Problems view, a
// hover over a key shows the schema's Korean description, and the training panel is Korean
// (<html lang="ko">, buttons, status, chart legend) while it trains hello.
// Screenshots: test-artifacts/korean-problems.png, korean-hover.png, korean-panel.png (the README's
// media/screenshots/panel-ko.png is a copy of the last), korean-<step>-failed.png on failure.
// Run by `npm run test:ui` or alone: `node --test test/ui/korean.ui.mjs`.
import * as assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot, startCodeServer, launchChromium, workbenchUrl } from '../../scripts/vscode-test/codeserver.mjs';
import { artifacts, buildUnlessSkipped, workbenchSession, runCommand, see, until, quickOpen } from '../../scripts/vscode-test/ui.mjs';

/** @type {{ scratch?: any, server?: any, browser?: any, page?: import('playwright-core').Page, workspace?: string }} */
const S = {};
const step = workbenchSession(S, { scratch: 'seqlab-ui-korean-', prefix: 'korean-', timeout: 240_000 });
const HANGUL = /[\uAC00-\uD7A3]/;

step('open: a Korean workbench opens a definition with a misspelt key', async () => {
  buildUnlessSkipped();
  for (const f of ['extension.js', 'webview.js', 'worker.js', 'seqlab.schema.ko.json']) assert.ok(existsSync(join(repoRoot, 'dist', f)), `dist/${f} missing`);
  S.workspace = join(S.scratch.dir, 'workspace');
  mkdirSync(S.workspace, { recursive: true });
  cpSync(join(repoRoot, 'examples', 'hello.seqlab.json'), join(S.workspace, 'hello.seqlab.json'));
  writeFileSync(join(S.workspace, 'typo.seqlab.json'), '{\n  "name": "typo",\n  "data": { "task": "hello" },\n  "layers": [ { "cell": "rnn", "unitz": 8 } ]\n}\n');
  S.server = await startCodeServer({ dir: S.scratch.dir, locale: 'ko', settings: {
    'workbench.colorTheme': 'Default Dark Modern', 'workbench.secondarySideBar.defaultVisibility': 'hidden',
  } });
  S.browser = await launchChromium();
  const context = await S.browser.newContext({ viewport: { width: 1600, height: 1000 } });
  S.page = await context.newPage();
  await S.page.goto(workbenchUrl(S.server, S.workspace, { extensionDevelopmentPath: repoRoot }));
  await see(S.page.locator('.monaco-workbench'), 'the VS Code workbench', 60_000);
  await quickOpen(S.page, 'typo.seqlab.json');
});

step('problems: the misspelt key and the missing units are reported once each, in Korean', async () => {
  const page = S.page;
  await page.keyboard.press('Control+Shift+M'); // the Problems view
  const panel = page.locator('.markers-panel');
  const unknown = await see(panel.locator('.monaco-list-row', { hasText: "알 수 없는 키 'unitz'" }), 'the Korean "unknown key" problem', 60_000);
  assert.match(await unknown.textContent(), /'units'을\(를\) 뜻했나요\?/);
  const rows = await panel.locator('.monaco-list-row').allTextContents();
  const missing = rows.filter((r) => /units/.test(r) && /필수 속성|required|Missing property/i.test(r));
  assert.equal(missing.length, 1, `the missing 'units' is reported once (rows: ${rows.join(' | ')})`);
  assert.ok(rows.every((r) => !/Property unitz is not allowed|Missing property/.test(r)), `no second report from the JSON service: ${rows.join(' | ')}`);
  await page.screenshot({ path: join(artifacts, 'korean-problems.png') });
});

step('hover: the schema describes a key in Korean', async () => {
  const page = S.page;
  await quickOpen(page, 'hello.seqlab.json');
  const key = page.locator('.editor-instance .view-line span', { hasText: '"units"' }).first();
  await see(key, 'the "units" key in the editor');
  const hover = page.locator('.monaco-hover');
  await until('a hover over "units"', async () => {
    await key.hover();
    try {
      await hover.filter({ hasText: '은닉 상태' }).first().waitFor({ state: 'visible', timeout: 3_000 });
      return true;
    } catch {
      await page.mouse.move(5, 5);
      return false;
    }
  }, 60_000, 500);
  assert.match(await hover.first().textContent(), /이 레이어의 은닉 상태 크기/);
  await page.screenshot({ path: join(artifacts, 'korean-hover.png') });
  await page.mouse.move(5, 5);
});

step('panel: the training panel is Korean and trains hello', async () => {
  const page = S.page;
  await runCommand(page, 'Sequence Lab: 학습 패널 열기', 60_000);
  await see(page.locator('.tabs-container .tab', { hasText: '학습: hello' }), 'the "학습: hello" panel tab');
  const f = page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');
  await see(f.locator('body[data-phase="ready"]'), 'the panel ready to train', 120_000);
  assert.equal(await f.locator('html').getAttribute('lang'), 'ko');
  assert.equal((await f.locator('#btn-start').textContent()).trim(), '시작');
  await f.locator('#btn-start').click();
  await see(f.locator('body[data-phase="done"]'), 'the run to finish', 180_000);
  // the run's id joins the status once the host has recorded the run (a moment after 'done')
  const status = await until('the status to name the recorded run', async () => {
    const t = (await f.locator('#status').textContent()).trim();
    return /^완료 · 단계 \d+ \/ \d+ · 실행 /.test(t) ? t : undefined;
  }, 30_000);
  assert.match(status, /^완료 · 단계 \d+ \/ \d+ · 실행 /, status);
  assert.match(await f.locator('#loss-now').textContent(), /단계 \d+ · 손실 /);
  const legend = await f.locator('#chart .u-legend').textContent();
  assert.match(legend, /학습 손실/);
  assert.match(await f.locator('.about').textContent(), /고전적인 "hell" -> "ello" 문자 예제/);
  for (const t of await f.locator('h2').allTextContents()) assert.match(t, HANGUL, `heading "${t}"`);
  await page.screenshot({ path: join(artifacts, 'korean-panel.png') });
});
