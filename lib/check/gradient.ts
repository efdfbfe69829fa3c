import { Tensor } from "../tensor/tensor.js";
import { tensor } from "../tensor/creation.js";
import { noGrad } from "../autograd/mode.js";
import { currentBackend } from "../backend/registry.js";
import { readValues, type Checkable } from "./values.js";
import { checkSameShape, mismatches } from "./compare.js";
import { fmtIndex, fmtNum, fmtValues, unravel, SHOW_MAX } from "./format.js";
import { valueHints } from "./hints.js";
import { fail, label, pass } from "./report.js";

export interface GradientOptions {
  /** Finite-difference step; default 1e-6 when f computes in float64, 1e-3 when it computes in float32. */
  eps?: number;
  tol?: number;
  rtol?: number;
  /** Name of the gradient, e.g. "dW1". */
  name?: string;
}

type ScalarFn = (x: Tensor) => Tensor;

/**
 * `analytic` (a tensor, array, or a function of x) is the gradient of the scalar function `f`
 * at `x`, judged against central finite differences (f(x + h·eᵢ) − f(x − h·eᵢ)) / 2h, one
 * element at a time. Needs the CPU backend, where float64 makes the differences accurate.
 */
export function gradient(f: ScalarFn, x: Tensor | Checkable, analytic: Tensor | Checkable | ScalarFn, options: GradientOptions = {}): void {
  const what = label(options.name, "your gradient");
  if (currentBackend().name !== "cpu") {
    fail(`check.gradient needs the CPU backend (finite differences are taken in float64).`, [], ['run `await setBackend("cpu")` first.']);
  }
  if (typeof f !== "function") fail(`check.gradient: the first argument must be the function f whose gradient is checked, got ${typeof f}.`);
  const base = readValues(x, "the point x");
  const shape = [...base.shape];
  const at = (values: Float64Array) => tensor(values, { dtype: "float64" }).reshape(shape);

  const f0 = callF(f, at(base.data), shape);
  const float64 = f0.dtype === "float64";
  const eps = options.eps ?? (float64 ? 1e-6 : 1e-3);
  const tol = options.tol ?? (float64 ? 1e-5 : 1e-3);
  const rtol = options.rtol ?? (float64 ? 1e-4 : 1e-2);

  const numeric = new Float64Array(base.data.length);
  noGrad(() => {
    for (let i = 0; i < numeric.length; i++) {
      const plus = base.data.slice();
      const minus = base.data.slice();
      plus[i]! += eps;
      minus[i]! -= eps;
      const fp = readValues(callF(f, at(plus), shape), "f(x + h)").data[0]!;
      const fm = readValues(callF(f, at(minus), shape), "f(x − h)").data[0]!;
      numeric[i] = (fp - fm) / (2 * eps);
    }
  });

  const given = typeof analytic === "function" ? analyticFrom(analytic as ScalarFn, x, what) : analytic;
  const a = readValues(given, what);
  const e = { shape, data: numeric, kind: "tensor" as const };
  checkSameShape(what, a, e);
  const { bad, maxDiff } = mismatches(a.data, numeric, tol, rtol);
  if (bad.length === 0) {
    const where = numeric.length === 1 ? "" : ` at all ${numeric.length} elements`;
    pass(`${what} agrees with finite differences${where} (largest difference ${fmtNum(maxDiff)})`);
    return;
  }
  const worst = bad.reduce((w, i) => (Math.abs(a.data[i]! - numeric[i]!) > Math.abs(a.data[w]! - numeric[w]!) ? i : w), bad[0]!);
  const idx = fmtIndex(unravel(worst, shape));
  const details = [
    `largest error at ${idx || "the only element"}: yours ${fmtNum(a.data[worst]!)}, finite differences ${fmtNum(numeric[worst]!)} (step h = ${fmtNum(eps)})`,
    `${bad.length} of ${numeric.length} elements differ by more than ${fmtNum(tol)} + ${fmtNum(rtol)}·|numeric|`,
  ];
  if (numeric.length <= SHOW_MAX) details.push(`yours     ${fmtValues(a.data, shape)}`, `numerical ${fmtValues(numeric, shape)}`);
  fail(`${what} is not the gradient of f at x.`, details, valueHints(a.data, numeric, shape));
}

function callF(f: ScalarFn, x: Tensor, shape: number[]): Tensor {
  let out: unknown;
  try {
    out = f(x);
  } catch (e) {
    fail(`f threw an error at x of shape [${shape.join(", ")}]: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (!(out instanceof Tensor)) return fail(`f must return a Tensor (a single number, like a loss), got ${out === undefined ? "undefined" : typeof out}.`);
  if (out.size !== 1) return fail(`f must return a single number (a loss), got shape [${out.shape.join(", ")}].`, [], ["reduce it with .sum() or .mean()."]);
  return out;
}

/** Calls a gradient *function* at x (given as a tensor, or as numbers to make one of). */
function analyticFrom(g: ScalarFn, x: Tensor | Checkable, what: string): unknown {
  const asTensor = (): Tensor => {
    const v = readValues(x, "the point x");
    return tensor(v.data, { dtype: "float32" }).reshape([...v.shape]);
  };
  try {
    return g(x instanceof Tensor ? x : asTensor());
  } catch (e) {
    return fail(`${what} threw an error: ${e instanceof Error ? e.message : String(e)}`);
  }
}
