import { isFloat } from "../../tensor/dtype.js";
import { DTypeError, GradlabError, ShapeError, fmtShape } from "../../tensor/errors.js";
import { sameShape } from "../../tensor/shape.js";
import { Tensor } from "../../tensor/tensor.js";
import { softplus } from "./activations.js";
import { onesLike } from "../../tensor/creation.js";
import { scatterAdd } from "../../ops/indexing.js";
import { record } from "../../ops/util.js";
import { gradMode, withGradMode } from "../../autograd/mode.js";
import { withTemporaries, withTemporariesKeeping } from "../../autograd/scope.js";

function checkTensors(op: string, pred: unknown, target: unknown): asserts pred is Tensor {
  if (!(pred instanceof Tensor) || !(target instanceof Tensor)) {
    throw new GradlabError(`${op}: expected two Tensors (prediction, target)`);
  }
}

function checkSameShape(op: string, pred: Tensor, target: Tensor): void {
  if (!sameShape(pred.shape, target.shape)) {
    const hint =
      pred.ndim === target.ndim + 1 && pred.shape[pred.ndim - 1] === 1
        ? `; reshape the target with target.reshape(-1, 1) or the prediction with pred.reshape(-1)`
        : "";
    throw new ShapeError(
      `${op}: prediction ${fmtShape(pred.shape)} and target ${fmtShape(target.shape)} must have the same shape (no silent broadcasting in losses)${hint}`,
    );
  }
}

/** Reads values for validation when the backend can do so synchronously; GPU backends skip it. */
function valuesIfCheap(t: Tensor): ArrayLike<number> | null {
  return t.backend.syncReadback ? t.dataSync() : null;
}

/** Mean squared error: mean((pred − target)²). */
export function mse(pred: Tensor, target: Tensor): Tensor {
  checkTensors("mse", pred, target);
  checkSameShape("mse", pred, target as Tensor);
  return pred.sub(target as Tensor).square().mean();
}

const BCE_EPS = 1e-7;

/**
 * Binary cross-entropy of probabilities: −mean(t·log p + (1 − t)·log(1 − p)). p is clamped to
 * [1e−7, 1 − 1e−7] so log(0) never happens. Prefer `bceWithLogits` on raw scores.
 */
export function bce(prob: Tensor, target: Tensor): Tensor {
  checkTensors("bce", prob, target);
  checkSameShape("bce", prob, target as Tensor);
  const t = (target as Tensor).dtype === prob.dtype ? (target as Tensor) : (target as Tensor).cast(prob.dtype);
  const pv = valuesIfCheap(prob);
  if (pv) {
    for (let i = 0; i < pv.length; i++) {
      const v = pv[i]!;
      if (!(v >= 0 && v <= 1)) {
        throw new GradlabError(
          `bce: predictions must be probabilities in [0, 1], but element ${i} is ${v}; apply sigmoid first, or use bceWithLogits on the raw scores`,
        );
      }
    }
  }
  checkBinaryTargets("bce", t);
  const p = prob.clamp(BCE_EPS, 1 - BCE_EPS);
  return t.mul(p.log()).add(t.neg().add(1).mul(p.neg().add(1).log())).mean().neg();
}

function checkBinaryTargets(op: string, t: Tensor): void {
  const tv = valuesIfCheap(t);
  if (!tv) return;
  for (let i = 0; i < tv.length; i++) {
    const v = tv[i]!;
    if (!(v >= 0 && v <= 1)) throw new GradlabError(`${op}: targets must be in [0, 1] (labels 0 or 1), but element ${i} is ${v}`);
  }
}

/**
 * Binary cross-entropy on raw scores z: mean(softplus(z) − z·t), the stable rewrite of
 * bce(sigmoid(z), t). Its gradient is (σ(z) − t)/n, exact even for |z| in the hundreds.
 */
export function bceWithLogits(logits: Tensor, target: Tensor): Tensor {
  checkTensors("bceWithLogits", logits, target);
  checkSameShape("bceWithLogits", logits, target as Tensor);
  const t = (target as Tensor).dtype === logits.dtype ? (target as Tensor) : (target as Tensor).cast(logits.dtype);
  checkBinaryTargets("bceWithLogits", t);
  return softplus(logits).sub(logits.mul(t)).mean();
}

/**
 * Softmax cross-entropy, mean over the batch. `logits` is [batch, classes]; `labels` is either
 * int32 class indices [batch] or one-hot / probability rows [batch, classes].
 */
export function crossEntropy(logits: Tensor, labels: Tensor): Tensor {
  checkTensors("crossEntropy", logits, labels);
  const y = labels as Tensor;
  if (logits.ndim !== 2) {
    throw new ShapeError(`crossEntropy: logits must be [batch, classes], got ${fmtShape(logits.shape)}`);
  }
  const [n, c] = logits.shape as [number, number];
  if (y.dtype === "int32") {
    if (y.ndim !== 1 || y.shape[0] !== n) {
      throw new ShapeError(`crossEntropy: class-index labels must be [batch] = [${n}], got ${fmtShape(y.shape)}`);
    }
    const yv = valuesIfCheap(y);
    if (yv) {
      for (let i = 0; i < yv.length; i++) {
        const v = yv[i]!;
        if (v < 0 || v >= c) {
          throw new GradlabError(
            `crossEntropy: label ${v} (row ${i}) is not a class index in 0..${c - 1}: the logits have ${c} class${c === 1 ? "" : "es"}` +
              (c === 1 ? " — a 1-output model needs bceWithLogits, or give the last layer one output per class" : ""),
          );
        }
      }
    }
    const index = y.reshape(n, 1);
    const [loss, logProbs] = withTemporariesKeeping(() =>
      withGradMode(false, () => {
        const ls = logits.logSoftmax(1);
        return [ls.gather(1, index).mean().neg(), ls] as const;
      }),
    );
    // d loss / d logits = (softmax(logits) − onehot(y)) / n. The softmax is exp of the forward's
    // log-probabilities (one kernel instead of five), except for a differentiable gradient
    // (createGraph), which must be a function of the logits.
    return record(loss, "crossEntropy", [logits], (g) => {
      const onehot = scatterAdd(onesLike(index, { dtype: logits.dtype }), 1, index, logits.shape);
      const probs = gradMode.enabled ? logits.softmax(1) : logProbs.exp();
      return [probs.sub(onehot).mul(g.div(n))];
    }, [logProbs]);
  }
  if (!isFloat(y.dtype)) {
    throw new DTypeError(`crossEntropy: labels must be int32 class indices or float one-hot rows, got ${y.dtype}`);
  }
  if (y.ndim === 1) {
    throw new DTypeError(
      `crossEntropy: labels ${fmtShape(y.shape)} are ${y.dtype}; class indices must be int32 (call labels.int()), or pass one-hot rows [${n}, ${c}]`,
    );
  }
  if (!sameShape(y.shape, logits.shape)) {
    throw new ShapeError(`crossEntropy: one-hot labels ${fmtShape(y.shape)} must match the logits ${fmtShape(logits.shape)}`);
  }
  if (y.requiresGrad) return y.mul(logits.logSoftmax(1)).sum(1).mean().neg();
  const loss = withTemporaries(() => withGradMode(false, () => y.mul(logits.logSoftmax(1)).sum(1).mean().neg()));
  // d loss / d logits = (softmax(logits) · Σⱼ yⱼ − y) / n: rows need not sum to 1.
  return record(loss, "crossEntropy", [logits], (g) => [logits.softmax(1).mul(y.sum(1, true)).sub(y).mul(g.div(n))]);
}

function params(op: string, ps: readonly Tensor[] | Tensor): Tensor[] {
  const list = ps instanceof Tensor ? [ps] : [...ps];
  if (list.length === 0) throw new GradlabError(`${op}: give at least one tensor (e.g. model.parameters())`);
  return list;
}

/** L1 penalty: the sum of |w| over all given tensors (add λ·l1(params) to a loss). */
export function l1(ps: readonly Tensor[] | Tensor): Tensor {
  return params("l1", ps).map((p) => p.abs().sum()).reduce((a, b) => a.add(b));
}

/** L2 penalty: the sum of w² over all given tensors (some texts halve it; λ absorbs the ½). */
export function l2(ps: readonly Tensor[] | Tensor): Tensor {
  return params("l2", ps).map((p) => p.square().sum()).reduce((a, b) => a.add(b));
}
