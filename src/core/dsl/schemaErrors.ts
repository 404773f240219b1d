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
import { pathToString, type JsonPath, type RawDiagnostic } from './diagnostics';

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
function pointerToPath(pointer: string, value: unknown): JsonPath {
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

function quoteList(values: readonly unknown[]): string {
  const q = values.map((v) => JSON.stringify(v));
  return q.length <= 1 ? q.join('') : `${q.slice(0, -1).join(', ')} or ${q[q.length - 1]}`;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/**
 * What a value must be, as the end of a sentence: 'an integer >= 1', 'a number >= 0 and < 1',
 * 'one of "rnn", "lstm" or "gru"'. `violated` names the keyword that failed, to pick which bounds to show.
 */
export function describeConstraint(s: SchemaNode, violated?: string): string {
  if (s.enum) return `one of ${quoteList(s.enum)}`;
  const types = s.type === undefined ? [] : typeof s.type === 'string' ? [s.type] : [...s.type];
  const parts = types.map((t) => {
    switch (t) {
      case 'integer':
      case 'number': {
        const conds: string[] = [];
        if (s.minimum !== undefined) conds.push(`>= ${s.minimum}`);
        if (s.exclusiveMinimum !== undefined) conds.push(`> ${s.exclusiveMinimum}`);
        if (s.exclusiveMaximum !== undefined) conds.push(`< ${s.exclusiveMaximum}`);
        // inclusive maximums are sanity limits: shown when they are the problem
        if (s.maximum !== undefined && violated === 'maximum') conds.push(`<= ${s.maximum}`);
        const noun = t === 'integer' ? 'an integer' : 'a number';
        return conds.length ? `${noun} ${conds.join(' and ')}` : noun;
      }
      case 'string':
        if (violated === 'maxLength' && s.maxLength !== undefined) return `a string of at most ${plural(s.maxLength, 'character')}`;
        return s.minLength ? (s.minLength === 1 ? 'a non-empty string' : `a string of at least ${plural(s.minLength, 'character')}`) : 'a string';
      case 'boolean':
        return 'true or false';
      case 'array': {
        const what = s.items?.$ref ? 'layer' : s.items?.type === 'string' ? 'string' : 'item';
        if (violated === 'maxItems' && s.maxItems !== undefined) return `a list of at most ${plural(s.maxItems, what)}`;
        return s.minItems ? `a list of at least ${plural(s.minItems, what)}` : `a list of ${what}s`;
      }
      case 'object':
        return 'an object { ... }';
      case 'null':
        return 'null';
      default:
        return t;
    }
  });
  return parts.join(' or ') || 'something else';
}

/**
 * Validate `value` (the plain value of `root`) against the schema; `skip` holds paths (JSON) already
 * reported. At most `limit` problems are translated and located (errors before unknown keys): the
 * others are only counted in `omitted`, so that thousands of problems cost linear time.
 */
export function checkSchema(
  text: string, root: Node, value: unknown, skip: Set<string>, limit = Infinity,
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
    const d = translate(text, root, value, e);
    if (!d || skip.has(JSON.stringify(d.path))) continue;
    // one message per offending value (a value breaking a type and a bound reads as one sentence)
    const key = VALUE_KEYWORDS.has(e.keyword) ? 'value' + JSON.stringify(d.path) : JSON.stringify(d.path) + d.message;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(d);
  }
  return { diagnostics: out, omitted, omittedErrors };
}

function translate(text: string, root: Node, value: unknown, e: ErrorObject): RawDiagnostic | undefined {
  const path = pointerToPath(e.instancePath, value);
  const where = pathToString(path);
  const node = nodeAt(root, path);
  const range = node ? { offset: node.offset, length: node.length } : { offset: 0, length: 0 };

  if (e.keyword === 'additionalProperties') {
    const key = String((e.params as { additionalProperty: string }).additionalProperty);
    const keyNode = node && propertyNode(node, key)?.children?.[0];
    const known = knownKeysAt(path) ?? [];
    const present = new Set(node?.children?.map((p) => p.children?.[0]?.value) ?? []);
    const guess = didYouMean(key, known.filter((k) => !present.has(k)));
    const inWhat = path.length ? `in ${where}` : 'at the top level';
    let message = `unknown key '${key}' ${inWhat}`;
    message += guess ? `; did you mean '${guess}'?` : `; known keys: ${known.map((k) => `'${k}'`).join(', ')}`;
    // an unknown training setting (a misspelt "nesterov", a schedule field) would silently train
    // something else than the file says: an error there, a warning elsewhere
    const training = path[0] === 'training';
    return {
      severity: training ? 'error' : 'warning',
      code: 'unknown-key',
      message: message + (training ? ' (an unknown training setting is an error: it would change the run without a trace)' : ' (it is ignored)'),
      path: [...path, key],
      ...(keyNode ? { offset: keyNode.offset, length: keyNode.length } : range),
      ...(guess ? { fix: { title: `Change to '${guess}'`, newText: JSON.stringify(guess) } } : {}),
    };
  }

  if (e.keyword === 'required') {
    const missing = String((e.params as { missingProperty: string }).missingProperty);
    const keyNode = keyNodeAt(root, path);
    const at = keyNode ?? node;
    return {
      severity: 'error',
      code: 'schema',
      message: `${where} is missing the required property '${missing}'${requiredHint(path, missing)}`,
      path,
      offset: at ? at.offset : 0,
      length: keyNode ? keyNode.length : at ? 1 : 0, // the key, or the opening brace of the object
    };
  }

  const got = describeGot(text, node, e.data);

  if (e.keyword === 'enum') {
    const allowed = (e.params as { allowedValues: unknown[] }).allowedValues;
    const guess = typeof e.data === 'string' ? didYouMean(e.data, allowed.filter((a): a is string => typeof a === 'string')) : undefined;
    return {
      severity: 'error',
      code: 'schema',
      message: `${where} must be one of ${quoteList(allowed)} (got ${got})${guess ? `; did you mean ${JSON.stringify(guess)}?` : ''}`,
      path,
      ...range,
      ...(guess ? { fix: { title: `Change to ${JSON.stringify(guess)}`, newText: JSON.stringify(guess) } } : {}),
    };
  }

  if (VALUE_KEYWORDS.has(e.keyword)) {
    const s = e.parentSchema as SchemaNode;
    let message = `${where} must be ${describeConstraint(s, e.keyword)} (got ${got})`;
    let fix: { title: string; newText: string } | undefined;
    if (e.keyword === 'type' && typeof e.data === 'string') {
      const types = typeof s.type === 'string' ? [s.type] : [...(s.type ?? [])];
      const t = e.data.trim();
      if ((types.includes('number') || types.includes('integer')) && t !== '' && Number.isFinite(Number(t))) {
        message += ': write the number without quotes';
        fix = { title: `Change to ${Number(t)}`, newText: String(Number(t)) };
      } else if (types.includes('boolean') && (t === 'true' || t === 'false')) {
        message += ': write true or false without quotes';
        fix = { title: `Change to ${t}`, newText: t };
      }
    }
    if (path.length === 0 && e.keyword === 'type') {
      message = `a model definition must be a JSON object like { "name": ..., "data": { "task": ... }, "layers": [ ... ] } (got ${got})`;
    }
    return { severity: 'error', code: 'schema', message, path, ...range, ...(fix ? { fix } : {}) };
  }

  return { severity: 'error', code: 'schema', message: `${where} ${e.message ?? 'is not valid'}`, path, ...range };
}

function requiredHint(path: JsonPath, missing: string): string {
  const p = JSON.stringify([...path.filter((x) => typeof x === 'string'), missing]);
  switch (p) {
    case '["name"]':
      return ', e.g. "name": "my-model"';
    case '["data"]':
      return ', e.g. "data": { "task": "hello" }';
    case '["layers"]':
      return ', e.g. "layers": [ { "cell": "lstm", "units": 32 } ]';
    case '["data","task"]':
      return ', e.g. "task": "hello"';
    case '["layers","cell"]':
    case '["decoder","layers","cell"]':
      return ' ("rnn", "lstm" or "gru")';
    case '["layers","units"]':
    case '["decoder","layers","units"]':
      return ' (the size of the hidden state, e.g. 32)';
    default:
      return '';
  }
}
