import { ShapeError, fmtShape } from "./errors.js";

export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (let i = 0; i < shape.length; i++) n *= shape[i]!;
  return n;
}

// Not frozen: a frozen array has its own elements kind, which would make every hot loop over
// strides polymorphic. `readonly` keeps our code from writing them.
const SCALAR_STRIDES: readonly number[] = [];
const VECTOR_STRIDES: readonly number[] = [1];

/** Row-major strides; shared for 0-d and 1-d shapes, the scalar path's common case. */
export function contiguousStrides(shape: readonly number[]): readonly number[] {
  if (shape.length === 0) return SCALAR_STRIDES;
  if (shape.length === 1) return VECTOR_STRIDES;
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i]!;
  }
  return strides;
}

export function isContiguous(shape: readonly number[], strides: readonly number[]): boolean {
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    const d = shape[i]!;
    if (d !== 1 && strides[i] !== s) return false;
    s *= d;
  }
  return true;
}

export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export function checkShape(shape: readonly number[], op: string): number[] {
  if (!Array.isArray(shape)) throw new ShapeError(`${op}: shape must be an array of sizes, got ${String(shape)}`);
  for (const d of shape) {
    if (typeof d !== "number" || !Number.isInteger(d) || d < 0) {
      throw new ShapeError(`${op}: shape ${fmtShape(shape)} must hold non-negative whole numbers, got ${String(d)}`);
    }
  }
  return shape.slice();
}

/** NumPy broadcasting: align on the right; sizes must match or be 1. */
export function broadcastShapes(op: string, a: readonly number[], b: readonly number[]): number[] {
  if (sameShape(a, b)) return a as number[];
  const n = Math.max(a.length, b.length);
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const da = a[a.length - n + i] ?? 1;
    const db = b[b.length - n + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      throw new ShapeError(
        `${op}: cannot broadcast ${fmtShape(a)} with ${fmtShape(b)} (axis ${i - n}: ${da} vs ${db}; sizes must be equal or 1)`,
      );
    }
    out[i] = da === 1 ? db : da;
  }
  return out;
}

/** Normalises a possibly negative axis, with an error that says the valid range. */
export function normAxis(op: string, axis: number, ndim: number): number {
  if (!Number.isInteger(axis) || axis < -ndim || axis >= ndim) {
    const range = ndim === 0 ? "a 0-d tensor has no axes" : `valid axes are ${-ndim}..${ndim - 1}`;
    throw new ShapeError(`${op}: axis ${axis} is out of range for a ${ndim}-d tensor (${range})`);
  }
  return axis < 0 ? axis + ndim : axis;
}

export function normAxes(op: string, axis: number | readonly number[] | undefined, ndim: number): number[] {
  if (axis === undefined || axis === null) return Array.from({ length: ndim }, (_, i) => i);
  const list = typeof axis === "number" ? [axis] : axis;
  const out = list.map((a) => normAxis(op, a, ndim));
  if (new Set(out).size !== out.length) throw new ShapeError(`${op}: axis ${JSON.stringify(axis)} repeats an axis`);
  return out.sort((x, y) => x - y);
}

/** Resolves one `-1` in a reshape target. */
export function inferReshape(op: string, from: readonly number[], to: readonly number[]): number[] {
  const size = sizeOf(from);
  let unknown = -1;
  let known = 1;
  for (let i = 0; i < to.length; i++) {
    const d = to[i]!;
    if (d === -1) {
      if (unknown >= 0) throw new ShapeError(`${op}: only one -1 is allowed in ${fmtShape(to)}`);
      unknown = i;
    } else if (!Number.isInteger(d) || d < 0) {
      throw new ShapeError(`${op}: ${fmtShape(to)} must hold whole sizes ≥ 0 (or one -1)`);
    } else known *= d;
  }
  const out = to.slice();
  if (unknown >= 0) {
    if (known === 0 || size % known !== 0) {
      throw new ShapeError(`${op}: cannot reshape ${fmtShape(from)} (${size} elements) into ${fmtShape(to)}`);
    }
    out[unknown] = size / known;
  } else if (known !== size) {
    throw new ShapeError(
      `${op}: cannot reshape ${fmtShape(from)} (${size} elements) into ${fmtShape(to)} (${known} elements)`,
    );
  }
  return out;
}

/**
 * Strides for viewing (shape, strides) as `to` without copying, or null when the memory
 * layout does not allow it (then reshape copies first).
 */
export function reshapeStrides(shape: readonly number[], strides: readonly number[], to: readonly number[]): readonly number[] | null {
  if (isContiguous(shape, strides)) return contiguousStrides(to);
  // Merge runs of the source that are contiguous with each other, then split them into `to`.
  const src: [number, number][] = [];
  for (let i = 0; i < shape.length; i++) if (shape[i] !== 1) src.push([shape[i]!, strides[i]!]);
  const out = new Array<number>(to.length);
  let si = 0;
  let ti = 0;
  while (ti < to.length) {
    if (to[ti] === 1) {
      out[ti] = 0;
      ti++;
      continue;
    }
    if (si >= src.length) return null;
    // Take a chunk of source dims whose product equals a chunk of target dims.
    let sProd = src[si]![0];
    let sEnd = si + 1;
    let tProd = to[ti]!;
    let tEnd = ti + 1;
    while (sProd !== tProd) {
      if (sProd < tProd) {
        if (sEnd >= src.length) return null;
        sProd *= src[sEnd]![0];
        sEnd++;
      } else {
        if (tEnd >= to.length) return null;
        tProd *= to[tEnd]!;
        tEnd++;
      }
    }
    for (let k = si; k < sEnd - 1; k++) if (src[k]![1] !== src[k + 1]![1] * src[k + 1]![0]) return null;
    let stride = src[sEnd - 1]![1];
    for (let k = tEnd - 1; k >= ti; k--) {
      out[k] = stride;
      stride *= to[k]!;
    }
    si = sEnd;
    ti = tEnd;
  }
  return si === src.length ? out : null;
}
