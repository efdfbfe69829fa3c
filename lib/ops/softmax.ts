import type { Tensor } from "../tensor/tensor.js";
import { withGradMode } from "../autograd/mode.js";
import { withTemporaries } from "../autograd/scope.js";
import { record } from "./util.js";

// Each is one op of the graph: the forward runs several kernels (the row max is subtracted so
// exp cannot overflow; the shift cancels) and frees their temporaries at once, and the gradient
// is given directly in terms of the output, so a gradient of the gradient still works.

/** eˣ / Σ eˣ along `axis`; gradient s ⊙ (g − Σ g ⊙ s). */
export function softmax(x: Tensor, axis = -1): Tensor {
  const out = withTemporaries(() =>
    withGradMode(false, () => {
      const e = x.sub(x.max(axis, true)).exp();
      return e.div(e.sum(axis, true));
    }),
  );
  return record(out, "softmax", [x], (g) => [out.mul(g.sub(g.mul(out).sum(axis, true)))]);
}

/** x − log Σ eˣ along `axis`; gradient g − eᵒᵘᵗ · Σ g. */
export function logSoftmax(x: Tensor, axis = -1): Tensor {
  const out = withTemporaries(() =>
    withGradMode(false, () => {
      const shifted = x.sub(x.max(axis, true));
      return shifted.sub(shifted.exp().sum(axis, true).log());
    }),
  );
  return record(out, "logSoftmax", [x], (g) => [g.sub(out.exp().mul(g.sum(axis, true)))]);
}
