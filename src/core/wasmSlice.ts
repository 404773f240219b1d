/**
 * Slicing on the wasm backend without copying the whole input.
 *
 * tfjs-backend-wasm 4.22's Slice (and Unpack and SplitV, which call it) reads its input with
 * `readSync`, which copies the ENTIRE tensor out of the wasm heap before taking the slice. A
 * recurrence that takes step t of a [T, B, G*H] projection (tf.unstack) therefore copies T*B*G*H
 * floats per step, T^2*B*G*H per sequence: 999 -> 3,999 steps went 6.5 -> 99 s (issue 15 item 4).
 * These kernels read the input through a view of the heap instead, so a slice costs its own size.
 *
 * Registered once for the wasm backend by whoever sets that backend up (src/node/backend.ts,
 * webview/backend.ts). Platform-neutral: only tfjs-core's kernel registry is used; string tensors
 * keep the original kernels.
 */
import * as tf from './tf';

/** The part of tfjs-backend-wasm's BackendWasm these kernels use. */
interface WasmBackend {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(t: tf.TensorInfo): Float32Array | Int32Array | Uint8Array;
}

/** Row-major strides of a shape. */
function strides(shape: number[]): number[] {
  const s = new Array<number>(shape.length).fill(1);
  for (let i = shape.length - 2; i >= 0; i--) s[i] = s[i + 1] * shape[i + 1];
  return s;
}

/**
 * out = x[begin : begin + size] (every axis), copied run by run: a run is the innermost axis
 * (or the whole slice when it is contiguous in x). The views are taken after makeOutput, which
 * may grow (and so move) the heap.
 */
function sliceInto(backend: WasmBackend, x: tf.TensorInfo, begin: number[], size: number[]): tf.TensorInfo {
  const out = backend.makeOutput(size, x.dtype);
  const n = size.reduce((a, b) => a * b, 1);
  if (n === 0) return out;
  const xs = backend.typedArrayFromHeap(x);
  const os = backend.typedArrayFromHeap(out);
  const st = strides(x.shape);
  const r = x.shape.length;
  // the slice is one contiguous run when, after the first axis whose size is not 1, every axis is whole
  let k = 0;
  while (k < r && size[k] === 1) k++;
  const contiguous = size.every((s, j) => j <= k || (begin[j] === 0 && s === x.shape[j]));
  const offset = (idx: number[]) => idx.reduce((a, v, j) => a + (begin[j] + v) * st[j], 0);
  if (contiguous) {
    const o = offset(new Array<number>(r).fill(0));
    os.set(xs.subarray(o, o + n));
    return out;
  }
  const run = size[r - 1];
  const idx = new Array<number>(r).fill(0);
  for (let at = 0; at < n; at += run) {
    const o = offset(idx);
    os.set(xs.subarray(o, o + run), at);
    // advance the index over every axis but the last
    for (let j = r - 2; j >= 0; j--) {
      if (++idx[j] < size[j]) break;
      idx[j] = 0;
    }
  }
  return out;
}

let installed = false;

/** Replace the wasm Slice, Unpack and SplitV kernels with ones that do not copy their whole input. */
export function installWasmSliceKernels(): void {
  if (installed) return;
  const original = (name: string) => tf.getKernel(name, 'wasm')?.kernelFunc;
  const slice0 = original(tf.Slice);
  const unpack0 = original(tf.Unpack);
  const split0 = original(tf.SplitV);
  if (!slice0 || !unpack0 || !split0) return; // the wasm backend is not loaded here
  installed = true;
  const register = (kernelName: string, kernelFunc: tf.KernelFunc) => {
    tf.unregisterKernel(kernelName, 'wasm');
    tf.registerKernel({ kernelName, backendName: 'wasm', kernelFunc });
  };

  register(tf.Slice, (args) => {
    const x = args.inputs.x as tf.TensorInfo;
    if (x.dtype === 'string') return slice0(args);
    const { begin, size } = args.attrs as unknown as tf.SliceAttrs;
    const [b, s] = tf.slice_util.parseSliceParams(x as tf.Tensor, begin, size);
    return sliceInto(args.backend as unknown as WasmBackend, x, b, s);
  });

  // tf.unstack: numOutputs slices of size 1 along the axis, the axis then dropped
  register(tf.Unpack, (args) => {
    const x = args.inputs.value as tf.TensorInfo;
    if (x.dtype === 'string') return unpack0(args);
    const rank = x.shape.length;
    const axis = ((args.attrs as unknown as tf.UnpackAttrs).axis + rank) % rank;
    const outShape = x.shape.filter((_, j) => j !== axis);
    const size = x.shape.slice();
    size[axis] = 1;
    return Array.from({ length: x.shape[axis] }, (_, i) => {
      const begin = new Array<number>(rank).fill(0);
      begin[axis] = i;
      const t = sliceInto(args.backend as unknown as WasmBackend, x, begin, size);
      return { dataId: t.dataId, dtype: t.dtype, shape: outShape };
    });
  });

  // tf.split: consecutive slices along the axis
  register(tf.SplitV, (args) => {
    const x = args.inputs.x as tf.TensorInfo;
    if (x.dtype === 'string') return split0(args);
    const { numOrSizeSplits, axis } = args.attrs as unknown as tf.SplitVAttrs;
    const ax = tf.util.parseAxisParam(axis, x.shape)[0];
    const sizes = tf.backend_util.prepareSplitSize(x as tf.Tensor, numOrSizeSplits, ax);
    const begin = new Array<number>(x.shape.length).fill(0);
    return sizes.map((n) => {
      const size = x.shape.slice();
      size[ax] = n;
      const t = sliceInto(args.backend as unknown as WasmBackend, x, begin.slice(), size);
      begin[ax] += n;
      return t;
    });
  });
}
