import { expect } from "vitest";
import type { View } from "../../../../lib/backend/backend.js";
import type { DType, TypedArray } from "../../../../lib/tensor/dtype.js";
import { contiguousStrides } from "../../../../lib/tensor/shape.js";

/** Seeded uniform numbers in [lo, hi) (mulberry32), so failures reproduce. */
export function rng(seed: number): (lo?: number, hi?: number) => number {
  let s = seed >>> 0;
  return (lo = -1, hi = 1) => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return lo + (hi - lo) * (((t ^ (t >>> 14)) >>> 0) / 4294967296);
  };
}


export function view(buf: TypedArray, shape: readonly number[], strides = contiguousStrides(shape), offset = 0, dtype: DType = "float32"): View<TypedArray> {
  return { buf, shape, strides, offset, dtype };
}

/** A float32 buffer of `n` random values, with a few special values sprinkled in when asked. */
export function randomF32(n: number, seed: number, specials = false): Float32Array {
  const r = rng(seed);
  const out = new Float32Array(n);
  const odd = [NaN, 0, -0, Infinity, -Infinity, 1e-40, -3.5];
  for (let i = 0; i < n; i++) out[i] = specials && r(0, 1) < 0.15 ? odd[Math.floor(r(0, odd.length))]! : r(-4, 4);
  return out;
}

/** Element-for-element identity, NaN equal to NaN and -0 distinct from 0 (what bit-exact kernels promise). */
export function expectSame(actual: ArrayLike<number>, expected: ArrayLike<number>, what: string): void {
  expect(actual.length, `${what}: length`).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    if (!Object.is(actual[i], expected[i])) expect.fail(`${what}: [${i}] is ${actual[i]}, expected ${expected[i]}`);
  }
}

/** Agreement within `rel` of each expected value's scale `scale[i]` (float32 sums in another order). */
export function expectNear(actual: ArrayLike<number>, expected: ArrayLike<number>, rel: number, what: string, scale?: ArrayLike<number>): void {
  expect(actual.length, `${what}: length`).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const tol = rel * Math.max(1, Math.abs(scale ? scale[i]! : expected[i]!));
    if (!(Math.abs(actual[i]! - expected[i]!) <= tol)) expect.fail(`${what}: [${i}] is ${actual[i]}, expected ${expected[i]} (±${tol})`);
  }
}

/** |a|·|b| per output element of a[m×k] · b[k×n]: the scale float32 rounding error is proportional to. */
export function absProduct(a: Float32Array, b: Float32Array, m: number, k: number, n: number): Float64Array {
  const out = new Float64Array(m * n);
  for (let i = 0; i < m; i++) for (let p = 0; p < k; p++) for (let j = 0; j < n; j++) out[i * n + j]! += Math.abs(a[i * k + p]! * b[p * n + j]!);
  return out;
}

/** A [rows, cols] matrix stored transposed: the view's strides walk a [cols, rows] buffer (xᵀ in a backward pass). */
export function transposedView(values: Float32Array, rows: number, cols: number): View<TypedArray> {
  const t = new Float32Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) t[j * rows + i] = values[i * cols + j]!;
  return view(t, [rows, cols], [1, rows]);
}

/** Every other column of a [rows, 2·cols] buffer: contiguous along neither axis. */
export function stridedView(values: Float32Array, rows: number, cols: number): View<TypedArray> {
  const wide = new Float32Array(rows * cols * 2);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) wide[i * 2 * cols + 2 * j] = values[i * cols + j]!;
  return view(wide, [rows, cols], [2 * cols, 2]);
}

/** The operand layouts a matmul kernel meets, each holding a[m×k] and b[k×n]: named pairs of views. */
export function operandLayouts(a: Float32Array, b: Float32Array, m: number, k: number, n: number): [string, View<TypedArray>, View<TypedArray>][] {
  return [
    ["row-major", view(a, [m, k]), view(b, [k, n])],
    ["aᵀ stored", transposedView(a, m, k), view(b, [k, n])],
    ["bᵀ stored", view(a, [m, k]), transposedView(b, k, n)],
    ["both stored transposed", transposedView(a, m, k), transposedView(b, k, n)],
    ["strided", stridedView(a, m, k), stridedView(b, k, n)],
  ];
}

/**
 * a: [2, 3, m, k] starting one element into its buffer; b: [3, k, n] broadcast over the leading
 * 2 (stride 0). The batch a matmul kernel must walk: offsets, broadcast axes, several matrices.
 */
export function broadcastBatch(m: number, k: number, n: number, seed: number): [View<TypedArray>, View<TypedArray>] {
  const a = randomF32(1 + 2 * 3 * m * k, seed);
  const b = randomF32(3 * k * n, seed + 1);
  return [view(a, [2, 3, m, k], contiguousStrides([2, 3, m, k]), 1), view(b, [2, 3, k, n], [0, k * n, n, 1])];
}
