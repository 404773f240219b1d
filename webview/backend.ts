/**
 * Backend selection inside the training worker: WebGPU, then WebGL (OffscreenCanvas), then wasm,
 * then CPU, starting at the preferred one. Every faster backend that was skipped is reported with
 * the reason, so the panel can say why it is not on the GPU.
 */
import * as tf from '../src/core/tf';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-webgl';
import '@tensorflow/tfjs-backend-webgpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { installWasmSliceKernels } from '../src/core/wasmSlice';
import { t } from './ui/l10n';
import { BACKENDS, type BackendInfo, type BackendName, type BackendPreference } from '../src/protocol';
import { probeBackends, type ProbeCacheEntry } from '../src/core/backendProbe';
import type { ModelSpec } from '../src/core/spec';
import type { SeqData } from '../src/core/data';

interface GpuAdapterInfoLike { vendor?: string; architecture?: string; device?: string; description?: string; isFallbackAdapter?: boolean }
interface GpuAdapterLike { info?: GpuAdapterInfoLike; isFallbackAdapter?: boolean }
interface GpuLike { requestAdapter(o?: { powerPreference?: string }): Promise<GpuAdapterLike | null> }

type Attempt = { ok: true; adapter?: BackendInfo['adapter'] } | { ok: false; reason: string };

const msg = (e: unknown) => (e instanceof Error ? e.message : String(e));

async function tryWebgpu(): Promise<Attempt> {
  const gpu = (globalThis.navigator as unknown as { gpu?: GpuLike }).gpu;
  if (!gpu) return { ok: false, reason: t('navigator.gpu missing (WebGPU is not enabled in this browser)') };
  let adapter: GpuAdapterLike | null;
  try {
    adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  } catch (e) {
    return { ok: false, reason: t('requestAdapter failed: {0}', msg(e)) };
  }
  if (!adapter) return { ok: false, reason: t('no adapter (navigator.gpu.requestAdapter() returned null)') };
  const info = adapter.info ?? {};
  if (!tf.findBackendFactory('webgpu')) return { ok: false, reason: t('the WebGPU backend did not register') };
  const ok = await tf.setBackend('webgpu').catch((e) => msg(e));
  if (ok !== true) return { ok: false, reason: t('WebGPU backend failed to initialise') + (typeof ok === 'string' ? `: ${ok}` : '') };
  return {
    ok: true,
    adapter: {
      vendor: info.vendor || 'unknown', architecture: info.architecture || 'unknown',
      ...(info.device ? { device: info.device } : {}), ...(info.description ? { description: info.description } : {}),
      fallback: Boolean(info.isFallbackAdapter ?? adapter.isFallbackAdapter),
    },
  };
}

async function tryWebgl(): Promise<Attempt> {
  if (typeof OffscreenCanvas === 'undefined') return { ok: false, reason: t('OffscreenCanvas missing in the worker') };
  let gl: WebGL2RenderingContext | null = null;
  try {
    gl = new OffscreenCanvas(1, 1).getContext('webgl2');
  } catch (e) {
    return { ok: false, reason: t('webgl context failed: {0}', msg(e)) };
  }
  if (!gl) return { ok: false, reason: t('webgl context failed: {0}', "getContext('webgl2') returned null") };
  const dbg = gl.getExtension('WEBGL_debug_renderer_info');
  const vendor = String(dbg ? gl.getParameter(dbg.UNMASKED_VENDOR_WEBGL) : gl.getParameter(gl.VENDOR));
  const renderer = String(dbg ? gl.getParameter(dbg.UNMASKED_RENDERER_WEBGL) : gl.getParameter(gl.RENDERER));
  gl.getExtension('WEBGL_lose_context')?.loseContext();
  const ok = await tf.setBackend('webgl').catch((e) => msg(e));
  if (ok !== true) return { ok: false, reason: t('webgl context failed: {0}', `backend initialisation ${typeof ok === 'string' ? ok : 'returned false'}`) };
  return { ok: true, adapter: { vendor, architecture: renderer, fallback: /swiftshader|llvmpipe|software/i.test(renderer) } };
}

async function tryWasm(wasm: Record<string, ArrayBuffer> | undefined): Promise<Attempt> {
  if (typeof WebAssembly === 'undefined') return { ok: false, reason: t('WebAssembly missing') };
  // tfjs's own binaries (ours, seqlab-recurrence.wasm, travels in the same map for src/wasm)
  const tfjs = Object.entries(wasm ?? {}).filter(([name]) => name.startsWith('tfjs-backend-wasm'));
  if (!tfjs.length) return { ok: false, reason: t('wasm binaries not provided to the worker') };
  const map: Record<string, string> = {};
  for (const [name, bytes] of tfjs) map[name] = URL.createObjectURL(new Blob([bytes], { type: 'application/wasm' }));
  // setWasmPaths wants an entry for every binary. The threaded build needs cross-origin isolation
  // (SharedArrayBuffer), which a webview does not have, so it is never loaded: point it at the
  // SIMD build rather than shipping 430 KB to the worker for nothing.
  const simd = map['tfjs-backend-wasm-simd.wasm'];
  if (simd && !map['tfjs-backend-wasm-threaded-simd.wasm']) map['tfjs-backend-wasm-threaded-simd.wasm'] = simd;
  try {
    setWasmPaths(map);
  } catch (e) {
    return { ok: false, reason: t('setWasmPaths failed: {0}', msg(e)) };
  }
  installWasmSliceKernels(); // slices that do not copy their whole input (O(T) per sequence, not O(T^2))
  const ok = await tf.setBackend('wasm').catch((e) => msg(e));
  if (ok !== true) return { ok: false, reason: t('wasm backend failed to initialise') + (typeof ok === 'string' ? `: ${ok}` : '') };
  return { ok: true };
}

export async function selectBackend(preferred: BackendPreference, wasm?: Record<string, ArrayBuffer>): Promise<BackendInfo> {
  const start = preferred === 'auto' ? 0 : BACKENDS.indexOf(preferred);
  const skipped: BackendInfo['skipped'] = [];
  for (const name of BACKENDS.slice(start)) {
    const a = await attempt(name, wasm);
    if (a.ok) {
      await tf.ready();
      return { name, preferred, ...(a.adapter ? { adapter: a.adapter } : {}), skipped };
    }
    skipped.push({ name, reason: a.reason });
  }
  throw new Error(t('no TensorFlow.js backend could start: {0}', skipped.map((s) => `${s.name}: ${s.reason}`).join('; ')));
}

function attempt(name: BackendName, wasm?: Record<string, ArrayBuffer>): Promise<Attempt> {
  switch (name) {
    case 'webgpu': return tryWebgpu();
    case 'webgl': return tryWebgl();
    case 'wasm': return tryWasm(wasm);
    case 'cpu':
      return tf.setBackend('cpu').then((ok) => (ok ? { ok: true as const } : { ok: false as const, reason: t('cpu backend failed') }));
  }
}

/** Probe results of this worker, by model size (a worker lives as long as its panel). */
const probeCache = new Map<string, ProbeCacheEntry>();

/**
 * "auto", second stage: once the model and its data are known, time the actual model (a short
 * probe, src/core/backendProbe.ts) on the backend selectBackend found and on every later one that
 * starts, and keep the fastest. A software GPU adapter (SwiftShader, llvmpipe) is not probed when
 * wasm or cpu runs: compiling its shaders alone took the panel 20 s for hello, where wasm trains
 * the 200 steps in about a second. Backends measured slower, or left out, are added to `skipped`
 * with the figures, which the panel shows: that is its "why".
 * `register(name)` installs that backend's fused kernels (or none) after switching to it.
 */
export async function chooseByProbe(
  info: BackendInfo, spec: ModelSpec, data: SeqData, wasm: Record<string, ArrayBuffer> | undefined, register: (name: BackendName) => void,
): Promise<BackendInfo> {
  if (info.preferred !== 'auto') return info;
  const started: { name: BackendName; adapter?: BackendInfo['adapter'] }[] = [{ name: info.name, adapter: info.adapter }];
  const skipped = [...info.skipped];
  for (const name of BACKENDS.slice(BACKENDS.indexOf(info.name) + 1)) {
    const a = await attempt(name, wasm).catch((e) => ({ ok: false as const, reason: msg(e) }));
    if (a.ok) started.push({ name, adapter: a.adapter });
  }
  const cpuSide = started.some((s) => s.name === 'wasm' || s.name === 'cpu');
  const candidates = started.filter((s) => {
    if (!(cpuSide && s.adapter?.fallback)) return true;
    skipped.push({ name: s.name, reason: t('software adapter ({0}): not used while wasm or cpu can run', s.adapter.architecture) });
    return false;
  });
  const activate = async (b: BackendName) => {
    const ok = await tf.setBackend(b);
    if (ok) register(b);
    return ok;
  };
  if (candidates.length < 2) {
    const only = candidates[0] ?? started[0]!;
    await activate(only.name);
    return { name: only.name, preferred: 'auto', ...(only.adapter ? { adapter: only.adapter } : {}), skipped };
  }
  const choice = await probeBackends({
    spec, data, candidates: candidates.map((c) => c.name), activate, machine: 'panel', budgetMs: 300,
    cache: { get: (k) => probeCache.get(k), set: (k, e) => void probeCache.set(k, e) },
  });
  await activate(choice.backend as BackendName);
  const best = choice.results.find((r) => r.backend === choice.backend)!;
  const rate = (x: number) => (x >= 100 ? x.toFixed(0) : x.toPrecision(3));
  for (const r of choice.results) {
    if (r.backend !== choice.backend) skipped.push({ name: r.backend, reason: t('measured slower on this model: {0} steps/s vs {1} {2}', rate(r.stepsPerSecond), choice.backend, rate(best.stepsPerSecond)) });
  }
  for (const f of choice.failed) skipped.push({ name: f.backend as BackendName, reason: t('could not run the model: {0}', f.reason) });
  const chosen = candidates.find((c) => c.name === choice.backend)!;
  return { name: chosen.name, preferred: 'auto', ...(chosen.adapter ? { adapter: chosen.adapter } : {}), skipped };
}
