import { Tensor } from "../tensor/tensor.js";
import { GradlabError } from "../tensor/errors.js";
import { noGrad } from "../autograd/mode.js";

export function checkRate(op: string, name: string, v: number, { min = 0, max = Infinity, open = true } = {}): void {
  const ok = typeof v === "number" && Number.isFinite(v) && (open ? v > min : v >= min) && v < max;
  if (!ok) throw new GradlabError(`${op}: ${name} must be a number ${open ? ">" : "≥"} ${min}${max !== Infinity ? ` and < ${max}` : ""}, got ${v}`);
}

/**
 * Shared part of the optimizers: the parameter list, `lr` (which schedules change), `zeroGrad`,
 * and a `step` that applies `update` to every parameter that has a gradient, without recording.
 */
export abstract class Optimizer {
  readonly params: Tensor[];
  lr: number;
  /** Number of completed `step()` calls. */
  t = 0;

  constructor(name: string, params: Iterable<Tensor>, lr: number) {
    const list = params instanceof Tensor ? [params] : [...(params ?? [])];
    if (list.length === 0) throw new GradlabError(`${name}: no parameters to optimize (pass model.parameters())`);
    list.forEach((p, i) => {
      if (!(p instanceof Tensor)) throw new GradlabError(`${name}: parameter ${i} is not a Tensor`);
      if (!p.requiresGrad) throw new GradlabError(`${name}: parameter ${i} does not require gradients; create it with { requiresGrad: true }`);
      if (!p.isLeaf) throw new GradlabError(`${name}: parameter ${i} is computed from other tensors; optimize leaf tensors (or .detach() it and set requiresGrad)`);
    });
    checkRate(name, "lr", lr);
    this.params = list;
    this.lr = lr;
  }

  /** New value of parameter i from its value and gradient (runs inside noGrad). */
  protected abstract update(p: Tensor, g: Tensor, i: number): Tensor;

  step(): void {
    this.t++;
    noGrad(() => {
      this.params.forEach((p, i) => {
        if (p.grad) p._assign(this.update(p, p.grad, i));
      });
    });
  }

  zeroGrad(): void {
    for (const p of this.params) p.grad = null;
  }
}
