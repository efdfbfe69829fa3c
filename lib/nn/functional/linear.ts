import { GradlabError, ShapeError, fmtShape } from "../../tensor/errors.js";
import { Tensor } from "../../tensor/tensor.js";
import { withGradMode } from "../../autograd/mode.js";
import { withTemporaries } from "../../autograd/scope.js";
import { record } from "../../ops/util.js";

/** Activations a linear layer can apply inside its own op: their derivative is a function of the output. */
export type LinearActivation = "linear" | "relu" | "sigmoid" | "tanh";

const APPLY: Record<LinearActivation, (z: Tensor) => Tensor> = {
  linear: (z) => z,
  relu: (z) => z.relu(),
  sigmoid: (z) => z.sigmoid(),
  tanh: (z) => z.tanh(),
};

/** g · act'(z), written with the output y = act(z): relu 1[y > 0], sigmoid y(1 − y), tanh 1 − y². */
const THROUGH: Record<LinearActivation, (g: Tensor, y: Tensor) => Tensor> = {
  linear: (g) => g,
  relu: (g, y) => g.mul(y.gt(0).cast(g.dtype)),
  sigmoid: (g, y) => g.mul(y.mul(y.neg().add(1))),
  tanh: (g, y) => g.mul(y.square().neg().add(1)),
};

/**
 * act(x·W + b) as one op of the graph (PyTorch's F.linear, with Keras's activation): x is
 * [..., in], W is [in, out], b is [out] or null. The forward frees its intermediate results at
 * once and the graph holds one node instead of three; the gradients are
 * dz = g · act'(y), dx = dz·Wᵀ, dW = xᵀ·dz (over every leading axis), db = Σ dz.
 */
export function linear(x: Tensor, weight: Tensor, bias: Tensor | null = null, activation: LinearActivation = "linear"): Tensor {
  if (!(x instanceof Tensor) || !(weight instanceof Tensor) || (bias !== null && !(bias instanceof Tensor))) {
    throw new GradlabError("linear: expected tensors x, weight (and bias or null)");
  }
  if (!(activation in APPLY)) throw new GradlabError(`linear: activation must be one of ${Object.keys(APPLY).join(", ")}, got ${JSON.stringify(activation)}`);
  if (weight.ndim !== 2) throw new ShapeError(`linear: weight must be [in, out], got ${fmtShape(weight.shape)}`);
  const [nIn, nOut] = weight.shape as [number, number];
  if (x.ndim === 0 || x.shape[x.ndim - 1] !== nIn) {
    throw new ShapeError(`linear: input ${fmtShape(x.shape)} must end in ${nIn} features to match weight ${fmtShape(weight.shape)}`);
  }
  if (bias && (bias.ndim !== 1 || bias.shape[0] !== nOut)) {
    throw new ShapeError(`linear: bias must be [${nOut}] to match weight ${fmtShape(weight.shape)}, got ${fmtShape(bias.shape)}`);
  }
  const y = withTemporaries(() =>
    withGradMode(false, () => {
      const z = x.matmul(weight);
      return APPLY[activation](bias ? z.add(bias) : z);
    }),
  );
  const inputs = bias ? [x, weight, bias] : [x, weight];
  const name = activation === "linear" ? "linear" : `linear+${activation}`;
  return record(y, name, inputs, (g) => {
    const dz = THROUGH[activation](g, y);
    const rows = dz.reshape(-1, nOut);
    return [
      x.requiresGrad ? dz.matmul(weight.T) : null,
      weight.requiresGrad ? x.reshape(-1, nIn).T.matmul(rows) : null,
      bias?.requiresGrad ? rows.sum(0) : null,
    ];
  });
}
