import type { Tensor } from "../tensor/tensor.js";

/**
 * One recorded op: its inputs and its vector-Jacobian product. The rule is written in tensor
 * ops, so running it with recording on (createGraph) yields a differentiable gradient.
 * It returns one entry per input; null where that input needs no gradient.
 */
export interface Node {
  readonly op: string;
  readonly inputs: readonly Tensor[];
  readonly vjp: (g: Tensor) => readonly (Tensor | null)[];
  /**
   * Values the rule reuses from the forward pass that no other code can reach (PyTorch's saved
   * tensors): `backward()` frees them when it is done, unless it retains the graph.
   */
  readonly saved?: readonly Tensor[];
}
