import type { TypedArray } from "../tensor/dtype.js";

/**
 * Elementwise updates with several outputs, written once as a formula and run by every backend:
 * the optimizers' steps (a parameter and its state buffers from the gradient, in one pass instead
 * of a dozen tensor ops). The reference backend interprets the formula; the Wasm and WGSL
 * backends compile it. Every operation rounds to the buffers' precision, in the order written,
 * so on the CPU a fused float32 step gives the same bits as the tensor ops it replaces.
 */
export type UpdateExpr =
  /** The current value of target buffer i. */
  | { readonly op: "target"; readonly i: number }
  /** The value of read-only input i. */
  | { readonly op: "input"; readonly i: number }
  /** Constant i of the plan (same for every element). */
  | { readonly op: "const"; readonly i: number }
  /** A value computed earlier in the plan (`lets[i]`). */
  | { readonly op: "let"; readonly i: number }
  | { readonly op: "add" | "sub" | "mul" | "div"; readonly a: UpdateExpr; readonly b: UpdateExpr }
  | { readonly op: "sqrt"; readonly a: UpdateExpr };

export interface UpdatePlan {
  /** Identifies the formula (not the constants): backends compile one kernel per key. */
  readonly key: string;
  readonly targets: number;
  readonly inputs: number;
  readonly consts: readonly number[];
  /** Named steps, each may use the ones before. */
  readonly lets: readonly UpdateExpr[];
  /** The new value of each target, from the old values, inputs, constants and steps. */
  readonly results: readonly UpdateExpr[];
}

const target = (i: number): UpdateExpr => ({ op: "target", i });
const input = (i: number): UpdateExpr => ({ op: "input", i });
const add = (a: UpdateExpr, b: UpdateExpr): UpdateExpr => ({ op: "add", a, b });
const sub = (a: UpdateExpr, b: UpdateExpr): UpdateExpr => ({ op: "sub", a, b });
const mul = (a: UpdateExpr, b: UpdateExpr): UpdateExpr => ({ op: "mul", a, b });
const div = (a: UpdateExpr, b: UpdateExpr): UpdateExpr => ({ op: "div", a, b });
const sqrt = (a: UpdateExpr): UpdateExpr => ({ op: "sqrt", a });

/** Collects constants and steps while a formula is written. */
class PlanBuilder {
  readonly consts: number[] = [];
  readonly lets: UpdateExpr[] = [];
  const(v: number): UpdateExpr {
    return { op: "const", i: this.consts.push(v) - 1 };
  }
  let(e: UpdateExpr): UpdateExpr {
    return { op: "let", i: this.lets.push(e) - 1 };
  }
  done(key: string, targets: number, inputs: number, results: UpdateExpr[]): UpdatePlan {
    return { key, targets, inputs, consts: this.consts, lets: this.lets, results };
  }
}

/** g (+ λp when weight decay is on): target 0 is the parameter, input 0 its gradient. */
function decayed(b: PlanBuilder, weightDecay: number): UpdateExpr {
  return b.let(weightDecay ? add(input(0), mul(target(0), b.const(weightDecay))) : input(0));
}

/** SGD; targets [p] or, with momentum, [p, velocity]: v ← μv + g; step v (or g + μv with Nesterov). */
export function sgdPlan(o: { lr: number; momentum: number; nesterov: boolean; weightDecay: number }): UpdatePlan {
  const b = new PlanBuilder();
  const g = decayed(b, o.weightDecay);
  const key = `sgd|${o.weightDecay ? "wd" : ""}|${o.momentum ? (o.nesterov ? "nesterov" : "momentum") : ""}`;
  if (!o.momentum) return b.done(key, 1, 1, [sub(target(0), mul(g, b.const(o.lr)))]);
  const mu = b.const(o.momentum);
  const v = b.let(add(mul(target(1), mu), g));
  const step = o.nesterov ? b.let(add(g, mul(v, mu))) : v;
  return b.done(key, 2, 1, [sub(target(0), mul(step, b.const(o.lr))), v]);
}

/** RMSProp; targets [p, s]: s ← αs + (1 − α)g²; p ← p − lr·g / (√s + ε). */
export function rmspropPlan(o: { lr: number; alpha: number; eps: number; weightDecay: number }): UpdatePlan {
  const b = new PlanBuilder();
  const g = decayed(b, o.weightDecay);
  const g2 = b.let(mul(mul(g, g), b.const(1 - o.alpha)));
  const s = b.let(add(mul(target(1), b.const(o.alpha)), g2));
  const p = sub(target(0), mul(div(g, add(sqrt(s), b.const(o.eps))), b.const(o.lr)));
  return b.done(`rmsprop|${o.weightDecay ? "wd" : ""}`, 2, 1, [p, s]);
}

/**
 * Adam; targets [p, m, v], with the bias corrections `1 − β₁ᵗ` and `1 − β₂ᵗ` of this step.
 * Arranged as PyTorch computes it, p ← p − (lr / (1 − β₁ᵗ)) · m / (√v / √(1 − β₂ᵗ) + ε): the
 * same value as lr·m̂ / (√v̂ + ε) up to rounding, with one division an element instead of three
 * (divisions and square roots are what limit the step on a CPU).
 */
export function adamPlan(o: {
  lr: number; beta1: number; beta2: number; eps: number; weightDecay: number; correction1: number; correction2: number;
}): UpdatePlan {
  const b = new PlanBuilder();
  const g = decayed(b, o.weightDecay);
  const m1 = b.let(mul(g, b.const(1 - o.beta1)));
  const v1 = b.let(mul(mul(g, g), b.const(1 - o.beta2)));
  const m = b.let(add(mul(target(1), b.const(o.beta1)), m1));
  const v = b.let(add(mul(target(2), b.const(o.beta2)), v1));
  const denom = b.let(add(mul(sqrt(v), b.const(1 / Math.sqrt(o.correction2))), b.const(o.eps)));
  const p = sub(target(0), mul(div(m, denom), b.const(o.lr / o.correction1)));
  return b.done(`adam|${o.weightDecay ? "wd" : ""}`, 3, 1, [p, m, v]);
}

type Loop = (targets: readonly TypedArray[], inputs: readonly TypedArray[], outs: readonly TypedArray[], n: number, consts: readonly number[]) => void;

const loops = new Map<string, Loop>();

/** JavaScript source of an expression over per-element locals (t0, x0, l0…) and constants (c0…). */
export function exprSource(e: UpdateExpr, round: (s: string) => string): string {
  switch (e.op) {
    case "target": return `t${e.i}`;
    case "input": return `x${e.i}`;
    case "const": return `c${e.i}`;
    case "let": return `l${e.i}`;
    case "add": return round(`${exprSource(e.a, round)} + ${exprSource(e.b, round)}`);
    case "sub": return round(`${exprSource(e.a, round)} - ${exprSource(e.b, round)}`);
    case "mul": return round(`${exprSource(e.a, round)} * ${exprSource(e.b, round)}`);
    case "div": return round(`${exprSource(e.a, round)} / ${exprSource(e.b, round)}`);
    case "sqrt": return round(`Math.sqrt(${exprSource(e.a, round)})`);
  }
}

/** One monomorphic loop per formula and precision (a loop interpreting the formula is ~20× slower). */
function compile(plan: UpdatePlan, float32: boolean): Loop {
  const round = float32 ? (s: string) => `fr(${s})` : (s: string) => `(${s})`;
  const lines = ["const fr = Math.fround;"];
  plan.consts.forEach((_, i) => lines.push(`const c${i} = ${float32 ? "fr(consts[" + i + "])" : "consts[" + i + "]"};`));
  for (let i = 0; i < plan.targets; i++) lines.push(`const T${i} = targets[${i}], O${i} = outs[${i}];`);
  for (let i = 0; i < plan.inputs; i++) lines.push(`const X${i} = inputs[${i}];`);
  lines.push("for (let j = 0; j < n; j++) {");
  for (let i = 0; i < plan.targets; i++) lines.push(`  const t${i} = T${i}[j];`);
  for (let i = 0; i < plan.inputs; i++) lines.push(`  const x${i} = X${i}[j];`);
  plan.lets.forEach((e, i) => lines.push(`  const l${i} = ${exprSource(e, round)};`));
  plan.results.forEach((e, i) => lines.push(`  const r${i} = ${exprSource(e, round)};`));
  plan.results.forEach((_, i) => lines.push(`  O${i}[j] = r${i};`));
  lines.push("}");
  return new Function("targets", "inputs", "outs", "n", "consts", lines.join("\n")) as Loop;
}

/**
 * Runs `plan` over elements [0, n) of contiguous arrays, writing each target's new values into
 * `outs[k]` (which may be the target itself). `float32` rounds after every operation.
 */
export function runUpdate(
  plan: UpdatePlan, targets: readonly TypedArray[], inputs: readonly TypedArray[], outs: readonly TypedArray[], n: number, float32: boolean,
): void {
  const key = (float32 ? "f32|" : "f64|") + plan.key;
  let loop = loops.get(key);
  if (!loop) loops.set(key, (loop = compile(plan, float32)));
  loop(targets, inputs, outs, n, plan.consts);
}
