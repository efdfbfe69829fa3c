import type { Tensor } from "../tensor/tensor.js";

// Subtracting the row max keeps exp from overflowing; the shift cancels, so it carries no gradient.
export function softmax(x: Tensor, axis = -1): Tensor {
  const shifted = x.sub(x.max(axis, true).detach());
  const e = shifted.exp();
  return e.div(e.sum(axis, true));
}

export function logSoftmax(x: Tensor, axis = -1): Tensor {
  const shifted = x.sub(x.max(axis, true).detach());
  return shifted.sub(shifted.exp().sum(axis, true).log());
}
