import { randn, rand } from "../tensor/creation.js";
import type { Tensor } from "../tensor/tensor.js";
import { noGrad } from "../autograd/mode.js";

export type Init = "xavier" | "he" | "zeros";

/**
 * Weight initialisations that keep activations' variance steady through layers:
 * Xavier/Glorot uniform, U(−a, a) with a = √(6 / (fanIn + fanOut)), for tanh/sigmoid;
 * He/Kaiming normal, N(0, 2 / fanIn), for ReLU-family activations.
 */
export function initWeight(shape: [number, number], init: Init): Tensor {
  const [fanIn, fanOut] = shape;
  const w = noGrad(() => {
    if (init === "he") return randn(shape).mul(Math.sqrt(2 / fanIn));
    if (init === "zeros") return randn(shape).mul(0);
    const a = Math.sqrt(6 / (fanIn + fanOut));
    return rand(shape).mul(2 * a).sub(a);
  });
  w.requiresGrad = true;
  return w;
}
