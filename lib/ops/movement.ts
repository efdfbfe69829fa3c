import { ShapeError, fmtShape } from "../tensor/errors.js";
import { inferReshape, normAxis, reshapeStrides, sameShape, contiguousStrides } from "../tensor/shape.js";
import { Tensor, type SliceSpec } from "../tensor/tensor.js";
import { sumTo } from "./sum-to.js";
import { checkSameBackend, record } from "./util.js";
import { promote } from "../tensor/dtype.js";
import { cast } from "./cast.js";

function view(x: Tensor, shape: readonly number[], strides: readonly number[], offset: number): Tensor {
  return new Tensor(x.storage, shape, strides, offset, x.dtype);
}

function copyRaw(x: Tensor): Tensor {
  const be = x.storage.backend;
  return Tensor.fromBuffer(be, be.copy(x, x.dtype), x.shape, x.dtype);
}

export function contiguous(x: Tensor): Tensor {
  if (x.isContiguous) return x;
  return record(copyRaw(x), "contiguous", [x], (g) => [g]);
}

export function clone(x: Tensor): Tensor {
  return record(copyRaw(x), "clone", [x], (g) => [g]);
}

export function reshape(x: Tensor, shape: readonly number[]): Tensor {
  const to = inferReshape("reshape", x.shape, shape);
  if (sameShape(to, x.shape)) return x;
  const strides = reshapeStrides(x.shape, x.strides, to);
  const out = strides ? view(x, to, strides, x.offset) : view(copyRaw(x), to, contiguousStrides(to), 0);
  return record(out, "reshape", [x], (g) => [g.reshape([...x.shape])]);
}

export function permute(x: Tensor, axes: readonly number[]): Tensor {
  const norm = axes.map((a) => normAxis("permute", a, x.ndim));
  if (norm.length !== x.ndim || new Set(norm).size !== norm.length) {
    throw new ShapeError(`permute: axes ${fmtShape(axes)} are not a permutation of the ${x.ndim} axes of ${fmtShape(x.shape)}`);
  }
  if (norm.every((a, i) => a === i)) return x;
  const out = view(x, norm.map((a) => x.shape[a]!), norm.map((a) => x.strides[a]!), x.offset);
  const inverse = new Array<number>(norm.length);
  norm.forEach((a, i) => (inverse[a] = i));
  return record(out, "permute", [x], (g) => [g.permute(...inverse)]);
}

/**
 * NumPy and PyTorch disagree on `transpose`; both readings work here: no axes reverses them,
 * a full list is a permutation (NumPy), and two axes of a 3-d+ tensor swap (PyTorch).
 */
export function transpose(x: Tensor, axes: readonly number[]): Tensor {
  for (const a of axes) normAxis("transpose", a, x.ndim); // errors name transpose, not permute
  if (axes.length === 0) return permute(x, x.shape.map((_, i) => x.ndim - 1 - i));
  if (axes.length === x.ndim) return permute(x, axes);
  if (axes.length === 2) {
    const [a, b] = [normAxis("transpose", axes[0]!, x.ndim), normAxis("transpose", axes[1]!, x.ndim)];
    const perm = x.shape.map((_, i) => i);
    perm[a] = b;
    perm[b] = a;
    return permute(x, perm);
  }
  throw new ShapeError(`transpose: give no axes, two axes to swap, or all ${x.ndim} axes; got ${fmtShape(axes)}`);
}

export function expand(x: Tensor, shape: readonly number[]): Tensor {
  const n = shape.length;
  if (n < x.ndim) throw new ShapeError(`expand: cannot expand ${fmtShape(x.shape)} to fewer dimensions ${fmtShape(shape)}`);
  const off = n - x.ndim;
  const to = new Array<number>(n);
  const strides = new Array<number>(n).fill(0);
  for (let i = 0; i < n; i++) {
    const want = shape[i]!;
    const have = i >= off ? x.shape[i - off]! : 1;
    const size = want === -1 ? have : want;
    if (have !== size && have !== 1) {
      throw new ShapeError(`expand: cannot expand ${fmtShape(x.shape)} to ${fmtShape(shape)} (axis ${i}: ${have} is not 1 or ${size})`);
    }
    to[i] = size;
    if (i >= off && have === size) strides[i] = x.strides[i - off]!;
  }
  if (sameShape(to, x.shape)) return x;
  return record(view(x, to, strides, x.offset), "expand", [x], (g) => [sumTo(g, x.shape)]);
}

export function squeeze(x: Tensor, axis?: number): Tensor {
  if (axis === undefined) return reshape(x, x.shape.filter((d) => d !== 1));
  const a = normAxis("squeeze", axis, x.ndim);
  if (x.shape[a] !== 1) throw new ShapeError(`squeeze: axis ${axis} of ${fmtShape(x.shape)} has size ${x.shape[a]}, not 1`);
  return reshape(x, x.shape.filter((_, i) => i !== a));
}

export function unsqueeze(x: Tensor, axis: number): Tensor {
  const a = normAxis("unsqueeze", axis, x.ndim + 1);
  const shape = [...x.shape];
  shape.splice(a, 0, 1);
  return reshape(x, shape);
}

/** A strided window of x (a view); its gradient embeds g back into zeros of x's shape. */
export function region(x: Tensor, starts: readonly number[], steps: readonly number[], sizes: readonly number[]): Tensor {
  let offset = x.offset;
  for (let d = 0; d < x.ndim; d++) offset += starts[d]! * x.strides[d]!;
  const out = view(x, sizes, x.strides.map((s, d) => s * steps[d]!), offset);
  return record(out, "slice", [x], (g) => [embed(g, x.shape, starts, steps)]);
}

/** Zeros of `shape` with g written into a strided window: the adjoint of `region`. */
export function embed(g: Tensor, shape: readonly number[], starts: readonly number[], steps: readonly number[]): Tensor {
  const be = g.storage.backend;
  const out = Tensor.fromBuffer(be, be.embed(g, shape, starts, steps), shape, g.dtype);
  return record(out, "embed", [g], (gg) => [region(gg, starts, steps, g.shape)]);
}

export function slice(x: Tensor, specs: readonly SliceSpec[]): Tensor {
  if (specs.length > x.ndim) {
    throw new ShapeError(`slice: ${specs.length} specs given for a ${x.ndim}-d tensor of shape ${fmtShape(x.shape)}`);
  }
  const starts: number[] = [];
  const steps: number[] = [];
  const sizes: number[] = [];
  const finalShape: number[] = [];
  for (let d = 0; d < x.ndim; d++) {
    const spec = specs[d];
    const n = x.shape[d]!;
    if (typeof spec === "number") {
      if (!Number.isInteger(spec) || spec < -n || spec >= n) {
        throw new ShapeError(`slice: index ${spec} is out of range for axis ${d} of size ${n} (shape ${fmtShape(x.shape)})`);
      }
      starts.push(spec < 0 ? spec + n : spec);
      steps.push(1);
      sizes.push(1);
      continue;
    }
    if (spec === null || spec === undefined) {
      starts.push(0);
      steps.push(1);
      sizes.push(n);
      finalShape.push(n);
      continue;
    }
    if (!Array.isArray(spec)) throw new ShapeError(`slice: spec for axis ${d} must be an index, null or [start, stop, step]`);
    const step = spec[2] ?? 1;
    if (!Number.isInteger(step) || step <= 0) throw new ShapeError(`slice: step ${step} on axis ${d} must be a positive whole number`);
    const clampIdx = (i: number) => Math.min(Math.max(i < 0 ? i + n : i, 0), n);
    const start = clampIdx(spec[0] ?? 0);
    const stop = clampIdx(spec[1] ?? n);
    const size = Math.max(0, Math.ceil((stop - start) / step));
    starts.push(size === 0 ? 0 : start);
    steps.push(step);
    sizes.push(size);
    finalShape.push(size);
  }
  const r = region(x, starts, steps, sizes);
  return finalShape.length === sizes.length ? r : reshape(r, finalShape);
}

export function concat(tensors: readonly Tensor[], axis = 0): Tensor {
  if (!Array.isArray(tensors) || tensors.length === 0) throw new ShapeError("concat: give a non-empty array of tensors");
  const first = tensors[0]!;
  if (first.ndim === 0) throw new ShapeError("concat: 0-d tensors have no axis to join along; use stack");
  const ax = normAxis("concat", axis, first.ndim);
  let dtype = first.dtype;
  for (const [i, t] of tensors.entries()) {
    checkSameBackend("concat", first, t);
    const ok = t.ndim === first.ndim && t.shape.every((d: number, k: number) => k === ax || d === first.shape[k]);
    if (!ok) {
      throw new ShapeError(
        `concat: tensor ${i} has shape ${fmtShape(t.shape)} but tensor 0 has ${fmtShape(first.shape)}; all sizes except axis ${ax} must match`,
      );
    }
    dtype = promote(dtype, t.dtype);
  }
  const parts = tensors.map((t) => cast(t, dtype));
  const shape = [...first.shape];
  shape[ax] = parts.reduce((s, t) => s + t.shape[ax]!, 0);
  const be = first.storage.backend;
  const out = Tensor.fromBuffer(be, be.concat(parts, ax, shape, dtype), shape, dtype);
  return record(out, "concat", parts, (g) => {
    let at = 0;
    return parts.map((t) => {
      const starts = shape.map((_, d) => (d === ax ? at : 0));
      at += t.shape[ax]!;
      return t.requiresGrad ? region(g, starts, shape.map(() => 1), t.shape) : null;
    });
  });
}

export function stack(tensors: readonly Tensor[], axis = 0): Tensor {
  if (!Array.isArray(tensors) || tensors.length === 0) throw new ShapeError("stack: give a non-empty array of tensors");
  const first = tensors[0]!;
  tensors.forEach((t, i) => {
    if (!sameShape(t.shape, first.shape)) {
      throw new ShapeError(`stack: tensor ${i} has shape ${fmtShape(t.shape)} but tensor 0 has ${fmtShape(first.shape)}; all must match`);
    }
  });
  const ax = normAxis("stack", axis, first.ndim + 1);
  return concat(tensors.map((t) => unsqueeze(t, ax)), ax);
}
