import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Example, SeqData } from '../../src/core/data';
import type { DataSpec, ModelSpec, Structure, TaskName } from '../../src/core/spec';
import { DataError, TASKS, TASK_NAMES, buildDataset, type TaskContext } from '../../src/core/tasks';
import { leftToRightCeiling, TAGGING_VOCAB, TAGS } from '../../src/core/tasks/tagging';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** A complete ModelSpec with the catalog's defaults for the task; `data` fields override. */
function makeSpec(p: { data?: Partial<DataSpec>; structure?: Structure; sequenceLength?: number; name?: string } = {}): ModelSpec {
  const task: TaskName = p.data?.task ?? 'hello';
  const info = TASKS[task] ?? TASKS.hello;
  const layer = { cell: 'gru' as const, units: 16, activation: 'tanh' as const, bias: true, bidirectional: false, merge: 'concat' as const, dropout: 0 };
  return {
    name: p.name ?? 'test',
    description: '',
    data: {
      task,
      seed: 1,
      samples: info.defaults.samples ?? 100,
      validation: 0.1,
      length: info.defaults.length ?? 10,
      word: 'hello',
      symbols: info.defaults.symbols ?? 8,
      ...p.data,
    },
    input: { encoding: 'onehot', embeddingSize: 8, positionFeature: false },
    layers: [layer],
    decoderLayers: [layer],
    initialState: 'zeros',
    structure: p.structure ?? info.structures[0],
    head: { activation: info.head, loss: info.output === 'real' ? 'mse' : info.output === 'binary' ? 'binary-cross-entropy' : 'cross-entropy', dropout: 0 },
    training: {
      optimizer: 'adam', learningRate: 0.01, momentum: 0.9, nesterov: false, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, rho: 0.99,
      centered: false, weightDecay: 0,
      batchSize: 32, steps: 100, sequenceLength: p.sequenceLength ?? 16, tbptt: p.sequenceLength ?? 16,
      clip: { type: 'none', threshold: 1 }, schedule: { type: 'none' }, seed: 0, logEvery: 10, evalEvery: 50,
    },
  };
}

const TINY = readFileSync(join(repo, 'examples/data/tiny.txt'), 'utf8');
const CSV = readFileSync(join(repo, 'examples/data/temperatures.csv'), 'utf8');

/** A fake file system for the workspace /ws: a map of absolute paths to contents. */
function fsCtx(files: Record<string, string>, definitionFile = '/ws/exp/model.seqlab.json'): TaskContext & { reads: string[] } {
  const reads: string[] = [];
  return {
    reads,
    definitionFile,
    workspaceRoot: '/ws',
    readFile: (abs) => {
      reads.push(abs);
      if (!(abs in files)) throw new Error(`ENOENT: no such file, open '${abs}'`);
      return files[abs];
    },
  };
}

/** Every data field that a task uses, small enough for fast tests. */
function smallData(task: TaskName): Partial<DataSpec> {
  switch (task) {
    case 'copy': case 'reverse': return { task, samples: 200, length: 5, symbols: 4 };
    case 'adding': return { task, samples: 200, length: 20 };
    case 'parity': return { task, samples: 200, length: 12 };
    case 'sine': return { task, samples: 200, length: 16 };
    case 'sentiment': case 'tagging': return { task, samples: 200 };
    case 'spell': return { task, validation: 0 };
    case 'hello': return { task };
    case 'text': return { task, text: TINY };
    default: return { task }; // the tasks that read your files are tested in files.test.ts
  }
}

/** Checks the layout contract of data.ts for every example. */
function checkLayout(d: SeqData, spec: ModelSpec): void {
  assert.equal(d.structure, spec.structure);
  assert.equal(d.task, spec.data.task);
  assert.ok(typeof d.about === 'string' && d.about.length > 40, 'about is a readable sentence');
  const all: Example[] = [...d.train, ...d.valid, ...(d.test ?? [])];
  assert.ok(d.train.length > 0, 'has training examples');
  const tIn = all[0].x.length;
  const tOut = all[0].y.length;
  // generated data has one length; your own data keeps each example's (the batcher pads and masks)
  const own = TASKS[d.task as TaskName].needsFile;
  for (const e of all) {
    assert.ok(e.x.length >= 1 && e.y.length >= 1, 'no empty sequence');
    if (!own) assert.equal(e.x.length, tIn, 'every example has the same input length');
    if (!own) assert.equal(e.y.length, tOut, 'every example has the same output length');
    if (spec.structure === 'many-to-many') assert.equal(e.y.length, e.x.length, 'many-to-many: a target per input step');
    if (spec.structure === 'many-to-one') assert.equal(e.y.length, 1, 'many-to-one: one target');
    for (const step of e.x) {
      if (d.input.kind === 'tokens') {
        assert.equal(step.length, 1);
        assert.ok(Number.isInteger(step[0]) && step[0] >= 0 && step[0] < d.input.vocab.length, `token id ${step[0]} in vocab`);
      } else {
        assert.equal(step.length, d.input.features);
        assert.ok(step.every(Number.isFinite));
      }
    }
    for (const step of e.y) {
      const o = d.output;
      if (o.kind === 'classes') {
        assert.equal(step.length, 1);
        assert.ok(Number.isInteger(step[0]) && step[0] >= 0 && step[0] < o.classes.length, `class id ${step[0]} in range`);
      } else if (o.kind === 'binary') {
        assert.equal(step.length, o.labels.length);
        assert.ok(step.every((v) => v === 0 || v === 1));
      } else {
        assert.equal(step.length, o.features);
        assert.ok(step.every(Number.isFinite));
      }
    }
  }
  switch (spec.structure) {
    case 'many-to-many': assert.equal(tIn, tOut); break;
    case 'many-to-one': assert.equal(tOut, 1); assert.ok(tIn > 1); break;
    case 'one-to-many': assert.equal(tIn, 1); assert.ok(tOut > 1); break;
    case 'encoder-decoder':
      assert.ok(d.startToken !== undefined && d.output.kind === 'classes');
      assert.ok(d.startToken! >= 0 && d.startToken! < (d.output.kind === 'classes' ? d.output.classes.length : 0));
      for (const e of all) assert.ok(e.y.every((s) => s[0] !== d.startToken), 'targets never contain the start symbol');
      break;
  }
  assert.equal(d.generative, TASKS[spec.data.task].generative);
  const info = TASKS[spec.data.task];
  assert.equal(d.input.kind, info.input);
  assert.equal(d.output.kind, info.output);
}

const RANDOM_TASKS = new Set<TaskName>(['copy', 'reverse', 'adding', 'parity', 'sine', 'sentiment', 'tagging', 'spell']);

describe('every task and structure', () => {
  for (const task of TASK_NAMES.filter((t) => !TASKS[t].needsFile)) {
    for (const structure of TASKS[task].structures) {
      test(`${task} as ${structure}: layout, determinism, split`, () => {
        const spec = makeSpec({ data: smallData(task), structure });
        const a = buildDataset(spec);
        checkLayout(a, spec);
        assert.deepEqual(buildDataset(makeSpec({ data: smallData(task), structure })), a, 'same seed gives the same data');
        const b = buildDataset(makeSpec({ data: { ...smallData(task), seed: 2 }, structure }));
        if (RANDOM_TASKS.has(task)) assert.notDeepEqual(b, a, 'a different seed gives different data');
        else assert.deepEqual(b, a, `${task} does not depend on the seed`);
        if (task !== 'hello' && task !== 'text' && task !== 'spell') {
          // Generated tasks: samples examples, round(samples * validation) of them held out.
          const n = spec.data.samples;
          assert.equal(a.valid.length, Math.round(n * 0.1));
          assert.equal(a.train.length + a.valid.length, n);
          const none = buildDataset(makeSpec({ data: { ...smallData(task), validation: 0 }, structure }));
          assert.equal(none.valid.length, 0);
          assert.equal(none.train.length, n);
        }
      });
    }
    test(`${task} refuses a structure it cannot be laid out for`, () => {
      const wrong = (['many-to-one', 'many-to-many', 'one-to-many', 'encoder-decoder'] as Structure[]).find((s) => !TASKS[task].structures.includes(s))!;
      assert.throws(() => buildDataset(makeSpec({ data: smallData(task), structure: wrong })), (e: unknown) => e instanceof DataError && e.path[0] === 'structure');
    });
  }
});

describe('hello', () => {
  test('"hell" -> "ello" with the vocabulary in order of first appearance', () => {
    const d = buildDataset(makeSpec({ data: { task: 'hello' } }));
    assert.deepEqual(d.input, { kind: 'tokens', vocab: ['h', 'e', 'l', 'o'] });
    assert.deepEqual(d.output, { kind: 'classes', classes: ['h', 'e', 'l', 'o'] });
    assert.equal(d.train.length, 1);
    assert.deepEqual(d.train[0].x, [[0], [1], [2], [2]]);
    assert.deepEqual(d.train[0].y, [[1], [2], [2], [3]]);
    assert.deepEqual(d.valid, []);
    assert.ok(d.generative);
  });
  test('explicit vocabulary and other words', () => {
    const d = buildDataset(makeSpec({ data: { task: 'hello', word: 'abba', vocabulary: ['b', 'a', 'c'] } }));
    assert.deepEqual(d.train[0].x, [[1], [0], [0]]);
    assert.deepEqual(d.train[0].y, [[0], [0], [1]]);
    assert.throws(() => buildDataset(makeSpec({ data: { task: 'hello', vocabulary: ['h', 'e', 'l'] } })), (e: unknown) =>
      e instanceof DataError && e.path.join('.') === 'data.vocabulary' && /"o"/.test(e.message));
    assert.throws(() => buildDataset(makeSpec({ data: { task: 'hello', word: 'x' } })), (e: unknown) =>
      e instanceof DataError && e.path.join('.') === 'data.word');
  });
});

describe('copy and reverse', () => {
  test('encoder-decoder: y is x (copy) or x reversed, start token is <s>', () => {
    for (const task of ['copy', 'reverse'] as const) {
      const d = buildDataset(makeSpec({ data: { task, samples: 50, length: 6, symbols: 5 }, structure: 'encoder-decoder' }));
      assert.deepEqual(d.input, { kind: 'tokens', vocab: ['a', 'b', 'c', 'd', 'e'] });
      assert.deepEqual(d.output, { kind: 'classes', classes: ['a', 'b', 'c', 'd', 'e', '<s>'] });
      assert.equal(d.startToken, 5);
      for (const e of d.train) {
        const s = e.x.map((v) => v[0]);
        assert.deepEqual(e.y.map((v) => v[0]), task === 'copy' ? s : [...s].reverse());
      }
    }
  });
  test('many-to-many: the delayed copy-memory layout', () => {
    const d = buildDataset(makeSpec({ data: { task: 'reverse', samples: 50, length: 4, symbols: 3 }, structure: 'many-to-many' }));
    assert.deepEqual(d.input, { kind: 'tokens', vocab: ['a', 'b', 'c', '_'] });
    assert.deepEqual(d.output, { kind: 'classes', classes: ['a', 'b', 'c', '_'] });
    for (const e of d.train) {
      const x = e.x.map((v) => v[0]);
      const y = e.y.map((v) => v[0]);
      assert.equal(x.length, 8);
      assert.deepEqual(x.slice(4), [3, 3, 3, 3]);
      assert.deepEqual(y.slice(0, 4), [3, 3, 3, 3]);
      assert.deepEqual(y.slice(4), x.slice(0, 4).reverse());
    }
  });
  test('validation sequences never appear in training', () => {
    const d = buildDataset(makeSpec({ data: { task: 'copy', samples: 300, length: 5, symbols: 4 }, structure: 'encoder-decoder' }));
    const key = (e: Example) => e.x.map((v) => v[0]).join('');
    const held = new Set(d.valid.map(key));
    assert.equal(held.size, d.valid.length, 'validation sequences are distinct');
    assert.ok(d.train.every((e) => !held.has(key(e))));
  });
  test('bad symbol counts', () => {
    assert.throws(() => buildDataset(makeSpec({ data: { task: 'copy', symbols: 30 } })), (e: unknown) =>
      e instanceof DataError && e.path.join('.') === 'data.symbols');
  });
});

describe('adding', () => {
  test('two markers, one per half; y is the sum; baseline about 1/6', () => {
    const spec = makeSpec({ data: { task: 'adding', samples: 4000, length: 30, validation: 0.25 } });
    const d = buildDataset(spec);
    assert.deepEqual(d.input, { kind: 'real', features: 2, names: ['value', 'marker'] });
    for (const e of [...d.train, ...d.valid]) {
      const marked = e.x.map((s, t) => (s[1] === 1 ? t : -1)).filter((t) => t >= 0);
      assert.equal(marked.length, 2);
      assert.ok(e.x.every((s) => s[1] === 0 || s[1] === 1));
      assert.ok(e.x.every((s) => s[0] >= 0 && s[0] < 1));
      assert.ok(marked[0] < 15 && marked[1] >= 15, `markers ${marked} in different halves`);
      assert.ok(Math.abs(e.y[0][0] - (e.x[marked[0]][0] + e.x[marked[1]][0])) < 1e-12);
    }
    assert.equal(d.valid.length, 1000);
    assert.ok(d.baselineLoss !== undefined && Math.abs(d.baselineLoss - 1 / 6) < 0.015, `baseline ${d.baselineLoss}`);
    assert.match(d.about, new RegExp(d.baselineLoss!.toPrecision(3)));
  });
});

describe('parity', () => {
  test('many-to-one gives the parity, many-to-many the running parity', () => {
    const one = buildDataset(makeSpec({ data: { task: 'parity', samples: 100, length: 9 }, structure: 'many-to-one' }));
    assert.deepEqual(one.output, { kind: 'binary', labels: ['odd'] });
    for (const e of one.train) assert.equal(e.y[0][0], e.x.reduce((s, v) => s + v[0], 0) % 2);
    const many = buildDataset(makeSpec({ data: { task: 'parity', samples: 100, length: 9 }, structure: 'many-to-many' }));
    for (const e of many.train) {
      let p = 0;
      e.x.forEach((v, t) => {
        p = (p + v[0]) % 2;
        assert.equal(e.y[t][0], p);
      });
    }
  });
});

describe('sine', () => {
  test('synthetic: y is the next value of the series', () => {
    const m2m = buildDataset(makeSpec({ data: { task: 'sine', samples: 100, length: 16 }, structure: 'many-to-many' }));
    for (const e of m2m.train) for (let t = 0; t + 1 < e.x.length; t++) assert.equal(e.y[t][0], e.x[t + 1][0]);
    const m2o = buildDataset(makeSpec({ data: { task: 'sine', samples: 100, length: 16 }, structure: 'many-to-one' }));
    // Consecutive windows slide by one: the target of window i is the last input of window i+1.
    for (let i = 0; i + 1 < m2o.train.length; i++) assert.equal(m2o.train[i].y[0][0], m2o.train[i + 1].x[15][0]);
    assert.ok(m2o.baselineLoss! > 0);
  });
  test('CSV column by name, by index and by default, z-scored with training statistics', () => {
    const ctx = fsCtx({ '/ws/examples/data/temperatures.csv': CSV }, '/ws/examples/forecast.seqlab.json');
    const data = { task: 'sine' as const, file: 'data/temperatures.csv', length: 14, validation: 0.2 };
    const byDefault = buildDataset(makeSpec({ data, structure: 'many-to-one' }), ctx);
    const byName = buildDataset(makeSpec({ data: { ...data, column: 'temp_c' }, structure: 'many-to-one' }), ctx);
    const byIndex = buildDataset(makeSpec({ data: { ...data, column: 1 }, structure: 'many-to-one' }), ctx);
    assert.deepEqual(byName, byDefault);
    assert.deepEqual(byIndex, byDefault);
    assert.equal(ctx.reads[0], '/ws/examples/data/temperatures.csv');
    assert.match(byDefault.about, /z-score/);
    // 400 values: 320 for training (306 windows of 15), the last 80 for validation (66 windows).
    assert.equal(byDefault.train.length, 320 - 15 + 1);
    assert.equal(byDefault.valid.length, 80 - 15 + 1);
    // The training part is normalised to mean 0, sd 1.
    const values = CSV.trim().split('\n').slice(1).map((l) => Number(l.split(',')[1]));
    const trainPart = values.slice(0, 320);
    const mean = trainPart.reduce((a, b) => a + b, 0) / 320;
    const sd = Math.sqrt(trainPart.reduce((a, b) => a + (b - mean) ** 2, 0) / 320);
    assert.ok(Math.abs(byDefault.train[0].x[0][0] - (values[0] - mean) / sd) < 1e-12);
    assert.ok(Math.abs(byDefault.valid[0].x[0][0] - (values[320] - mean) / sd) < 1e-12);
  });
  test('bad CSV input names the line and the field', () => {
    const bad = 'date,temp_c\n2023-01-01,3.5\n2023-01-02,oops\n';
    const ctx = fsCtx({ '/ws/exp/t.csv': bad, '/ws/exp/n.csv': 'date\n2023-01-01\n' });
    const spec = (extra: Partial<DataSpec>) => makeSpec({ data: { task: 'sine', file: 't.csv', length: 1, validation: 0, ...extra }, structure: 'many-to-one' });
    assert.throws(() => buildDataset(spec({}), ctx), (e: unknown) =>
      e instanceof DataError && e.path.join('.') === 'data.file' && /line 3/.test(e.message) && /oops/.test(e.message));
    assert.throws(() => buildDataset(spec({ column: 'humidity' }), ctx), (e: unknown) =>
      e instanceof DataError && e.path.join('.') === 'data.column' && /temp_c/.test(e.message));
    assert.throws(() => buildDataset(spec({ column: 5 }), ctx), (e: unknown) =>
      e instanceof DataError && e.path.join('.') === 'data.column');
    assert.throws(() => buildDataset(spec({ file: 'n.csv' }), ctx), (e: unknown) =>
      e instanceof DataError && e.path.join('.') === 'data.column' && /no numeric column/.test(e.message));
    assert.throws(() => buildDataset(spec({ file: 'x.txt' }), ctx), (e: unknown) =>
      e instanceof DataError && e.path.join('.') === 'data.file');
    assert.throws(() => buildDataset(spec({ length: 50 }), fsCtx({ '/ws/exp/t.csv': 'v\n1\n2\n3\n' })), (e: unknown) =>
      e instanceof DataError && e.path.join('.') === 'data.file' && /at least 51/.test(e.message));
  });
});

describe('sentiment', () => {
  test('left-padded with <pad> (index 0), last step real, negation flips the label', () => {
    const d = buildDataset(makeSpec({ data: { task: 'sentiment', samples: 1500 } }));
    assert.equal(d.input.kind === 'tokens' && d.input.vocab[0], '<pad>');
    assert.deepEqual(d.output, { kind: 'binary', labels: ['positive'] });
    const vocab = d.input.kind === 'tokens' ? d.input.vocab : [];
    const text = (e: Example) => e.x.map((v) => vocab[v[0]]).filter((w) => w !== '<pad>').join(' ');
    const all = [...d.train, ...d.valid];
    for (const e of all) {
      assert.notEqual(e.x[e.x.length - 1][0], 0, 'last step is a word');
      const firstReal = e.x.findIndex((v) => v[0] !== 0);
      assert.ok(e.x.slice(firstReal).every((v) => v[0] !== 0), 'padding only on the left');
    }
    const label = new Map(all.map((e) => [text(e), e.y[0][0]]));
    const positives = all.filter((e) => e.y[0][0] === 1).length / all.length;
    assert.ok(positives > 0.4 && positives < 0.6, `balanced labels (${positives})`);
    // Some review and its negation both occur, with opposite labels.
    const pairs = [...label.keys()].filter((s) => /^the \w+ was \w+$/.test(s) && label.has(s.replace(' was ', ' was not ')));
    assert.ok(pairs.length > 0);
    for (const s of pairs) assert.equal(label.get(s.replace(' was ', ' was not ')), 1 - label.get(s)!);
    if (label.has('the plot was not bad')) assert.equal(label.get('the plot was not bad'), 1);
  });
});

describe('tagging', () => {
  test('some words are tagged by their right context; PAD pads', () => {
    const d = buildDataset(makeSpec({ data: { task: 'tagging', samples: 1500 } }));
    assert.deepEqual(d.output, { kind: 'classes', classes: [...TAGS] });
    assert.deepEqual(d.input, { kind: 'tokens', vocab: TAGGING_VOCAB });
    const all = [...d.train, ...d.valid];
    for (const e of all) e.x.forEach((v, t) => assert.equal(v[0] === 0, e.y[t][0] === 0, 'PAD exactly on <pad>'));
    // The same left context (prefix up to and including t) with different tags at t.
    const tagsByPrefix = new Map<string, Set<number>>();
    const words = new Set<string>();
    for (const e of all) {
      e.x.forEach((_, t) => {
        const k = e.x.slice(0, t + 1).map((v) => v[0]).join(',');
        tagsByPrefix.set(k, (tagsByPrefix.get(k) ?? new Set()).add(e.y[t][0]));
      });
    }
    for (const [k, tags] of tagsByPrefix) if (tags.size > 1) words.add(TAGGING_VOCAB[Number(k.split(',').pop())]);
    for (const w of ['old', 'duck', 'her']) assert.ok(words.has(w), `'${w}' is ambiguous from the left`);
    const ceiling = leftToRightCeiling(all);
    assert.ok(ceiling < 0.97 && ceiling > 0.8, `left-to-right ceiling ${ceiling}`);
    assert.match(d.about, new RegExp((ceiling * 100).toFixed(1).replace('.', '\\.')));
    // With the whole sentence visible every tag is determined.
    const bySentence = new Map<string, string>();
    for (const e of all) {
      const k = e.x.map((v) => v[0]).join(',');
      const tags = e.y.map((v) => v[0]).join(',');
      assert.equal(bySentence.get(k) ?? tags, tags);
      bySentence.set(k, tags);
    }
  });
});

describe('spell', () => {
  test('each digit spells its name followed by "."', () => {
    const d = buildDataset(makeSpec({ data: { task: 'spell', validation: 0 } }));
    assert.equal(d.train.length, 10);
    assert.deepEqual(d.valid, []);
    const classes = d.output.kind === 'classes' ? d.output.classes : [];
    assert.equal(classes[classes.length - 1], '.');
    const names = new Map(d.train.map((e) => [e.x[0][0], e.y.map((v) => classes[v[0]]).join('')]));
    assert.equal(names.get(3), 'three.');
    assert.equal(names.get(1), 'one...');
    assert.equal(names.size, 10);
    const held = buildDataset(makeSpec({ data: { task: 'spell', validation: 0.2 } }));
    assert.equal(held.valid.length, 2);
    assert.equal(held.train.length, 8);
  });
});

describe('text', () => {
  test('windows of sequenceLength + 1; the validation set is the tail', () => {
    const text = 'abcdefghij'.repeat(10); // 100 characters
    const d = buildDataset(makeSpec({ data: { task: 'text', text, validation: 0.2 }, sequenceLength: 9 }));
    const vocab = d.input.kind === 'tokens' ? d.input.vocab : [];
    assert.deepEqual(vocab, 'abcdefghij'.split(''));
    const str = (ids: number[][]) => ids.map((v) => vocab[v[0]]).join('');
    // Training covers text[0, 80): windows start at 0, 9, ..., 63 (63 + 10 <= 80).
    assert.equal(d.train.length, 8);
    assert.equal(str(d.train[0].x), text.slice(0, 9));
    assert.equal(str(d.train[0].y), text.slice(1, 10));
    assert.equal(str(d.train[1].x), text.slice(9, 18));
    // Validation windows come from text[80, 100) only.
    assert.equal(d.valid.length, 2);
    assert.equal(str(d.valid[0].x), text.slice(80, 89));
    assert.equal(str(d.valid[1].y), text.slice(90, 99));
    const lastTrainEnd = 9 * 7 + 10;
    assert.ok(lastTrainEnd <= 80, 'no training window reaches the validation tail');
  });
  test('reads data.file relative to the definition, inside the workspace', () => {
    const ctx = fsCtx({ '/ws/examples/data/tiny.txt': TINY }, '/ws/examples/gru.seqlab.json');
    const d = buildDataset(makeSpec({ data: { task: 'text', file: 'data/tiny.txt' }, sequenceLength: 32 }), ctx);
    assert.deepEqual(ctx.reads, ['/ws/examples/data/tiny.txt']);
    const vocab = d.input.kind === 'tokens' ? d.input.vocab : [];
    assert.deepEqual(vocab, [...new Set(TINY)].sort());
    assert.equal(d.train[0].x.length, 32);
    assert.ok(d.valid.length > 0);
  });
  test('paths outside the workspace, unreadable files, vocabulary mismatch and short texts are DataErrors', () => {
    const ctx = fsCtx({ '/ws/exp/a.txt': 'hello world, hello there!' });
    const spec = (data: Partial<DataSpec>, n = 4) => makeSpec({ data: { task: 'text', validation: 0, ...data }, sequenceLength: n });
    assert.throws(() => buildDataset(spec({ file: '../../etc/passwd' }), ctx), (e: unknown) =>
      e instanceof DataError && e.path.join('.') === 'data.file' && /outside the workspace/.test(e.message));
    assert.equal(ctx.reads.length, 0, 'nothing outside the workspace is read');
    assert.throws(() => buildDataset(spec({ file: 'missing.txt' }), ctx), (e: unknown) =>
      e instanceof DataError && e.path.join('.') === 'data.file' && /ENOENT/.test(e.message));
    assert.throws(() => buildDataset(spec({ file: 'a.txt' }), {}), (e: unknown) => e instanceof DataError && e.path.join('.') === 'data.file');
    assert.throws(() => buildDataset(spec({ file: 'a.txt', vocabulary: 'helo wrd'.split('') }), ctx), (e: unknown) =>
      e instanceof DataError && e.path.join('.') === 'data.vocabulary' && /","/.test(e.message) && /"t"/.test(e.message) && /"!"/.test(e.message));
    assert.throws(() => buildDataset(spec({ text: 'short' }, 10)), (e: unknown) =>
      e instanceof DataError && e.path.join('.') === 'data.text' && /at least 11 characters/.test(e.message));
    assert.throws(() => buildDataset(spec({ text: 'x'.repeat(20), validation: 0.1 }, 10)), (e: unknown) =>
      e instanceof DataError && /at least 110 characters/.test(e.message));
    // The minimum it names is really enough.
    assert.doesNotThrow(() => buildDataset(spec({ text: 'x'.repeat(110), validation: 0.1 }, 10)));
    assert.throws(() => buildDataset(spec({})), (e: unknown) => e instanceof DataError && e.path.join('.') === 'data');
    // A given vocabulary is used as is (its order gives the ids).
    const d = buildDataset(spec({ file: 'a.txt', vocabulary: [...'hello world, there!'.split('').filter((c, i, a) => a.indexOf(c) === i).reverse(), 'Z'] }), ctx);
    assert.equal(d.input.kind === 'tokens' && d.input.vocab[d.input.vocab.length - 1], 'Z');
  });
});

describe('errors', () => {
  test('only DataError escapes, with the field at fault', () => {
    assert.throws(() => buildDataset(makeSpec({ data: { task: 'nope' as TaskName } })), (e: unknown) =>
      e instanceof DataError && e.path.join('.') === 'data.task');
    assert.throws(() => buildDataset(makeSpec({ data: { task: 'parity', length: 0 } })), (e: unknown) =>
      e instanceof DataError && e.path.join('.') === 'data.length');
    assert.throws(() => buildDataset(makeSpec({ data: { task: 'adding', validation: 1 } })), (e: unknown) =>
      e instanceof DataError && e.path.join('.') === 'data.validation');
    assert.throws(() => buildDataset(makeSpec({ data: { task: 'adding', samples: 1_000_000, length: 1000 } })), (e: unknown) =>
      e instanceof DataError && e.path.join('.') === 'data.samples');
  });
});

describe('with the DSL parser', () => {
  test('every task and structure parses and builds from a minimal definition', async () => {
    const { parseDefinition } = await import('../../src/core/dsl');
    const own: Partial<Record<TaskName, string>> = { classify: 'data/reviews.csv', tag: 'data/pos.conll', pairs: 'data/en-ko.tsv', forecast: 'data/prices.csv' };
    const files: Record<string, string> = { '/ws/examples/data/tiny.txt': TINY, '/ws/examples/data/temperatures.csv': CSV };
    for (const f of Object.values(own)) files[`/ws/examples/${f}`] = readFileSync(join(repo, 'examples', f!), 'utf8');
    const ctx = fsCtx(files, '/ws/examples/model.seqlab.json');
    for (const task of TASK_NAMES) {
      for (const structure of TASKS[task].structures) {
        const data: Record<string, unknown> = { task };
        if (task === 'text') data.file = 'data/tiny.txt';
        if (own[task]) data.file = own[task];
        const def = { name: `${task} ${structure}`, data, structure, layers: [{ cell: 'gru', units: 8 }] };
        const r = parseDefinition(JSON.stringify(def), { file: ctx.definitionFile, workspaceRoot: ctx.workspaceRoot });
        const errors = r.diagnostics.filter((d) => d.severity === 'error');
        assert.deepEqual(errors, [], `${task}/${structure} parses`);
        const d = buildDataset(r.spec!, ctx);
        checkLayout(d, r.spec!);
      }
    }
    const csv = parseDefinition(JSON.stringify({ name: 'f', data: { task: 'sine', file: 'data/temperatures.csv', column: 'temp_c', length: 14 }, layers: [{ cell: 'lstm', units: 8 }] }),
      { file: ctx.definitionFile, workspaceRoot: ctx.workspaceRoot });
    assert.deepEqual(csv.diagnostics.filter((d) => d.severity === 'error'), []);
    const d = buildDataset(csv.spec!, ctx);
    assert.equal(d.train.length + d.valid.length, (360 - 14) + (40 - 14), 'all windows of the 400-value series at the default 10% validation');
  });
});
