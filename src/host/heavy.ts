/**
 * The heavy parts of the extension (TensorFlow.js, the trainer, the task generators) are imported
 * only when a command needs them, never at activation. esbuild keeps each dynamically imported
 * module in a lazy initialiser, so nothing of tfjs runs until one of these is awaited.
 */
/** True once TensorFlow.js was loaded in this extension host (tfjs-core creates its engine global on load). */
export function heavyLoaded(): boolean {
  return (globalThis as { _tfengine?: unknown })._tfengine != null;
}

export async function loadTrainRun(): Promise<typeof import('../node/trainRun')> {
  return import('../node/trainRun');
}

export async function loadSweepRun(): Promise<typeof import('../node/sweepRun')> {
  return import('../node/sweepRun');
}

export async function loadExport(): Promise<typeof import('../node/export/pytorch')> {
  return import('../node/export/pytorch');
}

export async function loadPredictRun(): Promise<typeof import('../node/predictRun')> {
  return import('../node/predictRun');
}

export async function loadTasks(): Promise<typeof import('../core/tasks')> {
  return import('../core/tasks');
}
