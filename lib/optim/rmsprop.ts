import type { Tensor } from "../tensor/tensor.js";
import { Optimizer, checkRate } from "./optimizer.js";
import { rmspropPlan, type UpdatePlan } from "../backend/update.js";

export interface RMSPropOptions {
  lr: number;
  /** Decay of the running mean of squared gradients. */
  alpha?: number;
  eps?: number;
  weightDecay?: number;
}

/** RMSProp: s ← αs + (1 − α)g²; w ← w − lr·g / (√s + ε). Each weight gets its own step size. */
export class RMSProp extends Optimizer {
  readonly alpha: number;
  readonly eps: number;
  readonly weightDecay: number;
  private square: (Tensor | null)[];

  constructor(params: Iterable<Tensor>, options: RMSPropOptions) {
    super("RMSProp", params, options?.lr);
    this.alpha = options.alpha ?? 0.99;
    this.eps = options.eps ?? 1e-8;
    this.weightDecay = options.weightDecay ?? 0;
    checkRate("RMSProp", "alpha", this.alpha, { open: false, max: 1 });
    checkRate("RMSProp", "eps", this.eps);
    this.square = this.params.map(() => null);
  }

  protected override plan(): UpdatePlan {
    return rmspropPlan({ lr: this.lr, alpha: this.alpha, eps: this.eps, weightDecay: this.weightDecay });
  }

  protected override builtinUpdate(): unknown {
    return RMSProp.prototype.update;
  }

  protected update(p: Tensor, grad: Tensor, i: number): Tensor {
    const g = this.weightDecay ? grad.add(p.mul(this.weightDecay)) : grad;
    const prev = this.square[i];
    const g2 = g.square().mul(1 - this.alpha);
    const s = prev ? prev.mul(this.alpha).add(g2) : g2;
    this.square[i] = s;
    return p.sub(g.div(s.sqrt().add(this.eps)).mul(this.lr));
  }
}
