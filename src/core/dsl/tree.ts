/** Helpers over jsonc-parser's syntax tree: plain values, nodes by path, and readable excerpts. */
import type { Node } from 'jsonc-parser/lib/esm/main.js';
import type { JsonPath } from './diagnostics';
import type { Words } from './messages';

/** A plain JS value of a node; for duplicate keys the last one wins (as in JSON.parse). */
export function plainValue(node: Node): unknown {
  switch (node.type) {
    case 'object': {
      const o: Record<string, unknown> = {};
      for (const p of node.children ?? []) {
        const [k, v] = p.children ?? [];
        if (k && v && typeof k.value === 'string') {
          Object.defineProperty(o, k.value, { value: plainValue(v), enumerable: true, writable: true, configurable: true });
        }
      }
      return o;
    }
    case 'array':
      return (node.children ?? []).map(plainValue);
    case 'null':
      return null;
    default:
      return node.value;
  }
}

/** The property node (key + value) for `key` in an object node; the last one for duplicates. */
export function propertyNode(obj: Node, key: string): Node | undefined {
  if (obj.type !== 'object') return undefined;
  let found: Node | undefined;
  for (const p of obj.children ?? []) if (p.children?.[0]?.value === key && p.children.length >= 2) found = p;
  return found;
}

/** The value node at `path`, or undefined. */
export function nodeAt(rootNode: Node | undefined, path: JsonPath): Node | undefined {
  let n = rootNode;
  for (const seg of path) {
    if (!n) return undefined;
    if (typeof seg === 'number') {
      if (n.type !== 'array') return undefined;
      n = n.children?.[seg];
    } else {
      const p = propertyNode(n, seg);
      n = p?.children?.[1];
    }
  }
  return n;
}

/** The key node (with its quotes) of the property at `path`, or undefined for the root or array items. */
export function keyNodeAt(rootNode: Node | undefined, path: JsonPath): Node | undefined {
  if (path.length === 0) return undefined;
  const last = path[path.length - 1];
  if (typeof last === 'number') return undefined;
  const parent = nodeAt(rootNode, path.slice(0, -1));
  return parent ? propertyNode(parent, last)?.children?.[0] : undefined;
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** How a value reads in a message: `0`, `"8"`, `an object`, `an empty list`. Long text is shortened. */
export function describeGot(text: string, node: Node | undefined, value: unknown, w: Words): string {
  if (Array.isArray(value)) return value.length ? w.gotList : w.gotEmptyList;
  if (isPlainObject(value)) return w.gotObject;
  const src = node ? text.slice(node.offset, node.offset + node.length) : JSON.stringify(value) ?? String(value);
  const oneLine = src.replace(/\s+/g, ' ');
  return oneLine.length > 40 ? oneLine.slice(0, 37) + '...' + (typeof value === 'string' ? '"' : '') : oneLine;
}
