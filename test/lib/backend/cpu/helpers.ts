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
