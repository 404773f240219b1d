/**
 * TensorFlow.js backends for Node (CLI and extension host): wasm (measured ~4x faster than cpu
 * for an LSTM step here, so the default) or the plain-JS cpu backend.
 */
import * as tf from '../core/tf';
import '@tensorflow/tfjs-backend-cpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { installWasmSliceKernels } from '../core/wasmSlice';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { setRecurrenceKernel } from '../core/fused';
import { useFusedKernels } from './kernels';

export const NODE_BACKENDS = ['wasm', 'cpu'] as const;
export type NodeBackend = (typeof NODE_BACKENDS)[number];

/** Where the .wasm binaries are: next to the bundle (dist/) or in node_modules when run from sources. */
function wasmDir(): string {
  const candidates = [
    __dirname,
    join(__dirname, '..', '..', 'dist'),
    join(__dirname, '..', '..', 'node_modules', '@tensorflow', 'tfjs-backend-wasm', 'dist'),
  ];
  for (const c of candidates) if (existsSync(join(c, 'tfjs-backend-wasm-simd.wasm'))) return c;
  return candidates[candidates.length - 1];
}

let wasmConfigured = false;

export interface BackendOptions {
  /**
   * Run recurrent layers through the fused WebAssembly SIMD kernels (src/wasm; default true);
   * false keeps the op-by-op cells of src/core/recurrent.ts (the reference).
   */
  fused?: boolean;
}

export async function useBackend(name: NodeBackend = 'wasm', opts: BackendOptions = {}): Promise<NodeBackend> {
  if (opts.fused === false) setRecurrenceKernel(undefined);
  else await useFusedKernels();
  tf.env().set('PROD', true); // no "install tfjs-node" banner, no debug checks
  if (name === 'wasm' && !wasmConfigured) {
    const dir = wasmDir() + '/';
    setWasmPaths({
      'tfjs-backend-wasm.wasm': dir + 'tfjs-backend-wasm.wasm',
      'tfjs-backend-wasm-simd.wasm': dir + 'tfjs-backend-wasm-simd.wasm',
      // never loaded in Node (tfjs has no threads there) and not shipped; setWasmPaths wants every key
      'tfjs-backend-wasm-threaded-simd.wasm': dir + 'tfjs-backend-wasm-simd.wasm',
    });
    installWasmSliceKernels(); // slices that do not copy their whole input (O(T) per sequence, not O(T^2))
    wasmConfigured = true;
  }
  if (tf.getBackend() === name) return name;
  const ok = await tf.setBackend(name);
  if (!ok) throw new Error(`The ${name} backend could not be initialised.`);
  await tf.ready();
  return name;
}
