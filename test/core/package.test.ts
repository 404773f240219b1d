// Conventions of the extension's package (issue 14): what the manifest declares, what the .vsix
// holds, and the schema VS Code's JSON language service gets (which must never report a problem of
// its own: the extension's diagnostics report each once).
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { readFileSync, existsSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import Ajv from 'ajv';
import { parseDefinition, seqlabSchema } from '../../src/core/dsl';
import { editorSchema, localizeSchema } from '../../src/core/dsl/schemaL10n';
// @ts-expect-error a plain .mjs helper shared with scripts/vscode-test/package-vsix.mjs
import { vsixProblems, readmeImages } from '../../scripts/vscode-test/vsix-contents.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

/** Definitions with problems of every kind parseDefinition reports (schema, unknown keys, meaning). */
const BROKEN = [
  '{}',
  '{ "name": "x", "data": { "task": "hello" } }',
  '{ "name": "", "data": { "task": "helo" }, "layers": [] }',
  '{ "name": "x", "data": { "task": "hello" }, "layers": [ { "cell": "lstm", "unitz": 8 } ], "trainig": {} }',
  '{ "name": 3, "data": { "task": "adding", "length": 1 }, "layers": [ { "cell": "gru", "units": "8", "bidirectional": "true" } ] }',
  '{ "name": "x", "data": { "task": "copy" }, "layers": [ { "cell": "rnn", "units": -1, "dropout": 1.5 } ], "training": { "learningRate": 0, "clip": { "type": "sideways" } } }',
  '[1, 2]',
];

test('editor schema: VS Code\'s JSON service finds nothing to report (ours does), and trailing commas are allowed', () => {
  for (const [locale, schema] of [['en', editorSchema(seqlabSchema)], ['ko', editorSchema(localizeSchema(seqlabSchema, 'ko'))]] as const) {
    assert.equal((schema as { allowTrailingCommas?: boolean }).allowTrailingCommas, true, `${locale}: allowTrailingCommas`);
    const ajv = new Ajv({ strict: false, allErrors: true });
    const validate = ajv.compile(schema as object);
    for (const text of BROKEN) {
      assert.ok(parseDefinition(text).diagnostics.some((d) => d.severity === 'error' || d.code === 'unknown-key'), `parseDefinition reports ${text}`);
      assert.equal(validate(JSON.parse(text)), true, `${locale}: the editor schema reports ${text}: ${ajv.errorsText(validate.errors)}`);
    }
    // ...while completion and hover still have what they read: descriptions, enums (in anyOf), snippets
    const cell = (schema as unknown as { definitions: { layer: { properties: { cell: { markdownDescription: string; anyOf: { enum: string[] }[] } } } } })
      .definitions.layer.properties.cell;
    assert.ok(cell.markdownDescription.length > 5);
    assert.deepEqual(cell.anyOf[0]!.enum, ['rnn', 'lstm', 'gru']);
  }
  // the full schema (ajv in parseDefinition) still rejects them
  const strict = new Ajv({ strict: false }).compile(seqlabSchema as object);
  for (const text of BROKEN) assert.equal(strict(JSON.parse(text)), false, text);
  assert.deepEqual(parseDefinition('{ "name": "x", "data": { "task": "hello", }, "layers": [ { "cell": "rnn", "units": 4, }, ], }').diagnostics, []);
});

test('manifest: no redundant activation events, a default keybinding no OS or VS Code default takes', () => {
  // VS Code >= 1.74 activates on contributed views and commands by itself.
  const [major, minor] = String(pkg.engines.vscode).replace(/^\^/, '').split('.').map(Number);
  assert.ok(major! > 1 || minor! >= 74, 'engines.vscode implies generated activation events');
  const views = Object.values(pkg.contributes.views as Record<string, { id: string }[]>).flat().map((v) => v.id);
  const commands = (pkg.contributes.commands as { command: string }[]).map((c) => c.command);
  for (const e of pkg.activationEvents as string[]) {
    assert.ok(!views.some((v) => e === `onView:${v}`), `${e} is implied by contributes.views`);
    assert.ok(!commands.some((c) => e === `onCommand:${c}`), `${e} is implied by contributes.commands`);
  }
  // Chords the desktop takes before VS Code sees them, or VS Code's own defaults in a text editor.
  const taken = new Set([
    'ctrl+alt+t', // GNOME, Ubuntu, KDE: open a terminal
    'ctrl+alt+delete', 'ctrl+alt+backspace', 'ctrl+alt+l', 'ctrl+alt+d', 'ctrl+alt+tab',
    'ctrl+alt+up', 'ctrl+alt+down', 'ctrl+alt+left', 'ctrl+alt+right', // workspaces; VS Code: add cursor
    'cmd+alt+esc', 'cmd+space', 'cmd+alt+d', 'cmd+alt+t',
    'ctrl+enter', 'ctrl+shift+enter', 'cmd+enter', 'cmd+shift+enter', // VS Code: insert line below/above
    'f5', 'ctrl+f5', 'ctrl+shift+b', 'cmd+shift+b', // debug, run, build task
  ]);
  for (const k of pkg.contributes.keybindings as { key: string; mac?: string }[]) {
    for (const chord of [k.key, k.mac].filter(Boolean) as string[]) assert.ok(!taken.has(chord.toLowerCase()), `${chord} is taken`);
  }
});

test('vsix: no CLI bundle or threaded wasm, the README\'s screenshots in (vsce ls)', () => {
  assert.ok(existsSync(join(root, 'dist', 'extension.js')), 'dist/ is built (npm run build)');
  const files = execFileSync(process.execPath, [join(root, 'node_modules/@vscode/vsce/vsce'), 'ls', '--no-dependencies'], { cwd: root, encoding: 'utf8' })
    .split('\n').map((l: string) => l.trim()).filter(Boolean);
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  assert.ok(readmeImages(readme).length >= 2, 'the README shows screenshots');
  assert.deepEqual(vsixProblems(files, readme), []);
  // the checker itself catches what it should
  assert.equal(vsixProblems([...files, 'dist/cli.js'], readme).length, 1);
  assert.equal(vsixProblems(files.filter((f: string) => !f.startsWith('media/screenshots/')), readme).length, readmeImages(readme).length);
});
