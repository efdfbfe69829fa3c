import { noGrad } from "./mode.js";
import { GradlabError } from "../tensor/errors.js";
import { Tensor } from "../tensor/tensor.js";
import { tensor } from "../tensor/creation.js";
import type { NestedInput } from "../tensor/nested.js";
import { onCpu } from "../backend/registry.js";

export interface GradcheckOptions {
  /** Finite-difference step. */
  eps?: number;
  atol?: number;
  rtol?: number;
  /** Throw with a report on failure (default) or return false. */
  raise?: boolean;
}

export interface GradcheckWorst {
  input: number;
  element: number[];
  output: number[];
  analytic: number;
  numeric: number;
  error: number;
}

function unravel(i: number, shape: readonly number[]): number[] {
  const idx = new Array<number>(shape.length);
  for (let d = shape.length - 1; d >= 0; d--) {
    idx[d] = i % shape[d]!;
    i = Math.floor(i / shape[d]!);
  }
  return idx;
}

/** An input's values as float64, read without waiting (see Tensor._valuesNow). */
function valuesOf(x: Tensor | NestedInput, i: number): { values: Float64Array; shape: readonly number[]; device: string } {
  if (!(x instanceof Tensor)) {
    const t = onCpu(() => tensor(x));
    return { values: Float64Array.from(t.dataSync()), shape: t.shape, device: "cpu" };
  }
  const v = x._valuesNow();
  if (!v) {
    throw new GradlabError(
      `gradcheck: input ${i} [${x.shape.join(",")}] is in ${x.device} memory, which is read asynchronously; gradcheck works on float64 CPU copies anyway: pass \`await t.to("cpu")\``,
    );
  }
  return { values: Float64Array.from(v, Number), shape: x.shape, device: x.device };
}

/**
 * Compares autograd's Jacobian of `f` with central finite differences. Every output element is
 * checked against every input element; the report names the worst one. It always computes in
 * float64 on the CPU: inputs on another backend are copied there, and `f` runs with the CPU as
 * the current backend (a tensor `f` captured from another backend is an error that says so).
 */
export function gradcheck(f: (...xs: Tensor[]) => Tensor, inputs: readonly (Tensor | NestedInput)[], options: GradcheckOptions = {}): boolean {
  const read = inputs.map(valuesOf);
  const moved = [...new Set(read.map((r) => r.device).filter((d) => d !== "cpu"))];
  const where = moved.length ? ` (computed in float64 on CPU copies of the ${moved.join("/")} inputs)` : "";
  try {
    return onCpu(() => check(f, read.map((r) => r.values), read.map((r) => r.shape), options, where));
  } catch (e) {
    if (moved.length && e instanceof GradlabError && /different backends/.test(e.message)) {
      throw new GradlabError(
        `gradcheck: f uses a tensor on ${moved.join("/")} that it did not get as an input, but gradcheck runs f on float64 CPU copies of its inputs; pass that tensor as an input too, or create it inside f (${e.message})`,
      );
    }
    throw e;
  }
}

function check(f: (...xs: Tensor[]) => Tensor, base: readonly Float64Array[], shapes: readonly (readonly number[])[], options: GradcheckOptions, where: string): boolean {
  const eps = options.eps ?? 1e-6;
  const atol = options.atol ?? 1e-5;
  const rtol = options.rtol ?? 1e-3;
  const make = (vals: readonly Float64Array[], track: boolean) =>
    vals.map((v, i) => tensor(v, { dtype: "float64" }).reshape([...shapes[i]!]).detach()).map((t) => {
      if (track) t.requiresGrad = true;
      return t;
    });

  const leaves = make(base, true);
  const out = f(...leaves);
  if (!(out instanceof Tensor)) throw new GradlabError("gradcheck: f must return a Tensor");
  const outShape = out.shape;
  const m = out.size;

  // Analytic Jacobian rows: one backward pass per output element.
  const analytic = base.map((b) => new Float64Array(b.length * m));
  for (let o = 0; o < m; o++) {
    for (const l of leaves) l.grad = null;
    if (out.requiresGrad) {
      const seed = new Float64Array(m);
      seed[o] = 1;
      out.backward(tensor(seed, { dtype: "float64" }).reshape([...outShape]).cast(out.dtype));
    }
    leaves.forEach((l, i) => {
      if (!l.grad) return;
      const g = l.grad.cast("float64").dataSync();
      for (let e = 0; e < g.length; e++) analytic[i]![e * m + o] = g[e]!;
    });
  }

  let worst: GradcheckWorst | null = null;
  let failed = false;
  noGrad(() => {
    base.forEach((b, i) => {
      for (let e = 0; e < b.length; e++) {
        const plus = base.map((v) => v.slice());
        const minus = base.map((v) => v.slice());
        plus[i]![e]! += eps;
        minus[i]![e]! -= eps;
        const fp = f(...make(plus, false)).cast("float64").dataSync();
        const fm = f(...make(minus, false)).cast("float64").dataSync();
        for (let o = 0; o < m; o++) {
          const numeric = (fp[o]! - fm[o]!) / (2 * eps);
          const a = analytic[i]![e * m + o]!;
          const error = Math.abs(a - numeric);
          const bad = !(error <= atol + rtol * Math.abs(numeric));
          if (bad) failed = true;
          if (!worst || error > worst.error || (bad && Number.isNaN(error))) {
            worst = { input: i, element: unravel(e, shapes[i]!), output: unravel(o, outShape), analytic: a, numeric, error };
          }
        }
      }
    });
  });
  if (!failed) return true;
  if (options.raise === false) return false;
  const w = worst as unknown as GradcheckWorst;
  throw new GradlabError(
    `gradcheck: autograd and finite differences disagree${where}. Worst: input ${w.input} element [${w.element.join(",")}], output [${w.output.join(",")}]: ` +
      `analytic ${w.analytic}, numeric ${w.numeric} (error ${w.error.toExponential(3)} > atol ${atol} + rtol ${rtol}·|numeric|)`,
  );
}
