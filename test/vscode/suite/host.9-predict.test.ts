// Predict with Run: a run's weights on new input from the experiment tree (context menu and
// palette), src/core/predict.ts in the extension host, the result as a markdown report.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { RunSummary } from '../../../src/node/runStore';
import { api, closeEditors, wsUri, helloRunNode } from './host-helpers';

type Predicted = { prediction: Record<string, unknown>; report: vscode.Uri };

suite('host: Predict with Run', () => {
  suiteTeardown(async () => { await closeEditors(); });

  test('a character model predicts the next character; the report shows it; the command is on runs with weights', async function () {
    this.timeout(180_000);
    const a = await api();
    const def = wsUri('hello.seqlab.json');
    const run = await vscode.commands.executeCommand<RunSummary>('seqlab.trainInBackground', def, { quiet: true, steps: 150 });
    assert.equal(run.status, 'completed');
    const node = await helloRunNode(a, run.id, 'completed');
    assert.match(String(a.tree.getTreeItem(node).contextValue), /\bweights\b/, 'the context menu entry shows on this run');
    const ext = vscode.extensions.getExtension('seqlab.seqlab')!.packageJSON as { contributes: { menus: Record<string, { command: string; when?: string }[]> } };
    assert.ok(ext.contributes.menus['view/item/context']!.some((m) => m.command === 'seqlab.predictWithRun' && /weights/.test(m.when ?? '')));
    assert.ok(!ext.contributes.menus.commandPalette!.some((m) => m.command === 'seqlab.predictWithRun' && m.when === 'false'), 'and in the palette');

    // from the tree node, without text: the command asks in an input box; dismissed, nothing is shown
    const asked = vscode.commands.executeCommand<Predicted | undefined>('seqlab.predictWithRun', node);
    await new Promise((res) => setTimeout(res, 1500));
    await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
    assert.equal(await asked, undefined);
    const out = await vscode.commands.executeCommand<Predicted>('seqlab.predictWithRun', { runId: run.id, text: 'hell' });
    assert.ok(out, 'the command returns the prediction');
    const next = out.prediction.next as { token: string; probability: number }[];
    assert.equal(next[0]!.token, 'o', `after "hell" comes "o" (${JSON.stringify(next)})`);
    const doc = await vscode.workspace.openTextDocument(out.report);
    const text = doc.getText();
    assert.match(text, new RegExp(run.id));
    assert.match(text, /\| "o" \|/, 'the most likely next token is in the report');
    assert.match(text, /"input":"hell"/);
    // characters the model never saw: refused with the reason (an error message), no report
    assert.equal(await vscode.commands.executeCommand('seqlab.predictWithRun', { runId: run.id, text: 'xyz' }), undefined);
  });

  test('an encoder-decoder decodes with a beam: the best output and its alternatives', async function () {
    this.timeout(180_000);
    const def = wsUri('en-ko-translate.seqlab.json');
    const run = await vscode.commands.executeCommand<RunSummary>('seqlab.trainInBackground', def, { quiet: true, steps: 20 });
    assert.equal(run.status, 'completed');
    const out = await vscode.commands.executeCommand<Predicted>('seqlab.predictWithRun', { runId: run.id, text: 'we like tea .', beam: 2 });
    const alts = out.prediction.alternatives as { output: string; score: number }[];
    assert.ok(Array.isArray(alts) && alts.length >= 1 && alts.length <= 2, JSON.stringify(out.prediction));
    assert.equal(out.prediction.output, alts[0]!.output, 'the best alternative is the output');
    const text = (await vscode.workspace.openTextDocument(out.report)).getText();
    assert.match(text, /## (Beam search alternatives|빔 탐색 후보)/);
    // blank input: nothing to predict
    assert.equal(await vscode.commands.executeCommand('seqlab.predictWithRun', { runId: run.id, text: '   ' }), undefined);
  });
});
