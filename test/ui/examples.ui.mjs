// UI test: every shipped example (examples/*.seqlab.json) opened in the training panel of a real VS
// Code workbench (code-server, headless Chromium), trained briefly, and photographed: each panel must
// show a hidden-state heatmap with token labels and a prediction view (table, chart or text), and a
// class task its confusion matrix at the end of the run.
// Screenshots: test-artifacts/examples-<name>.png (the panel after its short run),
// examples-<step>-failed.png on failure. Run by `npm run test:ui` or alone:
// `node --test test/ui/examples.ui.mjs`.
//
// Runtime: the definitions are copied with a few training steps (STEPS) and the panel set to the CPU
// backend (no timed backend probe), and each panel is closed before the next opens.
import * as assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot, makeWorkspace, startCodeServer, launchChromium, workbenchUrl } from '../../scripts/vscode-test/codeserver.mjs';
import { artifacts, buildUnlessSkipped, workbenchSession, runCommand, see, until, quickOpen } from '../../scripts/vscode-test/ui.mjs';

/** Training steps of each example here (their own are hundreds). */
const STEPS = 12;
const EXAMPLES = readdirSync(join(repoRoot, 'examples')).filter((f) => f.endsWith('.seqlab.json')).map((f) => f.replace(/\.seqlab\.json$/, '')).sort();

/** @type {{ scratch?: any, server?: any, browser?: any, page?: import('playwright-core').Page, workspace?: string }} */
const S = {};
const step = workbenchSession(S, { scratch: 'seqlab-ui-examples-', prefix: 'examples-', timeout: 180_000 });

step('open: a workbench on a workspace holding every example, each shortened to a few steps', async () => {
  buildUnlessSkipped();
  assert.ok(EXAMPLES.length >= 10, `examples found: ${EXAMPLES}`);
  S.workspace = makeWorkspace(join(S.scratch.dir, 'workspace'));
  for (const name of EXAMPLES) {
    const file = join(S.workspace, `${name}.seqlab.json`);
    const text = readFileSync(file, 'utf8');
    assert.match(text, /"steps"\s*:\s*\d+/, `${name} names its steps`);
    // a short run, validated at its end (evalEvery and logEvery no larger than the run)
    // (a schedule's warm-up must stay shorter than the run: the definition's own check says so)
    writeFileSync(file, text.replace(/"steps"\s*:\s*\d+/, `"steps": ${STEPS}`).replace(/"(evalEvery|logEvery)"\s*:\s*\d+/g, `"$1": ${STEPS / 2}`).replace(/"warmupSteps"\s*:\s*\d+/g, `"warmupSteps": ${STEPS / 4}`));
  }
  mkdirSync(join(S.workspace, '.vscode'), { recursive: true });
  writeFileSync(join(S.workspace, '.vscode', 'settings.json'), JSON.stringify({ 'seqlab.preferredBackend': 'cpu' }));
  S.server = await startCodeServer({ dir: S.scratch.dir, locale: 'en', settings: { 'workbench.colorTheme': 'Default Dark Modern' } });
  S.browser = await launchChromium();
  const context = await S.browser.newContext({ viewport: { width: 1500, height: 1500 } });
  S.page = await context.newPage();
  await S.page.goto(workbenchUrl(S.server, S.workspace, { extensionDevelopmentPath: repoRoot }));
  await see(S.page.locator('.monaco-workbench'), 'the VS Code workbench', 60_000);
  // the panels get the width: no side bar
  await runCommand(S.page, 'View: Toggle Primary Side Bar Visibility', 30_000);
});

for (const name of EXAMPLES) {
  step(`${name}: the panel trains it and shows a labelled heatmap and a prediction view; screenshot examples-${name}.png`, async () => {
    const page = S.page;
    await quickOpen(page, `${name}.seqlab.json`);
    await runCommand(page, 'Sequence Lab: Open Training Panel', 60_000);
    const tab = page.locator('.tabs-container .tab', { hasText: `Train: ${name}` });
    await see(tab, `the "Train: ${name}" panel tab`, 60_000);
    // the definition's editor closes: the panel's group takes the window's width
    await page.locator('.tabs-container .tab', { hasText: `${name}.seqlab.json` }).first().click({ button: 'middle' });
    const f = page.frameLocator('iframe.webview.ready >> visible=true').frameLocator('#active-frame');
    await see(f.locator('body[data-phase="ready"]'), `${name} ready to train`, 120_000);
    await (await see(f.locator('#btn-start'), 'the Start button')).click();
    await until(`${name} to finish its ${STEPS} steps`, async () => (await f.locator('body').getAttribute('data-phase')) === 'done', 150_000, 300);
    const body = f.locator('body');
    // the heatmap: drawn, with token labels along its time axis
    await until(`${name}: the heatmap drawn`, async () => (await f.locator('#heatmap-canvas').getAttribute('data-drawn')) === '1', 30_000);
    const heat = await body.evaluate(() => {
      const h = window.seqlabPanel.heatmap;
      return { T: h.geometry.T, labels: h.labelBoxes.length, rotated: h.labelsRotated, overlaps: h.labelBoxes.some((b, i) => i > 0 && b[0] < h.labelBoxes[i - 1][1]) };
    });
    assert.ok(heat.labels >= Math.min(2, heat.T), `${name}: ${heat.labels} token labels for ${heat.T} steps`);
    assert.equal(heat.overlaps, false, `${name}: token labels overlap`);
    // a prediction view: the predictions table or text, the forecast chart, sampled text, or the decoded output
    const pred = await body.evaluate(() => ({
      table: !!document.querySelector('#predictions .pred-table, #predictions .pred-binary'),
      chart: !document.getElementById('forecast').hidden && !!document.querySelector('#forecast canvas'),
      text: (document.getElementById('predictions').textContent ?? '').trim().length > 0,
      // an encoder-decoder's free-running output (src/core/predict.ts, ./webview/ui/typed.ts)
      decoded: !document.getElementById('typed-prediction').hidden && (document.getElementById('typed-prediction').textContent ?? '').trim().length > 0,
    }));
    assert.ok(pred.table || pred.chart || pred.text || pred.decoded, `${name}: a prediction view (${JSON.stringify(pred)})`);
    // the end of the run's evaluation; class tasks draw their confusion matrix
    await see(f.locator('#evaluation:not([hidden])'), `${name}: the evaluation card`, 60_000);
    const ev = await body.evaluate(() => window.seqlabPanel.evaluation);
    assert.equal(ev?.final, true, `${name}: the end-of-run evaluation`);
    if (ev.report.kind === 'classification') assert.equal(await f.locator('#confusion-canvas').getAttribute('data-drawn'), '1', `${name}: the confusion matrix`);
    console.log(`# ${name}: ${heat.T} steps, ${heat.labels} labels${heat.rotated ? ' (rotated)' : ''}, ${Object.entries(pred).filter(([, v]) => v).map(([k]) => k).join('+')}, evaluation ${ev.report.kind}`);
    // the views below the loss chart in sight: heatmap, predictions, evaluation
    await body.evaluate(() => document.querySelector('.heat-card').scrollIntoView({ block: 'start' }));
    await page.screenshot({ path: join(artifacts, `examples-${name}.png`) });
    assert.ok(existsSync(join(artifacts, `examples-${name}.png`)));
    // close the panel and the definition before the next example
    await runCommand(page, 'View: Close All Editors', 30_000);
    await until('the panel closed', async () => !(await tab.first().isVisible().catch(() => false)), 30_000);
  });
}
