import { allocArray, type DType, type TypedArray } from "../../tensor/dtype.js";
import { GradlabError } from "../../tensor/errors.js";
import { contiguousStrides, isContiguous, sizeOf } from "../../tensor/shape.js";
import type { Backend, BinaryOp, ReduceOp, UnaryOp, View } from "../backend.js";
import { binaryLoop, reduceLoop, ternaryLoop, unaryLoop, type BinaryLoop, type ReduceLoop, type UnaryLoop } from "./codegen.js";
import { BINARY_EXPR, CAST_EXPR, REDUCE_INIT, REDUCE_UPDATE, UNARY_EXPR } from "./exprs.js";
import { matmulBlock } from "./matmul.js";
import { runUpdate, type UpdatePlan } from "../update.js";

type V = View<TypedArray>;

/**
 * Loops are generated on first use of an op and kept in a plain object: a property load is
 * several times cheaper than a Map lookup, which matters on the scalar path (~0.5 µs per op).
 */
function memo<K extends string, F>(make: (k: K) => F): (k: K) => F {
  const cache = Object.create(null) as Partial<Record<K, F>>;
  return (k) => cache[k] ?? (cache[k] = make(k));
}

const unaryFn = memo<UnaryOp, UnaryLoop>((op) => unaryLoop(UNARY_EXPR[op]));
const binaryFn = memo<BinaryOp, BinaryLoop>((op) => binaryLoop(BINARY_EXPR[op]));
const reduceFn = memo<ReduceOp, ReduceLoop>((op) => reduceLoop(REDUCE_UPDATE[op]));
// Scratch of the reductions (kernels never run re-entrantly: they call no user code).
const ACC_STRIDES = new Array<number>(32).fill(0);
const ACC_SCRATCH = new Float64Array(4096);

const copyPlain = unaryLoop(CAST_EXPR.plain);
const copyToBool = unaryLoop(CAST_EXPR.toBool);
const whereLoop = ternaryLoop("(c ? a : b)");

function isRowMajor(shape: readonly number[], strides: readonly number[], nd: number): boolean {
  const rows = shape[nd - 2]!;
  const cols = shape[nd - 1]!;
  return (cols === 1 || strides[nd - 1] === 1) && (rows === 1 || strides[nd - 2] === cols);
}

function isColMajor(shape: readonly number[], strides: readonly number[], nd: number): boolean {
  const rows = shape[nd - 2]!;
  const cols = shape[nd - 1]!;
  return (rows === 1 || strides[nd - 2] === 1) && (cols === 1 || strides[nd - 1] === rows);
}

/** Walks all index tuples of `shape`, calling `visit` with the running offsets of two stride sets. */
function forEachIndex(
  shape: readonly number[], s1: readonly number[], o1: number, s2: readonly number[], o2: number,
  visit: (p1: number, p2: number) => void,
): void {
  const n = sizeOf(shape);
  if (n === 0) return;
  const nd = shape.length;
  const idx = new Int32Array(nd);
  for (let r = 0; r < n; r++) {
    visit(o1, o2);
    for (let d = nd - 1; d >= 0; d--) {
      idx[d]!++;
      o1 += s1[d]!;
      o2 += s2[d]!;
      if (idx[d]! < shape[d]!) break;
      o1 -= s1[d]! * shape[d]!;
      o2 -= s2[d]! * shape[d]!;
      idx[d] = 0;
    }
  }
}

/** Whether gather along axis 0 picks whole contiguous rows: the index repeats along every other axis. */
function takesWholeRows(x: V, axis: number, idx: V): boolean {
  if (axis !== 0 || x.shape.length < 2) return false;
  for (let d = 1; d < x.shape.length; d++) if (idx.strides[d] !== 0 || idx.shape[d] !== x.shape[d]) return false;
  return contiguousStrides(x.shape).every((s, d) => d === 0 || x.shape[d] === 1 || x.strides[d] === s);
}

/**
 * The CPU backend in plain TypeScript: every kernel, for every dtype and layout. It is the
 * reference the Wasm kernels are tested against, and what runs where they do not apply
 * (tiny tensors, float64, int32, bool, transcendental functions). Outputs come from two
 * hooks, so a subclass can place them (the Wasm backend puts large ones in Wasm memory).
 */
export class ReferenceCpuBackend implements Backend<TypedArray> {
  readonly name = "cpu" as const;
  readonly syncReadback = true;

  /** An output buffer of `n` elements, zero-filled. */
  protected alloc(dtype: DType, n: number): TypedArray {
    return allocArray(dtype, n);
  }

  /** An output buffer the caller writes completely, so it need not be zeroed first. */
  protected allocUninit(dtype: DType, n: number): TypedArray {
    return this.alloc(dtype, n);
  }

  upload(data: TypedArray): TypedArray {
    return data;
  }

  fill(size: number, value: number, dtype: DType): TypedArray {
    const out = value === 0 ? this.alloc(dtype, size) : this.allocUninit(dtype, size);
    if (value !== 0) out.fill(value);
    return out;
  }

  read(buf: TypedArray, _dtype: DType, start: number, count: number): Promise<TypedArray> {
    return Promise.resolve(buf.slice(start, start + count));
  }

  readSync(buf: TypedArray, _dtype: DType, start: number, count: number): TypedArray {
    return buf.slice(start, start + count);
  }

  byteSize(buf: TypedArray): number {
    return buf.byteLength;
  }

  dispose(_buf: TypedArray): void {
    // Typed arrays are reclaimed by the garbage collector.
  }

  update(plan: UpdatePlan, targets: readonly V[], inputs: readonly V[], inPlace: readonly boolean[]): TypedArray[] {
    const n = sizeOf(targets[0]!.shape);
    const part = (v: V) => v.buf.subarray(v.offset, v.offset + n);
    const outs = targets.map((t, k) => (inPlace[k] ? t.buf : this.allocUninit(t.dtype, n)));
    const outParts = outs.map((o, k) => (o === targets[k]!.buf ? part(targets[k]!) : o));
    runUpdate(plan, targets.map(part), inputs.map(part), outParts, n, targets[0]!.dtype === "float32");
    return outs;
  }

  unary(op: UnaryOp, x: V, outDtype: DType): TypedArray {
    const out = this.allocUninit(outDtype, sizeOf(x.shape));
    unaryFn(op)(x.buf, x.shape, x.strides, x.offset, out);
    return out;
  }

  binary(op: BinaryOp, a: V, b: V, outShape: readonly number[], outDtype: DType): TypedArray {
    const out = this.allocUninit(outDtype, sizeOf(outShape));
    binaryFn(op)(a.buf, a.strides, a.offset, b.buf, b.strides, b.offset, outShape, out);
    return out;
  }

  where(c: V, a: V, b: V, outShape: readonly number[], outDtype: DType): TypedArray {
    const out = this.allocUninit(outDtype, sizeOf(outShape));
    whereLoop(c.buf, c.strides, c.offset, a.buf, a.strides, a.offset, b.buf, b.strides, b.offset, outShape, out);
    return out;
  }

  reduce(op: ReduceOp, x: V, axes: readonly number[], outDtype: DType): TypedArray {
    // The accumulator's stride per input axis: 0 on reduced axes, row-major over kept ones.
    const nd = x.shape.length;
    const accStrides = nd <= ACC_STRIDES.length ? ACC_STRIDES : new Array<number>(nd);
    let kept = 1;
    for (let d = nd - 1; d >= 0; d--) {
      if (axes.includes(d)) accStrides[d] = 0;
      else {
        accStrides[d] = kept;
        kept *= x.shape[d]!;
      }
    }
    // Accumulate in float64 so long float32 sums do not drift; small sums reuse one scratch
    // accumulator, so a reduction allocates nothing but its result.
    const acc = kept <= ACC_SCRATCH.length ? ACC_SCRATCH : new Float64Array(kept);
    acc.fill(REDUCE_INIT[op], 0, kept);
    reduceFn(op)(x.buf, x.shape, x.strides, x.offset, accStrides, acc);
    const out = this.allocUninit(outDtype, kept);
    for (let i = 0; i < kept; i++) out[i] = acc[i]!;
    return out;
  }

  argReduce(op: "argmax" | "argmin", x: V, axis: number): TypedArray {
    const outShape = x.shape.filter((_, i) => i !== axis);
    const outStrides = x.strides.filter((_, i) => i !== axis);
    const len = x.shape[axis]!;
    const step = x.strides[axis]!;
    const out = new Int32Array(sizeOf(outShape));
    const data = x.buf;
    const better = op === "argmax" ? (v: number, b: number) => v > b || (v !== v && b === b) : (v: number, b: number) => v < b || (v !== v && b === b);
    let o = 0;
    forEachIndex(outShape, outStrides, x.offset, outStrides, 0, (p) => {
      let best = data[p]!;
      let bi = 0;
      for (let i = 1; i < len; i++) {
        const v = data[p + i * step]!;
        if (better(v, best)) {
          best = v;
          bi = i;
        }
      }
      out[o++] = bi;
    });
    return out;
  }

  matmul(a: V, b: V, outDtype: DType): TypedArray {
    const nd = a.shape.length;
    const m = a.shape[nd - 2]!;
    const k = a.shape[nd - 1]!;
    const n = b.shape[nd - 1]!;
    const batchShape = a.shape.slice(0, nd - 2);
    const out = this.allocUninit(outDtype, sizeOf(batchShape) * m * n);
    let aView = a;
    if (!isRowMajor(a.shape, a.strides, nd)) aView = this.contiguousView(a);
    let bView = b;
    const bCol = isColMajor(b.shape, b.strides, nd) && !isRowMajor(b.shape, b.strides, nd);
    if (!bCol && !isRowMajor(b.shape, b.strides, nd)) bView = this.contiguousView(b);
    let o = 0;
    forEachIndex(batchShape, aView.strides, aView.offset, bView.strides, bView.offset, (pa, pb) => {
      matmulBlock(aView.buf, pa, bView.buf, pb, bCol, out, o, m, k, n);
      o += m * n;
    });
    return out;
  }

  copy(x: V, dtype: DType): TypedArray {
    const n = sizeOf(x.shape);
    const out = this.allocUninit(dtype, n);
    const toBool = dtype === "bool" && x.dtype !== "bool";
    // A contiguous plain copy or cast (a relu mask's bool → float32) is TypedArray.set, which
    // converts each element as an assignment does, in native code.
    if (!toBool && isContiguous(x.shape, x.strides)) out.set(x.buf.subarray(x.offset, x.offset + n));
    else (toBool ? copyToBool : copyPlain)(x.buf, x.shape, x.strides, x.offset, out);
    return out;
  }

  /**
   * A view of all the memory both arrays live in, of their element type, with element indices
   * counted from its start (byteOffset / element size); null when they live apart.
   */
  protected wholeMemory(a: TypedArray, b: TypedArray): TypedArray | null {
    if (a.buffer !== b.buffer || a.constructor !== b.constructor) return null;
    return new (a.constructor as new (buffer: ArrayBufferLike) => TypedArray)(a.buffer);
  }

  gather(x: V, axis: number, idx: V): TypedArray {
    const out = this.allocUninit(x.dtype, sizeOf(idx.shape));
    if (takesWholeRows(x, axis, idx)) {
      // Rows picked whole (a batch of examples): one block copy per row.
      const row = sizeOf(x.shape.slice(1));
      const len = x.shape[0]!;
      const ind = idx.buf;
      const src = x.buf;
      // Source and output in one memory (Wasm memory): copyWithin on one view of it moves each
      // row without making a subarray object per row.
      const whole = this.wholeMemory(src, out);
      const srcAt = src.byteOffset / src.BYTES_PER_ELEMENT;
      const outAt = out.byteOffset / out.BYTES_PER_ELEMENT;
      for (let r = 0; r < idx.shape[0]!; r++) {
        const j = ind[idx.offset + r * idx.strides[0]!]!;
        if (j < 0 || j >= len) throw new GradlabError(`gather: index ${j} is out of range for axis 0 of size ${len}`);
        const from = x.offset + j * x.strides[0]!;
        if (whole) whole.copyWithin(outAt + r * row, srcAt + from, srcAt + from + row);
        else out.set(src.subarray(from, from + row), r * row);
      }
      return out;
    }
    const xs = x.strides.map((s, d) => (d === axis ? 0 : s));
    const len = x.shape[axis]!;
    const step = x.strides[axis]!;
    const data = x.buf;
    const ind = idx.buf;
    let o = 0;
    forEachIndex(idx.shape, xs, x.offset, idx.strides, idx.offset, (px, pi) => {
      const j = ind[pi]!;
      if (j < 0 || j >= len) throw new GradlabError(`gather: index ${j} is out of range for axis ${axis} of size ${len}`);
      out[o++] = data[px + j * step]!;
    });
    return out;
  }

  scatterAdd(src: V, axis: number, idx: V, outShape: readonly number[]): TypedArray {
    const out = this.alloc(src.dtype, sizeOf(outShape));
    const os = contiguousStrides(outShape);
    const step = os[axis]!;
    const len = outShape[axis]!;
    const targetStrides = os.map((s, d) => (d === axis ? 0 : s));
    const ind = idx.buf;
    const data = src.buf;
    // Walk idx's index space; src shares it (same shape as idx).
    const n = sizeOf(idx.shape);
    if (n === 0) return out;
    const nd = idx.shape.length;
    const pos = new Int32Array(nd);
    let pi = idx.offset;
    let ps = src.offset;
    let po = 0;
    for (let r = 0; r < n; r++) {
      const j = ind[pi]!;
      if (j < 0 || j >= len) throw new GradlabError(`scatterAdd: index ${j} is out of range for axis ${axis} of size ${len}`);
      out[po + j * step]! += data[ps]!;
      for (let d = nd - 1; d >= 0; d--) {
        pos[d]!++;
        pi += idx.strides[d]!;
        ps += src.strides[d]!;
        po += targetStrides[d]!;
        if (pos[d]! < idx.shape[d]!) break;
        pi -= idx.strides[d]! * idx.shape[d]!;
        ps -= src.strides[d]! * idx.shape[d]!;
        po -= targetStrides[d]! * idx.shape[d]!;
        pos[d] = 0;
      }
    }
    return out;
  }

  embed(x: V, outShape: readonly number[], starts: readonly number[], steps: readonly number[]): TypedArray {
    const out = this.alloc(x.dtype, sizeOf(outShape));
    this.writeInto(out, outShape, x, starts, steps);
    return out;
  }

  concat(xs: readonly V[], axis: number, outShape: readonly number[], dtype: DType): TypedArray {
    const out = this.allocUninit(dtype, sizeOf(outShape));
    const starts = new Array<number>(outShape.length).fill(0);
    const steps = new Array<number>(outShape.length).fill(1);
    for (const x of xs) {
      this.writeInto(out, outShape, x, starts, steps);
      starts[axis]! += x.shape[axis]!;
    }
    return out;
  }

  private writeInto(out: TypedArray, outShape: readonly number[], x: V, starts: readonly number[], steps: readonly number[]): void {
    const os = contiguousStrides(outShape);
    let base = 0;
    for (let d = 0; d < os.length; d++) base += starts[d]! * os[d]!;
    const targetStrides = os.map((s, d) => s * steps[d]!);
    const data = x.buf;
    const toBool = x.dtype !== "bool" && out instanceof Uint8Array;
    forEachIndex(x.shape, x.strides, x.offset, targetStrides, base, (px, po) => {
      out[po] = toBool ? (data[px] !== 0 ? 1 : 0) : data[px]!;
    });
  }

  // A temporary, so a plain array: no tensor owns it, and only tensors' buffers are ever freed.
  private contiguousView(x: V): V {
    const buf = allocArray(x.dtype, sizeOf(x.shape));
    copyPlain(x.buf, x.shape, x.strides, x.offset, buf);
    return { buf, shape: x.shape, strides: contiguousStrides(x.shape), offset: 0, dtype: x.dtype };
  }
}
