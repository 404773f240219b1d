// Korean: the harness runs the tests whose title contains "@ko" with the display language ko.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { api, extension, remove, waitFor, writeText, wsUri } from './host-helpers';

suite('host: localisation', () => {
  test('shows Korean strings when the display language is Korean @ko', async function () {
    const a = await api();
    if (!vscode.env.language.startsWith('ko')) {
      // The English pass does not run "@ko" tests; a run started by hand in English has nothing to check.
      this.skip();
    }
    // vscode.l10n bundle (l10n/bundle.l10n.ko.json)
    assert.equal(vscode.l10n.t('Train Experiment'), '실험 학습');
    assert.equal(vscode.l10n.t('{0} run(s)', 3), '실행 3개');
    // package.nls.ko.json: the manifest VS Code hands to the extension is localised
    // (titles come as a string or as { original, value }).
    type Loc = string | { original: string; value: string };
    const text = (l: Loc | undefined) => (typeof l === 'string' || l === undefined ? l : l.value);
    const pkg = extension().packageJSON as { contributes: { commands: { command: string; title: Loc }[]; views: Record<string, { id: string; name: Loc }[]> } };
    assert.equal(text(pkg.contributes.commands.find((c) => c.command === 'seqlab.train')?.title), '실험 학습');
    assert.equal(text(pkg.contributes.views.seqlab[0].name), '실험');
    // What the user sees in the tree and the CodeLens
    const hello = (await a.tree.experiments()).find((e) => e.key === 'hello.seqlab.json')!;
    const tip = (a.tree.getTreeItem(hello).tooltip as vscode.MarkdownString).value;
    assert.match(tip, /실행 \d+개/);
    await vscode.workspace.openTextDocument(wsUri('hello.seqlab.json')); // the provider runs on a loaded model
    const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', wsUri('hello.seqlab.json'));
    assert.match(lenses[0].command!.title, /학습/);
  });
  test('Problems, quick fixes and schema hovers are Korean; nothing is reported twice @ko', async function () {
    await api();
    if (!vscode.env.language.startsWith('ko')) this.skip();
    type Loc = { contributes: { jsonValidation: { url: string }[] } };
    assert.equal((extension().packageJSON as Loc).contributes.jsonValidation[0]!.url, './dist/seqlab.schema.ko.json');
    const uri = wsUri('ko-typo.seqlab.json');
    await writeText(uri, '{\n  "name": "ko",\n  "data": { "task": "hello" },\n  "layers": [ { "cell": "rnn", "unitz": 8 } ],\n}\n');
    try {
      const doc = await vscode.workspace.openTextDocument(uri);
      await vscode.window.showTextDocument(doc);
      const ours = await waitFor('seqlab diagnostics', () => {
        const d = vscode.languages.getDiagnostics(uri).filter((x) => x.source === 'seqlab');
        return d.length >= 2 ? d : undefined;
      });
      const unknown = ours.find((d) => d.code === 'unknown-key')!;
      assert.match(unknown.message, /^알 수 없는 키 'unitz'/);
      assert.ok(ours.some((d) => /필수 속성 'units'/.test(d.message)), ours.map((d) => d.message).join(' | '));
      const at = doc.getText().indexOf('"unitz"');
      const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', uri,
        new vscode.Range(doc.positionAt(at), doc.positionAt(at + 7)), vscode.CodeActionKind.QuickFix.value);
      assert.ok(actions.some((a) => a.title === "'units'(으)로 바꾸기"), actions.map((a) => a.title).join(', '));
      // the JSON language service has its schema by now (hover below) and adds no second report,
      // not even a warning for the trailing comma
      const hovers = await waitFor('a Korean schema hover on "cell"', async () => {
        const h = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', uri, doc.positionAt(doc.getText().indexOf('"cell"') + 2));
        const text = h.flatMap((x) => x.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n');
        return /순환 셀의 종류/.test(text) ? text : undefined;
      }, 30_000);
      assert.match(hovers, /순환 셀의 종류/);
      await new Promise((r) => setTimeout(r, 2000)); // the JSON service validates shortly after it has the schema
      const all = vscode.languages.getDiagnostics(uri);
      assert.deepEqual(all.filter((d) => d.source !== 'seqlab').map((d) => `${d.source}: ${d.message}`), [], 'only our diagnostics');
    } finally {
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      await remove(uri);
    }
  });
});
