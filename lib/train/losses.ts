import type { Tensor } from "../tensor/tensor.js";
import { GradlabError } from "../tensor/errors.js";
import * as F from "../nn/functional/index.js";

export type LossName = "mse" | "bce" | "bceWithLogits" | "crossEntropy";
export type LossFn = (pred: Tensor, target: Tensor) => Tensor;

const LOSSES: Record<LossName, LossFn> = {
  mse: F.mse,
  bce: F.bce,
  bceWithLogits: F.bceWithLogits,
  crossEntropy: F.crossEntropy,
};

export function resolveLoss(loss: LossName | LossFn | undefined, y: Tensor): { fn: LossFn; name: string } {
  if (typeof loss === "function") return { fn: loss, name: loss.name || "custom loss" };
  const name = loss ?? (y.dtype === "int32" ? "crossEntropy" : "mse");
  const fn = LOSSES[name];
  if (!fn) throw new GradlabError(`fit: unknown loss ${JSON.stringify(loss)}; use one of ${Object.keys(LOSSES).join(", ")} or a function (pred, target) => Tensor`);
  return { fn, name };
}

/** Fraction of correct predictions, for class indices (argmax) or binary targets (threshold). */
export function accuracy(pred: Tensor, y: Tensor, lossName: string): Tensor {
  if (y.dtype === "int32" && pred.ndim === 2 && pred.shape[1]! > 1) return pred.argmax(1).eq(y).float().mean();
  const threshold = lossName === "bce" ? 0.5 : 0;
  const p = pred.ndim === y.ndim ? pred : pred.reshape([...y.shape]);
  return p.gt(threshold).eq(y.float().gt(0.5)).float().mean();
}
