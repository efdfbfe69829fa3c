import { isFloat, type DType } from "../tensor/dtype.js";
import { DTypeError } from "../tensor/errors.js";
import { Tensor } from "../tensor/tensor.js";
import { record } from "./util.js";

/** Converts to another dtype; floats to int truncate toward zero, nonzero becomes true. */
export function cast(x: Tensor, dtype: DType): Tensor {
  if (x.dtype === dtype) return x;
  if (dtype === "float64" && x.storage.backend.name !== "cpu") {
    throw new DTypeError(`cast: float64 exists on the CPU backend only (this tensor is on ${x.device}); use float32`);
  }
  const be = x.storage.backend;
  const out = Tensor.fromBuffer(be, be.copy(x, dtype), x.shape, dtype);
  if (!isFloat(dtype) || !isFloat(x.dtype)) return out;
  return record(out, "cast", [x], (g) => [g.cast(x.dtype)]);
}
