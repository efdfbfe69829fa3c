import { Tensor } from "../tensor/tensor.js";
import { arange } from "../tensor/creation.js";
import { DTypeError, GradlabError } from "../tensor/errors.js";
import { noGrad } from "../autograd/mode.js";

/** Class indices [n] → one-hot float32 rows [n, numClasses]. */
export function oneHot(labels: Tensor, numClasses: number): Tensor {
  if (!(labels instanceof Tensor) || labels.dtype !== "int32") {
    throw new DTypeError("oneHot: labels must be an int32 tensor of class indices");
  }
  if (!Number.isInteger(numClasses) || numClasses < 1) throw new GradlabError(`oneHot: numClasses must be a whole number ≥ 1, got ${numClasses}`);
  if (labels.backend.syncReadback && labels.size > 0) {
    const lo = labels.min().itemSync() as number;
    const hi = labels.max().itemSync() as number;
    if (lo < 0 || hi >= numClasses) throw new GradlabError(`oneHot: labels range over ${lo}..${hi}, outside 0..${numClasses - 1}`);
  }
  return labels.unsqueeze(-1).eq(arange(numClasses)).float();
}

/**
 * Standardises features to mean 0 and standard deviation 1 (per column, from these rows).
 * Apply the same `mean` and `std` to test data with `apply`, never refit on it.
 */
export function standardize(x: Tensor): { x: Tensor; mean: Tensor; std: Tensor; apply: (t: Tensor) => Tensor } {
  return noGrad(() => {
    const mean = x.mean(0, true);
    // A constant column would divide by 0; leave it centred instead.
    const std = x.sub(mean).square().mean(0, true).sqrt().maximum(1e-8);
    const apply = (t: Tensor) => noGrad(() => t.sub(mean).div(std));
    return { x: apply(x), mean, std, apply };
  });
}
