import { allocArray, bytesPerElement, dtypeOfArray, type DType, type TypedArray } from "../../tensor/dtype.js";
import { CPU_TRACK_MIN_BYTES, canCollectNow, reclaimIfPressed } from "../../tensor/storage.js";
import { sizeOf } from "../../tensor/shape.js";
import type { BinaryOp, ReduceOp, UnaryOp, View } from "../backend.js";
import { ReferenceCpuBackend } from "./reference-backend.js";
import { WASM_BINARY, WASM_COMPARE, WASM_UNARY, type WasmBinaryOp, type WasmCompareOp, type WasmUnaryOp } from "./wasm/kernels/elementwise.js";
import { WasmOps } from "./wasm/ops.js";
import { MAX_PAGES } from "./wasm/heap.js";
import { updateModuleBytes } from "./wasm/kernels/update.js";
import type { UpdatePlan } from "../update.js";
import { createRuntime } from "./wasm/runtime.js";
import { GemmPool, PARALLEL_MIN_MACS } from "./wasm/threads.js";
import { nativeBlas } from "./native-blas.js";

type V = View<TypedArray>;

/**
 * Tensors at least this big live in Wasm memory. It must not be below the size from which
 * Storage registers buffers for release (smaller ones are never handed back to `dispose`).
 */
export const RESIDENT_MIN_BYTES = Math.max(1024, CPU_TRACK_MIN_BYTES);
/**
 * Below this many elements a kernel call (and staging of JS-array operands) costs more than
 * the JS loop. Measured break-even: ~200 (add of two JS arrays: 64 → JS 0.35 µs vs 0.93 µs;
 * 1024 → JS 2.7 µs vs 1.4 µs).
 */
export const WASM_MIN_ELEMENTS = 256;
/**
 * Below this many multiply-adds per matrix the JS matmul wins: packing and calls cost ~1 µs
 * (measured: 4³ JS 0.44 vs 0.93 µs; 8³ JS 1.7 vs 1.0 µs; 32³ JS 63 vs 3.4 µs).
 */
export const WASM_MIN_MACS = 512;
/** Arrays larger than this given to `upload` stay in JS memory (see upload). */
export const UPLOAD_MAX_BYTES = 64 * 1024 * 1024;

/**
 * The CPU backend: WebAssembly SIMD kernels for the float32 hot paths (matmul, elementwise
 * arithmetic, comparisons, sums), the TypeScript reference for everything else. Large tensors
 * are allocated inside the Wasm memory so kernels read and write them without copies.
 * Where WebAssembly or SIMD is missing the whole backend is the reference.
 */
export class CpuBackend extends ReferenceCpuBackend {
  private wasmOps: WasmOps | null | undefined;
  private readonly wasmWanted: boolean;
  private readonly sharedMemory: boolean | undefined;
  private readonly threadCap: number | undefined;
  private readonly nativeWanted: boolean;
  private threading: Promise<number> | null = null;

  /**
   * `wasm: false` gives the pure TypeScript backend. `threads` caps matmul threads
   * (default: env GRADLAB_CPU_THREADS, else one per core up to 4; 1 = no helper threads).
   * `sharedMemory: false` runs as where SharedArrayBuffer is unavailable (a browser page
   * without cross-origin isolation): tensors stay in JS arrays, kernels copy in and out.
   * `nativeBlas: false` keeps float32 matmuls on the Wasm kernels even where the system BLAS
   * was built (native-blas.ts; GRADLAB_NATIVE_BLAS=0 does the same for every backend).
   */
  constructor(options: { wasm?: boolean; threads?: number; sharedMemory?: boolean; nativeBlas?: boolean } = {}) {
    super();
    this.wasmWanted = options.wasm !== false;
    this.nativeWanted = options.nativeBlas !== false;
    this.sharedMemory = options.sharedMemory;
    const env = typeof process !== "undefined" ? process.env?.["GRADLAB_CPU_THREADS"] : undefined;
    this.threadCap = options.threads ?? (env ? Number(env) : undefined);
  }

  /**
   * @internal The Wasm side, null where it is unavailable or switched off. Built on first use:
   * generating and compiling the kernels takes ~15 ms, which a kernel whose first cells use no
   * CPU tensor (or whose backend is WebGPU) need not spend before its first reply.
   */
  get wasm(): WasmOps | null {
    if (this.wasmOps === undefined) {
      const rt = this.wasmWanted ? createRuntime(this.sharedMemory) : null;
      // Where garbage can be collected on demand, the collection policy (reclaimIfPressed)
      // bounds what piles up; the heap's own fallback to JS arrays is for hosts without it.
      if (rt && canCollectNow) rt.heap.growthWithoutFree = Infinity;
      this.wasmOps = rt ? new WasmOps(rt) : null;
      if (this.wasmOps && this.nativeWanted) this.wasmOps.findNative = nativeBlas;
    }
    return this.wasmOps;
  }

  /**
   * @internal Starts the helper threads for large matmuls, resolving to the number of threads
   * they use. The first large matmul starts them too: lessons on small tensors never pay for
   * a thread. A thread still booting takes no work, so nothing waits for it.
   */
  startThreads(): Promise<number> {
    if (this.threading) return this.threading;
    const w = this.wasm;
    if (!w || this.threadCap === 1) return (this.threading = Promise.resolve(1));
    const attach = (pool: GemmPool | null): number => {
      if (!pool) return 1;
      w.runSlice = pool.runSlice;
      return pool.workers.length + 1;
    };
    const started = GemmPool.start(w.rt, this.threadCap);
    return (this.threading = started instanceof Promise ? started.then(attach, () => 1) : Promise.resolve(attach(started)));
  }

  protected override alloc(dtype: DType, n: number): TypedArray {
    const out = this.allocUninit(dtype, n);
    if (this.wasm?.rt.heap.owns(out)) out.fill(0); // recycled blocks hold old values
    return out;
  }

  protected override allocUninit(dtype: DType, n: number): TypedArray {
    // Small buffers (every scalar op) leave at the first test: 8 bytes is the widest element.
    if (n * 8 < RESIDENT_MIN_BYTES || this.wasm === null) return allocArray(dtype, n);
    const heap = this.wasm.rt.heap;
    const bytes = n * bytesPerElement(dtype);
    // Only a shared memory keeps views valid when it grows; an unshared heap holds scratch only.
    if (heap.shared && bytes >= RESIDENT_MIN_BYTES) {
      reclaimIfPressed("cpu", bytes);
      const ptr = heap.alloc(bytes, true);
      if (ptr !== 0) return heap.view(dtype, ptr, n);
    }
    return allocArray(dtype, n);
  }

  /**
   * Large arrays are copied into the heap once, so every kernel then reads them in place.
   * A heap array is copied too: two tensors must never own one block (each would free it).
   * Beyond UPLOAD_MAX_BYTES (a whole dataset) the array stays where it is and kernels stage
   * the parts they read, leaving the resident budget to the tensors computed from it.
   */
  override upload(data: TypedArray): TypedArray {
    const heap = this.wasm?.rt.heap;
    if (!heap || data.byteLength < RESIDENT_MIN_BYTES || (data.byteLength > UPLOAD_MAX_BYTES && !heap.owns(data))) return data;
    const out = this.allocUninit(dtypeOfArray(data), data.length);
    if (!heap.owns(out) && !heap.owns(data)) return data; // no room in the heap: keep the caller's array
    out.set(data);
    return out;
  }

  /**
   * Views made before the Wasm memory grew keep the smaller SharedArrayBuffer they were made
   * over, so two tensors in this memory need not share a buffer object; the current one spans both.
   */
  protected override wholeMemory(a: TypedArray, b: TypedArray): TypedArray | null {
    const heap = this.wasm?.rt.heap;
    if (!heap || a.constructor !== b.constructor || !heap.owns(a) || !heap.owns(b)) return super.wholeMemory(a, b);
    return new (a.constructor as new (buffer: ArrayBufferLike) => TypedArray)(heap.bytes);
  }

  override dispose(buf: TypedArray): void {
    const heap = this.wasm?.rt.heap;
    if (!heap?.owns(buf)) return;
    // Tests poison freed blocks, so a read of memory freed too early shows up as NaN.
    if (this.poisonFreed) buf.fill(buf instanceof Float32Array || buf instanceof Float64Array ? NaN : -1);
    heap.free(buf.byteOffset);
  }

  /** @internal for tests: fill every block with NaN (or -1) as it is freed */
  poisonFreed = false;

  /** Only Wasm memory goes back by hand; plain arrays are the garbage collector's. */
  needsRelease(buf: TypedArray): boolean {
    return this.wasm?.rt.heap.owns(buf) ?? false;
  }

  override update(plan: UpdatePlan, targets: readonly V[], inputs: readonly V[], inPlace: readonly boolean[]): TypedArray[] {
    const w = this.wasm;
    const n = sizeOf(targets[0]!.shape);
    if (w === null || targets[0]!.dtype !== "float32" || n < WASM_MIN_ELEMENTS) return super.update(plan, targets, inputs, inPlace);
    const outs = targets.map((t, k) => (inPlace[k] ? t.buf : this.allocUninit("float32", n)));
    const arena = w.arena;
    const reads = targets.map((t) => arena.input(t));
    const writes = outs.map((o, k) => arena.output(o === targets[k]!.buf ? o.subarray(targets[k]!.offset, targets[k]!.offset + n) : o));
    const xs = inputs.map((x) => arena.input(x));
    if (reads.includes(0) || writes.includes(0) || xs.includes(0)) {
      arena.release();
      outs.forEach((o, k) => o !== targets[k]!.buf && this.dispose(o));
      return super.update(plan, targets, inputs, inPlace);
    }
    const args: number[] = [];
    reads.forEach((r, k) => args.push(r, writes[k]!));
    args.push(...xs, n, ...plan.consts);
    try {
      this.updateKernel(w, plan)(...args);
    } finally {
      arena.finish();
    }
    return outs;
  }

  private readonly updateKernels = new Map<string, (...args: number[]) => void>();

  /** Compiled on first use of a formula (~1 ms), in a module of its own over the same memory. */
  private updateKernel(w: WasmOps, plan: UpdatePlan): (...args: number[]) => void {
    let k = this.updateKernels.get(plan.key);
    if (!k) {
      const heap = w.rt.heap;
      const module = new WebAssembly.Module(updateModuleBytes(plan, { min: 1, max: MAX_PAGES, shared: heap.shared }));
      const instance = new WebAssembly.Instance(module, { env: { memory: heap.memory } });
      k = instance.exports["update"] as (...args: number[]) => void;
      this.updateKernels.set(plan.key, k);
    }
    return k;
  }

  override unary(op: UnaryOp, x: V, outDtype: DType): TypedArray {
    const w = this.wasm;
    if (w !== null && x.shape.length > 0 && x.dtype === "float32" && outDtype === "float32" && op in WASM_UNARY) {
      const n = sizeOf(x.shape);
      if (n < WASM_MIN_ELEMENTS) return super.unary(op, x, outDtype);
      const out = this.allocUninit(outDtype, n);
      if (w.unary(op as WasmUnaryOp, x, out)) return out;
      this.dispose(out);
    }
    return super.unary(op, x, outDtype);
  }

  override binary(op: BinaryOp, a: V, b: V, outShape: readonly number[], outDtype: DType): TypedArray {
    const w = this.wasm;
    // 0-d operands (the scalar path) go straight to the reference.
    if (w !== null && outShape.length > 0 && a.dtype === "float32" && b.dtype === "float32") {
      const n = sizeOf(outShape);
      if (n < WASM_MIN_ELEMENTS) return super.binary(op, a, b, outShape, outDtype);
      const kernels =
        outDtype === "float32" && op in WASM_BINARY ? w.rt.kernels.binary[op as WasmBinaryOp] :
        outDtype === "bool" && op in WASM_COMPARE ? w.rt.kernels.compare[op as WasmCompareOp] : null;
      if (kernels) {
        const out = this.allocUninit(outDtype, n);
        if (w.binary(kernels, a, b, outShape, out)) return out;
        this.dispose(out);
      }
    }
    return super.binary(op, a, b, outShape, outDtype);
  }

  override reduce(op: ReduceOp, x: V, axes: readonly number[], outDtype: DType): TypedArray {
    const w = this.wasm;
    if (w && op === "sum" && x.dtype === "float32" && outDtype === "float32" && sizeOf(x.shape) >= WASM_MIN_ELEMENTS) {
      let kept = 1;
      for (let d = 0; d < x.shape.length; d++) if (!axes.includes(d)) kept *= x.shape[d]!;
      const out = this.allocUninit(outDtype, kept);
      if (w.sum(x, axes, out)) return out;
      this.dispose(out);
    }
    return super.reduce(op, x, axes, outDtype);
  }

  override matmul(a: V, b: V, outDtype: DType): TypedArray {
    const w = this.wasm;
    const nd = a.shape.length;
    const n = b.shape[nd - 1]!;
    const macs = a.shape[nd - 2]! * a.shape[nd - 1]! * n; // per matrix of a batch
    if (w && a.dtype === "float32" && b.dtype === "float32" && outDtype === "float32" && macs >= WASM_MIN_MACS) {
      // The native BLAS runs a product on one core; the helper threads serve the Wasm kernels.
      if (this.threading === null && macs >= PARALLEL_MIN_MACS && !w.native) void this.startThreads();
      // [...batch, m] rows of n: every axis of a but the last.
      let rows = 1;
      for (let d = 0; d < nd - 1; d++) rows *= a.shape[d]!;
      const out = this.allocUninit(outDtype, rows * n);
      if (w.matmul(a, b, out)) return out;
      this.dispose(out);
    }
    return super.matmul(a, b, outDtype);
  }
}
