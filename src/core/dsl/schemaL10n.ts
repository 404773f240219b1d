/**
 * The schema as editors get it: in the display language, and annotations only.
 *
 * - `localizeSchema(schema, 'ko')` replaces every text a student reads in a hover or a completion
 *   list (title, description, markdownDescription, enum descriptions, snippet labels) by its entry
 *   in SCHEMA_KO, keyed by the English markdown of src/core/dsl/schema.ts. A text without an entry
 *   throws, so `npm run build` (which writes dist/seqlab.schema.ko.json) fails on it.
 * - `editorSchema(schema)` keeps what completion and hover read and drops what would make VS Code's
 *   JSON language service report a problem: the definition is validated by `parseDefinition`, whose
 *   located, worded, localised diagnostics (with quick fixes) are the only ones a student should see
 *   once. Types and enums stay for completion, inside `anyOf: [{ ...values }, {}]`, which the
 *   language service reads for completion and hover but which never fails. `allowTrailingCommas`
 *   because the DSL allows them (no warning on the trailing commas our docs write).
 */
import { TASK_NAMES, TASKS } from '../tasks/catalog';
import type { TaskName } from '../spec';
import { seqlabSchema } from './schema';

export { seqlabSchema };
import type { Locale } from './messages';

/** The task titles (the data.task hovers, the training panel's subtitle). */
export const TASK_TITLES: Record<Locale, Record<TaskName, string>> = {
  en: Object.fromEntries(TASK_NAMES.map((t) => [t, TASKS[t].title])) as Record<TaskName, string>,
  ko: {
    hello: '고전적인 "hell" -> "ello" 문자 예제',
    copy: '무작위 기호 시퀀스 복사하기',
    reverse: '무작위 기호 시퀀스 뒤집기',
    adding: 'adding 문제 (Hochreiter & Schmidhuber): 표시된 두 수의 합 구하기',
    parity: '비트 문자열의 패리티',
    sine: '잡음 섞인 사인파 혼합(또는 CSV 열)의 다음 값 예측하기',
    sentiment: '장난감 감성 분석: 짧은 리뷰가 긍정적인가? (부정어 포함)',
    tagging: '뒤에 오는 단어를 봐야 정해지는 태그가 있는 장난감 품사 태깅',
    spell: '숫자 읽기: 입력 하나(3)가 시퀀스("three")를 생성',
    text: '텍스트 파일이나 인라인 텍스트로 배우는 문자 단위 언어 모델',
    classify: '내 파일(CSV, TSV, JSONL)이나 클래스마다 파일 하나가 있는 폴더로 하는 시퀀스 분류',
    tag: '내 CoNLL 또는 JSONL 파일로 하는 시퀀스 레이블링(토큰마다 태그 하나)',
    pairs: '내 TSV 또는 JSONL 파일의 시퀀스 쌍(원문 -> 목표, 예: 번역)',
    forecast: '내 CSV 파일의 열로 하는 시계열 예측',
  },
};

/** How the schema describes a task in Korean (mirrors `taskValues` in schema.ts). */
function taskKo(t: TaskName): string {
  const i = TASKS[t];
  const s = i.structures.map((x) => `\`${x}\``).join(', ');
  return `${TASK_TITLES.ko[t]}. 입력 ${i.input} -> ${i.output}, 구조 ${s}, 헤드 \`${i.head}\`${i.needsText ? '; `file` 또는 `text` 필요' : ''}.`;
}

const TASK_ENUM = (seqlabSchema.properties.data.properties.task as { markdownEnumDescriptions: readonly string[] }).markdownEnumDescriptions;

/** Korean for every text of the schema, keyed by its English markdown. */
export const SCHEMA_KO: Readonly<Record<string, string>> = {
  ...Object.fromEntries(TASK_NAMES.map((t, i) => [TASK_ENUM[i], taskKo(t)])),
  'Sequence Lab model definition': 'Sequence Lab 모델 정의',
  "Run a second cell over the reversed sequence and merge both directions. Only for models that see the whole input before answering: not for text generation, `one-to-many`, or an encoder-decoder's decoder (an encoder may be bidirectional: see `decoder.bridge`).":
    "두 번째 셀을 뒤집은 시퀀스에 돌리고 두 방향을 합칩니다. 답하기 전에 입력 전체를 보는 모델에서만 쓸 수 있습니다: 텍스트 생성, `one-to-many`, 인코더-디코더의 디코더에서는 안 됩니다 (인코더는 양방향일 수 있습니다: `decoder.bridge` 참고).",
  "Your data file, relative to this definition file (it must stay inside the workspace): `text` a text file; `sine` a CSV file whose `column` is the series; `classify` CSV/TSV/JSONL; `tag` CoNLL or JSONL; `pairs` TSV or JSONL; `forecast` CSV. See docs/dsl.md for each format.":
    "데이터 파일, 이 정의 파일 기준 상대 경로(워크스페이스 안에 있어야 함): `text`는 텍스트 파일, `sine`은 `column`이 시계열인 CSV 파일, `classify`는 CSV/TSV/JSONL, `tag`는 CoNLL 또는 JSONL, `pairs`는 TSV 또는 JSONL, `forecast`는 CSV. 형식마다 docs/dsl.md를 보세요.",
  "`classify`: a folder with one file per class (the file name without extension is the label), one example a line. Relative to this definition file, inside the workspace.":
    "`classify`: 클래스마다 파일이 하나 있는 폴더(확장자를 뺀 파일 이름이 레이블), 한 줄에 예제 하나. 이 정의 파일 기준 상대 경로, 워크스페이스 안.",
  "How `file` is read. Default: from its extension (`.csv`, `.tsv`/`.tab`, `.jsonl`/`.ndjson`, `.conll`/`.iob`/`.bio`).":
    "`file`을 읽는 방법. 기본값: 확장자로 정함(`.csv`, `.tsv`/`.tab`, `.jsonl`/`.ndjson`, `.conll`/`.iob`/`.bio`).",
  "Comma-separated values with a header line (quoted fields as in RFC 4180, one record a line).":
    "헤더 줄이 있는 쉼표 구분 값(RFC 4180처럼 따옴표로 묶은 필드, 한 줄에 레코드 하나).",
  "Tab-separated values (no quoting). `pairs`: `source<TAB>target` lines without a header; `classify`/`forecast`: a header line first.":
    "탭 구분 값(따옴표 없음). `pairs`: 헤더 없이 `원문<TAB>목표` 줄; `classify`/`forecast`: 첫 줄이 헤더.",
  "One JSON object a line.":
    "한 줄에 JSON 객체 하나.",
  "`token<TAB>tag` a line, a blank line between sentences.":
    "한 줄에 `토큰<TAB>태그`, 문장 사이에 빈 줄.",
  "`classify` from CSV/TSV/JSONL: the field holding the text, by header name (JSON key) or 0-based index. Default `\"text\"`.":
    "CSV/TSV/JSONL에서 읽는 `classify`: 텍스트가 있는 필드, 헤더 이름(JSON 키) 또는 0부터 세는 번호. 기본값 `\"text\"`.",
  "`classify` from CSV/TSV/JSONL: the field holding the label. Default `\"label\"`.":
    "CSV/TSV/JSONL에서 읽는 `classify`: 레이블이 있는 필드. 기본값 `\"label\"`.",
  "How text read from a file becomes tokens (`classify`, `pairs`, `text`). Default: `words` for `classify` and `pairs`, `characters` for `text`.":
    "파일에서 읽은 텍스트를 토큰으로 나누는 방법(`classify`, `pairs`, `text`). 기본값: `classify`와 `pairs`는 `words`, `text`는 `characters`.",
  "Unicode grapheme clusters of the NFC text: a Korean syllable or an emoji is one token.":
    "NFC 텍스트의 유니코드 자소 클러스터: 한글 음절이나 이모지 하나가 토큰 하나입니다.",
  "Runs of letters and digits (with inner apostrophes and hyphens); each punctuation mark is a token of its own.":
    "글자와 숫자의 연속(안쪽의 아포스트로피와 하이픈 포함); 문장 부호는 각각 하나의 토큰입니다.",
  "Fold text to lower case before building the vocabulary (`classify`, `tag`, `pairs`, `text`).":
    "어휘를 만들기 전에 텍스트를 소문자로 바꿉니다(`classify`, `tag`, `pairs`, `text`).",
  "Largest vocabulary, the special symbols (`<pad>`, `<unk>`, `<s>`, `</s>`) included; rarer tokens read as `<unk>`.":
    "특수 기호(`<pad>`, `<unk>`, `<s>`, `</s>`)를 포함한 최대 어휘 크기; 더 드문 토큰은 `<unk>`로 읽습니다.",
  "Tokens seen fewer times than this in the training split read as `<unk>`.":
    "학습 분할에서 이보다 적게 나온 토큰은 `<unk>`로 읽습니다.",
  "Fraction held out as the test split, evaluated once at the end of a run (data from files; `text`). `validation + test < 1`. Default 0.":
    "테스트 분할로 떼어 두는 비율, 실행이 끝날 때 한 번 평가합니다(파일에서 읽은 데이터; `text`). `validation + test < 1`. 기본값 0.",
  "`forecast`: the input columns, by header name or 0-based index. Default: every column whose first value is a number.":
    "`forecast`: 입력 열, 헤더 이름 또는 0부터 세는 번호. 기본값: 첫 값이 숫자인 모든 열.",
  "`forecast`: the columns to predict. Default: the last numeric column.":
    "`forecast`: 예측할 열. 기본값: 마지막 숫자 열.",
  "`forecast`: predict the targets this many rows after the last row of the window (1 = the next row).":
    "`forecast`: 창의 마지막 행에서 이만큼 뒤의 행의 목표를 예측합니다(1 = 다음 행).",
  "`forecast`: rows between the starts of consecutive windows (default 1); `text`: tokens between window starts (default `training.sequenceLength`, windows side by side).":
    "`forecast`: 연속한 창의 시작 사이 행 수(기본값 1); `text`: 창 시작 사이의 토큰 수(기본값 `training.sequenceLength`, 창이 나란히).",
  "`forecast`: how each column is scaled, with statistics of the training rows only.":
    "`forecast`: 각 열의 스케일링 방법, 학습 행의 통계만 사용합니다.",
  "(v - min) / (max - min): the training rows span [0, 1].":
    "(v - min) / (max - min): 학습 행이 [0, 1] 범위를 덮습니다.",
  "(v - mean) / standard deviation.":
    "(v - 평균) / 표준편차.",
  "Values as they are.":
    "값을 그대로 둡니다.",
  "`encoder-decoder` only: the decoder stack, its attention over the encoder, and how a bidirectional encoder starts it. The decoder starts from the encoder's final state, so it needs as many layers, of the same cell type and units.":
    "`encoder-decoder` 전용: 디코더 스택, 인코더에 대한 어텐션, 양방향 인코더가 디코더를 시작하는 방법. 디코더는 인코더의 마지막 상태에서 시작하므로 같은 셀 종류와 유닛 수의 레이어가 같은 개수만큼 필요합니다.",
  "The decoder's recurrent layers (unidirectional). Default: the encoder layers, unidirectional.":
    "디코더의 순환 레이어(단방향). 기본값: 인코더 레이어를 단방향으로.",
  "Attention over the encoder's outputs at every decoder step (source padding is never attended to). Default: none, the decoder sees the source only through the encoder's final state.":
    "디코더의 매 단계에서 인코더 출력에 대한 어텐션(원문 패딩은 보지 않음). 기본값: 없음, 디코더는 인코더의 마지막 상태로만 원문을 봅니다.",
  "No attention: the encoder's final state alone carries the source.":
    "어텐션 없음: 인코더의 마지막 상태만이 원문을 전달합니다.",
  "Additive (Bahdanau): scores `v·tanh(W_q q + W_k k_s)` with the decoder state before the step; the context is fed to the decoder with the token.":
    "덧셈(Bahdanau): 단계 전의 디코더 상태로 점수 `v·tanh(W_q q + W_k k_s)`; 문맥 벡터가 토큰과 함께 디코더에 들어갑니다.",
  "Multiplicative (Luong, general): scores `o_t·W k_s` with the decoder's output; `tanh(W_c [c_t; o_t])` feeds the head.":
    "곱셈(Luong, general): 디코더 출력으로 점수 `o_t·W k_s`; `tanh(W_c [c_t; o_t])`가 헤드로 갑니다.",
  "Multiplicative (Luong, dot): scores `o_t·k_s`; needs the decoder's units equal to the encoder's output width.":
    "곱셈(Luong, dot): 점수 `o_t·k_s`; 디코더 유닛 수가 인코더 출력 폭과 같아야 합니다.",
  "How a bidirectional encoder layer's two final states (forward, backward) start the matching decoder layer.":
    "양방향 인코더 레이어의 두 마지막 상태(정방향, 역방향)가 대응하는 디코더 레이어를 시작하는 방법.",
  "Most tokens the decoder writes when it runs free (prediction, free-running validation), not counting the end symbol: decoding stops at `</s>` or here. Default: 2 × the source length + 10 (at most 200) when the targets end with `</s>`, else the target length.":
    "디코더가 스스로 이어 쓸 때(예측, 자유 실행 검증) 쓰는 최대 토큰 수이며 끝 기호는 세지 않습니다: 디코딩은 `</s>`에서 또는 여기서 멈춥니다. 기본값: 타깃이 `</s>`로 끝나면 소스 길이의 2배 + 10 (최대 200), 아니면 타깃 길이.",
  "Learned: `h0 = tanh(W [h_fwd; h_bwd] + b)` (and `c0 = W_c [c_fwd; c_bwd] + b_c` for an LSTM), parameters `bridge.h_l{k}.*`.":
    "학습됨: `h0 = tanh(W [h_fwd; h_bwd] + b)` (LSTM은 `c0 = W_c [c_fwd; c_bwd] + b_c`도), 매개변수 `bridge.h_l{k}.*`.",
  "No parameters: `h0 = h_fwd + h_bwd` (and `c0 = c_fwd + c_bwd`).":
    "매개변수 없음: `h0 = h_fwd + h_bwd` (그리고 `c0 = c_fwd + c_bwd`).",
  "Truncated backpropagation through time (many-to-many only): sequences are cut into windows of this many steps, the state carried across windows and gradients flowing back within a window. At most the sequence length. Default: none (full BPTT over the whole sequence).":
    "시간에 따른 절단 역전파(many-to-many 전용): 시퀀스를 이 단계 수의 창으로 자르고, 상태는 창을 넘어 이어지며 기울기는 창 안에서만 흐릅니다. 시퀀스 길이 이하. 기본값: 없음(시퀀스 전체에 대한 완전한 BPTT).",
  'A recurrent sequence model for **Sequence Lab**: the data (a built-in task), the recurrent layers, the output head and the training settings. Every field except `name`, `data.task` and `layers` has a default.':
    '**Sequence Lab**의 순환 시퀀스 모델: 데이터(내장 작업), 순환 레이어, 출력 헤드, 학습 설정. `name`, `data.task`, `layers`를 뺀 모든 필드에 기본값이 있습니다.',
  'One recurrent layer. Layers are stacked: each one reads the sequence of hidden states of the one below.':
    '순환 레이어 하나. 레이어는 쌓입니다: 각 레이어는 아래 레이어의 은닉 상태 시퀀스를 읽습니다.',
  'The recurrent cell type.': '순환 셀의 종류.',
  'Elman RNN: `h = act(W_ih x + b_ih + W_hh h + b_hh)`. Simple, forgets quickly (vanishing gradients).':
    'Elman RNN: `h = act(W_ih x + b_ih + W_hh h + b_hh)`. 단순하지만 빨리 잊습니다 (기울기 소실).',
  'Long short-term memory: input, forget, cell and output gates plus a cell state `c` that carries information over long spans.':
    '장단기 메모리(LSTM): 입력, 망각, 셀, 출력 게이트와 긴 구간에 걸쳐 정보를 나르는 셀 상태 `c`.',
  'Gated recurrent unit: reset and update gates, no separate cell state. Often as good as an LSTM with fewer parameters.':
    '게이트 순환 유닛(GRU): 리셋 게이트와 업데이트 게이트, 별도의 셀 상태는 없음. 매개변수가 더 적으면서도 LSTM만큼 좋은 경우가 많습니다.',
  'Size of the hidden state (number of hidden units) of this layer, per direction.': '이 레이어의 은닉 상태 크기(은닉 유닛 수), 방향마다.',
  'Nonlinearity of an `rnn` cell. Ignored by `lstm` and `gru`, whose gates fix their activations.':
    '`rnn` 셀의 비선형 함수. `lstm`과 `gru`는 게이트의 활성화 함수가 정해져 있어 무시합니다.',
  'Hyperbolic tangent, bounded in (-1, 1): the classic choice.': '쌍곡탄젠트, (-1, 1) 범위: 고전적인 선택.',
  'Rectified linear: unbounded, can explode without gradient clipping.': 'ReLU: 범위가 없어서 기울기 클리핑 없이는 발산할 수 있습니다.',
  'Whether the cell has bias vectors (`b_ih` and `b_hh`, as in PyTorch).': '셀에 편향 벡터(PyTorch처럼 `b_ih`와 `b_hh`)가 있는지 여부.',
  'Run a second cell over the reversed sequence and merge both directions. Only for models that see the whole input before answering: not for text generation, `one-to-many`, or encoder-decoder.':
    '뒤집은 시퀀스에 두 번째 셀을 돌리고 두 방향을 합칩니다. 답하기 전에 입력 전체를 보는 모델에서만 쓸 수 있습니다: 텍스트 생성, `one-to-many`, 인코더-디코더에서는 안 됩니다.',
  'How the forward and backward outputs of a bidirectional layer are combined.': '양방향 레이어의 순방향 출력과 역방향 출력을 합치는 방법.',
  'Concatenate: the output has `2 * units` features.': '이어 붙이기: 출력 특징이 `2 * units`개입니다.',
  'Add element-wise: `units` features.': '원소별 덧셈: 특징 `units`개.',
  'Multiply element-wise: `units` features.': '원소별 곱셈: 특징 `units`개.',
  'Average element-wise: `units` features.': '원소별 평균: 특징 `units`개.',
  "Dropout probability applied to this layer's outputs during training (0 = none). `0 <= dropout < 1`.":
    '학습 중 이 레이어의 출력에 적용하는 드롭아웃 확률 (0 = 없음). `0 <= dropout < 1`.',
  'LSTM layer': 'LSTM 레이어',
  'An LSTM layer': 'LSTM 레이어 하나',
  'GRU layer': 'GRU 레이어',
  'A GRU layer': 'GRU 레이어 하나',
  'RNN layer': 'RNN 레이어',
  'An Elman RNN layer': 'Elman RNN 레이어 하나',
  'Bidirectional LSTM layer': '양방향 LSTM 레이어',
  'An LSTM reading the sequence in both directions': '시퀀스를 양방향으로 읽는 LSTM',
  'The JSON Schema of this file (optional; editors use it for completion).': '이 파일의 JSON 스키마 (선택 사항, 편집기가 자동 완성에 씁니다).',
  'Name of the experiment, shown in the run list and the training panel.': '실험 이름. 실행 목록과 학습 패널에 표시됩니다.',
  'What this experiment is for or what it teaches.': '이 실험의 목적이나 이 실험이 가르치는 것.',
  'Where the sequences come from: a built-in task, generated deterministically from `seed`, or (for `text` and `sine`) a file.':
    '시퀀스를 어디서 가져오는지: `seed`로 결정적으로 생성되는 내장 작업, 또는 (`text`와 `sine`의 경우) 파일.',
  'The built-in task. It fixes the input and output kinds and which structures and heads fit.':
    '내장 작업. 입력과 출력의 종류, 그리고 맞는 구조와 헤드가 이것으로 정해집니다.',
  'Seed of the data generator (independent of `training.seed`).': '데이터 생성기의 시드 (`training.seed`와 별개).',
  'Number of generated examples. Default depends on the task (hello 1, copy/reverse/parity 2000, adding 4000, sine 1000, sentiment/tagging 1500, spell 10); 1000 otherwise.':
    '생성할 예제 수. 기본값은 작업마다 다릅니다 (hello 1, copy/reverse/parity 2000, adding 4000, sine 1000, sentiment/tagging 1500, spell 10). 그 밖에는 1000.',
  'Fraction of the examples held out for validation, `0 <= validation < 1`. Default 0.1 (0 for `hello` and `spell`, which have too few examples).':
    '검증용으로 떼어 둘 예제의 비율, `0 <= validation < 1`. 기본값 0.1 (예제가 너무 적은 `hello`와 `spell`은 0).',
  'Sequence length of generated examples (copy, reverse, adding, parity, sine windows). Default depends on the task (copy/reverse 8, parity 10, sine 32, adding 50); 16 otherwise.':
    '생성할 예제의 시퀀스 길이 (copy, reverse, adding, parity, sine 창). 기본값은 작업마다 다릅니다 (copy/reverse 8, parity 10, sine 32, adding 50). 그 밖에는 16.',
  '`hello` task: the word to learn. `"hello"` gives input `"hell"` and target `"ello"`.':
    '`hello` 작업: 배울 단어. `"hello"`는 입력 `"hell"`과 목표 `"ello"`가 됩니다.',
  '`copy`/`reverse`: number of distinct symbols (the letters `a`, `b`, ...) in the random sequences, 2 to 26.':
    '`copy`/`reverse`: 무작위 시퀀스에 쓰이는 서로 다른 기호(글자 `a`, `b`, ...)의 수, 2에서 26까지.',
  '`text`: a text file; `sine`: a CSV file whose `column` is the series. Path relative to this definition file; it must stay inside the workspace.':
    '`text`: 텍스트 파일, `sine`: `column`이 계열인 CSV 파일. 이 정의 파일 기준의 상대 경로이며, 작업 영역 안에 있어야 합니다.',
  '`text` task: inline training text instead of a `file`.': '`text` 작업: `file` 대신 쓰는 인라인 학습 텍스트.',
  '`sine` from a CSV `file`: the column holding the series, by header name or 0-based index.':
    'CSV `file`을 쓰는 `sine`: 계열이 들어 있는 열, 머리글 이름이나 0부터 세는 번호로.',
  'Character tasks (`hello`, `text`): the input vocabulary, one character per entry, in this order. Every character of the data must be in it. Default: the characters of the data, sorted.':
    '문자 작업(`hello`, `text`): 입력 어휘, 항목마다 한 글자씩, 이 순서대로. 데이터의 모든 글자가 들어 있어야 합니다. 기본값: 데이터의 글자를 정렬한 것.',
  'hello task': 'hello 작업',
  'text task from a file': '파일에서 읽는 text 작업',
  'generated task': '생성되는 작업',
  'How input steps are fed to the first recurrent layer.': '입력 단계를 첫 순환 레이어에 넣는 방법.',
  'Token inputs: one-hot vectors or a learned embedding. Real-valued inputs (adding, sine) are always fed as they are and must use `onehot` (the default).':
    '토큰 입력: 원-핫 벡터 또는 학습되는 임베딩. 실수 입력(adding, sine)은 항상 그대로 들어가며 `onehot`(기본값)을 써야 합니다.',
  'Each token becomes a vector of vocabulary size with a single 1.': '각 토큰이 어휘 크기의 벡터가 되며, 1이 하나만 있습니다.',
  'Each token is looked up in a learned table of `embeddingSize`-wide vectors.': '각 토큰을 폭이 `embeddingSize`인 벡터의 학습되는 표에서 찾습니다.',
  'Width of the embedding vectors when `encoding` is `embedding`.': '`encoding`이 `embedding`일 때 임베딩 벡터의 폭.',
  'Append the relative position `t / (T - 1)` to every input step as one extra feature.': '모든 입력 단계에 상대 위치 `t / (T - 1)`를 특징 하나로 덧붙입니다.',
  'The recurrent layers, bottom (reads the input) to top (feeds the head). At least one.':
    '순환 레이어들, 아래(입력을 읽음)부터 위(헤드에 넘김)까지. 적어도 하나.',
  'one LSTM layer': 'LSTM 레이어 하나',
  'two stacked GRU layers': '쌓은 GRU 레이어 둘',
  "`encoder-decoder` only: the decoder stack. It starts from the encoder's final state, so it needs as many layers, of the same cell type and units. Default: the encoder layers, unidirectional.":
    '`encoder-decoder` 전용: 디코더 스택. 인코더의 마지막 상태에서 시작하므로 레이어 수, 셀 종류, 유닛 수가 같아야 합니다. 기본값: 인코더 레이어를 단방향으로.',
  "The decoder's recurrent layers (unidirectional).": '디코더의 순환 레이어 (단방향).',
  'The hidden state at t = 0.': 't = 0에서의 은닉 상태.',
  'All zeros (the usual choice).': '모두 0 (보통의 선택).',
  'Small random values, drawn afresh for every batch.': '배치마다 새로 뽑는 작은 무작위 값.',
  'A trainable vector per layer and direction, learned with the weights.': '레이어와 방향마다 하나씩, 가중치와 함께 학습되는 벡터.',
  "How input and output sequences line up. Default: the task's first structure (see `data.task`).":
    '입력 시퀀스와 출력 시퀀스가 맞물리는 방식. 기본값: 작업의 첫 번째 구조 (`data.task` 참고).',
  'Read the whole sequence, answer once from the last hidden state (e.g. sentiment, adding).':
    '시퀀스 전체를 읽고, 마지막 은닉 상태로 한 번 답합니다 (예: sentiment, adding).',
  'One output per input step (e.g. tagging, next-character prediction).': '입력 단계마다 출력 하나 (예: 태깅, 다음 글자 예측).',
  'One input, a generated output sequence (e.g. spell a digit).': '입력 하나로 출력 시퀀스를 생성합니다 (예: 숫자 읽기).',
  "An encoder reads the input; a decoder, started from the encoder's final state, writes an output of its own length (e.g. reverse).":
    '인코더가 입력을 읽고, 인코더의 마지막 상태에서 시작한 디코더가 자기 길이의 출력을 씁니다 (예: reverse).',
  'The output layer on top of the last recurrent layer: a linear map followed by `activation`, trained with `loss`.':
    '마지막 순환 레이어 위의 출력 레이어: 선형 변환 다음에 `activation`, `loss`로 학습합니다.',
  "Output activation. It must fit the task: classes -> `softmax`, binary -> `sigmoid`, real values -> `linear`. Default: the task's.":
    '출력 활성화 함수. 작업에 맞아야 합니다: 클래스 -> `softmax`, 이진 -> `sigmoid`, 실수 -> `linear`. 기본값: 작업의 것.',
  'A probability distribution over classes (tokens, tags).': '클래스(토큰, 태그)에 대한 확률 분포.',
  'An independent probability per output (yes/no answers).': '출력마다 독립적인 확률 (예/아니오 답).',
  'Real numbers (regression).': '실수 (회귀).',
  'Training loss. It must fit the activation: softmax -> `cross-entropy`, sigmoid -> `binary-cross-entropy`, linear -> `mse`. Default: the one that fits.':
    '학습 손실. 활성화 함수에 맞아야 합니다: softmax -> `cross-entropy`, sigmoid -> `binary-cross-entropy`, linear -> `mse`. 기본값: 맞는 것.',
  'Negative log-likelihood of the correct class (with softmax).': '정답 클래스의 음의 로그 가능도 (softmax와 함께).',
  'Log loss of each yes/no output (with sigmoid).': '각 예/아니오 출력의 로그 손실 (sigmoid와 함께).',
  'Mean squared error (with a linear head).': '평균 제곱 오차 (linear 헤드와 함께).',
  'Optimizer and training loop settings.': '옵티마이저와 학습 루프 설정.',
  'The optimizer (PyTorch semantics).': '옵티마이저 (PyTorch와 같은 의미).',
  'Plain stochastic gradient descent: uses `learningRate` only.': '기본 확률적 경사 하강법: `learningRate`만 씁니다.',
  'SGD with momentum: uses `learningRate` and `momentum`.': '모멘텀 SGD: `learningRate`와 `momentum`을 씁니다.',
  'RMSProp: uses `learningRate`, `rho`, `momentum` and `epsilon`.': 'RMSProp: `learningRate`, `rho`, `momentum`, `epsilon`을 씁니다.',
  'Adam: uses `learningRate`, `beta1`, `beta2` and `epsilon`. A robust default.': 'Adam: `learningRate`, `beta1`, `beta2`, `epsilon`을 씁니다. 무난한 기본값.',
  'Step size of the optimizer.': '옵티마이저의 보폭(학습률).',
  'Momentum factor (`momentum` and `rmsprop` optimizers), `0 <= momentum < 1`.': '모멘텀 계수 (`momentum`과 `rmsprop` 옵티마이저), `0 <= momentum < 1`.',
  'Adam: decay of the first-moment (mean) estimate, `0 <= beta1 < 1`.': 'Adam: 1차 모멘트(평균) 추정의 감쇠율, `0 <= beta1 < 1`.',
  'Adam: decay of the second-moment (variance) estimate, `0 <= beta2 < 1`.': 'Adam: 2차 모멘트(분산) 추정의 감쇠율, `0 <= beta2 < 1`.',
  'Added to denominators for numerical stability (`adam`, `rmsprop`). Passed explicitly so every backend uses the same value.':
    '수치 안정성을 위해 분모에 더하는 값 (`adam`, `rmsprop`). 모든 백엔드가 같은 값을 쓰도록 명시적으로 넘깁니다.',
  'RMSProp: decay of the running average of squared gradients (PyTorch `alpha`), `0 <= rho < 1`.':
    'RMSProp: 기울기 제곱의 이동 평균 감쇠율 (PyTorch의 `alpha`), `0 <= rho < 1`.',
  'Examples per optimizer step.': '옵티마이저 단계마다 쓰는 예제 수.',
  'Total optimizer steps. Give either `steps` or `epochs`, not both. Default 500.': '옵티마이저 단계의 총수. `steps`와 `epochs` 중 하나만 쓰세요. 기본값 500.',
  'Passes over the training examples, instead of `steps`: steps = ceil(epochs * examples / batchSize).':
    '`steps` 대신 학습 예제를 몇 번 훑을지: steps = ceil(epochs * examples / batchSize).',
  '`text` task: length of each training window, in characters.': '`text` 작업: 학습 창 하나의 길이, 글자 수로.',
  'Truncated backpropagation through time: gradients flow back at most this many steps (at most `sequenceLength`). Default: `sequenceLength` (full BPTT).':
    '잘린 시간 역전파(TBPTT): 기울기가 최대 이만큼의 단계까지만 거슬러 흐릅니다 (최대 `sequenceLength`). 기본값: `sequenceLength` (전체 BPTT).',
  'Gradient clipping. Giving only `threshold` means clipping by global norm.': '기울기 클리핑. `threshold`만 주면 전역 노름으로 클리핑합니다.',
  'How gradients are clipped before the optimizer step.': '옵티마이저 단계 전에 기울기를 자르는 방법.',
  'No clipping.': '클리핑 없음.',
  'Rescale all gradients together when their global L2 norm exceeds `threshold` (PyTorch `clip_grad_norm_`).':
    '전역 L2 노름이 `threshold`를 넘으면 모든 기울기를 함께 줄입니다 (PyTorch `clip_grad_norm_`).',
  'Clamp every gradient element to `[-threshold, threshold]` (PyTorch `clip_grad_value_`).':
    '기울기의 모든 원소를 `[-threshold, threshold]`로 자릅니다 (PyTorch `clip_grad_value_`).',
  'Global-norm limit (`norm`) or element bound (`value`), > 0.': '전역 노름 한계(`norm`) 또는 원소 한계(`value`), > 0.',
  'clip by norm': '노름으로 클리핑',
  'Seed of weight initialisation, shuffling and dropout.': '가중치 초기화, 섞기, 드롭아웃의 시드.',
  'Read metrics back from the device every this many steps.': '이 단계 수마다 장치에서 지표를 읽어 옵니다.',
  'Evaluate on the validation examples every this many steps.': '이 단계 수마다 검증 예제로 평가합니다.',
  // optimizers, schedules, dropout and early stopping
  "Dropout probability on this layer's outputs before the next layer, during training (0 = none), `0 <= dropout < 1`: PyTorch's `nn.LSTM(dropout=p)`, between stacked layers. It has no effect on the top layer: use `head.dropout` for dropout before the head.":
    '학습 중 다음 레이어로 넘어가기 전에 이 레이어의 출력에 적용하는 드롭아웃 확률 (0 = 없음), `0 <= dropout < 1`: 쌓인 레이어 사이에 적용되는 PyTorch의 `nn.LSTM(dropout=p)`. 맨 위 레이어에서는 효과가 없습니다: 헤드 앞의 드롭아웃은 `head.dropout`을 쓰세요.',
  "Dropout probability on the head's input (the top layer's outputs, or its final state in `many-to-one`) during training, `0 <= dropout < 1`: `nn.Dropout(p)` before the head's `Linear`. Default 0.":
    '학습 중 헤드의 입력(맨 위 레이어의 출력, `many-to-one`에서는 마지막 상태)에 적용하는 드롭아웃 확률, `0 <= dropout < 1`: 헤드의 `Linear` 앞의 `nn.Dropout(p)`. 기본값 0.',
  "The optimizer, with the formulas and defaults of PyTorch 1.13's `torch.optim`.": 'PyTorch 1.13 `torch.optim`의 공식과 기본값을 따르는 옵티마이저.',
  'Plain stochastic gradient descent (`torch.optim.SGD`): uses `learningRate` (and `weightDecay`).':
    '기본 확률적 경사 하강법 (`torch.optim.SGD`): `learningRate`(와 `weightDecay`)를 씁니다.',
  'SGD with momentum (`SGD(momentum=m)`, dampening 0): uses `learningRate`, `momentum`, `nesterov` (and `weightDecay`).':
    '모멘텀 SGD (`SGD(momentum=m)`, dampening 0): `learningRate`, `momentum`, `nesterov`(와 `weightDecay`)를 씁니다.',
  'RMSprop (`torch.optim.RMSprop`): uses `learningRate`, `rho`, `momentum`, `epsilon`, `centered` (and `weightDecay`).':
    'RMSprop (`torch.optim.RMSprop`): `learningRate`, `rho`, `momentum`, `epsilon`, `centered`(와 `weightDecay`)를 씁니다.',
  'Adam (`torch.optim.Adam`): uses `learningRate`, `beta1`, `beta2`, `epsilon` (and `weightDecay` as an L2 term). A robust default.':
    'Adam (`torch.optim.Adam`): `learningRate`, `beta1`, `beta2`, `epsilon`(과 L2 항으로서의 `weightDecay`)을 씁니다. 무난한 기본값.',
  'AdamW (`torch.optim.AdamW`): Adam with decoupled weight decay, `weightDecay` default 0.01.':
    'AdamW (`torch.optim.AdamW`): 가중치 감쇠를 분리한 Adam, `weightDecay` 기본값 0.01.',
  "Momentum factor, `0 <= momentum < 1`: default 0.9 for the `momentum` optimizer, 0 for `rmsprop` (PyTorch's).":
    '모멘텀 계수, `0 <= momentum < 1`: 기본값은 `momentum` 옵티마이저에서 0.9, `rmsprop`에서 0 (PyTorch와 같음).',
  '`momentum` optimizer: Nesterov momentum (PyTorch `SGD(nesterov=True)`): the step is `g + momentum * buf` instead of `buf`.':
    '`momentum` 옵티마이저: 네스테로프 모멘텀 (PyTorch `SGD(nesterov=True)`): 한 걸음이 `buf` 대신 `g + momentum * buf`입니다.',
  'Adam/AdamW: decay of the first-moment (mean) estimate, `0 <= beta1 < 1`.': 'Adam/AdamW: 1차 모멘트(평균) 추정의 감쇠율, `0 <= beta1 < 1`.',
  'Adam/AdamW: decay of the second-moment (variance) estimate, `0 <= beta2 < 1`.': 'Adam/AdamW: 2차 모멘트(분산) 추정의 감쇠율, `0 <= beta2 < 1`.',
  'Added to the denominator, outside the square root (`adam`, `adamw`, `rmsprop`; PyTorch `eps`).':
    '제곱근 바깥에서 분모에 더하는 값 (`adam`, `adamw`, `rmsprop`, PyTorch의 `eps`).',
  'RMSprop: decay of the running average of squared gradients (PyTorch `alpha`), `0 <= rho < 1`.':
    'RMSprop: 기울기 제곱의 이동 평균 감쇠율 (PyTorch의 `alpha`), `0 <= rho < 1`.',
  'RMSprop: divide by the centred second moment `sqrt(E[g^2] - E[g]^2)` (PyTorch `centered=True`).':
    'RMSprop: 중심화한 2차 모멘트 `sqrt(E[g^2] - E[g]^2)`로 나눕니다 (PyTorch `centered=True`).',
  "PyTorch's `weight_decay`, `>= 0`: `sgd`, `momentum`, `rmsprop` and `adam` add `weightDecay * p` to each gradient (L2); `adamw` decays the weights directly, `p *= 1 - lr * weightDecay`. Default 0 (0.01 for `adamw`).":
    'PyTorch의 `weight_decay`, `>= 0`: `sgd`, `momentum`, `rmsprop`, `adam`은 각 기울기에 `weightDecay * p`를 더하고 (L2), `adamw`는 가중치를 직접 줄입니다, `p *= 1 - lr * weightDecay`. 기본값 0 (`adamw`는 0.01).',
  'Learning-rate schedule, stepped after every optimizer step, with PyTorch\'s definitions (`torch.optim.lr_scheduler`). `learningRate` is the base rate.':
    '옵티마이저 단계마다 한 걸음씩 나아가는 학습률 스케줄, PyTorch의 정의(`torch.optim.lr_scheduler`)를 따릅니다. `learningRate`가 기준 학습률입니다.',
  'Which schedule.': '어떤 스케줄인지.',
  'A constant learning rate.': '일정한 학습률.',
  '`StepLR`: multiply by `gamma` every `stepSize` steps.': '`StepLR`: `stepSize` 단계마다 `gamma`를 곱합니다.',
  '`ExponentialLR`: multiply by `gamma` every step.': '`ExponentialLR`: 단계마다 `gamma`를 곱합니다.',
  'Linear warm-up over `warmupSteps` (`LinearLR` from `warmupStartFactor`), then cosine annealing (`CosineAnnealingLR`) to `minLr` at the end of the run.':
    '`warmupSteps` 동안 선형 워밍업 (`warmupStartFactor`에서 시작하는 `LinearLR`), 그다음 실행이 끝날 때 `minLr`까지 코사인 어닐링 (`CosineAnnealingLR`).',
  '`ReduceLROnPlateau` (mode min): multiply by `factor` when the validation loss has not improved by `threshold` (relative) for more than `patience` validations. Needs validation data.':
    '`ReduceLROnPlateau` (mode min): 검증 손실이 `patience`번보다 많은 검증 동안 `threshold`(상대값)만큼 나아지지 않으면 `factor`를 곱합니다. 검증 데이터가 필요합니다.',
  '`step`: decay every this many optimizer steps (required).': '`step`: 이 옵티마이저 단계 수마다 감쇠합니다 (필수).',
  '`step` (default 0.1) and `exponential` (required): the decay factor, `0 < gamma <= 1`.': '`step`(기본값 0.1)과 `exponential`(필수): 감쇠 계수, `0 < gamma <= 1`.',
  "`cosine`: steps of linear warm-up before the cosine decay (fewer than the run's steps). Default 0.":
    '`cosine`: 코사인 감쇠 전의 선형 워밍업 단계 수 (실행의 단계 수보다 적어야 함). 기본값 0.',
  '`cosine`: the warm-up starts at `learningRate * warmupStartFactor` (PyTorch `LinearLR` start_factor, default 1/3).':
    '`cosine`: 워밍업이 `learningRate * warmupStartFactor`에서 시작합니다 (PyTorch `LinearLR`의 start_factor, 기본값 1/3).',
  '`cosine`: the rate at the end of the run (`eta_min`); `plateau`: the floor (`min_lr`). Default 0.':
    '`cosine`: 실행이 끝날 때의 학습률 (`eta_min`), `plateau`: 하한 (`min_lr`). 기본값 0.',
  '`plateau`: multiply the rate by this on a plateau, `0 < factor < 1`. Default 0.1.': '`plateau`: 정체 구간에서 학습률에 이 값을 곱합니다, `0 < factor < 1`. 기본값 0.1.',
  '`plateau`: validations without improvement tolerated before the rate is cut. Default 10.': '`plateau`: 학습률을 줄이기 전에 참아 주는, 개선 없는 검증 횟수. 기본값 10.',
  '`plateau`: an improvement must beat the best loss by this fraction (relative). Default 1e-4.': '`plateau`: 개선으로 치려면 최저 손실보다 이 비율(상대값)만큼 나아야 합니다. 기본값 1e-4.',
  '`plateau`: validations to wait after a cut before counting again. Default 0.': '`plateau`: 학습률을 줄인 뒤 다시 세기 전에 기다리는 검증 횟수. 기본값 0.',
  'step decay': '단계 감쇠',
  'cosine with warm-up': '워밍업이 있는 코사인',
  'reduce on plateau': '정체 시 감소',
  'Read metrics back from the device (and write a metric row) every this many steps. Default: the `seqlab.metricsInterval` setting in VS Code, 10 in the CLI.':
    '이 단계 수마다 장치에서 지표를 읽어 오고 (지표 행을 하나 씁니다). 기본값: VS Code에서는 `seqlab.metricsInterval` 설정, CLI에서는 10.',
  'Evaluate on the validation examples every this many steps (and at the last step). Default 50.': '이 단계 수마다 (그리고 마지막 단계에서) 검증 예제로 평가합니다. 기본값 50.',
  'Stop when the validation loss stops improving: after `patience` validations in a row without a decrease larger than `minDelta`, the run ends and keeps the weights of its best validation (the run says at which step).':
    '검증 손실이 더 나아지지 않으면 멈춥니다: `minDelta`보다 큰 감소 없이 `patience`번 연속으로 검증하면 실행이 끝나고, 가장 좋았던 검증의 가중치를 남깁니다 (몇 단계였는지 실행에 기록됩니다).',
  'Validations (every `evalEvery` steps) in a row without improvement before training stops.': '학습을 멈추기 전에 개선 없이 연속으로 허용하는 검증 횟수 (검증은 `evalEvery` 단계마다).',
  'The least decrease of the validation loss that counts as an improvement. Default 0.': '개선으로 치는 검증 손실의 최소 감소량. 기본값 0.',
  'early stopping': '조기 종료',
  Adam: 'Adam',
  'SGD with momentum': '모멘텀 SGD',
  'Sequence Lab model': 'Sequence Lab 모델',
  'A minimal model definition': '최소한의 모델 정의',
  'Try several settings: each combination is a *trial*, an ordinary run of this experiment with those settings written in (`seqlab sweep FILE`, VS Code "Run Sweep"). Training the file alone ignores this section. See docs/dsl.md, section Sweeps.':
    '여러 설정을 시험합니다: 조합 하나하나가 *시행*이며, 그 설정을 써 넣은 이 실험의 평범한 실행입니다 (`seqlab sweep FILE`, VS Code "스윕 실행"). 파일만 학습하면 이 섹션은 무시됩니다. docs/dsl.md의 Sweeps 절을 보세요.',
  'How trials are chosen from the values.': '값들에서 시행을 고르는 방법.',
  'Every combination of the listed values (the first parameter varies slowest).': '나열한 값의 모든 조합 (첫 번째 매개변수가 가장 느리게 바뀝니다).',
  '`trials` distinct combinations drawn at random (seeded by `seed`).': '서로 다른 조합 `trials`개를 무작위로 뽑습니다 (`seed`로 시드).',
  'The settings to vary, each a path in this definition with the list of values to try: `"layers[0].cell": ["rnn", "lstm", "gru"]`, `"training.learningRate": [0.01, 0.003]`, `"layers[*].units"` (every layer), `"layers.length": [1, 2]` (the number of layers; added layers copy the last one).':
    '바꿀 설정들. 이 정의 안의 경로마다 시험할 값의 목록을 적습니다: `"layers[0].cell": ["rnn", "lstm", "gru"]`, `"training.learningRate": [0.01, 0.003]`, `"layers[*].units"` (모든 레이어), `"layers.length": [1, 2]` (레이어 수; 늘어난 레이어는 마지막 레이어를 복사합니다).',
  '`random`: how many combinations to train (at most all of them). Default 10.': '`random`: 학습할 조합 수 (많아야 전체 조합 수). 기본값 10.',
  '`random`: seed of the draw. Default 1.': '`random`: 뽑기의 시드. 기본값 1.',
  'sweep over the cell': '셀 종류 스윕',
  "The values this setting takes, one trial each (with every combination of the other settings' values in a grid).":
    '이 설정이 가질 값들. 값마다 시행 하나입니다 (그리드에서는 다른 설정 값들의 모든 조합과 함께).',
};

/** Plain text for `description` from markdown (as schema.ts does). */
function plain(md: string): string {
  return md.replace(/`([^`]*)`/g, "'$1'").replace(/\*\*([^*]*)\*\*/g, '$1').replace(/\*([^*]*)\*/g, '$1');
}

type Json = unknown;

/**
 * The schema with every student-facing text in `locale`. Throws, listing them, when texts have no
 * entry in the catalogue (the build and test/core/l10n.test.ts fail on it).
 */
export function localizeSchema<T>(schema: T, locale: Locale): T {
  if (locale === 'en') return JSON.parse(JSON.stringify(schema)) as T;
  const table = SCHEMA_KO;
  const missing = new Set<string>();
  const tr = (md: string) => {
    const t = table[md];
    if (t === undefined) missing.add(md);
    return t ?? md;
  };
  const walk = (n: Json, isSchema = true): Json => {
    if (Array.isArray(n)) return n.map((x) => walk(x));
    if (!n || typeof n !== 'object') return n;
    const o = n as Record<string, Json>;
    if (!isSchema) return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, walk(v)])); // a map of schemas
    const out: Record<string, Json> = {};
    for (const [k, v] of Object.entries(o)) {
      if (k === 'properties' || k === 'definitions') out[k] = walk(v, false);
      else if (k === 'markdownDescription' || k === 'title') out[k] = tr(v as string);
      else if (k === 'description' && typeof o.markdownDescription === 'string') out[k] = plain(tr(o.markdownDescription));
      else if (k === 'markdownEnumDescriptions') out[k] = (v as string[]).map(tr);
      else if (k === 'enumDescriptions' && Array.isArray(o.markdownEnumDescriptions)) out[k] = (o.markdownEnumDescriptions as string[]).map((md) => plain(tr(md)));
      else if (k === 'defaultSnippets') {
        out[k] = (v as Record<string, Json>[]).map((s) => ({
          ...s, ...(typeof s.label === 'string' ? { label: tr(s.label) } : {}), ...(typeof s.description === 'string' ? { description: tr(s.description) } : {}),
        }));
      } else if (k === 'description') out[k] = tr(v as string);
      else out[k] = walk(v);
    }
    return out;
  };
  const result = walk(schema) as T;
  if (missing.size) {
    throw new Error(`The ${locale} schema has no translation for ${missing.size} text(s) (add them to SCHEMA_KO in src/core/dsl/schemaL10n.ts):\n${[...missing].map((m) => `  ${JSON.stringify(m)}`).join('\n')}`);
  }
  return result;
}

/** Keywords that only constrain values: the editor schema drops them (parseDefinition reports these). */
const CONSTRAINTS = [
  'required', 'additionalProperties', 'minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum',
  'minLength', 'maxLength', 'minItems', 'maxItems', 'minProperties',
];
/** Keywords completion reads that would also fail a value: kept inside an `anyOf` with an always-true branch. */
const VALUE_HINTS = ['type', 'enum', 'enumDescriptions', 'markdownEnumDescriptions'];

/** The schema VS Code gets: annotations for completion and hover, nothing that reports a problem. */
export function editorSchema(schema: unknown): Record<string, unknown> {
  const walk = (n: Json, isSchema: boolean): Json => {
    if (Array.isArray(n)) return n.map((x) => walk(x, isSchema));
    if (!n || typeof n !== 'object') return n;
    const o = n as Record<string, Json>;
    if (!isSchema) return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, walk(v, true)])); // a map of schemas
    const out: Record<string, Json> = {};
    const hints: Record<string, Json> = {};
    for (const [k, v] of Object.entries(o)) {
      if (CONSTRAINTS.includes(k)) continue;
      if (VALUE_HINTS.includes(k)) hints[k] = v;
      else if (k === 'properties' || k === 'definitions') out[k] = walk(v, false);
      else if (k === 'items') out[k] = walk(v, true);
      else out[k] = v;
    }
    if (Object.keys(hints).length) out.anyOf = [hints, {}];
    return out;
  };
  return { ...(walk(schema, true) as object), allowTrailingCommas: true };
}
