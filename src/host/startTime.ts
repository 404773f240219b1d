/** Imported first by extension.ts: the moment the bundle started loading, for the activation-time log. */
export const loadStart = performance.now();
