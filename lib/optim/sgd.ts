import type { Tensor } from "../tensor/tensor.js";
import { GradlabError } from "../tensor/errors.js";
import { Optimizer, checkRate } from "./optimizer.js";
import { sgdPlan, type UpdatePlan } from "../backend/update.js";

export interface SGDOptions {
  lr: number;
  momentum?: number;
  nesterov?: boolean;
  weightDecay?: number;
}

/**
 * Stochastic gradient descent, PyTorch's conventions: g ← ∇ + λw; with momentum
 * v ← μv + g (v starts at g) and the step uses v (or g + μv with Nesterov); w ← w − lr·step.
 */
export class SGD extends Optimizer {
  readonly momentum: number;
  readonly nesterov: boolean;
  readonly weightDecay: number;
  private velocity: (Tensor | null)[];

  constructor(params: Iterable<Tensor>, options: SGDOptions) {
    super("SGD", params, options?.lr);
    this.momentum = options.momentum ?? 0;
    this.nesterov = options.nesterov ?? false;
    this.weightDecay = options.weightDecay ?? 0;
    checkRate("SGD", "momentum", this.momentum, { open: false, max: 1 });
    checkRate("SGD", "weightDecay", this.weightDecay, { open: false });
    if (this.nesterov && this.momentum === 0) throw new GradlabError("SGD: nesterov needs a momentum > 0");
    this.velocity = this.params.map(() => null);
  }

  protected override plan(): UpdatePlan {
    return sgdPlan({ lr: this.lr, momentum: this.momentum, nesterov: this.nesterov, weightDecay: this.weightDecay });
  }

  protected override builtinUpdate(): unknown {
    return SGD.prototype.update;
  }

  protected update(p: Tensor, grad: Tensor, i: number): Tensor {
    let g = this.weightDecay ? grad.add(p.mul(this.weightDecay)) : grad;
    if (this.momentum) {
      const prev = this.velocity[i];
      const v = prev ? prev.mul(this.momentum).add(g) : g;
      this.velocity[i] = v;
      g = this.nesterov ? g.add(v.mul(this.momentum)) : v;
    }
    return p.sub(g.mul(this.lr));
  }
}
