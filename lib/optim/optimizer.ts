import { Tensor } from "../tensor/tensor.js";
import { GradlabError } from "../tensor/errors.js";
import { Storage } from "../tensor/storage.js";
import { zerosLike } from "../tensor/creation.js";
import { noGrad } from "../autograd/mode.js";
import type { UpdatePlan } from "../backend/update.js";

export function checkRate(op: string, name: string, v: number, { min = 0, max = Infinity, open = true } = {}): void {
  const ok = typeof v === "number" && Number.isFinite(v) && (open ? v > min : v >= min) && v < max;
  if (!ok) throw new GradlabError(`${op}: ${name} must be a number ${open ? ">" : "≥"} ${min}${max !== Infinity ? ` and < ${max}` : ""}, got ${v}`);
}

/**
 * Shared part of the optimizers: the parameter list, `lr` (which schedules change), `zeroGrad`,
 * and a `step` that applies `update` to every parameter that has a gradient, without recording.
 *
 * The built-in optimizers also describe their step as one fused formula (`plan`): then `step`
 * computes the parameter and its state in one pass, writing over buffers only they hold and
 * freeing the ones they replace, so a loop of steps allocates nothing. A subclass that overrides
 * `update` gets exactly its own `update`.
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

  /**
   * The built-in optimizers' step for parameter i as one fused formula over [p, ...state(i)] and
   * the gradient; null where there is none. Used only while `update` is the class's own.
   */
  protected plan(_i: number): UpdatePlan | null {
    return null;
  }

  /** The state tensors a plan updates with the parameter (velocity, moments), created as zeros. */
  private readonly stateTensors: (Tensor[] | undefined)[] = [];

  /** @internal the state kept for parameter i by a fused plan (for tests and inspection) */
  protected fusedState(i: number, count: number): Tensor[] {
    let st = this.stateTensors[i];
    if (!st) {
      const p = this.params[i]!;
      st = Array.from({ length: count }, () => zerosLike(p));
      this.stateTensors[i] = st;
    }
    return st;
  }

  /** Whether `update` is still the built-in class's own (a subclass may replace it with its formula). */
  private fusedAllowed(): boolean {
    const own = this.builtinUpdate();
    if (own === null) return false;
    for (let o: object | null = this; o && o !== Optimizer.prototype; o = Object.getPrototypeOf(o) as object | null) {
      const d = Object.getOwnPropertyDescriptor(o, "update");
      if (d) return d.value === own;
    }
    return false;
  }

  /** The `update` of the built-in class whose `plan` this is; null for optimizers without a plan. */
  protected builtinUpdate(): unknown {
    return null;
  }

  step(): void {
    this.t++;
    const fused = this.fusedAllowed();
    noGrad(() => {
      this.params.forEach((p, i) => {
        const g = p._peekGrad();
        if (!g) return;
        const plan = fused ? this.plan(i) : null;
        if (plan) applyPlan(plan, [p, ...this.fusedState(i, plan.targets - 1)], g);
        else p._assign(this.update(p, p.grad!, i));
      });
    });
  }

  /** Clears every parameter's gradient (the engine frees the ones no one else can hold). */
  zeroGrad(): void {
    for (const p of this.params) p._releaseGrad();
  }
}

/**
 * Runs a fused update over `targets` (a parameter, then its state) with gradient `g`. A target
 * this tensor alone holds is written in place; any other gets a new buffer, and the old one is
 * freed when it had no other holder.
 */
function applyPlan(plan: UpdatePlan, targets: readonly Tensor[], g: Tensor): void {
  const be = targets[0]!.backend;
  const views = targets.map((t) => t.contiguous());
  const grad = g.contiguous();
  const inPlace = targets.map((t, k) => views[k] === t && t.storage.holders === 1);
  const outs = be.update(plan, views, [grad], inPlace);
  targets.forEach((t, k) => {
    if (outs[k] !== views[k]!.buf) t._replaceStorage(new Storage(be, outs[k]));
    if (views[k] !== t && views[k]!.storage.holders === 1) views[k]!.storage.dispose();
  });
  if (grad !== g && grad.storage.holders === 1) grad.storage.dispose();
}
