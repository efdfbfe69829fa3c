import { noGrad, tensor, type Tensor } from "../../lib/index.js";
import { hostInts, hostRandom } from "./parity.js";

/**
 * A 2-layer MLP trained by hand (raw tensor ops, manual SGD), as in bench/workloads.ts: the
 * same host-made data and initial weights on whichever backend is current.
 */
export function makeMlp(inputs = 16, hidden = 32, classes = 4, batch = 64, seed = 1) {
  const fromHost = (h: { values: ArrayLike<number>; shape: readonly number[] }, dtype: "float32" | "int32" = "float32") =>
    tensor(Array.from(h.values), { dtype }).reshape([...h.shape]);
  const x = fromHost(hostRandom([batch, inputs], seed));
  const y = fromHost(hostInts([batch, 1], seed + 1, classes), "int32");
  const params: Tensor[] = [
    fromHost(hostRandom([inputs, hidden], seed + 2, 0.5)),
    fromHost(hostRandom([hidden], seed + 3, 0.1)),
    fromHost(hostRandom([hidden, classes], seed + 4, 0.5)),
    fromHost(hostRandom([classes], seed + 5, 0.1)),
  ];
  for (const p of params) p.requiresGrad = true;
  const [w1, b1, w2, b2] = params as [Tensor, Tensor, Tensor, Tensor];
  /** One SGD step; returns the loss before the update. */
  const step = (lr = 0.5): Tensor => {
    const logits = x.matmul(w1).add(b1).relu().matmul(w2).add(b2);
    const loss = logits.logSoftmax(1).gather(1, y).mean().neg();
    loss.backward();
    noGrad(() => {
      for (const p of params) {
        p._assign(p.sub(p.grad!.mul(lr)));
        p.grad = null;
      }
    });
    return loss;
  };
  return { step, params };
}
