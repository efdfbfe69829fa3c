import { Tensor } from "../tensor/tensor.js";
import { GradlabError } from "../tensor/errors.js";

export type Values = Tensor | readonly number[] | Float32Array | Float64Array | Int32Array;

export function isValues(v: unknown): v is Values {
  return v instanceof Tensor || Array.isArray(v) || ArrayBuffer.isView(v);
}

/** Plain numbers from a tensor (any backend) or an array, for a plot's JSON. */
export async function numbers(v: Values, what: string): Promise<number[]> {
  if (v instanceof Tensor) return Array.from(await v.data(), Number);
  if (Array.isArray(v) || ArrayBuffer.isView(v)) return Array.from(v as ArrayLike<number>, Number);
  throw new GradlabError(`plot: ${what} must be a Tensor or an array of numbers, got ${typeof v}`);
}

/**
 * How many numbers `v` holds, known without reading a tensor (which is async on a GPU): plots
 * check their inputs' lengths with it when called, so a mismatch fails at the cell's line.
 */
export function countOf(v: Values): number {
  return v instanceof Tensor ? v.size : v.length;
}

/** Rows of a 2-D tensor as arrays. */
export async function rows(t: Tensor, what: string): Promise<number[][]> {
  if (t.ndim !== 2) throw new GradlabError(`plot: ${what} must be a 2-D tensor, got shape [${t.shape.join(",")}]`);
  const flat = await numbers(t, what);
  const [r, c] = t.shape as [number, number];
  return Array.from({ length: r }, (_, i) => flat.slice(i * c, (i + 1) * c));
}

export function range(xs: readonly number[]): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const x of xs) {
    if (Number.isFinite(x)) {
      if (x < lo) lo = x;
      if (x > hi) hi = x;
    }
  }
  return [lo, hi];
}

/** "in [lo, hi]" of the finite values, for a figure's one-line summary; or that there are none. */
export function spanText(xs: readonly number[]): string {
  const [lo, hi] = range(xs);
  return lo <= hi ? `in [${fmt(lo)}, ${fmt(hi)}]` : "with no finite values";
}

export function fmt(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  return a !== 0 && (a < 1e-3 || a >= 1e5) ? v.toExponential(2) : String(Math.round(v * 1000) / 1000);
}
