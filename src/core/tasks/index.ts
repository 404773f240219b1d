/**
 * The built-in data sets. `buildDataset` turns a checked ModelSpec into a SeqData laid out for
 * `spec.structure` (see ../data.ts). Generated tasks are deterministic from `spec.data.seed`;
 * nothing is downloaded, and files are read only through `ctx.readFile`.
 */
import type { SeqData } from '../data';
import type { ModelSpec, TaskName } from '../spec';
import { DEFAULT_MEMORY_BUDGET_MB, estimateCost, overBudget, shapeOfData } from '../cost';
import { TASKS } from './catalog';
import { DataError, TaskContext, checkStructure } from './common';
import { buildAdding } from './adding';
import { buildCopy } from './copy';
import { buildHello } from './hello';
import { buildParity } from './parity';
import { buildSentiment } from './sentiment';
import { buildSine } from './sine';
import { buildSpell } from './spell';
import { buildTagging } from './tagging';
import { buildText } from './text';
import { buildClassify } from './classify';
import { buildTag } from './tag';
import { buildPairs } from './pairs';
import { buildForecast } from './forecast';

export { DataError } from './common';
export { DataFileError } from './files';
export type { TaskContext } from './common';
export { TASKS, TASK_NAMES } from './catalog';
export type { TaskInfo } from './catalog';

/** Build the data set a definition asks for. Throws only DataError (with the DSL path at fault). */
export function buildDataset(spec: ModelSpec, ctx: TaskContext = {}): SeqData {
  const task = spec?.data?.task;
  if (typeof task !== 'string' || !Object.prototype.hasOwnProperty.call(TASKS, task)) {
    throw new DataError(`unknown task ${JSON.stringify(task)}; expected one of ${Object.keys(TASKS).join(', ')}`, ['data', 'task']);
  }
  if (typeof spec.data.seed !== 'number' || !Number.isFinite(spec.data.seed)) {
    throw new DataError(`data.seed must be a number (got ${String(spec.data.seed)})`, ['data', 'seed']);
  }
  checkStructure(spec);
  const data = generate(spec, task as TaskName, ctx);
  // What training it would hold in memory, now that the data's sizes are known.
  const over = overBudget(estimateCost(spec, shapeOfData(data)), ctx.memoryBudgetMB ?? DEFAULT_MEMORY_BUDGET_MB, spec.training.optimizer);
  if (over) throw new DataError(over.message, over.path);
  return data;
}

function generate(spec: ModelSpec, task: TaskName, ctx: TaskContext): SeqData {
  try {
    switch (task) {
      case 'hello': return buildHello(spec);
      case 'copy': return buildCopy(spec, false);
      case 'reverse': return buildCopy(spec, true);
      case 'adding': return buildAdding(spec);
      case 'parity': return buildParity(spec);
      case 'sine': return buildSine(spec, ctx);
      case 'sentiment': return buildSentiment(spec);
      case 'tagging': return buildTagging(spec);
      case 'spell': return buildSpell(spec);
      case 'text': return buildText(spec, ctx);
      case 'classify': return buildClassify(spec, ctx);
      case 'tag': return buildTag(spec, ctx);
      case 'pairs': return buildPairs(spec, ctx);
      case 'forecast': return buildForecast(spec, ctx);
    }
  } catch (e) {
    if (e instanceof DataError) throw e;
    // A generator bug or an out-of-memory must still reach the user as a message, not a crash.
    const why = e instanceof Error ? e.message : String(e);
    throw new DataError(`could not build the '${task}' data set: ${why}`, ['data']);
  }
  throw new DataError(`task '${task}' has no generator`, ['data', 'task']);
}
