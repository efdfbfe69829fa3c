import { sameShape } from "../tensor/shape.js";
import type { Tensor } from "../tensor/tensor.js";

/**
 * Sums a broadcast gradient back to an input's shape: over the leading axes broadcasting
 * added and over axes where the input had size 1.
 */
export function sumTo(g: Tensor, shape: readonly number[]): Tensor {
  if (sameShape(g.shape, shape)) return g;
  const lead = g.ndim - shape.length;
  const axes: number[] = [];
  for (let i = 0; i < g.ndim; i++) {
    if (i < lead || (shape[i - lead] === 1 && g.shape[i] !== 1)) axes.push(i);
  }
  const summed = axes.length ? g.sum(axes, true) : g;
  return summed.reshape([...shape]);
}
