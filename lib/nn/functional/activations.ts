import { where } from "../../ops/elementwise.js";
import { record } from "../../ops/util.js";
import { noGrad } from "../../autograd/mode.js";
import { withTemporaries } from "../../autograd/scope.js";
import type { Tensor } from "../../tensor/tensor.js";

/** 1 / (1 + e^(−x)); derivative σ(x)(1 − σ(x)). Computed without overflow for any x. */
export const sigmoid = (x: Tensor): Tensor => x.sigmoid();

/** tanh(x); derivative 1 − tanh²(x). */
export const tanh = (x: Tensor): Tensor => x.tanh();

/** max(x, 0). Its derivative is 1 for x > 0 and 0 for x < 0; at exactly 0 it is taken as 0 (as in PyTorch). */
export const relu = (x: Tensor): Tensor => x.relu();

/** x for x > 0, slope·x otherwise; derivative 1 or slope (slope at exactly 0). */
export function leakyRelu(x: Tensor, slope = 0.01): Tensor {
  return where(x.gt(0), x, x.mul(slope));
}

// exp only ever sees x ≤ 0: the branch `where` discards would otherwise overflow to Infinity,
// and Infinity · 0 in its (discarded) gradient is NaN. `where` rather than minimum(x, 0), whose
// tie rule would halve the derivative at exactly 0 (it must be alpha there, as in PyTorch).
function expMinus1OfNegativePart(x: Tensor): Tensor {
  return where(x.gt(0), 0, x).exp().sub(1);
}

/** x for x > 0, alpha·(eˣ − 1) otherwise. */
export function elu(x: Tensor, alpha = 1): Tensor {
  return where(x.gt(0), x, expMinus1OfNegativePart(x).mul(alpha));
}

/** Self-normalising ELU with the constants of Klambauer et al. (2017). */
export const SELU_ALPHA = 1.6732632423543772;
export const SELU_SCALE = 1.0507009873554805;
export function selu(x: Tensor): Tensor {
  return elu(x, SELU_ALPHA).mul(SELU_SCALE);
}

/** Leaky ReLU whose negative slope `weight` is learned (broadcast against x, e.g. shape [] or [features]). */
export function prelu(x: Tensor, weight: Tensor): Tensor {
  return where(x.gt(0), x, x.mul(weight));
}

/**
 * log(1 + eˣ), computed as max(x, 0) + log1p(e^(−|x|)) so it neither overflows for large x nor
 * loses precision for very negative x. Its gradient is σ(x), given directly: the stable form's
 * pieces (max and |x|) have kinks at 0 that would give 0 instead of ½ there.
 */
export function softplus(x: Tensor): Tensor {
  const out = withTemporaries(() => noGrad(() => x.relu().add(x.abs().neg().exp().log1p())));
  return record(out, "softplus", [x], (g) => [g.mul(x.sigmoid())]);
}

/** e^(−x²): the Gaussian bump; derivative −2x·e^(−x²). */
export function gaussian(x: Tensor): Tensor {
  return x.square().neg().exp();
}

/** eˣ / Σ eˣ along `axis`, with the max subtracted first so large inputs do not overflow. */
export const softmax = (x: Tensor, axis = -1): Tensor => x.softmax(axis);

/** log softmax, computed as x − max − log Σ e^(x − max): stable where log(softmax) is not. */
export const logSoftmax = (x: Tensor, axis = -1): Tensor => x.logSoftmax(axis);
