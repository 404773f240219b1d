/**
 * Node side of the fused wasm/cpu recurrence (src/wasm): finds the compiled module next to the
 * bundle (dist/seqlab-recurrence.wasm, written by scripts/build.mjs) or, when running from sources
 * (tests, bench), compiles src/wasm/assembly/recurrence.ts with AssemblyScript once and caches the
 * bytes under .cache/ keyed by the source's hash.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { registerCpuKernels, type CpuRecurrence } from '../wasm/kernels';
import { writeFileAtomic } from './atomic';

const WASM = 'seqlab-recurrence.wasm';

function repoRoot(): string | undefined {
  const c = join(__dirname, '..', '..');
  return existsSync(join(c, 'src', 'wasm', 'assembly', 'recurrence.ts')) ? c : undefined;
}

let bytes: Uint8Array<ArrayBuffer> | undefined;

/** The module's bytes: the built file, else compiled from the source (cached). */
export async function recurrenceWasm(): Promise<Uint8Array<ArrayBuffer>> {
  if (bytes) return bytes;
  // the bundle (dist/cli.js, dist/extension.js): the build put the module beside it
  const built = join(__dirname, WASM);
  if (existsSync(built)) return (bytes = new Uint8Array(readFileSync(built)));
  // from sources (tsx): compile the source, so that an edit is never hidden by a stale dist/ copy
  const root = repoRoot();
  if (!root) throw new Error(`${WASM} not found next to the program (${__dirname}); rebuild with npm run build`);
  const src = readFileSync(join(root, 'src', 'wasm', 'assembly', 'recurrence.ts'));
  const hash = createHash('sha256').update(src).digest('hex').slice(0, 16);
  const cached = join(root, '.cache', `recurrence-${hash}.wasm`);
  if (existsSync(cached)) return (bytes = new Uint8Array(readFileSync(cached)));
  const script = join(root, 'scripts', 'wasm.mjs');
  const m = (await import(script)) as { compileRecurrence(): Promise<Uint8Array> };
  bytes = new Uint8Array(await m.compileRecurrence());
  writeFileAtomic(cached, bytes);
  return bytes;
}

/** Route recurrent layers through the fused SIMD kernels on the wasm and cpu backends. */
export async function useFusedKernels(): Promise<CpuRecurrence> {
  return registerCpuKernels(await recurrenceWasm());
}
