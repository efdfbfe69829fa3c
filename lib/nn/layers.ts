import { Module } from "./module.js";
import { Tensor } from "../tensor/tensor.js";
import { full, zeros } from "../tensor/creation.js";
import { GradlabError, ShapeError, fmtShape } from "../tensor/errors.js";
import * as F from "./functional/index.js";
import { initWeight, type Init } from "./init.js";

export type ActivationName = "relu" | "sigmoid" | "tanh" | "leakyRelu" | "elu" | "selu" | "softplus" | "gaussian" | "softmax" | "linear";

const ACTIVATIONS: Record<ActivationName, (x: Tensor) => Tensor> = {
  relu: F.relu,
  sigmoid: F.sigmoid,
  tanh: F.tanh,
  leakyRelu: (x) => F.leakyRelu(x),
  elu: (x) => F.elu(x),
  selu: F.selu,
  softplus: F.softplus,
  gaussian: F.gaussian,
  softmax: (x) => F.softmax(x),
  linear: (x) => x,
};

function checkCount(layer: string, name: string, v: number): void {
  if (!Number.isInteger(v) || v <= 0) throw new GradlabError(`${layer}: ${name} must be a whole number ≥ 1, got ${v}`);
}

export interface LinearOptions {
  bias?: boolean;
  /** Applied after the affine map (Keras's Dense(units, activation) style). */
  activation?: ActivationName;
  /** Default: "he" before ReLU-family activations, else "xavier". */
  init?: Init;
}

/**
 * A fully connected layer: y = x·W + b with W of shape [inFeatures, outFeatures] (the
 * lessons' convention: one row of x per example, one column of W per neuron).
 */
export class Linear extends Module {
  weight: Tensor;
  bias: Tensor | null;
  readonly activation: ActivationName;

  constructor(readonly inFeatures: number, readonly outFeatures: number, options: LinearOptions = {}) {
    super();
    checkCount("Linear", "inFeatures", inFeatures);
    checkCount("Linear", "outFeatures", outFeatures);
    this.activation = options.activation ?? "linear";
    if (!(this.activation in ACTIVATIONS)) {
      throw new GradlabError(`Linear: unknown activation ${JSON.stringify(this.activation)}; use one of ${Object.keys(ACTIVATIONS).join(", ")}`);
    }
    const reluLike = ["relu", "leakyRelu", "elu", "selu"].includes(this.activation);
    this.weight = initWeight([inFeatures, outFeatures], options.init ?? (reluLike ? "he" : "xavier"));
    this.bias = options.bias === false ? null : zeros([outFeatures], { requiresGrad: true });
  }

  forward(x: Tensor): Tensor {
    const last = x.shape[x.ndim - 1];
    if (x.ndim === 0 || last !== this.inFeatures) {
      throw new ShapeError(
        `Linear(${this.inFeatures} → ${this.outFeatures}): input ${fmtShape(x.shape)} must end in ${this.inFeatures} features (one row per example)`,
      );
    }
    const act = this.activation;
    if (act === "linear" || act === "relu" || act === "sigmoid" || act === "tanh") return F.linear(x, this.weight, this.bias, act);
    return ACTIVATIONS[act](F.linear(x, this.weight, this.bias));
  }

  override describe(): string {
    return `Linear(${this.inFeatures} → ${this.outFeatures}${this.activation !== "linear" ? `, ${this.activation}` : ""})`;
  }
}

/** Keras's name for `Linear`. */
export const Dense = Linear;
export type Dense = Linear;

/** Runs layers in order; `layers` holds them. */
export class Sequential extends Module {
  readonly layers: Module[];

  constructor(...layers: Module[]) {
    super();
    layers.forEach((l, i) => {
      if (!(l instanceof Module)) throw new GradlabError(`Sequential: argument ${i} is not a layer (got ${typeof l})`);
    });
    this.layers = layers;
  }

  /** Children are named by position, as in PyTorch ("0.weight"). */
  override namedChildren(): [string, Module][] {
    return this.layers.map((l, i) => [String(i), l]);
  }

  forward(x: Tensor): Tensor {
    let h = x;
    const layers = this.layers;
    for (let i = 0; i < layers.length; i++) {
      const l = layers[i]!;
      try {
        h = l.forward(h);
      } catch (e) {
        if (e instanceof Error && !e.message.startsWith("Sequential")) e.message = `Sequential layer ${i} (${l.describe()}): ${e.message}`;
        throw e;
      }
      // Between two of the library's own layers, which keep no reference to what they take or
      // give, a value is reachable only through the graph: backward() may free it.
      const next = layers[i + 1];
      if (next && h !== x && h.node && keepsNoTensors(l) && keepsNoTensors(next)) h._graphOnly = true;
    }
    return h;
  }

  override describe(): string {
    return `Sequential(${this.layers.length} layers)`;
  }
}

export class Dropout extends Module {
  constructor(readonly p = 0.5) {
    super();
    if (!(p >= 0 && p < 1)) throw new GradlabError(`Dropout: p must be in [0, 1), got ${p}`);
  }
  forward(x: Tensor): Tensor {
    return F.dropout(x, this.p, this.training);
  }
  override describe(): string {
    return `Dropout(p=${this.p})`;
  }
}

/** Flattens all axes but the first: [batch, 28, 28] → [batch, 784]. */
export class Flatten extends Module {
  forward(x: Tensor): Tensor {
    return x.reshape(x.shape[0] ?? 1, -1);
  }
}

abstract class Activation extends Module {
  protected abstract readonly fn: (x: Tensor) => Tensor;
  forward(x: Tensor): Tensor {
    return this.fn(x);
  }
}

export class ReLU extends Activation {
  protected fn = F.relu;
}
export class Sigmoid extends Activation {
  protected fn = F.sigmoid;
}
export class Tanh extends Activation {
  protected fn = F.tanh;
}
export class SELU extends Activation {
  protected fn = F.selu;
}
export class Softplus extends Activation {
  protected fn = F.softplus;
}
export class Gaussian extends Activation {
  protected fn = F.gaussian;
}
export class LeakyReLU extends Activation {
  constructor(readonly slope = 0.01) {
    super();
  }
  protected fn = (x: Tensor) => F.leakyRelu(x, this.slope);
  override describe(): string {
    return `LeakyReLU(slope=${this.slope})`;
  }
}
export class ELU extends Activation {
  constructor(readonly alpha = 1) {
    super();
  }
  protected fn = (x: Tensor) => F.elu(x, this.alpha);
  override describe(): string {
    return `ELU(alpha=${this.alpha})`;
  }
}
export class Softmax extends Activation {
  constructor(readonly axis = -1) {
    super();
  }
  protected fn = (x: Tensor) => F.softmax(x, this.axis);
}
export class LogSoftmax extends Activation {
  constructor(readonly axis = -1) {
    super();
  }
  protected fn = (x: Tensor) => F.logSoftmax(x, this.axis);
}

/** Leaky ReLU with a learned slope: one shared (numParameters = 1) or one per feature. */
export class PReLU extends Module {
  weight: Tensor;
  constructor(numParameters = 1, init = 0.25) {
    super();
    checkCount("PReLU", "numParameters", numParameters);
    this.weight = full(numParameters === 1 ? [] : [numParameters], init, { requiresGrad: true });
  }
  forward(x: Tensor): Tensor {
    return F.prelu(x, this.weight);
  }
  override describe(): string {
    return `PReLU(${this.weight.size})`;
  }
}

/** The library's layers, exactly (a subclass may keep what it sees). */
const OWN_LAYERS: ReadonlySet<unknown> = new Set<unknown>([
  Linear, Dropout, Flatten, ReLU, Sigmoid, Tanh, SELU, Softplus, Gaussian, LeakyReLU, ELU, Softmax, LogSoftmax, PReLU,
]);

/** Whether a module is made only of the library's own layers, which keep no reference to what they take or give. */
export function keepsNoTensors(m: Module): boolean {
  if (m.constructor === Sequential) return (m as Sequential).layers.every(keepsNoTensors);
  return OWN_LAYERS.has(m.constructor);
}
