// Editing a definition: the core's diagnostics at exact ranges as you type, quick fixes, CodeLens.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { api, closeEditors, remove, waitFor, writeText, wsUri } from './host-helpers';

const BAD = '{\n  "name": "bad",\n  "data": { "task": "hello" },\n  "layers": [ { "cell": "lstm", "unitz": 8 } ],\n  "trainig": {}\n}\n';

function rangeOfText(doc: vscode.TextDocument, needle: string): vscode.Range {
  const at = doc.getText().indexOf(needle);
  assert.ok(at >= 0, `${needle} is in the document`);
  return new vscode.Range(doc.positionAt(at), doc.positionAt(at + needle.length));
}

const seqlabDiags = (uri: vscode.Uri) => vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'seqlab');

suite('host: editing definitions', () => {
  const uri = wsUri('diag-test.seqlab.json');
  suiteSetup(async () => { await api(); await writeText(uri, BAD); });
  suiteTeardown(async () => { await closeEditors(); await remove(uri); });

  test('publishes the core diagnostics at exact ranges', async () => {
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(doc);
    const diags = await waitFor('seqlab diagnostics', () => { const d = seqlabDiags(uri); return d.length >= 3 ? d : undefined; });
    const unitz = diags.find((d) => d.message.includes("'unitz'"));
    assert.ok(unitz, 'a warning for the misspelt key unitz');
    assert.equal(unitz.severity, vscode.DiagnosticSeverity.Warning);
    assert.equal(unitz.code, 'unknown-key');
    assert.ok(unitz.range.isEqual(rangeOfText(doc, '"unitz"')), `range ${JSON.stringify(unitz.range)} covers "unitz" (line 4, columns 33-39)`);
    assert.equal(unitz.range.start.line, 3);
    assert.equal(unitz.range.start.character, 32);

    const trainig = diags.find((d) => d.message.includes("'trainig'"));
    assert.ok(trainig);
    assert.ok(trainig.range.isEqual(rangeOfText(doc, '"trainig"')));

    const missing = diags.find((d) => d.severity === vscode.DiagnosticSeverity.Error && /units/.test(d.message));
    assert.ok(missing, 'an error for the missing units');
    const layerStart = doc.getText().indexOf('{ "cell"');
    assert.ok(missing.range.start.isEqual(doc.positionAt(layerStart)), 'the missing-units error points at the layer object');
  });

  test('offers the did-you-mean quick fix and re-validates as you type', async () => {
    const doc = await vscode.workspace.openTextDocument(uri);
    const range = rangeOfText(doc, '"unitz"');
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', uri, range, vscode.CodeActionKind.QuickFix.value);
    const fix = actions.find((a) => a.title === "Change to 'units'");
    assert.ok(fix, `quick fix offered (got: ${actions.map((a) => a.title).join(', ')})`);
    assert.equal(fix.kind?.value, vscode.CodeActionKind.QuickFix.value);
    assert.ok(fix.edit && (await vscode.workspace.applyEdit(fix.edit)));
    assert.ok(doc.getText().includes('"units": 8'));
    // Fixed key: the warning and the missing-units error go away once the debounced check runs.
    await waitFor('diagnostics to follow the edit', () => {
      const d = seqlabDiags(uri);
      return !d.some((x) => x.message.includes("'unitz'")) && !d.some((x) => x.severity === vscode.DiagnosticSeverity.Error) ? d : undefined;
    });
    // Type an error: it shows at the new text.
    const edit = new vscode.WorkspaceEdit();
    const at = rangeOfText(doc, '"units": 8');
    edit.replace(uri, at, '"units": -3');
    assert.ok(await vscode.workspace.applyEdit(edit));
    const neg = await waitFor('an error for units -3', () => seqlabDiags(uri).find((x) => x.severity === vscode.DiagnosticSeverity.Error));
    assert.ok(neg.range.intersection(rangeOfText(doc, '-3')), `the error (${neg.message}) is at the -3`);
    await doc.save();
  });

  test('a definition over the memory budget gets the error at the field that makes it large; the setting raises the budget', async () => {
    const big = wsUri('too-big.seqlab.json');
    const layers = Array.from({ length: 16 }, () => '{ "cell": "lstm", "units": 4096 }').join(',\n    ');
    await writeText(big, `{\n  "name": "too-big",\n  "data": { "task": "parity" },\n  "layers": [\n    ${layers}\n  ]\n}\n`);
    const cfg = vscode.workspace.getConfiguration('seqlab');
    try {
      const doc = await vscode.workspace.openTextDocument(big);
      await vscode.window.showTextDocument(doc);
      const d = await waitFor('the memory-budget error', () => seqlabDiags(big).find((x) => x.code === 'memory-budget'));
      assert.equal(d.severity, vscode.DiagnosticSeverity.Error);
      assert.equal(doc.getText(d.range), '4096', 'at a layer\'s units');
      assert.match(d.message, /over the memory budget of 2,048 MB/);
      await cfg.update('memoryBudgetMB', 1e9, vscode.ConfigurationTarget.Workspace);
      await vscode.commands.executeCommand('seqlab.validate', big);
      await waitFor('no memory-budget error with the raised budget', () => (seqlabDiags(big).some((x) => x.code === 'memory-budget') ? undefined : true));
    } finally {
      await cfg.update('memoryBudgetMB', undefined, vscode.ConfigurationTarget.Workspace);
      await closeEditors();
      await remove(big);
    }
  });

  test('shows Train, Open Panel and Validate lenses at the top', async () => {
    await vscode.workspace.openTextDocument(wsUri('hello.seqlab.json')); // the provider runs on a loaded model
    const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', wsUri('hello.seqlab.json'));
    const cmds = lenses.map((l) => l.command?.command);
    assert.deepEqual(cmds, ['seqlab.train', 'seqlab.openPanel', 'seqlab.validate']);
    for (const l of lenses) assert.equal(l.range.start.line, 0);
    assert.match(lenses[0].command!.title, /Train|학습/);
    assert.equal((lenses[0].command!.arguments![0] as vscode.Uri).toString(), wsUri('hello.seqlab.json').toString());
  });

  test('Validate Definition reports problems and accepts a valid definition', async () => {
    const bad = await vscode.commands.executeCommand<{ ok: boolean; diagnostics: unknown[] }>('seqlab.validate', uri);
    assert.equal(bad.ok, false);
    const good = await vscode.commands.executeCommand<{ ok: boolean; dataError?: string }>('seqlab.validate', wsUri('char-gru.seqlab.json'));
    assert.equal(good.ok, true, `char-gru is valid and its data file builds (${good.dataError ?? ''})`);
  });

  test('Validate Definition puts a malformed data line on the definition\'s data.file value', async () => {
    const def = wsUri('bad-pairs.seqlab.json');
    const data = wsUri('bad-pairs.tsv');
    const text = '{\n  "name": "bad-pairs",\n  "data": { "task": "pairs", "file": "bad-pairs.tsv" },\n  "layers": [ { "cell": "gru", "units": 8 } ]\n}\n';
    await writeText(data, 'I like tea .\t나는 차를 좋아한다 .\nno tab here\n');
    await writeText(def, text);
    try {
      const res = await vscode.commands.executeCommand<{ ok: boolean; dataError?: string }>('seqlab.validate', def);
      assert.equal(res.ok, false);
      assert.equal(res.dataError, 'bad-pairs.tsv:2:12: expected 2 tab-separated fields, found 1');
      const d = await waitFor('the data diagnostic', () => seqlabDiags(def).find((x) => x.code === 'data'));
      assert.equal(d.message, res.dataError);
      const at = text.indexOf('"bad-pairs.tsv"');
      assert.equal(d.range.start.line, 2);
      assert.equal(d.range.start.character, at - text.lastIndexOf('\n', at) - 1, 'at the data.file value');
    } finally {
      await closeEditors();
      await remove(def);
      await remove(data);
    }
  });
});
