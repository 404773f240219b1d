/**
 * The JSON Schema (draft-07) of a `*.seqlab.json` model definition.
 *
 * It serves two readers: ajv, which validates a definition in `parseDefinition`, and VS Code, which
 * gets it through `contributes.jsonValidation` (the build writes dist/seqlab.schema.json from this
 * export) and uses `description`/`markdownDescription`, `default`, `enumDescriptions`,
 * `markdownEnumDescriptions` and `defaultSnippets` for completion and hover. It must stay
 * self-contained: no `$ref` outside the document.
 *
 * Defaults that depend on the task (structure, head activation, samples/length/symbols) are
 * explained in the descriptions; `default` carries the task-independent fallback.
 */
import { TASKS, TASK_NAMES } from '../tasks/catalog';

/** Plain text for `description` from the markdown used in `markdownDescription`. */
function plain(md: string): string {
  return md.replace(/`([^`]*)`/g, "'$1'").replace(/\*\*([^*]*)\*\*/g, '$1').replace(/\*([^*]*)\*/g, '$1');
}

function doc(md: string): { description: string; markdownDescription: string } {
  return { description: plain(md), markdownDescription: md };
}

/** A string enum whose every value is explained (completion lists show the explanation). */
function enumOf<T extends string>(md: string, values: readonly (readonly [T, string])[], def?: T) {
  return {
    type: 'string',
    ...doc(md),
    enum: values.map((v) => v[0]),
    enumDescriptions: values.map((v) => plain(v[1])),
    markdownEnumDescriptions: values.map((v) => v[1]),
    ...(def !== undefined ? { default: def } : {}),
  };
}

function int(md: string, minimum: number, maximum?: number, def?: number) {
  return {
    type: 'integer',
    ...doc(md),
    minimum,
    ...(maximum !== undefined ? { maximum } : {}),
    ...(def !== undefined ? { default: def } : {}),
  };
}

function bool(md: string, def: boolean) {
  return { type: 'boolean', ...doc(md), default: def };
}

const taskValues = TASK_NAMES.map((t) => {
  const i = TASKS[t];
  const io = `${i.input} -> ${i.output}`;
  const s = i.structures.map((x) => `\`${x}\``).join(', ');
  return [t, `${i.title}. Input ${io}, structure ${s}, head \`${i.head}\`${i.needsText ? '; needs `file` or `text`' : i.needsFile ? (t === 'classify' ? '; needs `file` or `folder`' : '; needs `file`') : ''}.`] as const;
});

const cellValues = [
  ['rnn', 'Elman RNN: `h = act(W_ih x + b_ih + W_hh h + b_hh)`. Simple, forgets quickly (vanishing gradients).'],
  ['lstm', 'Long short-term memory: input, forget, cell and output gates plus a cell state `c` that carries information over long spans.'],
  ['gru', 'Gated recurrent unit: reset and update gates, no separate cell state. Often as good as an LSTM with fewer parameters.'],
] as const;

const layer = {
  type: 'object',
  ...doc('One recurrent layer. Layers are stacked: each one reads the sequence of hidden states of the one below.'),
  additionalProperties: false,
  required: ['cell', 'units'],
  properties: {
    cell: enumOf('The recurrent cell type.', cellValues),
    units: int('Size of the hidden state (number of hidden units) of this layer, per direction.', 1, 4096),
    activation: enumOf(
      'Nonlinearity of an `rnn` cell. Ignored by `lstm` and `gru`, whose gates fix their activations.',
      [
        ['tanh', 'Hyperbolic tangent, bounded in (-1, 1): the classic choice.'],
        ['relu', 'Rectified linear: unbounded, can explode without gradient clipping.'],
      ],
      'tanh',
    ),
    bias: bool('Whether the cell has bias vectors (`b_ih` and `b_hh`, as in PyTorch).', true),
    bidirectional: bool(
      'Run a second cell over the reversed sequence and merge both directions. Only for models that see the whole input before answering: not for text generation, `one-to-many`, or an encoder-decoder\'s decoder (an encoder may be bidirectional: see `decoder.bridge`).',
      false,
    ),
    merge: enumOf(
      'How the forward and backward outputs of a bidirectional layer are combined.',
      [
        ['concat', 'Concatenate: the output has `2 * units` features.'],
        ['sum', 'Add element-wise: `units` features.'],
        ['mul', 'Multiply element-wise: `units` features.'],
        ['avg', 'Average element-wise: `units` features.'],
      ],
      'concat',
    ),
    dropout: {
      type: 'number',
      ...doc('Dropout probability on this layer\'s outputs before the next layer, during training (0 = none), `0 <= dropout < 1`: PyTorch\'s `nn.LSTM(dropout=p)`, between stacked layers. It has no effect on the top layer: use `head.dropout` for dropout before the head.'),
      minimum: 0,
      exclusiveMaximum: 1,
      default: 0,
    },
  },
  defaultSnippets: [
    { label: 'LSTM layer', description: 'An LSTM layer', body: { cell: 'lstm', units: '^${1:32}' } },
    { label: 'GRU layer', description: 'A GRU layer', body: { cell: 'gru', units: '^${1:32}' } },
    { label: 'RNN layer', description: 'An Elman RNN layer', body: { cell: 'rnn', units: '^${1:16}', activation: '${2|tanh,relu|}' } },
    {
      label: 'Bidirectional LSTM layer',
      description: 'An LSTM reading the sequence in both directions',
      body: { cell: 'lstm', units: '^${1:32}', bidirectional: true, merge: '${2|concat,sum,mul,avg|}' },
    },
  ],
};

const layersArray = (md: string) => ({
  type: 'array',
  ...doc(md),
  minItems: 1,
  maxItems: 16,
  items: { $ref: '#/definitions/layer' },
  defaultSnippets: [
    { label: 'one LSTM layer', body: [{ cell: 'lstm', units: '^${1:32}' }] },
    { label: 'two stacked GRU layers', body: [{ cell: 'gru', units: '^${1:32}' }, { cell: 'gru', units: '^${2:32}' }] },
  ],
});

const positiveUnit = (md: string, def: number) => ({ type: 'number', ...doc(md), minimum: 0, exclusiveMaximum: 1, default: def });

export const seqlabSchema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  title: 'Sequence Lab model definition',
  ...doc(
    'A recurrent sequence model for **Sequence Lab**: the data (a built-in task), the recurrent layers, the output head and the training settings. Every field except `name`, `data.task` and `layers` has a default.',
  ),
  type: 'object',
  additionalProperties: false,
  required: ['name', 'data', 'layers'],
  definitions: { layer },
  properties: {
    $schema: { type: 'string', ...doc('The JSON Schema of this file (optional; editors use it for completion).') },
    name: { type: 'string', ...doc('Name of the experiment, shown in the run list and the training panel.'), minLength: 1, maxLength: 200 },
    description: { type: 'string', ...doc('What this experiment is for or what it teaches.'), default: '' },
    data: {
      type: 'object',
      ...doc('Where the sequences come from: a built-in task, generated deterministically from `seed`, or (for `text` and `sine`) a file.'),
      additionalProperties: false,
      required: ['task'],
      properties: {
        task: enumOf('The built-in task. It fixes the input and output kinds and which structures and heads fit.', taskValues),
        seed: int('Seed of the data generator (independent of `training.seed`).', 0, 4294967295, 1),
        samples: int(
          'Number of generated examples. Default depends on the task (hello 1, copy/reverse/parity 2000, adding 4000, sine 1000, sentiment/tagging 1500, spell 10); 1000 otherwise.',
          1,
          1000000,
          1000,
        ),
        validation: {
          type: 'number',
          ...doc('Fraction of the examples held out for validation, `0 <= validation < 1`. Default 0.1 (0 for `hello` and `spell`, which have too few examples).'),
          minimum: 0,
          exclusiveMaximum: 1,
          default: 0.1,
        },
        length: int(
          'Sequence length of generated examples (copy, reverse, adding, parity, sine windows). Default depends on the task (copy/reverse 8, parity 10, sine 32, adding 50); 16 otherwise.',
          1,
          10000,
          16,
        ),
        word: { type: 'string', ...doc('`hello` task: the word to learn. `"hello"` gives input `"hell"` and target `"ello"`.'), default: 'hello', maxLength: 10000 },
        symbols: int('`copy`/`reverse`: number of distinct symbols (the letters `a`, `b`, ...) in the random sequences, 2 to 26.', 2, 26, 8),
        file: {
          type: 'string',
          ...doc('Your data file, relative to this definition file (it must stay inside the workspace): `text` a text file; `sine` a CSV file whose `column` is the series; `classify` CSV/TSV/JSONL; `tag` CoNLL or JSONL; `pairs` TSV or JSONL; `forecast` CSV. See docs/dsl.md for each format.'),
          minLength: 1,
        },
        folder: {
          type: 'string',
          ...doc('`classify`: a folder with one file per class (the file name without extension is the label), one example a line. Relative to this definition file, inside the workspace.'),
          minLength: 1,
        },
        format: enumOf(
          'How `file` is read. Default: from its extension (`.csv`, `.tsv`/`.tab`, `.jsonl`/`.ndjson`, `.conll`/`.iob`/`.bio`).',
          [
            ['csv', 'Comma-separated values with a header line (quoted fields as in RFC 4180, one record a line).'],
            ['tsv', 'Tab-separated values (no quoting). `pairs`: `source<TAB>target` lines without a header; `classify`/`forecast`: a header line first.'],
            ['jsonl', 'One JSON object a line.'],
            ['conll', '`token<TAB>tag` a line, a blank line between sentences.'],
          ],
        ),
        textField: {
          type: ['string', 'integer'],
          ...doc('`classify` from CSV/TSV/JSONL: the field holding the text, by header name (JSON key) or 0-based index. Default `"text"`.'),
          minimum: 0,
        },
        labelField: {
          type: ['string', 'integer'],
          ...doc('`classify` from CSV/TSV/JSONL: the field holding the label. Default `"label"`.'),
          minimum: 0,
        },
        tokenize: enumOf(
          'How text read from a file becomes tokens (`classify`, `pairs`, `text`). Default: `words` for `classify` and `pairs`, `characters` for `text`.',
          [
            ['characters', 'Unicode grapheme clusters of the NFC text: a Korean syllable or an emoji is one token.'],
            ['words', 'Runs of letters and digits (with inner apostrophes and hyphens); each punctuation mark is a token of its own.'],
          ],
        ),
        lowercase: bool('Fold text to lower case before building the vocabulary (`classify`, `tag`, `pairs`, `text`).', false),
        maxVocab: int('Largest vocabulary, the special symbols (`<pad>`, `<unk>`, `<s>`, `</s>`) included; rarer tokens read as `<unk>`.', 2, 1000000),
        minCount: int('Tokens seen fewer times than this in the training split read as `<unk>`.', 1, 1000000, 1),
        test: {
          type: 'number',
          ...doc('Fraction held out as the test split, evaluated once at the end of a run (data from files; `text`). `validation + test < 1`. Default 0.'),
          minimum: 0,
          exclusiveMaximum: 1,
          default: 0,
        },
        features: {
          type: 'array',
          ...doc('`forecast`: the input columns, by header name or 0-based index. Default: every column whose first value is a number.'),
          minItems: 1,
          maxItems: 1000,
          items: { type: ['string', 'integer'], minimum: 0 },
        },
        targets: {
          type: 'array',
          ...doc('`forecast`: the columns to predict. Default: the last numeric column.'),
          minItems: 1,
          maxItems: 1000,
          items: { type: ['string', 'integer'], minimum: 0 },
        },
        horizon: int('`forecast`: predict the targets this many rows after the last row of the window (1 = the next row).', 1, 100000, 1),
        stride: int('`forecast`: rows between the starts of consecutive windows (default 1); `text`: tokens between window starts (default `training.sequenceLength`, windows side by side).', 1, 100000, 1),
        scaling: enumOf(
          '`forecast`: how each column is scaled, with statistics of the training rows only.',
          [
            ['minmax', '(v - min) / (max - min): the training rows span [0, 1].'],
            ['zscore', '(v - mean) / standard deviation.'],
            ['none', 'Values as they are.'],
          ],
          'minmax',
        ),
        text: { type: 'string', ...doc('`text` task: inline training text instead of a `file`.') },
        column: {
          type: ['string', 'integer'],
          ...doc('`sine` from a CSV `file`: the column holding the series, by header name or 0-based index.'),
          minimum: 0,
        },
        vocabulary: {
          type: 'array',
          ...doc('Character tasks (`hello`, `text`): the input vocabulary, one character per entry, in this order. Every character of the data must be in it. Default: the characters of the data, sorted.'),
          minItems: 1,
          maxItems: 10000,
          items: { type: 'string', minLength: 1 },
        },
      },
      defaultSnippets: [
        { label: 'hello task', body: { task: 'hello', word: '${1:hello}' } },
        { label: 'text task from a file', body: { task: 'text', file: '${1:data/tiny.txt}' } },
        { label: 'generated task', body: { task: '${1|copy,reverse,adding,parity,sine,sentiment,tagging,spell|}', seed: '^${2:1}' } },
      ],
    },
    input: {
      type: 'object',
      ...doc('How input steps are fed to the first recurrent layer.'),
      additionalProperties: false,
      properties: {
        encoding: enumOf(
          'Token inputs: one-hot vectors or a learned embedding. Real-valued inputs (adding, sine) are always fed as they are and must use `onehot` (the default).',
          [
            ['onehot', 'Each token becomes a vector of vocabulary size with a single 1.'],
            ['embedding', 'Each token is looked up in a learned table of `embeddingSize`-wide vectors.'],
          ],
          'onehot',
        ),
        embeddingSize: int('Width of the embedding vectors when `encoding` is `embedding`.', 1, 4096, 16),
        positionFeature: bool('Append the relative position `t / (T - 1)` to every input step as one extra feature.', false),
      },
    },
    layers: layersArray('The recurrent layers, bottom (reads the input) to top (feeds the head). At least one.'),
    decoder: {
      type: 'object',
      ...doc('`encoder-decoder` only: the decoder stack, its attention over the encoder, and how a bidirectional encoder starts it. The decoder starts from the encoder\'s final state, so it needs as many layers, of the same cell type and units.'),
      additionalProperties: false,
      properties: {
        layers: layersArray('The decoder\'s recurrent layers (unidirectional). Default: the encoder layers, unidirectional.'),
        attention: enumOf(
          'Attention over the encoder\'s outputs at every decoder step (source padding is never attended to). Default: none, the decoder sees the source only through the encoder\'s final state.',
          [
            ['none', 'No attention: the encoder\'s final state alone carries the source.'],
            ['bahdanau', 'Additive (Bahdanau): scores `v·tanh(W_q q + W_k k_s)` with the decoder state before the step; the context is fed to the decoder with the token.'],
            ['luong-general', 'Multiplicative (Luong, general): scores `o_t·W k_s` with the decoder\'s output; `tanh(W_c [c_t; o_t])` feeds the head.'],
            ['luong-dot', 'Multiplicative (Luong, dot): scores `o_t·k_s`; needs the decoder\'s units equal to the encoder\'s output width.'],
          ],
          'none',
        ),
        bridge: enumOf(
          'How a bidirectional encoder layer\'s two final states (forward, backward) start the matching decoder layer.',
          [
            ['linear', 'Learned: `h0 = tanh(W [h_fwd; h_bwd] + b)` (and `c0 = W_c [c_fwd; c_bwd] + b_c` for an LSTM), parameters `bridge.h_l{k}.*`.'],
            ['sum', 'No parameters: `h0 = h_fwd + h_bwd` (and `c0 = c_fwd + c_bwd`).'],
          ],
          'linear',
        ),
        maxLength: int('Most tokens the decoder writes when it runs free (prediction, free-running validation), not counting the end symbol: decoding stops at `</s>` or here. Default: 2 × the source length + 10 (at most 200) when the targets end with `</s>`, else the target length.', 1, 10000),
      },
    },
    initialState: enumOf(
      'The hidden state at t = 0.',
      [
        ['zeros', 'All zeros (the usual choice).'],
        ['random', 'Small random values, drawn afresh for every batch.'],
        ['learned', 'A trainable vector per layer and direction, learned with the weights.'],
      ],
      'zeros',
    ),
    structure: enumOf(
      'How input and output sequences line up. Default: the task\'s first structure (see `data.task`).',
      [
        ['many-to-one', 'Read the whole sequence, answer once from the last hidden state (e.g. sentiment, adding).'],
        ['many-to-many', 'One output per input step (e.g. tagging, next-character prediction).'],
        ['one-to-many', 'One input, a generated output sequence (e.g. spell a digit).'],
        ['encoder-decoder', 'An encoder reads the input; a decoder, started from the encoder\'s final state, writes an output of its own length (e.g. reverse).'],
      ],
    ),
    head: {
      type: 'object',
      ...doc('The output layer on top of the last recurrent layer: a linear map followed by `activation`, trained with `loss`.'),
      additionalProperties: false,
      properties: {
        activation: enumOf(
          'Output activation. It must fit the task: classes -> `softmax`, binary -> `sigmoid`, real values -> `linear`. Default: the task\'s.',
          [
            ['softmax', 'A probability distribution over classes (tokens, tags).'],
            ['sigmoid', 'An independent probability per output (yes/no answers).'],
            ['linear', 'Real numbers (regression).'],
          ],
        ),
        loss: enumOf(
          'Training loss. It must fit the activation: softmax -> `cross-entropy`, sigmoid -> `binary-cross-entropy`, linear -> `mse`. Default: the one that fits.',
          [
            ['cross-entropy', 'Negative log-likelihood of the correct class (with softmax).'],
            ['binary-cross-entropy', 'Log loss of each yes/no output (with sigmoid).'],
            ['mse', 'Mean squared error (with a linear head).'],
          ],
        ),
        dropout: {
          type: 'number',
          ...doc('Dropout probability on the head\'s input (the top layer\'s outputs, or its final state in `many-to-one`) during training, `0 <= dropout < 1`: `nn.Dropout(p)` before the head\'s `Linear`. Default 0.'),
          minimum: 0,
          exclusiveMaximum: 1,
          default: 0,
        },
      },
    },
    training: {
      type: 'object',
      ...doc('Optimizer and training loop settings.'),
      additionalProperties: false,
      properties: {
        optimizer: enumOf(
          'The optimizer, with the formulas and defaults of PyTorch 1.13\'s `torch.optim`.',
          [
            ['sgd', 'Plain stochastic gradient descent (`torch.optim.SGD`): uses `learningRate` (and `weightDecay`).'],
            ['momentum', 'SGD with momentum (`SGD(momentum=m)`, dampening 0): uses `learningRate`, `momentum`, `nesterov` (and `weightDecay`).'],
            ['rmsprop', 'RMSprop (`torch.optim.RMSprop`): uses `learningRate`, `rho`, `momentum`, `epsilon`, `centered` (and `weightDecay`).'],
            ['adam', 'Adam (`torch.optim.Adam`): uses `learningRate`, `beta1`, `beta2`, `epsilon` (and `weightDecay` as an L2 term). A robust default.'],
            ['adamw', 'AdamW (`torch.optim.AdamW`): Adam with decoupled weight decay, `weightDecay` default 0.01.'],
          ],
          'adam',
        ),
        learningRate: { type: 'number', ...doc('Step size of the optimizer.'), exclusiveMinimum: 0, maximum: 100, default: 0.01 },
        momentum: { type: 'number', ...doc('Momentum factor, `0 <= momentum < 1`: default 0.9 for the `momentum` optimizer, 0 for `rmsprop` (PyTorch\'s).'), minimum: 0, exclusiveMaximum: 1, default: 0.9 },
        nesterov: bool('`momentum` optimizer: Nesterov momentum (PyTorch `SGD(nesterov=True)`): the step is `g + momentum * buf` instead of `buf`.', false),
        beta1: positiveUnit('Adam/AdamW: decay of the first-moment (mean) estimate, `0 <= beta1 < 1`.', 0.9),
        beta2: positiveUnit('Adam/AdamW: decay of the second-moment (variance) estimate, `0 <= beta2 < 1`.', 0.999),
        epsilon: { type: 'number', ...doc('Added to the denominator, outside the square root (`adam`, `adamw`, `rmsprop`; PyTorch `eps`).'), exclusiveMinimum: 0, maximum: 1, default: 1e-8 },
        rho: positiveUnit('RMSprop: decay of the running average of squared gradients (PyTorch `alpha`), `0 <= rho < 1`.', 0.99),
        centered: bool('RMSprop: divide by the centred second moment `sqrt(E[g^2] - E[g]^2)` (PyTorch `centered=True`).', false),
        weightDecay: {
          type: 'number',
          ...doc('PyTorch\'s `weight_decay`, `>= 0`: `sgd`, `momentum`, `rmsprop` and `adam` add `weightDecay * p` to each gradient (L2); `adamw` decays the weights directly, `p *= 1 - lr * weightDecay`. Default 0 (0.01 for `adamw`).'),
          minimum: 0,
          maximum: 10,
          default: 0,
        },
        batchSize: int('Examples per optimizer step.', 1, 65536, 32),
        steps: int('Total optimizer steps. Give either `steps` or `epochs`, not both. Default 500.', 1, 10000000, 500),
        epochs: int('Passes over the training examples, instead of `steps`: steps = ceil(epochs * examples / batchSize).', 1, 1000000),
        sequenceLength: int('`text` task: length of each training window, in characters.', 1, 10000, 32),
        tbptt: int('Truncated backpropagation through time (many-to-many only): sequences are cut into windows of this many steps, the state carried across windows and gradients flowing back within a window. At most the sequence length. Default: none (full BPTT over the whole sequence).', 1, 10000),
        clip: {
          type: 'object',
          ...doc('Gradient clipping. Giving only `threshold` means clipping by global norm.'),
          additionalProperties: false,
          properties: {
            type: enumOf(
              'How gradients are clipped before the optimizer step.',
              [
                ['none', 'No clipping.'],
                ['norm', 'Rescale all gradients together when their global L2 norm exceeds `threshold` (PyTorch `clip_grad_norm_`).'],
                ['value', 'Clamp every gradient element to `[-threshold, threshold]` (PyTorch `clip_grad_value_`).'],
              ],
              'none',
            ),
            threshold: { type: 'number', ...doc('Global-norm limit (`norm`) or element bound (`value`), > 0.'), exclusiveMinimum: 0, default: 5 },
          },
          defaultSnippets: [{ label: 'clip by norm', body: { type: 'norm', threshold: '^${1:1}' } }],
        },
        schedule: {
          type: 'object',
          ...doc('Learning-rate schedule, stepped after every optimizer step, with PyTorch\'s definitions (`torch.optim.lr_scheduler`). `learningRate` is the base rate.'),
          additionalProperties: false,
          required: ['type'],
          properties: {
            type: enumOf(
              'Which schedule.',
              [
                ['none', 'A constant learning rate.'],
                ['step', '`StepLR`: multiply by `gamma` every `stepSize` steps.'],
                ['exponential', '`ExponentialLR`: multiply by `gamma` every step.'],
                ['cosine', 'Linear warm-up over `warmupSteps` (`LinearLR` from `warmupStartFactor`), then cosine annealing (`CosineAnnealingLR`) to `minLr` at the end of the run.'],
                ['plateau', '`ReduceLROnPlateau` (mode min): multiply by `factor` when the validation loss has not improved by `threshold` (relative) for more than `patience` validations. Needs validation data.'],
              ],
              'none',
            ),
            stepSize: int('`step`: decay every this many optimizer steps (required).', 1, 10000000),
            gamma: { type: 'number', ...doc('`step` (default 0.1) and `exponential` (required): the decay factor, `0 < gamma <= 1`.'), exclusiveMinimum: 0, maximum: 1 },
            warmupSteps: int('`cosine`: steps of linear warm-up before the cosine decay (fewer than the run\'s steps). Default 0.', 0, 10000000, 0),
            warmupStartFactor: { type: 'number', ...doc('`cosine`: the warm-up starts at `learningRate * warmupStartFactor` (PyTorch `LinearLR` start_factor, default 1/3).'), exclusiveMinimum: 0, maximum: 1 },
            minLr: { type: 'number', ...doc('`cosine`: the rate at the end of the run (`eta_min`); `plateau`: the floor (`min_lr`). Default 0.'), minimum: 0, default: 0 },
            factor: { type: 'number', ...doc('`plateau`: multiply the rate by this on a plateau, `0 < factor < 1`. Default 0.1.'), exclusiveMinimum: 0, exclusiveMaximum: 1, default: 0.1 },
            patience: int('`plateau`: validations without improvement tolerated before the rate is cut. Default 10.', 0, 1000000, 10),
            threshold: { type: 'number', ...doc('`plateau`: an improvement must beat the best loss by this fraction (relative). Default 1e-4.'), minimum: 0, exclusiveMaximum: 1, default: 1e-4 },
            cooldown: int('`plateau`: validations to wait after a cut before counting again. Default 0.', 0, 1000000, 0),
          },
          defaultSnippets: [
            { label: 'step decay', body: { type: 'step', stepSize: '^${1:100}', gamma: '^${2:0.5}' } },
            { label: 'cosine with warm-up', body: { type: 'cosine', warmupSteps: '^${1:50}' } },
            { label: 'reduce on plateau', body: { type: 'plateau', factor: '^${1:0.5}', patience: '^${2:3}' } },
          ],
        },
        seed: int('Seed of weight initialisation, shuffling and dropout.', 0, 4294967295, 42),
        logEvery: int('Read metrics back from the device (and write a metric row) every this many steps. Default: the `seqlab.metricsInterval` setting in VS Code, 10 in the CLI.', 1, 1000000),
        evalEvery: int('Evaluate on the validation examples every this many steps (and at the last step). Default 50.', 1, 10000000),
        earlyStopping: {
          type: 'object',
          ...doc('Stop when the validation loss stops improving: after `patience` validations in a row without a decrease larger than `minDelta`, the run ends and keeps the weights of its best validation (the run says at which step).'),
          additionalProperties: false,
          required: ['patience'],
          properties: {
            patience: int('Validations (every `evalEvery` steps) in a row without improvement before training stops.', 1, 1000000),
            minDelta: { type: 'number', ...doc('The least decrease of the validation loss that counts as an improvement. Default 0.'), minimum: 0, default: 0 },
          },
          defaultSnippets: [{ label: 'early stopping', body: { patience: '^${1:5}' } }],
        },
      },
      defaultSnippets: [
        { label: 'Adam', body: { optimizer: 'adam', learningRate: '^${1:0.01}', batchSize: '^${2:32}', steps: '^${3:500}' } },
        { label: 'SGD with momentum', body: { optimizer: 'momentum', learningRate: '^${1:0.1}', momentum: '^${2:0.9}', steps: '^${3:500}' } },
      ],
    },
    sweep: {
      type: 'object',
      ...doc('Try several settings: each combination is a *trial*, an ordinary run of this experiment with those settings written in (`seqlab sweep FILE`, VS Code "Run Sweep"). Training the file alone ignores this section. See docs/dsl.md, section Sweeps.'),
      additionalProperties: false,
      required: ['parameters'],
      properties: {
        method: enumOf(
          'How trials are chosen from the values.',
          [
            ['grid', 'Every combination of the listed values (the first parameter varies slowest).'],
            ['random', '`trials` distinct combinations drawn at random (seeded by `seed`).'],
          ],
          'grid',
        ),
        parameters: {
          type: 'object',
          ...doc('The settings to vary, each a path in this definition with the list of values to try: `"layers[0].cell": ["rnn", "lstm", "gru"]`, `"training.learningRate": [0.01, 0.003]`, `"layers[*].units"` (every layer), `"layers.length": [1, 2]` (the number of layers; added layers copy the last one).'),
          minProperties: 1,
          additionalProperties: { type: 'array', ...doc("The values this setting takes, one trial each (with every combination of the other settings' values in a grid)."), minItems: 1, maxItems: 100 },
        },
        trials: int('`random`: how many combinations to train (at most all of them). Default 10.', 1, 1000),
        seed: int('`random`: seed of the draw. Default 1.', 0, 4294967295, 1),
      },
      defaultSnippets: [{ label: 'sweep over the cell', body: { method: 'grid', parameters: { 'layers[0].cell': ['rnn', 'lstm', 'gru'] } } }],
    },
  },
  defaultSnippets: [
    {
      label: 'Sequence Lab model',
      description: 'A minimal model definition',
      body: {
        name: '${1:my-model}',
        description: '${2:What this experiment teaches}',
        data: { task: '${3|hello,copy,reverse,adding,parity,sine,sentiment,tagging,spell,text|}' },
        layers: [{ cell: '${4|lstm,gru,rnn|}', units: '^${5:32}' }],
        training: { optimizer: 'adam', learningRate: '^${6:0.01}', steps: '^${7:500}' },
      },
    },
  ],
} as const;

/** Keywords of the schema that are editor annotations, not validation (ajv is told about them). */
export const EDITOR_KEYWORDS = ['markdownDescription', 'enumDescriptions', 'markdownEnumDescriptions', 'defaultSnippets'] as const;
