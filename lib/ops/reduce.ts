import type { ReduceOp } from "../backend/backend.js";
import { isFloat, type DType } from "../tensor/dtype.js";
import { ShapeError } from "../tensor/errors.js";
import { normAxes, normAxis } from "../tensor/shape.js";
import { Tensor } from "../tensor/tensor.js";
import { cast } from "./cast.js";
import { record } from "./util.js";

function reduceRaw(op: ReduceOp, x: Tensor, axes: readonly number[], outDtype: DType): Tensor {
  const be = x.storage.backend;
  const shape = x.shape.filter((_, i) => !axes.includes(i));
  return Tensor.fromBuffer(be, be.reduce(op, x, axes, outDtype), shape, outDtype);
}

/** x's shape with the reduced axes kept as size 1: what keepDims returns. */
function keptShape(shape: readonly number[], axes: readonly number[]): number[] {
  return shape.map((d, i) => (axes.includes(i) ? 1 : d));
}

function finish(out: Tensor, kept: number[], keepDims: boolean): Tensor {
  return keepDims ? out.reshape(kept) : out;
}

export function sum(x: Tensor, axis: number | readonly number[] | undefined, keepDims: boolean): Tensor {
  const axes = normAxes("sum", axis, x.ndim);
  const dt = x.dtype === "bool" ? "int32" : x.dtype;
  const kept = keptShape(x.shape, axes);
  const out = record(reduceRaw("sum", x, axes, dt), "sum", [x], (g) => [g.reshape(kept).expand(x.shape)]);
  return finish(out, kept, keepDims);
}

export function mean(x: Tensor, axis: number | readonly number[] | undefined, keepDims: boolean): Tensor {
  const axes = normAxes("mean", axis, x.ndim);
  const xf = isFloat(x.dtype) ? x : cast(x, "float32");
  let count = 1;
  for (const a of axes) count *= x.shape[a]!;
  return sum(xf, axes, keepDims).div(count);
}

function extreme(op: "max" | "min", x: Tensor, axis: number | readonly number[] | undefined, keepDims: boolean): Tensor {
  const axes = normAxes(op, axis, x.ndim);
  for (const a of axes) {
    if (x.shape[a] === 0) throw new ShapeError(`${op}: cannot take the ${op} of an empty axis (axis ${a} of [${x.shape.join(",")}])`);
  }
  const kept = keptShape(x.shape, axes);
  const out = reduceRaw(op, x, axes, x.dtype);
  // The gradient goes to the positions that hold the extreme, split evenly between ties.
  const result = record(out, op, [x], (g) => {
    const mask = x.eq(out.reshape(kept)).cast(g.dtype);
    return [g.reshape(kept).mul(mask).div(mask.sum(axes, true))];
  });
  return finish(result, kept, keepDims);
}

export const max = (x: Tensor, axis: number | readonly number[] | undefined, keepDims: boolean) => extreme("max", x, axis, keepDims);
export const min = (x: Tensor, axis: number | readonly number[] | undefined, keepDims: boolean) => extreme("min", x, axis, keepDims);

export function argReduce(op: "argmax" | "argmin", x: Tensor, axis: number | undefined, keepDims: boolean): Tensor {
  if (axis === undefined) {
    if (x.size === 0) throw new ShapeError(`${op}: the tensor is empty`);
    const flat = x.reshape([x.size]);
    const be = x.storage.backend;
    const out = Tensor.fromBuffer(be, be.argReduce(op, flat, 0), [], "int32");
    return keepDims ? out.reshape(x.shape.map(() => 1)) : out;
  }
  const ax = normAxis(op, axis, x.ndim);
  if (x.shape[ax] === 0) throw new ShapeError(`${op}: axis ${axis} is empty`);
  const be = x.storage.backend;
  const shape = x.shape.filter((_, i) => i !== ax);
  const out = Tensor.fromBuffer(be, be.argReduce(op, x, ax), shape, "int32");
  return keepDims ? out.reshape(keptShape(x.shape, [ax])) : out;
}
