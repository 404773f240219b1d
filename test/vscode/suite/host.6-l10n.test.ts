// Korean: the harness runs the tests whose title contains "@ko" with the display language ko.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { api, extension, wsUri } from './host-helpers';

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
});
