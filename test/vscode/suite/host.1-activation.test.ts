// The extension activates cheaply: TensorFlow.js is not loaded by activation, and the time is logged.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { api, extension } from './host-helpers';

suite('host: activation', () => {
  test('activates and returns its API', async () => {
    const a = await api();
    assert.ok(extension().isActive);
    assert.equal(typeof a.tree.getChildren, 'function');
    assert.equal(typeof a.trainingStatus.begin, 'function');
  });

  test('activation does not load TensorFlow.js and is measured', async () => {
    const a = await api();
    assert.equal(a.tfjsLoadedAtActivation, false, 'TensorFlow.js was loaded during activate()');
    assert.ok(Number.isFinite(a.activation.activateMs) && a.activation.activateMs >= 0);
    assert.ok(Number.isFinite(a.activation.loadMs) && a.activation.loadMs >= 0);
    // Reported, not asserted against a threshold (timings are benchmarks, not tests).
    console.log(`    seqlab activation: activate() ${a.activation.activateMs.toFixed(1)} ms, bundle load ${a.activation.loadMs.toFixed(1)} ms`);
  });

  test('registers the training panel (its serializer and commands come with it)', async () => {
    const a = await api();
    assert.ok(a.panels, 'the training panel module failed to load: see the "Sequence Lab" log');
    assert.equal(typeof a.panels.open, 'function');
  });

  test('the manifest declares the view, the schema and the jsonc association', () => {
    const pkg = extension().packageJSON as {
      main: string; contributes: { views: Record<string, { id: string }[]>; jsonValidation: { fileMatch: string; url: string }[]; languages: { id: string; filenamePatterns: string[] }[] };
    };
    assert.equal(pkg.main, './dist/extension.js');
    assert.ok(pkg.contributes.views.seqlab.some((v) => v.id === 'seqlab.experiments'));
    assert.deepEqual(pkg.contributes.jsonValidation, [{ fileMatch: '*.seqlab.json', url: './dist/seqlab.schema.json' }]);
    assert.ok(pkg.contributes.languages.some((l) => l.id === 'jsonc' && l.filenamePatterns.includes('*.seqlab.json')));
  });

  test('a definition opens as JSON with comments', async () => {
    const [file] = await vscode.workspace.findFiles('**/hello.seqlab.json', '**/.seqlab/**', 1);
    assert.ok(file, 'hello.seqlab.json is in the test workspace');
    const doc = await vscode.workspace.openTextDocument(file);
    assert.equal(doc.languageId, 'jsonc');
  });
});
