import { Tensor } from "../tensor/tensor.js";
import { tensor } from "../tensor/creation.js";
import { GradlabError, ShapeError, fmtShape } from "../tensor/errors.js";

/** Examples as rows of `x` with their targets `y` (class indices int32 [n], or values [n, k]). */
export interface Dataset {
  x: Tensor;
  y: Tensor;
}

export function checkDataset(op: string, ds: Dataset): number {
  if (!ds || !(ds.x instanceof Tensor) || !(ds.y instanceof Tensor)) {
    throw new GradlabError(`${op}: expected a data set { x, y } of Tensors`);
  }
  const n = ds.x.shape[0];
  if (ds.x.ndim === 0 || ds.y.ndim === 0 || n !== ds.y.shape[0]) {
    throw new ShapeError(`${op}: x ${fmtShape(ds.x.shape)} and y ${fmtShape(ds.y.shape)} must have one row per example (same first size)`);
  }
  return n!;
}

/** Rows of `t` at `indices` (a copy), keeping the other axes. */
export function takeRows(t: Tensor, indices: ArrayLike<number>): Tensor {
  const idx = tensor(Int32Array.from(indices as ArrayLike<number>));
  if (t.ndim === 1) return t.gather(0, idx);
  const rest = t.shape.slice(1);
  const expanded = idx.reshape(idx.size, ...rest.map(() => 1)).expand(idx.size, ...rest);
  return t.gather(0, expanded);
}

export function takeExamples(ds: Dataset, indices: ArrayLike<number>): Dataset {
  return { x: takeRows(ds.x, indices), y: takeRows(ds.y, indices) };
}
