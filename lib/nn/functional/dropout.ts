import { GradlabError } from "../../tensor/errors.js";
import { rand } from "../../tensor/creation.js";
import type { Tensor } from "../../tensor/tensor.js";

/**
 * Inverted dropout: while training, each element is zeroed with probability p and the survivors
 * are scaled by 1/(1 − p), so the expected activation is unchanged and evaluation needs no change.
 * (Older texts describe the other form: no scaling while training, multiply by 1 − p at test
 * time. Both give the same expectations; the inverted form keeps the test-time network plain.)
 */
export function dropout(x: Tensor, p: number, training: boolean): Tensor {
  if (typeof p !== "number" || !(p >= 0 && p < 1)) {
    throw new GradlabError(`dropout: the drop probability p must be in [0, 1), got ${p}`);
  }
  if (!training || p === 0) return x;
  const keep = rand(x.shape).ge(p).cast(x.dtype);
  return x.mul(keep).mul(1 / (1 - p));
}
