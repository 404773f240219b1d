/** Typed input through the data's tokenizer: sample, probe and Predictor on word-level and built-in data. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useBackend } from '../../src/node/backend';
import { parseDefinition } from '../../src/core/dsl/index';
import { buildDataset } from '../../src/core/tasks/index';
import { Trainer } from '../../src/core/train';
import { Predictor } from '../../src/core/predict';
import { dataInfo } from '../../src/core/data';
import { detokenize, impliedTokenizer } from '../../src/core/tokenize';
import { loadDefinition } from '../../src/node/trainRun';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function trainer(def: Record<string, unknown>, files: Record<string, string> = {}): Trainer {
  const r = parseDefinition(JSON.stringify({ name: 't', layers: [{ cell: 'gru', units: 8 }], ...def }), { file: '/ws/m.seqlab.json', workspaceRoot: '/ws' });
  assert.ok(r.spec, JSON.stringify(r.diagnostics));
  return new Trainer(r.spec, buildDataset(r.spec, { definitionFile: '/ws/m.seqlab.json', workspaceRoot: '/ws', readFile: (p) => files[p] }));
}

test('a word-level language model samples words and reads unknown words as <unk>', async () => {
  await useBackend('cpu');
  const t = trainer({ data: { task: 'text', text: 'the cat sat on the mat . the dog sat on the rug . '.repeat(4), tokenize: 'words', validation: 0 }, training: { sequenceLength: 4, steps: 5 } });
  try {
    await t.runSteps(5);
    const s = await t.sample({ prefix: 'the zebra', length: 5, temperature: 1, seed: 1 });
    assert.ok(s.startsWith('the zebra '), s);
    assert.equal(s.slice('the zebra '.length).split(/\s+|(?=[.])/).filter(Boolean).length, 5, `five words written: ${s}`);
    const p = await t.probe('the zebra sat');
    assert.deepEqual(p.inputTokens, ['the', '<unk>'], 'the probe reads the tokens it was given (x = all but the last)');
  } finally {
    t.dispose();
  }
});

test('a tagger probes typed sentences of any length; the Predictor reads a built-in task without a tokenizer', async () => {
  await useBackend('cpu');
  const t = trainer({ data: { task: 'tag', file: 't.conll', validation: 0 }, training: { steps: 2, batchSize: 1 } }, { '/ws/t.conll': 'the\tDET\ndog\tNOUN\n\na\tDET\nbig\tADJ\ncat\tNOUN\n' });
  try {
    await t.runSteps(2);
    const p = await t.probe('a big big dog');
    assert.equal(p.inputTokens.length, 4);
    assert.equal(p.prediction.kind === 'classes' && p.prediction.tokens.length, 4);
  } finally {
    t.dispose();
  }
  const s = trainer({ data: { task: 'sentiment', samples: 50 }, training: { steps: 1 } });
  const { spec, data } = s;
  const sd = await s.stateDict();
  s.dispose();
  const pr = new Predictor(spec, dataInfo(data), sd);
  try {
    const r = pr.predict('the movie was not good');
    assert.equal(typeof r.probability, 'number');
    assert.throws(() => pr.predict('the zebra'), /"zebra" is not in the vocabulary/);
  } finally {
    pr.dispose();
  }
});

test('the panel probe: a forecast reads a comma-separated window of the trained length, and says so otherwise', async () => {
  await useBackend('cpu');
  const t = trainer({ data: { task: 'sine', length: 6, samples: 40 }, structure: 'many-to-one', head: { activation: 'linear', loss: 'mse' }, training: { steps: 1 } });
  try {
    const p = new Predictor(t.spec, dataInfo(t.data), t.model);
    const r = p.probe('0.1, 0.5, 0.9, 0.5, 0.1, -0.3');
    const values = Object.values(r.prediction.prediction ?? {});
    assert.ok(values.length === 1 && Number.isFinite(values[0]), JSON.stringify(r.prediction));
    assert.equal(r.example.x.length, 6);
    const traced = await t.probe(r.example);
    assert.equal(traced.inputTokens.length, 6, 'the heatmap runs over the six typed values');
    assert.throws(() => p.probe('0.1, 0.5, 0.9'), /expected a window of 6 values .*found 3/);
    assert.throws(() => p.probe('0.1, zebra'), /expected 1 number/);
    assert.throws(() => p.probe('  '), /the input is empty/);
    p.dispose(); // lent model: not freed
    assert.equal((await t.probe(r.example)).inputTokens.length, 6, 'the trainer still has its model');
  } finally {
    t.dispose();
  }
});

test('the panel probe of an encoder-decoder with attention traces its free-running output (decoded tokens, same attention as decoding)', async () => {
  await useBackend('cpu');
  const t = trainer({
    data: { task: 'reverse', length: 5, symbols: 5, samples: 40 }, input: { encoding: 'embedding', embeddingSize: 8 }, structure: 'encoder-decoder',
    decoder: { layers: [{ cell: 'gru', units: 8 }], attention: 'luong-general' }, training: { steps: 3 },
  });
  try {
    await t.runSteps(3);
    const p = new Predictor(t.spec, dataInfo(t.data), t.model);
    const ex = t.data.valid[0] ?? t.data.train[0];
    const r = p.probe(ex);
    const pred = r.prediction;
    assert.ok(pred.output !== undefined && pred.tokens && pred.attention, JSON.stringify(pred));
    assert.deepEqual(r.outputTokens?.slice(0, pred.tokens.length), pred.tokens, 'the output axis is labelled with the decoded tokens');
    assert.deepEqual(r.example.x, ex.x);
    const classes = (t.data.output as { classes: string[] }).classes;
    assert.equal(pred.target, ex.y.map((v) => classes[v[0]!]).join(''), 'an example\'s true output rides along, as text');
    assert.equal(pred.truncated, undefined, 'no end symbol: writing exactly maxLength tokens is not a truncation');
    const traced = await t.probe(r.example);
    assert.equal(traced.attention?.length, r.outputTokens!.length);
    traced.attention!.forEach((row, i) => row.forEach((v, j) => assert.ok(Math.abs(v - pred.attention![i]![j]!) < 1e-4, `a[${i}][${j}]: traced ${v}, decoded ${pred.attention![i]![j]}`)));
    const beam = p.probe(ex, { method: { kind: 'beam', width: 3 } }).prediction;
    assert.equal(beam.alternatives?.length, 3);
    assert.ok(beam.alternatives!.every((a, i, all) => i === 0 || a.score! <= all[i - 1]!.score!), 'best first');
  } finally {
    t.dispose();
  }
});

test('the panel probe: a binary model names its verdict under flags; tags per typed token', async () => {
  await useBackend('cpu');
  const s = trainer({ data: { task: 'sentiment', samples: 50 }, training: { steps: 1 } });
  try {
    const r = new Predictor(s.spec, dataInfo(s.data), s.model).probe('the movie was not good');
    assert.equal(typeof r.prediction.probability, 'number');
    assert.ok(r.prediction.flags && Object.values(r.prediction.flags).every((v) => typeof v === 'boolean'), JSON.stringify(r.prediction));
  } finally {
    s.dispose();
  }
  const t = trainer({ data: { task: 'tag', file: 't.conll', validation: 0 }, training: { steps: 1, batchSize: 1 } }, { '/ws/t.conll': 'the\tDET\ndog\tNOUN\n\na\tDET\nbig\tADJ\ncat\tNOUN\n' });
  try {
    const r = new Predictor(t.spec, dataInfo(t.data), t.model).probe('a big zebra');
    assert.deepEqual(r.prediction.tokens, ['a', 'big', 'zebra']);
    assert.deepEqual(r.prediction.unknown, ['zebra'], 'the panel says which words were read as <unk>');
    assert.deepEqual((await t.probe(r.example)).inputTokens, ['a', 'big', '<unk>'], 'the heatmap shows what the model read');
    assert.equal(r.prediction.tags?.length, 3);
  } finally {
    t.dispose();
  }
});

test('the probe of an encoder-decoder whose output is longer than its input measures the encoder gradients (nothing injected into the decoder)', async () => {
  await useBackend('cpu');
  const t = trainer({
    data: { task: 'pairs', file: 'p.tsv', validation: 0 }, input: { encoding: 'embedding', embeddingSize: 4 }, structure: 'encoder-decoder', training: { steps: 1, batchSize: 2 },
  }, { '/ws/p.tsv': 'a b\tw x y z\nb a\tz y x w\n' });
  try {
    const r = new Predictor(t.spec, dataInfo(t.data), t.model).probe('a b', { length: 6 });
    const traced = await t.probe(r.example, { gradients: true });
    assert.equal(traced.gradNorms?.length, 2, 'one ‖dL/dh_t‖ per source step');
    // the target (4 words and </s>) is longer than the source (2): this failed while the encoder's injections reached the decoder
    const teacher = await t.probe(t.data.train[0], { gradients: true });
    assert.ok(t.data.train[0].y.length > t.data.train[0].x.length);
    assert.equal(teacher.gradNorms?.length, 2);
    assert.ok(teacher.gradNorms!.every((g) => Number.isFinite(g) && g > 0));
  } finally {
    t.dispose();
  }
});

test('every shipped example takes typed input in the panel probe: its first example typed as text or numbers is read back and traced', async () => {
  await useBackend('cpu');
  const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
  const names = readdirSync(join(root, 'examples')).filter((f) => f.endsWith('.seqlab.json'));
  assert.ok(names.length >= 15, `${names.length} examples`);
  const kinds = new Set<string>();
  for (const f of names) {
    const loaded = loadDefinition(join(root, 'examples', f), root);
    const t = new Trainer(loaded.spec, loaded.data); // untrained: only reading and tracing are checked
    try {
      const d = t.data;
      const ex = d.valid[0] ?? d.train[0];
      const info = dataInfo(d);
      const p = new Predictor(t.spec, info, t.model);
      let typed: string;
      if (d.input.kind === 'tokens') {
        const vocab = d.input.vocab;
        const level = (d.tokenizer ?? impliedTokenizer(vocab)).level;
        typed = detokenize(ex.x.map((v) => vocab[v[0]!]!).filter((tok) => tok !== '<pad>'), level);
      } else {
        // typed in the original units: undo the scaling the data applied
        const sc = d.scaling?.features;
        typed = ex.x.map((r) => r.map((v, j) => (sc ? v * sc[j]!.scale + sc[j]!.offset : v)).join(',')).join(';');
      }
      const r = p.probe(typed);
      const traced = await t.probe(r.example, { gradients: true });
      assert.ok(traced.layers.length > 0, f);
      const top = traced.layers.find((l) => (l as { name?: string }).name !== 'decoder')!;
      const steps = t.spec.structure === 'one-to-many' ? r.example.y.length : r.example.x.length;
      assert.equal(top.h.length, steps, `${f}: one heatmap column per input step`);
      if (t.spec.structure === 'encoder-decoder') assert.ok(r.prediction.output !== undefined && r.outputTokens?.length, `${f}: decoded`);
      if (d.input.kind === 'real') {
        assert.ok(r.example.x.every((row, i) => row.every((v, j) => Math.abs(v - ex.x[i]![j]!) < 1e-4)), `${f}: the typed numbers are scaled as in training`);
      }
      kinds.add(`${t.spec.structure}/${d.input.kind}/${d.output.kind}${d.generative ? '/generative' : ''}`);
    } finally {
      t.dispose();
    }
  }
  // every structure and kind of the shipped examples was typed into
  for (const k of ['many-to-one/tokens/classes', 'many-to-many/tokens/classes', 'encoder-decoder/tokens/classes', 'many-to-one/real/real', 'many-to-many/tokens/classes/generative', 'one-to-many/tokens/classes']) {
    assert.ok(kinds.has(k), `${k} in ${[...kinds].join(', ')}`);
  }
});
