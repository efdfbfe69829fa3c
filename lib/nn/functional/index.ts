/** `F`: stateless activations, losses and regularisers (PyTorch's torch.nn.functional). */
export * from "./activations.js";
export { mse, bce, bceWithLogits, crossEntropy, l1, l2 } from "./losses.js";
export { dropout } from "./dropout.js";
export { linear, type LinearActivation } from "./linear.js";
