import { DTypeError, ShapeError, fmtShape } from "../tensor/errors.js";
import { normAxis } from "../tensor/shape.js";
import { Tensor } from "../tensor/tensor.js";
import { checkSameBackend, record } from "./util.js";

function checkIndex(op: string, x: Tensor, axis: number, index: Tensor): number {
  if (!(index instanceof Tensor)) throw new DTypeError(`${op}: the index must be an int32 Tensor`);
  checkSameBackend(op, x, index);
  if (index.dtype !== "int32") {
    throw new DTypeError(`${op}: the index must be int32, got ${index.dtype}; create it with { dtype: "int32" } or call .int()`);
  }
  const ax = normAxis(op, axis, x.ndim);
  if (index.ndim !== x.ndim) {
    throw new ShapeError(`${op}: index ${fmtShape(index.shape)} must have as many axes as the input ${fmtShape(x.shape)}`);
  }
  index.shape.forEach((d, i) => {
    if (i !== ax && d > x.shape[i]!) {
      throw new ShapeError(`${op}: index ${fmtShape(index.shape)} is larger than the input ${fmtShape(x.shape)} on axis ${i}`);
    }
  });
  return ax;
}

/** out[i][j] = x[i][index[i][j]] (for axis 1): picks, e.g., each row's true-class score. */
export function gather(x: Tensor, axis: number, index: Tensor): Tensor {
  const ax = checkIndex("gather", x, axis, index);
  const be = x.storage.backend;
  const out = Tensor.fromBuffer(be, be.gather(x, ax, index), index.shape, x.dtype);
  return record(out, "gather", [x], (g) => [scatterAdd(g, ax, index, x.shape)]);
}

/** Zeros of `shape`, then out[i][index[i][j]] += src[i][j] (for axis 1): the adjoint of gather. */
export function scatterAdd(src: Tensor, axis: number, index: Tensor, shape: readonly number[]): Tensor {
  const be = src.storage.backend;
  const out = Tensor.fromBuffer(be, be.scatterAdd(src, axis, index, shape), shape, src.dtype);
  return record(out, "scatterAdd", [src], (g) => [gather(g, axis, index)]);
}
