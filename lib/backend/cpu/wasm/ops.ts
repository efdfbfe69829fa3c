import type { TypedArray } from "../../../tensor/dtype.js";
import type { View } from "../../backend.js";
import { Arena } from "./arena.js";
import { blockCount, gemm, runBlock, type SliceRunner } from "./gemm-driver.js";
import type { BinaryMode, WasmUnaryOp } from "./kernels/elementwise.js";
import { blockDims, collapse, forEachBlock, type Collapsed } from "./layout.js";
import type { WasmRuntime } from "./runtime.js";
import type { NativeBlas } from "../native-blas.js";

type V = View<TypedArray>;
type Kernel = (...args: number[]) => void;

/**
 * Runs float32 ops on the Wasm kernels: stages operands, splits the loop nest into the 2-D
 * blocks the kernels take, calls them. Every method returns false without side effects when
 * the layout is not one the kernels handle (the caller then runs the TypeScript reference).
 */
export class WasmOps {
  readonly arena: Arena;
  /** How a packed GEMM slice is run: here on this thread; a thread pool replaces it. */
  runSlice: SliceRunner;
  /**
   * Finds the system BLAS for float32 products where one was built (native-blas.ts). Asked on
   * each matmul, so only a program that multiplies matrices loads it (~4 ms, 2.5 MB, a thread).
   */
  findNative: () => NativeBlas | null = () => null;

  constructor(readonly rt: WasmRuntime) {
    this.arena = new Arena(rt.heap);
    this.runSlice = (s, scratch) => {
      const blocks = blockCount(s);
      for (let t = 0; t < blocks; t++) runBlock(rt, s, t, scratch);
    };
  }

  /** The system BLAS, or null: the packing kernels. */
  get native(): NativeBlas | null {
    return this.findNative();
  }

  unary(op: WasmUnaryOp, x: V, out: TypedArray): boolean {
    const c = collapse(x.shape, [x.strides]);
    const { rows, cols, rowStrides, colStrides } = blockDims(c);
    if (cols > 1 && colStrides[0] !== 1) return false;
    const kernel = this.rt.kernels.unary[op];
    return this.run(c, [x], out, (p, o) => kernel(p[0]!, rowStrides[0]! * 4, o, rows, cols));
  }

  /** Binary float32 op (or comparison, writing bools) over inputs broadcast to `shape`. */
  binary(kernels: Readonly<Record<BinaryMode, Kernel>>, a: V, b: V, shape: readonly number[], out: TypedArray): boolean {
    const c = collapse(shape, [a.strides, b.strides]);
    const { rows, cols, rowStrides, colStrides } = blockDims(c);
    const modeOf = (s: number) => (cols === 1 || s === 1 ? "v" : s === 0 ? "s" : null);
    const ma = modeOf(colStrides[0]!);
    const mb = modeOf(colStrides[1]!);
    if (!ma || !mb || (ma === "s" && mb === "s")) return false;
    const kernel = kernels[ma === "s" ? "sv" : mb === "s" ? "vs" : "vv"];
    const [ra, rb] = [rowStrides[0]! * 4, rowStrides[1]! * 4];
    return this.run(c, [a, b], out, (p, o) => kernel(p[0]!, ra, p[1]!, rb, o, rows, cols));
  }

  /**
   * Sum over `axes` into a contiguous float32 `out`. The reduced and kept axes must collapse
   * into kept-rows × reduced-columns (row sums) or reduced-rows × kept-columns (column sums,
   * e.g. a bias gradient), possibly under leading kept axes.
   */
  sum(x: V, axes: readonly number[], out: TypedArray): boolean {
    // Collapse reduced and kept axes separately: a run merges only with a neighbour of its kind.
    const dims: { n: number; s: number; r: boolean }[] = [];
    for (let d = 0; d < x.shape.length; d++) {
      const n = x.shape[d]!;
      if (n === 1) continue;
      const s = x.strides[d]!;
      const r = axes.includes(d);
      const last = dims[dims.length - 1];
      if (last && last.r === r && last.s === s * n) {
        last.n *= n;
        last.s = s;
      } else dims.push({ n, s, r });
    }
    const inner = dims[dims.length - 1] ?? { n: 1, s: 1, r: true };
    const rowDim = dims.length >= 2 ? dims[dims.length - 2]! : { n: 1, s: 0, r: !inner.r };
    const lead = dims.slice(0, Math.max(0, dims.length - 2));
    if (inner.n > 1 && inner.s !== 1) return false;
    if (rowDim.r === inner.r || lead.some((d) => d.r)) return false;
    const xPtr = this.arena.input(x);
    const oPtr = this.arena.output(out);
    const acc = inner.r ? 1 : this.arena.scratch(inner.n * 8);
    if (!xPtr || !oPtr || !acc) {
      this.arena.release();
      return false;
    }
    // Leading kept axes, then a 1×1 block: forEachBlock's output offset counts blocks.
    const c: Collapsed = { shape: [...lead.map((d) => d.n), 1, 1], strides: [[...lead.map((d) => d.s), 0, 0]] };
    const outBlock = inner.r ? rowDim.n : inner.n;
    const k = this.rt.kernels;
    try {
      forEachBlock(c, [0], (offs, t) => {
        const xp = xPtr + offs[0]! * 4;
        const op = oPtr + t * outBlock * 4;
        if (inner.r) k.sumRows(xp, rowDim.s * 4, op, rowDim.n, inner.n);
        else k.sumCols(xp, rowDim.s * 4, op, rowDim.n, inner.n, acc);
      });
    } catch (e) {
      this.arena.release();
      throw e;
    }
    this.arena.finish();
    return true;
  }

  matmul(a: V, b: V, out: TypedArray): boolean {
    try {
      return gemm(this.rt, this.arena, a, b, out, this.runSlice, this.native);
    } catch (e) {
      this.arena.release(); // a throwing call must not leave scratch for the next one to copy out
      throw e;
    }
  }

  /** Stages inputs and output, then calls `block(inputAddresses, outputAddress)` per 2-D block. */
  private run(c: Collapsed, inputs: readonly V[], out: TypedArray, block: (p: readonly number[], o: number) => void): boolean {
    const ptrs = inputs.map((v) => this.arena.input(v));
    const o = this.arena.output(out);
    if (!o || ptrs.includes(0)) {
      this.arena.release();
      return false;
    }
    const bpe = out.BYTES_PER_ELEMENT;
    const nd = c.shape.length;
    try {
      if (nd <= 2) block(ptrs, o);
      else {
        const addr = ptrs.slice();
        forEachBlock(c, ptrs.map(() => 0), (offs, t) => {
          for (let i = 0; i < ptrs.length; i++) addr[i] = ptrs[i]! + offs[i]! * inputs[i]!.buf.BYTES_PER_ELEMENT;
          block(addr, o + t * bpe);
        });
      }
    } catch (e) {
      this.arena.release();
      throw e;
    }
    this.arena.finish();
    return true;
  }
}
