import { ModuleBuilder } from "./emit/module.js";
import { MAX_PAGES, WasmHeap } from "./heap.js";
import {
  BINARY_MODES, WASM_BINARY, WASM_COMPARE, WASM_UNARY, emitElementwise,
  type BinaryMode, type WasmBinaryOp, type WasmCompareOp, type WasmUnaryOp,
} from "./kernels/elementwise.js";
import { emitGemm, type GemmShape } from "./kernels/gemm.js";
import { emitPack } from "./kernels/pack.js";
import { emitReduce } from "./kernels/reduce.js";
import { relaxedSimd } from "./features.js";

/**
 * The micro-kernel's register tile. V8 gives Wasm 15 vector registers on x64 (the 16th is its
 * scratch). With a fused multiply-add, 6×8 (12 accumulators, 2 of B, 1 of A) fits and keeps
 * enough independent FMAs in flight: 56 GFLOP/s in cache against 50 for 4×8, where this
 * machine's FMA peak is 57. A separate multiply needs a register for the product, so 6×8
 * spills (28 GFLOP/s) and 4×8 is best there (41); wider tiles (4×12, 3×16, 8×8) spill either way.
 */
export function gemmShape(fma: boolean): GemmShape {
  return { MR: fma ? 6 : 4, NR: 8, KU: 1, fma };
}

type Kernel = (...args: number[]) => void;

/** The kernels' entry points, typed by what they take (all pointers and strides in bytes). */
export interface Kernels {
  /** (src, lineStride, stepStride, lines, kc, dst) */
  packA: Kernel;
  packB: Kernel;
  /** (ap, bp, c, m, n, kc, ldc, accumulate, tmp) */
  gemmMacro: Kernel;
  /** (x, xRow, out, rows, cols) */
  unary: Readonly<Record<WasmUnaryOp, Kernel>>;
  /** (a, aRow, b, bRow, out, rows, cols), by op then broadcast mode */
  binary: Readonly<Record<WasmBinaryOp, Readonly<Record<BinaryMode, Kernel>>>>;
  compare: Readonly<Record<WasmCompareOp, Readonly<Record<BinaryMode, Kernel>>>>;
  /** (x, xRow, out, rows, cols) */
  sumRows: Kernel;
  /** (x, xRow, out, rows, cols, acc) */
  sumCols: Kernel;
}

/** The module's bytes, generated from the TypeScript kernel sources at load (~16 KB, a few ms). */
export function moduleBytes(shared: boolean, shape = gemmShape(relaxedSimd())): Uint8Array {
  const mod = new ModuleBuilder({ min: 1, max: MAX_PAGES, shared });
  emitGemm(mod, shape);
  emitPack(mod, shape.MR);
  if (shape.NR !== shape.MR) emitPack(mod, shape.NR);
  emitElementwise(mod);
  emitReduce(mod);
  return mod.toBytes();
}

export interface WasmRuntime {
  readonly heap: WasmHeap;
  readonly module: WebAssembly.Module;
  readonly kernels: Kernels;
  /** The register tile the module's GEMM kernels were built for (packing and blocking follow it). */
  readonly gemm: GemmShape;
}

function table<K extends string, V>(keys: Record<K, unknown>, make: (k: K) => V): Record<K, V> {
  const out = {} as Record<K, V>;
  for (const k of Object.keys(keys) as K[]) out[k] = make(k);
  return out;
}

function modes<V>(make: (m: BinaryMode) => V): Record<BinaryMode, V> {
  const out = {} as Record<BinaryMode, V>;
  for (const m of BINARY_MODES) out[m] = make(m);
  return out;
}

function sharedMemoryWorks(): boolean {
  try {
    return new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true } as WebAssembly.MemoryDescriptor).buffer instanceof SharedArrayBuffer;
  } catch {
    return false; // e.g. a browser page without cross-origin isolation
  }
}

/**
 * Instantiates the kernels over a fresh heap, with a fused multiply-add where the engine has one
 * (unless `fma` is false), or returns null where WebAssembly SIMD is missing or no memory can be
 * had (then the backend is the TypeScript reference).
 */
export function createRuntime(shared = sharedMemoryWorks(), fma = true): WasmRuntime | null {
  if (typeof WebAssembly !== "object") return null;
  shared &&= sharedMemoryWorks();
  const gemm = gemmShape(fma && relaxedSimd());
  const bytes = moduleBytes(shared, gemm);
  if (!WebAssembly.validate(bytes)) return null; // no SIMD (very old engines)
  let heap: WasmHeap;
  try {
    heap = new WasmHeap(shared);
  } catch {
    return null; // a shared memory reserves 4 GiB of address space, which a ulimit can refuse
  }
  const module = new WebAssembly.Module(bytes);
  const instance = new WebAssembly.Instance(module, { env: { memory: heap.memory } });
  const ex = instance.exports as Record<string, Kernel>;
  const get = (name: string): Kernel => {
    const f = ex[name];
    if (typeof f !== "function") throw new Error(`internal: the Wasm kernel module has no export ${name}`);
    return f;
  };
  const kernels: Kernels = {
    packA: get(`pack${gemm.MR}`),
    packB: get(`pack${gemm.NR}`),
    gemmMacro: get("gemm_macro"),
    // Tables, not name lookups: a dispatch must not build strings.
    unary: table(WASM_UNARY, (op) => get(`unary_${op}`)),
    binary: table(WASM_BINARY, (op) => modes((mode) => get(`binary_${op}_${mode}`))),
    compare: table(WASM_COMPARE, (op) => modes((mode) => get(`compare_${op}_${mode}`))),
    sumRows: get("sum_rows"),
    sumCols: get("sum_cols"),
  };
  return { heap, module, kernels, gemm };
}
