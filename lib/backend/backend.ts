import type { DType, TypedArray } from "../tensor/dtype.js";
import type { UpdatePlan } from "./update.js";

export type BackendName = "cpu" | "webgpu";

/**
 * A strided view of a backend buffer: what every kernel reads. Views let reshape, transpose,
 * expand and slice share memory; kernels always write fresh contiguous buffers.
 */
export interface View<B> {
  readonly buf: B;
  readonly shape: readonly number[];
  readonly strides: readonly number[];
  readonly offset: number;
  readonly dtype: DType;
}

export type UnaryOp =
  | "neg" | "exp" | "log" | "log1p" | "expm1" | "sqrt" | "abs" | "sin" | "cos" | "tanh"
  | "sigmoid" | "relu" | "sign" | "recip" | "floor" | "ceil" | "round" | "not" | "square";

export type BinaryOp =
  | "add" | "sub" | "mul" | "div" | "pow" | "maximum" | "minimum"
  | "lt" | "gt" | "le" | "ge" | "eq" | "ne" | "and" | "or";

export type ReduceOp = "sum" | "max" | "min" | "prod";

/**
 * The primitive kernels one backend implements. The tensor front end (shapes, dtypes,
 * broadcasting, autograd) is shared: a new backend adds kernels, nothing else.
 * Inputs of `binary`/`where` are already broadcast to the output shape (stride-0 views).
 */
export interface Backend<B = unknown> {
  readonly name: BackendName;
  /** Whether `readSync` can work (false on GPU backends, whose readback is async). */
  readonly syncReadback: boolean;

  upload(data: TypedArray): B;
  fill(size: number, value: number, dtype: DType): B;
  /** A copy of elements [start, start + count) of `buf` (a view reads only its own part). */
  read(buf: B, dtype: DType, start: number, count: number): Promise<TypedArray>;
  readSync(buf: B, dtype: DType, start: number, count: number): TypedArray;
  /**
   * The values when they can be had without waiting (on the host, or already read back);
   * null otherwise. Printing uses it; it never starts a read. Absent: as readSync when
   * `syncReadback`.
   */
  peekSync?(buf: B, dtype: DType, start: number, count: number): TypedArray | null;
  byteSize(buf: B): number;
  dispose(buf: B): void;
  /**
   * Whether `buf` must be handed back through `dispose` (Wasm or GPU memory, which the garbage
   * collector cannot see) rather than left to the collector. Absent: every buffer but the CPU's.
   */
  needsRelease?(buf: B): boolean;

  unary(op: UnaryOp, x: View<B>, outDtype: DType): B;
  binary(op: BinaryOp, a: View<B>, b: View<B>, outShape: readonly number[], outDtype: DType): B;
  where(cond: View<B>, a: View<B>, b: View<B>, outShape: readonly number[], outDtype: DType): B;
  /** Reduces over `axes` (sorted, unique); the result has those axes removed. */
  reduce(op: ReduceOp, x: View<B>, axes: readonly number[], outDtype: DType): B;
  /** Index of the first max/min along `axis` (removed from the result), int32. */
  argReduce(op: "argmax" | "argmin", x: View<B>, axis: number): B;
  /** Batched matmul: a [...batch, m, k] @ b [...batch, k, n]; batch shapes already equal. */
  matmul(a: View<B>, b: View<B>, outDtype: DType): B;
  /** Contiguous copy, converting to `dtype`. */
  copy(x: View<B>, dtype: DType): B;
  /** out[i] = x[i with i[axis] replaced by idx[i]]; shape of idx; throws on an index out of range. */
  gather(x: View<B>, axis: number, idx: View<B>): B;
  /** zeros(outShape), then out[i with i[axis] = idx[i]] += src[i]. */
  scatterAdd(src: View<B>, axis: number, idx: View<B>, outShape: readonly number[]): B;
  /** zeros(outShape) with x written at starts[d] + i[d] * steps[d]. */
  embed(x: View<B>, outShape: readonly number[], starts: readonly number[], steps: readonly number[]): B;
  /** Joins views along `axis`. */
  concat(xs: readonly View<B>[], axis: number, outShape: readonly number[], dtype: DType): B;
  /**
   * Runs an update plan (an optimizer step) over contiguous views of equal size: returns each
   * target's new values, written over the target itself where `inPlace[k]` allows it (the caller
   * holds that buffer alone), else into a new buffer. Float dtypes only.
   */
  update(plan: UpdatePlan, targets: readonly View<B>[], inputs: readonly View<B>[], inPlace: readonly boolean[]): B[];
}
