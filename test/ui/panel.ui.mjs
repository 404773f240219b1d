// UI test: the training panel in a real VS Code workbench (code-server 4.139 = Code 1.139, OSS build)
// in headless Debian Chromium, used the way a person would: open the hello example with Quick Open,
// run "Sequence Lab: Open Training Panel" from the command palette, press Start inside the panel's
// webview, watch the loss fall and the heatmap draw and change, and keep a screenshot.
// Run by `npm run test:ui` (node's test runner) or alone: `node --test test/ui/panel.ui.mjs`.
//
// The extension under test: the repository (built with `npm run build`, loaded as the development
// extension), or SEQLAB_UI_VSIX=<path> to install a packaged .vsix instead. SEQLAB_TEST_NO_BUILD=1
// skips the build.
//
// Steps (each a test, in order; a step whose predecessor failed fails with that reason):
//   open    : workbench on a temp workspace holding examples/hello.seqlab.json; Quick Open opens it
//   panel   : palette "Sequence Lab: Open Training Panel" -> the webview shows the model, the
//             backend it runs on (named; why WebGPU was not used when it is not), and an empty heatmap
//   train   : the panel's Start button -> the loss readout falls, the heatmap redraws with new values,
//             the unrolled network draws hello and shows a clicked cell's equations (panel-unrolled.png),
//             the run completes (status "done", "run <id>"), the CodeLens says Train again, the
//             Sequence Lab tree lists the run with its final loss; screenshot test-artifacts/panel.png
//   webgpu  : a second window in a Chromium with WebGPU enabled (--enable-unsafe-webgpu: SwiftShader's
//             software adapter here): the panel runs on WEBGPU, names the adapter, and "Step once"
//             trains a step on it; screenshot test-artifacts/panel-webgpu.png
// Screenshots: test-artifacts/panel.png at the end, panel-<step>-failed.png on failure.
import * as assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  repoRoot, startCodeServer, launchChromium, workbenchUrl, installVsix, sleep,
} from '../../scripts/vscode-test/codeserver.mjs';
import { artifacts, buildUnlessSkipped, workbenchSession, runCommand, see, until, quickOpen } from '../../scripts/vscode-test/ui.mjs';

/** Steps of the hello run the panel trains (the example has 200). */
const STEPS = 1500;
const STEP_TIMEOUT = 240_000;

/** @type {{ scratch?: any, server?: any, browser?: any, page?: import('playwright-core').Page, workspace?: string, frame?: import('playwright-core').FrameLocator, dev?: string }} */
const S = {};
const step = workbenchSession(S, { scratch: 'seqlab-ui-panel-', prefix: 'panel-', timeout: STEP_TIMEOUT });

step('open: the workbench opens a workspace with the hello example, Quick Open shows the definition', async () => {
  let extensionDevelopmentPath;
  if (process.env.SEQLAB_UI_VSIX) {
    const extensionsDir = join(S.scratch.dir, 'extensions');
    mkdirSync(extensionsDir, { recursive: true });
    installVsix(process.env.SEQLAB_UI_VSIX, extensionsDir, join(S.scratch.dir, 'user-data'));
    assert.ok(readdirSync(extensionsDir).some((d) => d.startsWith('seqlab.seqlab-')), 'the .vsix installed');
  } else {
    buildUnlessSkipped();
    for (const f of ['extension.js', 'webview.js', 'worker.js']) assert.ok(existsSync(join(repoRoot, 'dist', f)), `dist/${f} missing`);
    extensionDevelopmentPath = repoRoot;
  }
  S.dev = extensionDevelopmentPath;
  S.workspace = join(S.scratch.dir, 'workspace');
  mkdirSync(S.workspace, { recursive: true });
  // hello with more steps than the example's 200, which the fused kernels train in well under a
  // second: long enough for the loss readout to be seen changing while it trains
  writeFileSync(join(S.workspace, 'hello.seqlab.json'),
    readFileSync(join(repoRoot, 'examples', 'hello.seqlab.json'), 'utf8').replace('"steps": 200,', `"steps": ${STEPS},`));
  S.server = await startCodeServer({ dir: S.scratch.dir, locale: 'en', settings: {
    'workbench.colorTheme': 'Default Dark Modern', 'workbench.secondarySideBar.defaultVisibility': 'hidden',
  } });
  S.browser = await launchChromium();
  const context = await S.browser.newContext({ viewport: { width: 1600, height: 1100 } });
  S.page = await context.newPage();
  await S.page.goto(workbenchUrl(S.server, S.workspace, extensionDevelopmentPath ? { extensionDevelopmentPath } : {}));
  const page = S.page;
  await see(page.locator('.monaco-workbench'), 'the VS Code workbench (.monaco-workbench)', 60_000);
  await see(page.locator('.part.statusbar'), 'the status bar');
  // Quick Open (Ctrl+P) the definition, like a person.
  await quickOpen(page, 'hello.seqlab.json');
  await see(page.locator('.editor-instance .monaco-editor .view-lines', { hasText: '"name"' }), 'the text of hello.seqlab.json in the editor');
});

step('panel: "Sequence Lab: Open Training Panel" shows the model, the named backend and an empty heatmap', async () => {
  const page = S.page;
  await runCommand(page, 'Sequence Lab: Open Training Panel', 60_000);
  await see(page.locator('.tabs-container .tab', { hasText: 'Train: hello' }), 'the "Train: hello" panel tab');
  S.frame = page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');
  const f = S.frame;
  await see(f.locator('body[data-phase="ready"]'), 'the panel ready to train (body[data-phase=ready])', 120_000);
  const about = await see(f.locator('.about'), 'the model description');
  assert.match(await about.textContent(), /RNN\(8\)/, 'the panel describes the hello model');
  const badge = await see(f.locator('#backend-name'), 'the backend badge');
  const backend = (await badge.textContent()).trim();
  assert.match(backend, /^(WEBGPU|WEBGL|WASM|CPU)$/, `the backend is named: "${backend}"`);
  if (backend !== 'WEBGPU') {
    const why = await see(f.locator('#backend-why'), 'why WebGPU was not used');
    assert.match(await why.textContent(), /webgpu: \S+/);
  }
  console.log(`# panel backend in the workbench: ${backend}${backend !== 'WEBGPU' ? ` (${(await f.locator('#backend-why').textContent()).trim()})` : ''}`);
  assert.equal(await f.locator('#btn-start').isEnabled(), true, 'Start is enabled');
  assert.equal(await f.locator('#btn-stop').isEnabled(), false, 'Stop is disabled before training');
});

step('train: Start in the panel trains hello; the loss falls, the heatmap draws and changes, the run completes', async () => {
  const page = S.page;
  const f = S.frame;
  const canvas = f.locator('#heatmap-canvas');
  // The untrained model's probe is drawn before training starts.
  await until('the initial heatmap', async () => (await canvas.getAttribute('data-drawn')) === '1', 60_000);
  const before = await canvas.evaluate((c) => c.toDataURL());
  await (await see(f.locator('#btn-start'), 'the Start button')).click();
  await see(f.locator('body[data-phase="running"], body[data-phase="done"]'), 'the panel training (phase running)', 60_000);

  // Watch the loss readout while it trains.
  const seen = [];
  const readout = f.locator('#loss-now');
  await until('the run to finish (phase done)', async () => {
    const [step, loss] = (await readout.evaluate((e) => [e.dataset.step, e.dataset.loss]).catch(() => [])).map(Number);
    if (step > 0 && Number.isFinite(loss) && seen.at(-1)?.step !== step) seen.push({ step, loss });
    return (await f.locator('body').getAttribute('data-phase')) === 'done';
  }, 180_000, 200);
  const final = { step: Number(await readout.getAttribute('data-step')), loss: Number(await readout.getAttribute('data-loss')) };
  if (seen.at(-1)?.step !== final.step) seen.push(final);
  console.log(`# loss readouts seen while training: ${seen.map((s) => `${s.step}:${s.loss.toFixed(3)}`).join(' ')}`);
  assert.ok(seen.length >= 3, `the loss was seen updating live (${seen.length} readouts)`);
  assert.equal(final.step, STEPS, 'trained to the last step');
  assert.ok(final.loss < seen[0].loss * 0.5, `the loss fell: ${seen[0].loss} at step ${seen[0].step} -> ${final.loss}`);
  assert.match(await readout.textContent(), new RegExp(`step ${STEPS} · loss \\d`));

  // The heatmap: drawn, changed by training, its snapshot slider moved on, and the drawing is not blank.
  const after = await canvas.evaluate((c) => c.toDataURL());
  assert.notEqual(after, before, 'the heatmap changed while training');
  assert.match(await f.locator('#snapshot-label').textContent(), new RegExp(`step ${STEPS}`));
  const colours = await canvas.evaluate((c) => {
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    const set = new Set();
    for (let i = 0; i < d.length; i += 4) if (d[i + 3] === 255) set.add(`${d[i]},${d[i + 1]},${d[i + 2]}`);
    return set.size;
  });
  assert.ok(colours > 10, `the heatmap shows many colours (${colours})`);
  // The chart drew (uPlot's canvas) and the status names the recorded run.
  await see(f.locator('#chart canvas'), 'the loss chart');
  // the run's id joins the status once the host has recorded the run (a moment after 'done')
  await until('the status to name the recorded run', async () => new RegExp(`done · step ${STEPS} / ${STEPS} · run \\S+`).test(await f.locator('#status').textContent()), 30_000);
  // Predictions: the hello table after training.
  await see(f.locator('.pred-table'), 'the predictions table');
  // The unrolled network: hello's one layer over its 4 steps, x_t below and y_t above; a click on a
  // cell shows its equations with the trained snapshot's values (test/webview/unrolled.test.ts checks the numbers).
  const unrolled = f.locator('#unrolled-svg');
  await until('the unrolled view to draw hello', async () => (await unrolled.locator('[data-kind="cell"]').count()) === 4, 30_000);
  assert.equal(await unrolled.getAttribute('data-structure'), 'many-to-many');
  assert.equal(await unrolled.locator('text[data-kind="output"]').count(), 4);
  assert.deepEqual(await unrolled.locator('text[data-kind="input"]').evaluateAll((ns) => ns.map((n) => n.dataset.token)), ['h', 'e', 'l', 'l']);
  await unrolled.locator('[data-kind="cell"][data-t="3"]').click();
  const detail = await see(f.locator(`#unrolled-detail[data-t="3"][data-step="${STEPS}"]`), 'the equations of the clicked cell at the last step');
  assert.match(await detail.locator('tr[data-term="h"] .u-math').textContent(), /h_t = tanh\(W_ih x_t/);
  assert.ok(Number.isFinite(Number(await detail.locator('tr[data-term="grad"]').getAttribute('data-value'))), '||dL/dh_t|| shown');
  await f.locator('.unrolled-card').screenshot({ path: join(artifacts, 'panel-unrolled.png') });

  // The editor's CodeLens offers Train again (the panel's run was registered with the training status and ended).
  await see(page.locator('.editor-instance .codelens-decoration', { hasText: 'Train' }), 'the "Train" CodeLens back on the definition after the run');
  // The Sequence Lab view lists the run under hello with its final loss.
  const icon = await see(page.locator('.part.activitybar .action-item a[aria-label^="Sequence Lab"], .part.activitybar [role="tab"][aria-label^="Sequence Lab"]'),
    'the Sequence Lab icon in the activity bar');
  await icon.click();
  const sidebar = page.locator('.part.sidebar');
  const hello = await see(sidebar.locator('.monaco-list-row', { hasText: 'hello' }), 'the "hello" experiment in the Experiments tree');
  if ((await hello.getAttribute('aria-expanded')) !== 'true') await hello.locator('.monaco-tl-twistie').click();
  const lossText = final.loss >= 0.001 ? final.loss.toFixed(4) : final.loss.toExponential(2);
  await see(sidebar.locator('.monaco-list-row', { hasText: `loss ${lossText}` }), `the run in the tree with its final loss ${lossText}`);
  await page.screenshot({ path: join(artifacts, 'panel.png') });
  assert.ok(existsSync(join(artifacts, 'panel.png')));
  assert.ok(existsSync(join(S.workspace, '.seqlab', 'runs')), 'the run was recorded in the workspace');
  const runs = readdirSync(join(S.workspace, '.seqlab', 'runs'));
  assert.equal(runs.length, 1, `one run recorded: ${runs}`);
});

step('webgpu: with WebGPU available the same panel trains on WEBGPU and names the adapter', async () => {
  await S.browser.close();
  // "auto" never picks a software adapter (SwiftShader here) while wasm or cpu runs: ask for WebGPU
  mkdirSync(join(S.workspace, '.vscode'), { recursive: true });
  writeFileSync(join(S.workspace, '.vscode', 'settings.json'), JSON.stringify({ 'seqlab.preferredBackend': 'webgpu' }));
  const { chromium } = await import('playwright-core');
  const { chromiumPath } = await import('../../scripts/vscode-test/codeserver.mjs');
  // The harness's flags, with WebGPU on (a software adapter on this machine) instead of --disable-gpu.
  S.browser = await chromium.launch({
    executablePath: chromiumPath, headless: true,
    args: ['--no-sandbox', '--enable-unsafe-webgpu', '--enable-unsafe-swiftshader', '--use-angle=swiftshader', '--disable-quic',
      '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
  });
  const context = await S.browser.newContext({ viewport: { width: 1600, height: 1100 } });
  const page = S.page = await context.newPage();
  await page.goto(workbenchUrl(S.server, S.workspace, S.dev ? { extensionDevelopmentPath: S.dev } : {}));
  await see(page.locator('.monaco-workbench'), 'the VS Code workbench', 60_000);
  // The window may restore the panel (its serializer) or not: open it from the palette if it is not there.
  const tab = page.locator('.tabs-container .tab', { hasText: 'Train: hello' });
  if (!(await tab.first().isVisible().catch(() => false))) {
    await sleep(3000);
    if (!(await tab.first().isVisible().catch(() => false))) await runCommand(page, 'Sequence Lab: Open Training Panel', 60_000);
  }
  await see(tab, 'the "Train: hello" panel tab');
  await tab.first().click();
  const f = page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');
  const badge = await see(f.locator('#backend-name'), 'the backend badge', 120_000);
  assert.equal((await badge.textContent()).trim(), 'WEBGPU', `the panel runs on WebGPU here; it says: ${await f.locator('#backend').textContent()}`);
  const adapter = (await f.locator('#backend .adapter').first().textContent()).trim();
  assert.match(adapter, /\S+ · \S+/, 'the adapter (vendor · architecture) is named');
  console.log(`# WebGPU adapter in the workbench: ${adapter}`);
  await see(f.locator('body[data-phase="ready"], body[data-phase="done"]'), 'the model ready on WebGPU', 180_000);
  await (await see(f.locator('#btn-step'), 'the Step once button')).click();
  const readout = f.locator('#loss-now');
  const stepped = await until('one training step on WebGPU', async () => {
    const [stepNo, loss] = (await readout.evaluate((e) => [e.dataset.step, e.dataset.loss]).catch(() => [])).map(Number);
    return (await f.locator('body').getAttribute('data-phase')) === 'paused' && stepNo === 1 && Number.isFinite(loss) ? { stepNo, loss } : undefined;
  }, 180_000, 500);
  console.log(`# WebGPU step ${stepped.stepNo}: loss ${stepped.loss}`);
  await until('the heatmap drawn on the WebGPU run', async () => (await f.locator('#heatmap-canvas').getAttribute('data-drawn')) === '1', 60_000);
  await page.screenshot({ path: join(artifacts, 'panel-webgpu.png') });
});
