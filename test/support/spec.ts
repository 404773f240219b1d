import { parseDefinition } from '../../src/core/dsl';
import { buildDataset } from '../../src/core/tasks';
import type { ModelSpec } from '../../src/core/spec';
import type { SeqData } from '../../src/core/data';

/** Parse an inline definition (object) through the real DSL parser and build its data. */
export function define(def: Record<string, unknown>): { spec: ModelSpec; data: SeqData } {
  const r = parseDefinition(JSON.stringify({ name: 'test', ...def }));
  const errors = r.diagnostics.filter((d) => d.severity === 'error');
  if (!r.spec || errors.length) throw new Error('invalid test definition: ' + errors.map((d) => d.message).join('; '));
  return { spec: r.spec, data: buildDataset(r.spec) };
}
