import { Tensor } from "../tensor/tensor.js";
import { GradlabError } from "../tensor/errors.js";
import { moduleTable, moduleHtml } from "./summary.js";

/**
 * Base class of layers and models. Parameters and sub-modules are found by walking the
 * object's own properties (tensors that require gradients, modules, arrays of modules), so a
 * model is just a class with fields — no registration calls.
 */
export abstract class Module {
  /** False after `eval()`: dropout and similar layers then pass inputs through unchanged. */
  training = true;

  abstract forward(x: Tensor): Tensor;

  /** Same as `forward(x)`. */
  call(x: Tensor): Tensor {
    if (!(x instanceof Tensor)) throw new GradlabError(`${this.constructor.name}: expected a Tensor input, got ${typeof x}`);
    return this.forward(x);
  }

  /** Direct sub-modules with their property names. */
  namedChildren(): [string, Module][] {
    const out: [string, Module][] = [];
    for (const [k, v] of Object.entries(this)) {
      if (v instanceof Module) out.push([k, v]);
      else if (Array.isArray(v)) v.forEach((m, i) => m instanceof Module && out.push([`${k}.${i}`, m]));
    }
    return out;
  }

  /** Every learnable tensor, named by its path ("layers.0.weight"). */
  namedParameters(prefix = ""): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    const seen = new Set<Tensor>();
    const walk = (m: Module, pre: string) => {
      for (const [k, v] of Object.entries(m)) {
        if (v instanceof Tensor && v.requiresGrad && v.isLeaf && !seen.has(v)) {
          seen.add(v);
          out.push([pre + k, v]);
        }
      }
      for (const [k, child] of m.namedChildren()) walk(child, `${pre}${k}.`);
    };
    walk(this, prefix);
    return out;
  }

  parameters(): Tensor[] {
    return this.namedParameters().map(([, p]) => p);
  }

  /** Total number of learnable values. */
  numParameters(): number {
    return this.parameters().reduce((n, p) => n + p.size, 0);
  }

  train(mode = true): this {
    this.training = mode;
    for (const [, c] of this.namedChildren()) c.train(mode);
    return this;
  }

  eval(): this {
    return this.train(false);
  }

  /** Clears every parameter's `.grad`. */
  zeroGrad(): void {
    for (const p of this.parameters()) p.grad = null;
  }

  /** Copies of all parameter values (to restore later with `loadState`). */
  state(): Map<string, Tensor> {
    return new Map(this.namedParameters().map(([k, p]) => [k, p.detach().clone()]));
  }

  loadState(state: Map<string, Tensor>): void {
    for (const [k, p] of this.namedParameters()) {
      const v = state.get(k);
      if (!v) throw new GradlabError(`loadState: no saved value for parameter ${k}`);
      p._assign(v);
    }
  }

  /** One line for this layer alone, e.g. "Linear(2 → 3)". */
  describe(): string {
    return `${this.constructor.name}()`;
  }

  toString(): string {
    return moduleTable(this);
  }

  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString();
  }

  [Symbol.for("Jupyter.display")](): Record<string, string> {
    return { "text/plain": this.toString(), "text/html": moduleHtml(this) };
  }
}
