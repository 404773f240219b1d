// Compiles the fused recurrence (src/wasm/assembly/recurrence.ts, AssemblyScript) to WebAssembly
// with SIMD128. Used by scripts/build.mjs (dist/seqlab-recurrence.wasm) and, when running from
// sources (tests, bench), by src/node/kernels.ts, which caches the result under .cache/.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const recurrenceSource = join(root, 'src/wasm/assembly/recurrence.ts');
export const recurrenceWasmName = 'seqlab-recurrence.wasm';

/** The compiled module's bytes; throws with the compiler's messages on an error. */
export async function compileRecurrence() {
  const asc = await import('assemblyscript/asc');
  const text = readFileSync(recurrenceSource, 'utf8');
  const r = await asc.compileString({ 'recurrence.ts': text }, {
    optimizeLevel: 3, shrinkLevel: 0, runtime: 'stub', noAssert: true, enable: ['simd'],
    initialMemory: 2, exportRuntime: false,
  });
  if (r.error || !r.binary) throw new Error(`AssemblyScript: ${r.error?.message ?? 'no output'}\n${r.stderr.toString()}`);
  return r.binary;
}
