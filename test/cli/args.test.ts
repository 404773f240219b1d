/** The CLI's argument conventions: node:util parseArgs in strict mode, --help everywhere, --version. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, seqlab, workspace } from '../support/cli';

const COMMANDS = ['train', 'validate', 'verify-torch', 'export', 'import', 'sample', 'runs'];

test('an unknown flag is a usage error naming it (exit 2), not a boolean that trains with the defaults', () => {
  const ws = workspace();
  const r = seqlab(['train', 'examples/hello.seqlab.json', '--stpes', '3'], ws);
  assert.equal(r.code, 2);
  assert.match(r.err, /unknown option '--stpes' for 'train' \(did you mean --steps\?\)/);
  assert.match(r.err, /Usage: seqlab train FILE/);
  assert.equal(r.out, '', 'nothing trained');
  for (const cmd of COMMANDS) {
    const u = seqlab([cmd, '--frobnicate'], ws);
    assert.equal(u.code, 2, cmd);
    assert.match(u.err, /unknown option '--frobnicate'/, cmd);
  }
  assert.match(seqlab(['runs', '-x'], ws).err, /unknown option '-x'/);
});

test('typed flag values are checked: a number flag given "abc" is a usage error', () => {
  const ws = workspace();
  const cases: [string[], RegExp][] = [
    [['train', 'examples/hello.seqlab.json', '--steps', 'abc'], /--steps must be a positive integer \(got 'abc'\)/],
    [['train', 'examples/hello.seqlab.json', '--steps', '2.5'], /--steps must be a positive integer/],
    [['train', 'examples/hello.seqlab.json', '--steps='], /--steps must be a positive integer \(got ''\)/],
    [['train', 'examples/hello.seqlab.json', '--steps'], /--steps needs a value/],
    [['train', 'examples/hello.seqlab.json', '--steps', '-3'], /--steps needs a value .*--steps=-/],
    [['train', 'examples/hello.seqlab.json', '--backend', 'gpu'], /--backend must be auto or wasm or cpu \(got 'gpu'\)/],
    [['train', 'examples/hello.seqlab.json', '--json=yes'], /--json takes no value/],
    [['verify-torch', 'x.json', '--tolerance', 'tiny'], /--tolerance must be a positive number/],
    [['export', 'r', '--format', 'onnx'], /--format must be torch-json or pytorch \(got 'onnx'\)/],
    [['sample', 'r', '--length', '1e400'], /--length must be a whole number from 1 to 1000000/],
    [['sample', 'r', '--length', '1000000000'], /--length must be a whole number from 1 to 1000000 \(got '1000000000'\)/],
    [['sample', 'r', '--seed', 'x'], /--seed must be an integer/],
  ];
  for (const [args, re] of cases) {
    const r = seqlab(args, ws);
    assert.equal(r.code, 2, args.join(' ') + '\n' + r.err);
    assert.match(r.err, re, args.join(' '));
    assert.doesNotMatch(r.err, /\n\s+at /);
  }
});

test('--help on every command prints that command\'s usage (exit 0); help COMMAND too', () => {
  for (const cmd of COMMANDS) {
    const r = seqlab([cmd, '--help']);
    assert.equal(r.code, 0, cmd + r.err);
    assert.match(r.out, new RegExp(`^Usage: seqlab ${cmd}\\b`), cmd);
    assert.match(r.out, /--help\s+print this help/);
    assert.equal(seqlab(['help', cmd]).out, r.out);
  }
  assert.match(seqlab(['train', '--help']).out, /--steps N\s+train N steps/);
  const top = seqlab(['--help']);
  assert.equal(top.code, 0);
  for (const cmd of COMMANDS) assert.match(top.out, new RegExp(`^  seqlab ${cmd}\\b`, 'm'));
});

test('seqlab --version prints the package version', () => {
  const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
  const r = seqlab(['--version']);
  assert.equal(r.code, 0);
  assert.equal(r.out.trim(), `seqlab ${version}`);
});

test('an unknown command suggests the close one; no command prints the usage (exit 2)', () => {
  const r = seqlab(['tarin']);
  assert.equal(r.code, 2);
  assert.match(r.err, /unknown command 'tarin' \(did you mean 'train'\?\)/);
  const none = seqlab([]);
  assert.equal(none.code, 2);
  assert.match(none.err, /^Usage:/m);
});
