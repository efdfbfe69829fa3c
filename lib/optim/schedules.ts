import type { Optimizer } from "./optimizer.js";
import { checkRate } from "./optimizer.js";
import { GradlabError } from "../tensor/errors.js";

/**
 * A learning-rate schedule: `lrAt(epoch)` is the formula; `step()` (once per epoch) advances
 * and writes the new rate into the optimizer's `lr`.
 */
export abstract class Schedule {
  readonly initialLr: number;
  epoch = 0;

  constructor(readonly optimizer: Optimizer) {
    if (!optimizer || typeof optimizer.lr !== "number") throw new GradlabError("schedule: pass the optimizer whose lr it should drive");
    this.initialLr = optimizer.lr;
  }

  abstract lrAt(epoch: number): number;

  step(): number {
    this.epoch++;
    this.optimizer.lr = this.lrAt(this.epoch);
    return this.optimizer.lr;
  }

  get lr(): number {
    return this.optimizer.lr;
  }
}

/** lr₀ · γ^⌊epoch / stepSize⌋: drop by γ every stepSize epochs. */
export class StepDecay extends Schedule {
  constructor(opt: Optimizer, readonly options: { stepSize: number; gamma?: number }) {
    super(opt);
    if (!Number.isInteger(options?.stepSize) || options.stepSize < 1) throw new GradlabError(`StepDecay: stepSize must be a whole number ≥ 1, got ${options?.stepSize}`);
    checkRate("StepDecay", "gamma", options.gamma ?? 0.1);
  }
  lrAt(epoch: number): number {
    return this.initialLr * (this.options.gamma ?? 0.1) ** Math.floor(epoch / this.options.stepSize);
  }
}

/** lr₀ · γ^epoch. */
export class ExponentialDecay extends Schedule {
  constructor(opt: Optimizer, readonly options: { gamma: number }) {
    super(opt);
    checkRate("ExponentialDecay", "gamma", options?.gamma);
  }
  lrAt(epoch: number): number {
    return this.initialLr * this.options.gamma ** epoch;
  }
}

/** lr₀ / (1 + k·epoch): the "1/t" decay. */
export class InverseTimeDecay extends Schedule {
  constructor(opt: Optimizer, readonly options: { k: number }) {
    super(opt);
    checkRate("InverseTimeDecay", "k", options?.k, { open: false });
  }
  lrAt(epoch: number): number {
    return this.initialLr / (1 + this.options.k * epoch);
  }
}

/** Half a cosine from lr₀ down to lrMin over tMax epochs, then stays at lrMin. */
export class CosineDecay extends Schedule {
  constructor(opt: Optimizer, readonly options: { tMax: number; lrMin?: number }) {
    super(opt);
    if (!Number.isInteger(options?.tMax) || options.tMax < 1) throw new GradlabError(`CosineDecay: tMax must be a whole number ≥ 1, got ${options?.tMax}`);
  }
  lrAt(epoch: number): number {
    const min = this.options.lrMin ?? 0;
    const t = Math.min(epoch, this.options.tMax);
    return min + ((this.initialLr - min) * (1 + Math.cos((Math.PI * t) / this.options.tMax))) / 2;
  }
}
