// The l10n check: every string a student reads has a Korean entry. It fails when a manifest string,
// a host `vscode.l10n.t` string, a diagnostic message, a schema text or a walkthrough page has none.
// (The panel's strings go through the host bundle; see the panel section.)
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { readFileSync, readdirSync, existsSync, statSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CATALOGUE, MESSAGE_KEYS, codeOf, messagesFor } from '../../src/core/dsl/messages';
import { SCHEMA_KO, TASK_TITLES, localizeSchema, editorSchema } from '../../src/core/dsl/schemaL10n';
import { parseDefinition, seqlabSchema } from '../../src/core/dsl';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const read = (p: string) => readFileSync(join(root, p), 'utf8');
const json = (p: string) => JSON.parse(read(p)) as Record<string, unknown>;
const HANGUL = /[\uAC00-\uD7A3]/;
/** Texts that read the same in Korean (product and API names). */
const SAME_IN_KOREAN = new Set(['Sequence Lab', 'Adam', 'PyTorch state_dict JSON', 'Sequence Lab: {0}']);

function assertKorean(where: string, en: string, ko: string | undefined): void {
  assert.ok(ko !== undefined && ko !== '', `${where}: no Korean entry for ${JSON.stringify(en)}`);
  if (SAME_IN_KOREAN.has(en)) return;
  if (!/[A-Za-z]{3,}/.test(en.replace(/\{\w+\}/g, ''))) return; // no words: '{0}: h_t'
  assert.match(ko!, HANGUL, `${where}: the Korean entry of ${JSON.stringify(en)} is not Korean: ${JSON.stringify(ko)}`);
}

function sourceFiles(dir: string, ext = '.ts'): string[] {
  const out: string[] = [];
  for (const e of readdirSync(join(root, dir))) {
    const p = join(dir, e);
    if (statSync(join(root, p)).isDirectory()) out.push(...sourceFiles(p, ext));
    else if (p.endsWith(ext)) out.push(p);
  }
  return out;
}

test('manifest: every %key% of package.json has an English and a Korean entry', () => {
  const en = json('package.nls.json') as Record<string, string>;
  const ko = json('package.nls.ko.json') as Record<string, string>;
  const used = [...read('package.json').matchAll(/"%([^"%]+)%"/g)].map((m) => m[1]!);
  assert.ok(used.length > 40, `package.json uses its nls keys (${used.length})`);
  for (const k of used) assert.ok(k in en, `package.json uses %${k}% but package.nls.json lacks it`);
  assert.deepEqual(Object.keys(ko).sort(), Object.keys(en).sort(), 'package.nls.ko.json has exactly the keys of package.nls.json');
  for (const [k, v] of Object.entries(en)) {
    if (/\.(json|md)$/.test(v)) {
      // localised files (the editor schema, walkthrough pages): the Korean one must exist and differ
      assert.notEqual(ko[k], v, `${k}: a Korean file of its own`);
      assert.ok(existsSync(join(root, ko[k]!.replace(/^\.\//, ''))) || ko[k]!.startsWith('./dist/'), `${k}: ${ko[k]} exists`);
    } else assertKorean(`package.nls.ko.json ${k}`, v, ko[k]);
  }
});

test('host and panel: every l10n string of src/host and webview/ is in l10n/bundle.l10n.json, and every entry has Korean', () => {
  const en = json('l10n/bundle.l10n.json') as Record<string, string>;
  const ko = json('l10n/bundle.l10n.ko.json') as Record<string, string>;
  const missing: string[] = [];
  let calls = 0;
  // The panel (webview/, page and worker) looks its strings up in the same bundle (webview/ui/l10n.ts).
  for (const f of [...sourceFiles('src/host'), ...sourceFiles('webview')]) {
    const src = read(f);
    // `vscode.l10n.t('...')`, or `t('...')` where `const t = vscode.l10n.t`
    for (const m of src.matchAll(/(?:l10n\.t|(?<![\w.])t)\(\s*('(?:\\.|[^'\\])*'|"(?:\\.|[^"\\])*")/g)) {
      calls++;
      const s = (0, eval)(m[1]!) as string; // a JS string literal
      if (!(s in en)) missing.push(`${f}: ${JSON.stringify(s)}`);
    }
  }
  assert.ok(calls > 200, `found the host's and the panel's l10n calls (${calls})`);
  assert.deepEqual(missing, [], 'strings the host translates but the bundle lacks');
  for (const [k, v] of Object.entries(en)) assertKorean('l10n/bundle.l10n.ko.json', v, ko[k]);
});

test('diagnostics: every catalogue entry has Korean, and every code the checker reports is in the catalogue and in docs/dsl.md', () => {
  // every value shown as a placeholder: the Korean sentence must still be Korean around it
  const args = new Proxy({}, { get: (_t, k) => (k === 'cell' ? 'lstm' : `<${String(k)}>`) });
  const en = CATALOGUE.en as Record<string, (a: unknown) => string>;
  const ko = CATALOGUE.ko as Record<string, (a: unknown) => string>;
  for (const key of MESSAGE_KEYS) {
    const e = en[key]!(args);
    const k = ko[key]!(args);
    assertKorean(`messages ${key}`, e, k);
    assert.notEqual(k, e, key);
  }
  for (const [kind, e] of Object.entries(CATALOGUE.enSyntax)) assertKorean(`syntax ${kind}`, e, (CATALOGUE.koSyntax as Record<string, string>)[kind]);
  for (const w of ['root', 'gotList', 'gotEmptyList', 'gotObject', 'object', 'somethingElse'] as const) assertKorean(`words.${w}`, CATALOGUE.enWords[w], CATALOGUE.koWords[w]);
  assertKorean('words.changeTo', CATALOGUE.enWords.changeTo("'units'"), CATALOGUE.koWords.changeTo("'units'"));
  assertKorean('words.number', CATALOGUE.enWords.number(true, [{ op: '>=', n: 1 }]), CATALOGUE.koWords.number(true, [{ op: '>=', n: 1 }]));
  const parts = { parameters: '1,000', parameterBytes: '4.0 MB', gradients: '4.0 MB', optimizer: 'adam', optimizerBytes: '8.0 MB', activations: '1.0 GB', data: '2.0 MB' };
  assertKorean('words.memoryParts', CATALOGUE.enWords.memoryParts(parts), CATALOGUE.koWords.memoryParts(parts));
  for (const r of [{ kind: 'file' }, { kind: 'text' }, { kind: 'samples' }, { kind: 'batch', batchSize: 64, tbptt: true }, { kind: 'batch-or-layer', batchSize: 64, layer: 'layers[0].units', units: 4096 }, { kind: 'layer', layer: 'layers[0].units', units: 4096 }] as const) {
    assertKorean(`words.memoryRemedy ${r.kind}`, CATALOGUE.enWords.memoryRemedy(r), CATALOGUE.koWords.memoryRemedy(r));
  }
  for (const task of ['text', 'sine', 'hello', 'sentiment', 'classify', 'tag', 'forecast', 'copy']) {
    for (const fromFile of [true, false]) assertKorean(`words.sizeRemedy ${task}`, CATALOGUE.enWords.sizeRemedy(task, fromFile), CATALOGUE.koWords.sizeRemedy(task, fromFile));
  }
  assertKorean('words.tooLarge', CATALOGUE.enWords.tooLarge('9.0 MB', '8.0 MB', 'x'), CATALOGUE.koWords.tooLarge('9.0 MB', '8.0 MB', 'x'));

  // Codes: the ones the sources report, the catalogue's, the documented ones.
  const documented = new Set(
    [...read('docs/dsl.md').matchAll(/^\| ((?:`[a-z-]+`(?: \/ )?)+) \| (?:error|warning|info)\b[^|]*\|/gm)].flatMap((m) => [...m[1]!.matchAll(/`([a-z-]+)`/g)].map((c) => c[1]!)),
  );
  const catalogued = new Set(MESSAGE_KEYS.map(codeOf));
  const reported = new Set<string>();
  for (const f of sourceFiles('src/core/dsl')) {
    for (const m of read(f).matchAll(/(?:code: |(?:error|warn)\()'([a-z-]+)'/g)) reported.add(m[1]!);
  }
  assert.ok(reported.size >= 30, `found the codes the checker reports (${reported.size})`);
  for (const c of reported) assert.ok(catalogued.has(c), `code '${c}' is reported but has no catalogue entry in src/core/dsl/messages.ts`);
  for (const c of catalogued) assert.ok(documented.has(c), `code '${c}' is not in the table of docs/dsl.md`);
});

test('diagnostics: a definition with many problems reads Korean with locale ko, English otherwise; quick fixes too', () => {
  const text = '{ "name": "x", "data": { "task": "helo", "word": "h" }, "layers": [ { "cell": "lstm", "unitz": 8, "activation": "tanh" } ], "training": { "steps": 1, "epochs": 2, "learningRate": "0.1" } }';
  const en = parseDefinition(text).diagnostics;
  const ko = parseDefinition(text, { locale: 'ko' }).diagnostics;
  const koKR = parseDefinition(text, { locale: 'ko-KR' }).diagnostics;
  assert.ok(en.length >= 4, JSON.stringify(en.map((d) => d.message)));
  assert.deepEqual(ko.map((d) => [d.code, d.offset]), en.map((d) => [d.code, d.offset]), 'the same problems at the same places');
  assert.deepEqual(koKR.map((d) => d.message), ko.map((d) => d.message));
  for (const d of ko) assert.match(d.message, HANGUL, d.message);
  for (const d of en) assert.doesNotMatch(d.message, HANGUL, d.message);
  const fixes = ko.filter((d) => d.fix).map((d) => d.fix!.title);
  assert.ok(fixes.includes('"hello"(으)로 바꾸기'), fixes.join(', '));
  assert.ok(fixes.includes("'units'(으)로 바꾸기"), fixes.join(', '));
  assert.equal(parseDefinition('', { locale: 'ko' }).diagnostics[0]!.message.startsWith('파일이 비어 있습니다'), true);
  assert.match(parseDefinition('{ "name": "x" ', { locale: 'ko' }).diagnostics[0]!.message, /^구문 오류: /);
  assert.equal(parseDefinition(text, { locale: 'fr' }).diagnostics[0]!.message, en[0]!.message, 'other languages read English');
  assert.equal(messagesFor('ko').path([]), '정의');
});

test('diagnostics of the data sources, attention, tbptt and the memory budget read Korean with locale ko', () => {
  const defs = [
    // ignored-data-field (file, text, a file reader's field), split-too-large, ignored-tbptt
    '{ "name": "x", "data": { "task": "copy", "file": "a.txt", "text": "a", "horizon": 3, "validation": 0.5, "test": 0.6 }, "layers": [ { "cell": "lstm", "units": 8 } ], "training": { "tbptt": 4 } }',
    // missing-file, format-task, bridge-ignored, attention-size
    '{ "name": "x", "data": { "task": "pairs", "format": "conll" }, "layers": [ { "cell": "lstm", "units": 8 } ], "structure": "encoder-decoder", "decoder": { "bridge": "sum", "layers": [ { "cell": "lstm", "units": 8 } ] } }',
    // word-too-short, vocabulary-entry
    '{ "name": "x", "data": { "task": "hello", "word": "h", "vocabulary": ["ab", "h"] }, "layers": [ { "cell": "lstm", "units": 8 } ] }',
    // tbptt-too-long (data.length), text-too-short, file-and-folder
    '{ "name": "x", "data": { "task": "copy", "length": 10 }, "layers": [ { "cell": "lstm", "units": 8 } ], "structure": "many-to-many", "training": { "tbptt": 40 } }',
    '{ "name": "x", "data": { "task": "text", "text": "a" }, "layers": [ { "cell": "lstm", "units": 8 } ] }',
    '{ "name": "x", "data": { "task": "classify", "file": "a.csv", "folder": "d" }, "layers": [ { "cell": "lstm", "units": 8 } ] }',
    // attention-size
    '{ "name": "x", "data": { "task": "reverse" }, "layers": [ { "cell": "gru", "units": 8, "bidirectional": true } ], "structure": "encoder-decoder", "decoder": { "attention": "luong-dot", "layers": [ { "cell": "gru", "units": 8 } ] } }',
    // attention-without-encoder
    '{ "name": "x", "data": { "task": "copy" }, "layers": [ { "cell": "lstm", "units": 8 } ], "structure": "many-to-many", "decoder": { "attention": "bahdanau" } }',
    // memory-budget
    '{ "name": "x", "data": { "task": "copy" }, "layers": [ { "cell": "lstm", "units": 4096 }, { "cell": "lstm", "units": 4096 }, { "cell": "lstm", "units": 4096 } ] }',
  ];
  const codes = new Set<string>();
  for (const d of defs) {
    const en = parseDefinition(d).diagnostics;
    const ko = parseDefinition(d, { locale: 'ko' }).diagnostics;
    assert.deepEqual(ko.map((x) => [x.code, x.offset]), en.map((x) => [x.code, x.offset]), d);
    for (const x of ko) assert.match(x.message, HANGUL, x.message);
    for (const x of en) assert.doesNotMatch(x.message, HANGUL, x.message);
    for (const x of en) codes.add(x.code);
  }
  for (const c of ['ignored-data-field', 'split-too-large', 'ignored-tbptt', 'missing-file', 'format-task', 'bridge-ignored', 'word-too-short', 'vocabulary-entry', 'tbptt-too-long', 'text-too-short', 'file-and-folder', 'attention-size', 'attention-without-encoder', 'memory-budget']) {
    assert.ok(codes.has(c), `the definitions above report ${c} (${[...codes].join(', ')})`);
  }
});

test('schema: every hover, enum description and snippet label has Korean (dist/seqlab.schema.ko.json)', () => {
  const ko = localizeSchema(seqlabSchema, 'ko'); // throws listing any text without an entry
  let texts = 0;
  const walk = (n: unknown, isSchema = true): void => {
    if (Array.isArray(n)) return n.forEach((x) => walk(x));
    if (!n || typeof n !== 'object') return;
    for (const [k, v] of Object.entries(n as Record<string, unknown>)) {
      if (!isSchema || k === 'properties' || k === 'definitions') { walk(v, isSchema ? false : true); continue; }
      if (['description', 'markdownDescription', 'title'].includes(k)) { texts++; assertKorean(`schema ${k}`, String(v), String(v)); }
      else if (k === 'enumDescriptions' || k === 'markdownEnumDescriptions') for (const d of v as string[]) { texts++; assertKorean(`schema ${k}`, d, d); }
      else if (k === 'defaultSnippets') for (const s of v as { label?: string }[]) { texts++; if (s.label) assertKorean('snippet', s.label, s.label); }
      else walk(v);
    }
  };
  walk(ko);
  assert.ok(texts > 150, `walked the schema's texts (${texts})`);
  for (const v of Object.values(SCHEMA_KO)) assert.ok(v.trim().length > 0);
  for (const t of Object.keys(TASK_TITLES.en) as (keyof typeof TASK_TITLES.en)[]) assertKorean(`task title ${t}`, TASK_TITLES.en[t], TASK_TITLES.ko[t]);
  // what the build ships is the localised editor schema
  const built = join(root, 'dist', 'seqlab.schema.ko.json');
  assert.ok(existsSync(built), 'dist/seqlab.schema.ko.json exists (npm run build)');
  assert.deepEqual(JSON.parse(readFileSync(built, 'utf8')), JSON.parse(JSON.stringify(editorSchema(ko))));
});

test('walkthrough: every page has a Korean page', () => {
  const pages = readdirSync(join(root, 'media/walkthrough')).filter((f) => f.endsWith('.md') && !f.endsWith('.ko.md'));
  assert.ok(pages.length >= 3);
  for (const p of pages) {
    const ko = join(root, 'media/walkthrough', p.replace(/\.md$/, '.ko.md'));
    assert.ok(existsSync(ko), `${p} has a Korean page`);
    assert.match(readFileSync(ko, 'utf8'), HANGUL);
  }
});

test('numbers and durations through Intl: "12.3초", "3분 5초" in Korean', async () => {
  const { formatDuration, formatInteger, formatPercent } = await import('../../src/core/format');
  assert.equal(formatDuration(12_300, 'ko'), '12.3초');
  assert.equal(formatDuration(185_000, 'ko'), '3분 5초');
  assert.equal(formatDuration(180_000, 'ko'), '3분');
  assert.equal(formatDuration(3_725_000, 'ko'), '1시간 2분');
  assert.equal(formatDuration(12_300, 'en'), '12.3 sec');
  assert.equal(formatDuration(185_000, 'en'), '3 min 5 sec');
  assert.equal(formatDuration(-1, 'en'), '');
  assert.equal(formatInteger(12345.4, 'ko'), '12,345');
  assert.equal(formatPercent(0.973, 'ko'), '97.3%');
  assert.equal(formatDuration(1000, 'not a tag!'), '1 sec', 'a bad tag falls back to English');
});

test('data errors: a malformed data file reads Korean in a Korean VS Code and the panel (catalogue), English in the CLI', async () => {
  const { buildDataset, DataError, DataFileError } = await import('../../src/core/tasks');
  const files: Record<string, string> = {
    '/w/p.tsv': 'go .\t가 .\nstop\n',
    '/w/r.csv': 'text,label\n"good film,positive\n',
    '/w/t.conll': 'the DET\n',
    '/w/j.jsonl': '{"tokens": ["a"], "tags": []}\n',
    '/w/f.csv': 'a,b\n1,2\n3,x\n',
    '/w/big.tsv': 'x',
  };
  const build = (data: Record<string, unknown>) => {
    const r = parseDefinition(JSON.stringify({ name: 'x', data, layers: [{ cell: 'gru', units: 4 }] }));
    assert.ok(r.spec, JSON.stringify(r.diagnostics));
    return buildDataset(r.spec!, {
      definitionFile: '/w/x.seqlab.json', workspaceRoot: '/w',
      readFile: (abs) => {
        if (abs === '/w/big.tsv') throw Object.assign(new Error('too large'), { problem: { kind: 'too-large', size: 9e6, limit: 8e6, message: 'too large' } });
        return files[abs]!;
      },
    });
  };
  const cases: [Record<string, unknown>, RegExp][] = [
    [{ task: 'pairs', file: 'p.tsv' }, /^p\.tsv:2:5: expected 2 tab-separated fields, found 1$/],
    [{ task: 'classify', file: 'r.csv' }, /^r\.csv:2:\d+: expected a closing '"'/],
    [{ task: 'tag', file: 't.conll' }, /^t\.conll:1:8: expected 2 tab-separated fields \(token, tag\), found 1 \(separate the token/],
    [{ task: 'tag', file: 'j.jsonl' }, /^j\.jsonl:1:\d+: expected a list of non-empty strings|^j\.jsonl:1:\d+: expected at least one entry/],
    [{ task: 'forecast', file: 'f.csv', length: 1 }, /^f\.csv:3:3: expected a number in column "b", found "x"$/],
    [{ task: 'forecast', file: 'f.csv', length: 1, targets: ['c'] }, /^data\.targets\[0\] "c" is not a field of f\.csv/],
    [{ task: 'pairs', file: 'big.tsv' }, /^data\.file 'big\.tsv' is 8\.6 MB, over the 7\.6 MB limit/],
  ];
  for (const [data, english] of cases) {
    let caught: unknown;
    try {
      build(data);
    } catch (e) {
      caught = e;
    }
    assert.ok(caught instanceof DataError, `${JSON.stringify(data)}: ${String(caught)}`);
    const e = caught as InstanceType<typeof DataError>;
    assert.match(e.message, english, 'the CLI reads English');
    const ko = e.localized('ko-KR');
    assert.match(ko, HANGUL, `Korean: ${ko}`);
    assert.notEqual(ko, e.message);
    if (e instanceof DataFileError) assert.ok(ko.startsWith(`${e.file}:${e.line}:${e.column}: `), `located the same: ${ko}`);
    assert.equal(e.localized('fr'), e.message, 'other languages read English');
  }
});

test('data errors: the file readers build every message from the catalogue (a data error without Korean fails here)', () => {
  // src/core/tasks/files.ts's fail() takes only a catalogue sentence (the type checker refuses a string);
  // these modules throw no DataError with a plain string either
  for (const f of ['src/core/tasks/files.ts', 'src/core/tasks/classify.ts', 'src/core/tasks/pairs.ts', 'src/core/tasks/tag.ts', 'src/core/tasks/forecast.ts']) {
    const plain = [...read(f).matchAll(/new Data(?:File)?Error\(\s*[`'"]/g)];
    assert.deepEqual(plain.map((m) => m[0]), [], `${f}: a data error with an English-only message`);
  }
  const common = read('src/core/tasks/common.ts');
  const readers = common.slice(common.indexOf('export function resolveWorkspacePath'), common.indexOf('/** Round for messages. */'));
  assert.ok(readers.length > 200);
  assert.deepEqual([...readers.matchAll(/new DataError\(\s*[`'"]/g)].map((m) => m[0]), [], 'reading a data file: every refusal from the catalogue');
});
