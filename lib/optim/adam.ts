import type { Tensor } from "../tensor/tensor.js";
import { Optimizer, checkRate } from "./optimizer.js";
import { adamPlan, type UpdatePlan } from "../backend/update.js";

export interface AdamOptions {
  lr?: number;
  betas?: [number, number];
  eps?: number;
  weightDecay?: number;
}

/**
 * Adam: momentum (m) and RMSProp (v) together, with bias correction for their zero start:
 * m̂ = m / (1 − β₁ᵗ), v̂ = v / (1 − β₂ᵗ), w ← w − lr·m̂ / (√v̂ + ε). weightDecay adds λw to the
 * gradient (PyTorch's Adam, not AdamW).
 */
export class Adam extends Optimizer {
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  readonly weightDecay: number;
  private m: (Tensor | null)[];
  private v: (Tensor | null)[];

  constructor(params: Iterable<Tensor>, options: AdamOptions = {}) {
    super("Adam", params, options.lr ?? 1e-3);
    [this.beta1, this.beta2] = options.betas ?? [0.9, 0.999];
    this.eps = options.eps ?? 1e-8;
    this.weightDecay = options.weightDecay ?? 0;
    checkRate("Adam", "betas[0]", this.beta1, { open: false, max: 1 });
    checkRate("Adam", "betas[1]", this.beta2, { open: false, max: 1 });
    checkRate("Adam", "eps", this.eps);
    this.m = this.params.map(() => null);
    this.v = this.params.map(() => null);
  }

  protected override plan(): UpdatePlan {
    return adamPlan({
      lr: this.lr, beta1: this.beta1, beta2: this.beta2, eps: this.eps, weightDecay: this.weightDecay,
      correction1: 1 - this.beta1 ** this.t, correction2: 1 - this.beta2 ** this.t,
    });
  }

  protected override builtinUpdate(): unknown {
    return Adam.prototype.update;
  }

  protected update(p: Tensor, grad: Tensor, i: number): Tensor {
    const g = this.weightDecay ? grad.add(p.mul(this.weightDecay)) : grad;
    const m1 = g.mul(1 - this.beta1);
    const v1 = g.square().mul(1 - this.beta2);
    const m = this.m[i] ? this.m[i]!.mul(this.beta1).add(m1) : m1;
    const v = this.v[i] ? this.v[i]!.mul(this.beta2).add(v1) : v1;
    this.m[i] = m;
    this.v[i] = v;
    // As PyTorch arranges it: lr·m̂ / (√v̂ + ε) with the corrections folded into two constants.
    const denom = v.sqrt().mul(1 / Math.sqrt(1 - this.beta2 ** this.t)).add(this.eps);
    return p.sub(m.div(denom).mul(this.lr / (1 - this.beta1 ** this.t)));
  }
}
