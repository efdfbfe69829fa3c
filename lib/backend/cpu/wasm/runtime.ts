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

/** 4×8 measured fastest among 2–8 × 4–16 tiles with V8's register allocator (≈42 GFLOP/s in cache). */
export const GEMM: GemmShape = { MR: 4, NR: 8, KU: 1 };

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
export function moduleBytes(shared: boolean, fma = relaxedSimd()): Uint8Array {
  const mod = new ModuleBuilder({ min: 1, max: MAX_PAGES, shared });
  emitGemm(mod, { ...GEMM, fma });
  emitPack(mod, GEMM.MR);
  if (GEMM.NR !== GEMM.MR) emitPack(mod, GEMM.NR);
  emitElementwise(mod);
  emitReduce(mod);
  return mod.toBytes();
}

export interface WasmRuntime {
  readonly heap: WasmHeap;
  readonly module: WebAssembly.Module;
  readonly kernels: Kernels;
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
 * Instantiates the kernels over a fresh heap, or returns null where WebAssembly SIMD is
 * missing or no memory can be had (then the backend is the TypeScript reference).
 */
export function createRuntime(shared = sharedMemoryWorks()): WasmRuntime | null {
  if (typeof WebAssembly !== "object") return null;
  shared &&= sharedMemoryWorks();
  const bytes = moduleBytes(shared);
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
    packA: get(`pack${GEMM.MR}`),
    packB: get(`pack${GEMM.NR}`),
    gemmMacro: get("gemm_macro"),
    // Tables, not name lookups: a dispatch must not build strings.
    unary: table(WASM_UNARY, (op) => get(`unary_${op}`)),
    binary: table(WASM_BINARY, (op) => modes((mode) => get(`binary_${op}_${mode}`))),
    compare: table(WASM_COMPARE, (op) => modes((mode) => get(`compare_${op}_${mode}`))),
    sumRows: get("sum_rows"),
    sumCols: get("sum_cols"),
  };
  return { heap, module, kernels };
}
