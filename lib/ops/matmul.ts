import { isFloat, promote } from "../tensor/dtype.js";
import { ShapeError, fmtShape } from "../tensor/errors.js";
import { broadcastShapes } from "../tensor/shape.js";
import { Tensor } from "../tensor/tensor.js";
import { cast } from "./cast.js";
import { sumTo } from "./sum-to.js";
import { broadcastView, checkSameBackend, record } from "./util.js";

function swapLast(t: Tensor): Tensor {
  return t.transpose(-1, -2);
}

/** Batched matmul of ≥2-d tensors: [...a, m, k] @ [...b, k, n], batch axes broadcast. */
function matmulNd(a: Tensor, b: Tensor, shown: [readonly number[], readonly number[]]): Tensor {
  const m = a.shape[a.ndim - 2]!;
  const k = a.shape[a.ndim - 1]!;
  const k2 = b.shape[b.ndim - 2]!;
  const n = b.shape[b.ndim - 1]!;
  if (k !== k2) {
    throw new ShapeError(
      `matmul: ${fmtShape(shown[0])} @ ${fmtShape(shown[1])}: inner dimensions ${k} and ${k2} differ (columns of the left must equal rows of the right)`,
    );
  }
  const batch = broadcastShapes("matmul (batch axes)", a.shape.slice(0, -2), b.shape.slice(0, -2));
  const be = a.storage.backend;
  const aView = broadcastView(a, [...batch, m, k]);
  const bView = broadcastView(b, [...batch, k, n]);
  const out = Tensor.fromBuffer(be, be.matmul(aView, bView, a.dtype), [...batch, m, n], a.dtype);
  return record(out, "matmul", [a, b], (g) => [
    a.requiresGrad ? sumTo(g.matmul(swapLast(b)), a.shape) : null,
    b.requiresGrad ? sumTo(swapLast(a).matmul(g), b.shape) : null,
  ]);
}

/** NumPy's matmul: 1-d operands become a row (left) or column (right) and that axis is dropped. */
export function matmul(a: Tensor, b: Tensor): Tensor {
  if (!(b instanceof Tensor)) throw new ShapeError("matmul: the right operand must be a Tensor");
  checkSameBackend("matmul", a, b);
  if (a.ndim === 0 || b.ndim === 0) {
    throw new ShapeError(`matmul: ${fmtShape(a.shape)} @ ${fmtShape(b.shape)}: scalars cannot be matrix-multiplied; use mul`);
  }
  let dt = promote(a.dtype, b.dtype);
  if (!isFloat(dt)) dt = "float32";
  const A = cast(a, dt);
  const B = cast(b, dt);
  const shown: [readonly number[], readonly number[]] = [a.shape, b.shape];
  const A2 = A.ndim === 1 ? A.reshape([1, A.shape[0]!]) : A;
  const B2 = B.ndim === 1 ? B.reshape([B.shape[0]!, 1]) : B;
  let out = matmulNd(A2, B2, shown);
  if (A.ndim === 1) out = out.squeeze(-2);
  if (B.ndim === 1) out = out.squeeze(-1);
  return out;
}

/** Dot product of vectors; for matrices, the matrix product. */
export function dot(a: Tensor, b: Tensor): Tensor {
  if (a.ndim === 1 && b.ndim === 1 && a.shape[0] !== b.shape[0]) {
    throw new ShapeError(`dot: ${fmtShape(a.shape)} · ${fmtShape(b.shape)}: vectors of lengths ${a.shape[0]} and ${b.shape[0]} differ`);
  }
  if (a.ndim === 0 || b.ndim === 0) return a.mul(b);
  return matmul(a, b);
}
