/** Walking the schema: the sub-schema at a JSON path and the keys an object there may have. */
import { seqlabSchema } from './schema';
import type { JsonPath } from './diagnostics';

/** The parts of a JSON Schema node this module reads. */
export interface SchemaNode {
  type?: string | readonly string[];
  description?: string;
  enum?: readonly unknown[];
  properties?: Readonly<Record<string, SchemaNode>>;
  required?: readonly string[];
  items?: SchemaNode;
  $ref?: string;
  default?: unknown;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
}

const root = seqlabSchema as unknown as SchemaNode & { definitions: Record<string, SchemaNode> };

function deref(s: SchemaNode): SchemaNode {
  const m = s.$ref ? /^#\/definitions\/(.+)$/.exec(s.$ref) : null;
  return m ? root.definitions[m[1]] : s;
}

/** The schema of the value at `path`, or undefined where the schema does not describe it. */
export function schemaAt(path: JsonPath): SchemaNode | undefined {
  let s: SchemaNode | undefined = root;
  for (const seg of path) {
    if (!s) return undefined;
    s = deref(s);
    s = typeof seg === 'number' ? s.items : s.properties?.[seg];
  }
  return s ? deref(s) : undefined;
}

/** The keys an object at `path` may have (e.g. ['layers', 0] gives the layer keys), or undefined. */
export function knownKeysAt(path: JsonPath): string[] | undefined {
  const s = schemaAt(path);
  return s?.properties ? Object.keys(s.properties) : undefined;
}

/** Known keys of every object in a definition, for hosts that offer quick fixes or completion. */
export const KNOWN_KEYS = {
  root: knownKeysAt([])!,
  data: knownKeysAt(['data'])!,
  input: knownKeysAt(['input'])!,
  layer: knownKeysAt(['layers', 0])!,
  decoder: knownKeysAt(['decoder'])!,
  head: knownKeysAt(['head'])!,
  training: knownKeysAt(['training'])!,
  clip: knownKeysAt(['training', 'clip'])!,
} as const;
