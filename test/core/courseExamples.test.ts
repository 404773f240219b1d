/**
 * The course examples (examples/*.seqlab.json with data the project writes itself) reach what
 * each file calls "solved". Few steps, small sizes: CI has 2 cores.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { useBackend } from '../../src/node/backend';
import { loadDefinition } from '../../src/node/trainRun';
import { Trainer } from '../../src/core/train';
import { Predictor } from '../../src/core/predict';
import { dataInfo } from '../../src/core/data';
import type { EvaluationReport } from '../../src/core/evaluate';
import { detokenize } from '../../src/core/tokenize';

const ROOT = join(__dirname, '..', '..');

/** Train an example (optionally with fewer steps) and return its trainer and end-of-run report. */
async function train(name: string, steps?: number): Promise<{ t: Trainer; report: EvaluationReport; sd: Awaited<ReturnType<Trainer['stateDict']>> }> {
  await useBackend('wasm');
  const loaded = loadDefinition(join(ROOT, 'examples', `${name}.seqlab.json`), ROOT);
  const spec = steps ? { ...loaded.spec, training: { ...loaded.spec.training, steps } } : loaded.spec;
  const t = new Trainer(spec, loaded.data);
  try {
    while (!t.done) await t.runSteps(50);
    return { t, report: await t.report(), sd: await t.stateDict() };
  } catch (e) {
    t.dispose();
    throw e;
  }
}

/** Run a check on a trained example and free its tensors whatever happens. */
async function check(name: string, steps: number | undefined, f: (r: Awaited<ReturnType<typeof train>>) => void | Promise<void>): Promise<void> {
  const r = await train(name, steps);
  try {
    await f(r);
  } finally {
    r.t.dispose();
  }
}

test('hihello: all 6 next characters right', async () => {
  await check('hihello', undefined, async ({ t, report }) => {
    assert.equal(report.kind === 'language' && report.accuracy, 1);
    assert.equal((await t.evaluate()).accuracy, 1);
  });
});

test('" if you want you": all 15 next characters right', async () => {
  await check('if-you-want', undefined, async ({ report }) => {
    assert.equal(report.kind === 'language' && report.n, 15);
    assert.equal(report.kind === 'language' && report.accuracy, 1);
  });
});

test('a paragraph from sliding windows, two layers: training accuracy above 80%', async () => {
  await check('paragraph-sliding', undefined, async ({ t, report }) => {
    assert.equal(t.spec.layers.length, 2);
    assert.equal(t.data.train.length, 181 - 10, 'a window starts at every character');
    assert.ok(report.kind === 'language' && report.accuracy > 0.8, JSON.stringify(report));
  });
});

test('daily prices, windows of 7, next close: test RMSE near persistence and far below the price spread', async () => {
  await check('stock-forecast', 300, async ({ t, report }) => {
    assert.equal(report.split, 'test');
    assert.ok(report.kind === 'regression' && report.units === 'original');
    const rmse = report.kind === 'regression' ? report.targets[0].rmse : NaN;
    // persistence (tomorrow's close = today's) on the same test windows, in dollars
    const sc = t.data.scaling!.targets[0];
    const ci = t.data.scaling!.features.findIndex((f) => f.name === 'close');
    const errs = t.data.test!.map((e) => (e.y[0][0] - e.x[e.x.length - 1][ci]) * sc.scale);
    const persistence = Math.sqrt(errs.reduce((s, v) => s + v * v, 0) / errs.length);
    assert.ok(rmse < 1.5 * persistence, `RMSE ${rmse} vs persistence ${persistence}`);
    assert.ok(rmse < 0.1 * sc.scale, `RMSE ${rmse} vs the training range ${sc.scale}`);
  });
});

test('English -> Korean pairs: greedy decoding writes the training targets', async () => {
  const { t, sd } = await train('en-ko-translate', 400);
  const { spec, data } = t;
  t.dispose(); // the predictor builds its own model with the same parameter names
  const p = new Predictor(spec, dataInfo(data), sd);
  try {
    const vocab = (data.input as { vocab: string[] }).vocab;
    const classes = (data.output as { classes: string[] }).classes;
    let right = 0;
    for (const e of data.train) {
      const src = detokenize(e.x.map((v) => vocab[v[0]]), 'words');
      const want = e.y.slice(0, -1).map((v) => classes[v[0]]);
      if (JSON.stringify(p.predict(src).tokens) === JSON.stringify(want)) right++;
    }
    assert.ok(right / data.train.length >= 0.95, `${right} of ${data.train.length} exact`);
    assert.deepEqual(p.predict('we like tea .').tokens, ['우리는', '차를', '좋아한다', '.']);
  } finally {
    p.dispose();
  }
});

test('variable lengths: the last digit of 2 to 10 digits, validation accuracy above 95%', async () => {
  await check('last-digit-lengths', 200, async ({ t, report }) => {
    assert.ok(new Set(t.data.train.map((e) => e.x.length)).size >= 8, 'lengths differ');
    assert.equal(t.batchSize, 16, 'batches mix lengths (padded and masked)');
    assert.ok(report.kind === 'classification' && report.accuracy > 0.95, JSON.stringify(report));
  });
});

test('names by language from a folder: test accuracy at least 50% (guessing: 20%)', async () => {
  await check('names-by-language', 300, async ({ report }) => {
    assert.equal(report.split, 'test');
    assert.deepEqual(report.kind === 'classification' && report.labels, ['english', 'german', 'italian', 'japanese', 'korean'].map((l) => l[0].toUpperCase() + l.slice(1)));
    assert.ok(report.kind === 'classification' && report.accuracy >= 0.5, JSON.stringify(report));
  });
});

test('reviews from a CSV: test accuracy above 90%, both F1 above 0.9', async () => {
  await check('reviews-csv', 300, async ({ report }) => {
    assert.ok(report.kind === 'classification' && report.accuracy > 0.9 && report.classes.every((c) => c.f1 > 0.9), JSON.stringify(report));
  });
});

test('CoNLL tagging: test token accuracy above 95%, every tag F1 above 0.8', async () => {
  await check('pos-conll', 200, async ({ report }) => {
    assert.ok(report.kind === 'classification' && report.accuracy > 0.95 && report.classes.every((c) => c.support === 0 || c.f1 > 0.8), JSON.stringify(report));
  });
});
