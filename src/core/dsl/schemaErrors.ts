/**
 * Schema validation with ajv, and the translation of ajv's errors into diagnostics a student can
 * act on: placed on the offending value (or key), worded as sentences, with did-you-mean fixes.
 */
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import type { Node } from 'jsonc-parser/lib/esm/main.js';
import { EDITOR_KEYWORDS, seqlabSchema } from './schema';
import { knownKeysAt, type SchemaNode } from './keys';
import { didYouMean } from './suggest';
import { describeGot, keyNodeAt, nodeAt, propertyNode } from './tree';
import type { JsonPath, RawDiagnostic } from './diagnostics';
import { messagesFor, type Messages, type Words } from './messages';

let validator: ValidateFunction | undefined;

/** Compiled on first use (ajv generates code with `new Function`: keep it out of module load). */
function getValidator(): ValidateFunction {
  if (!validator) {
    const ajv = new Ajv({ allErrors: true, verbose: true, strict: true, allowUnionTypes: true });
    ajv.addVocabulary([...EDITOR_KEYWORDS]);
    validator = ajv.compile(seqlabSchema as object);
  }
  return validator;
}

const VALUE_KEYWORDS = new Set([
  'type', 'minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'minLength', 'maxLength', 'minItems', 'maxItems',
]);

/** JSON pointer -> path, with array indices as numbers (decided by the value being indexed). */
export function pointerToPath(pointer: string, value: unknown): JsonPath {
  if (!pointer) return [];
  const path: JsonPath = [];
  let cur: unknown = value;
  for (const raw of pointer.split('/').slice(1)) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(cur)) {
      const i = Number(seg);
      path.push(i);
      cur = cur[i];
    } else {
      path.push(seg);
      cur = cur !== null && typeof cur === 'object' ? (cur as Record<string, unknown>)[seg] : undefined;
    }
  }
  return path;
}

const quoteList = (values: readonly unknown[], w: Words): string => w.or(values.map((v) => JSON.stringify(v)));

/**
 * What a value must be, as the end of a sentence: 'an integer >= 1', 'a number >= 0 and < 1',
 * 'one of "rnn", "lstm" or "gru"'. `violated` names the keyword that failed, to pick which bounds to show.
 */
export function describeConstraint(s: SchemaNode, violated?: string, w: Words = messagesFor('en').words): string {
  if (s.enum) return w.oneOf(quoteList(s.enum, w));
  const types = s.type === undefined ? [] : typeof s.type === 'string' ? [s.type] : [...s.type];
  const parts = types.map((t) => {
    switch (t) {
      case 'integer':
      case 'number': {
        const bounds: { op: '>=' | '>' | '<' | '<='; n: number }[] = [];
        if (s.minimum !== undefined) bounds.push({ op: '>=', n: s.minimum });
        if (s.exclusiveMinimum !== undefined) bounds.push({ op: '>', n: s.exclusiveMinimum });
        if (s.exclusiveMaximum !== undefined) bounds.push({ op: '<', n: s.exclusiveMaximum });
        // inclusive maximums are sanity limits: shown when they are the problem
        if (s.maximum !== undefined && violated === 'maximum') bounds.push({ op: '<=', n: s.maximum });
        return w.number(t === 'integer', bounds);
      }
      case 'string':
        return w.string(s.minLength ?? 0, violated === 'maxLength' ? s.maxLength : undefined);
      case 'boolean':
        return w.boolean;
      case 'array': {
        const what = s.items?.$ref ? 'layer' : s.items?.type === 'string' ? 'string' : 'item';
        return w.list(what, s.minItems, violated === 'maxItems' ? s.maxItems : undefined);
      }
      case 'object':
        return w.object;
      case 'null':
        return 'null';
      default:
        return t;
    }
  });
  return parts.join(w.orType) || w.somethingElse;
}

/** ajv's raw errors for a whole definition value (none when it is valid): the sweep check reads those under a path. */
export function schemaErrorsOf(value: unknown): ErrorObject[] {
  const validate = getValidator();
  return validate(value) ? [] : [...(validate.errors ?? [])];
}

/**
 * Validate `value` (the plain value of `root`) against the schema; `skip` holds paths (JSON) already
 * reported. At most `limit` problems are translated and located (errors before unknown keys): the
 * others are only counted in `omitted`, so that thousands of problems cost linear time.
 */
export function checkSchema(
  text: string, root: Node, value: unknown, skip: Set<string>, m: Messages, limit = Infinity,
): { diagnostics: RawDiagnostic[]; omitted: number; omittedErrors: boolean } {
  const validate = getValidator();
  if (validate(value)) return { diagnostics: [], omitted: 0, omittedErrors: false };
  const errors = validate.errors ?? [];
  // unknown keys are warnings: translate the errors first so that a cap never hides one
  const ordered = [...errors.filter((e) => e.keyword !== 'additionalProperties'), ...errors.filter((e) => e.keyword === 'additionalProperties')];
  const out: RawDiagnostic[] = [];
  const seen = new Set<string>();
  let omitted = 0;
  let omittedErrors = false;
  for (const e of ordered) {
    if (out.length >= limit) {
      omitted++;
      if (e.keyword !== 'additionalProperties') omittedErrors = true;
      continue;
    }
    const d = translate(text, root, value, e, m);
    if (!d || skip.has(JSON.stringify(d.path))) continue;
    // one message per offending value (a value breaking a type and a bound reads as one sentence)
    const key = VALUE_KEYWORDS.has(e.keyword) ? 'value' + JSON.stringify(d.path) : JSON.stringify(d.path) + d.message;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(d);
  }
  return { diagnostics: out, omitted, omittedErrors };
}

function translate(text: string, root: Node, value: unknown, e: ErrorObject, m: Messages): RawDiagnostic | undefined {
  const w = m.words;
  const path = pointerToPath(e.instancePath, value);
  const where = m.path(path);
  const node = nodeAt(root, path);
  const range = node ? { offset: node.offset, length: node.length } : { offset: 0, length: 0 };

  if (e.keyword === 'additionalProperties') {
    const key = String((e.params as { additionalProperty: string }).additionalProperty);
    const keyNode = node && propertyNode(node, key)?.children?.[0];
    const known = knownKeysAt(path) ?? [];
    const present = new Set(node?.children?.map((p) => p.children?.[0]?.value) ?? []);
    const guess = didYouMean(key, known.filter((k) => !present.has(k)));
    // an unknown training setting (a misspelt "nesterov", a schedule field) would silently train
    // something else than the file says: an error there, a warning elsewhere
    const training = path[0] === 'training';
    return {
      severity: training ? 'error' : 'warning',
      code: 'unknown-key',
      message: m.text(training ? 'unknown-key/training' : 'unknown-key', {
        key, known: known.map((k) => `'${k}'`).join(', '), ...(path.length ? { where } : {}), ...(guess ? { guess } : {}),
      }),
      path: [...path, key],
      ...(keyNode ? { offset: keyNode.offset, length: keyNode.length } : range),
      ...(guess ? { fix: { title: w.changeTo(`'${guess}'`), newText: JSON.stringify(guess) } } : {}),
    };
  }

  if (e.keyword === 'required') {
    const missing = String((e.params as { missingProperty: string }).missingProperty);
    const keyNode = keyNodeAt(root, path);
    const at = keyNode ?? node;
    const hint = requiredHint(path, missing);
    return {
      severity: 'error',
      code: 'schema',
      message: m.text('schema/required', { where, missing, hint: hint ? w.requiredHint(hint) : '' }),
      path,
      offset: at ? at.offset : 0,
      length: keyNode ? keyNode.length : at ? 1 : 0, // the key, or the opening brace of the object
    };
  }

  const got = describeGot(text, node, e.data, w);

  if (e.keyword === 'enum') {
    const allowed = (e.params as { allowedValues: unknown[] }).allowedValues;
    const guess = typeof e.data === 'string' ? didYouMean(e.data, allowed.filter((a): a is string => typeof a === 'string')) : undefined;
    return {
      severity: 'error',
      code: 'schema',
      message: m.text('schema/enum', { where, allowed: quoteList(allowed, w), got, ...(guess ? { guess: JSON.stringify(guess) } : {}) }),
      path,
      ...range,
      ...(guess ? { fix: { title: w.changeTo(JSON.stringify(guess)), newText: JSON.stringify(guess) } } : {}),
    };
  }

  if (VALUE_KEYWORDS.has(e.keyword)) {
    const s = e.parentSchema as SchemaNode;
    const args = { where, must: describeConstraint(s, e.keyword, w), got };
    let message = m.text('schema/value', args);
    let fix: { title: string; newText: string } | undefined;
    if (e.keyword === 'type' && typeof e.data === 'string') {
      const types = typeof s.type === 'string' ? [s.type] : [...(s.type ?? [])];
      const t = e.data.trim();
      if ((types.includes('number') || types.includes('integer')) && t !== '' && Number.isFinite(Number(t))) {
        message = m.text('schema/value-unquote-number', args);
        fix = { title: w.changeTo(String(Number(t))), newText: String(Number(t)) };
      } else if (types.includes('boolean') && (t === 'true' || t === 'false')) {
        message = m.text('schema/value-unquote-boolean', args);
        fix = { title: w.changeTo(t), newText: t };
      }
    }
    if (path.length === 0 && e.keyword === 'type') message = m.text('schema/root-type', { got });
    return { severity: 'error', code: 'schema', message, path, ...range, ...(fix ? { fix } : {}) };
  }

  return { severity: 'error', code: 'schema', message: m.text('schema/other', { where, detail: e.message ?? 'is not valid' }), path, ...range };
}

/** Which example follows 'missing the required property ...', if any. */
function requiredHint(path: JsonPath, missing: string): Parameters<Words['requiredHint']>[0] | undefined {
  const p = JSON.stringify([...path.filter((x) => typeof x === 'string'), missing]);
  switch (p) {
    case '["name"]':
      return 'name';
    case '["data"]':
      return 'data';
    case '["layers"]':
      return 'layers';
    case '["data","task"]':
      return 'task';
    case '["layers","cell"]':
    case '["decoder","layers","cell"]':
      return 'cell';
    case '["layers","units"]':
    case '["decoder","layers","units"]':
      return 'units';
    default:
      return undefined;
  }
}
